"""ledger.db: a time limit on the statements of a block, on both databases."""
from __future__ import annotations

import time

import pytest
from sqlalchemy import text

from ledger.db import TimedOut, time_limit

# counts to fifty million: seconds on either database, however fast the machine
LONG = ("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) "
        "SELECT count(*) FROM n")


def test_a_statement_past_its_time_limit_stops_and_the_connection_goes_on(migrated_engine):
    with migrated_engine.connect() as conn:
        started = time.monotonic()
        with pytest.raises(TimedOut), time_limit(conn, 100):
            conn.execute(text(LONG)).scalar()
        assert time.monotonic() - started < 3  # stopped, not run to its end
        assert conn.execute(text("SELECT 41 + 1")).scalar() == 42  # no limit left behind
        with time_limit(conn, 5_000):  # within its limit a statement answers as ever
            assert conn.execute(text("SELECT 6 * 7")).scalar() == 42
        assert conn.execute(text(LONG.replace("50000000", "300000"))).scalar() == 300_000
