"""ledger.db: a time limit on the statements of a block, on both databases; a killed process's
statement stopped by PostgreSQL."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from sqlalchemy import text

from ledger.db import TimedOut, time_limit
from tests.helpers import ROOT

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


# a process that locks a row, says its server process, then waits on the server for ten minutes
ORPHAN = textwrap.dedent("""
    import sys
    from sqlalchemy import text
    from ledger.db import make_engine
    with make_engine(sys.argv[1]).begin() as conn:
        conn.execute(text("UPDATE held SET n = n + 1"))
        print(conn.execute(text("SELECT pg_backend_pid()")).scalar(), flush=True)
        conn.execute(text("SELECT pg_sleep(600)"))
""")


def test_a_killed_process_s_statement_stops_and_its_rows_are_free_again(migrated_engine):
    """A job killed mid-statement (kill -9, the OOM killer) must not leave its statement running
    on the server, holding the rows it locked, while the restarted job waits for them."""
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("SQLite's locks go with the process")
    with migrated_engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS held"))
        conn.execute(text("CREATE TABLE held (n integer)"))
        conn.execute(text("INSERT INTO held VALUES (0)"))
    url = migrated_engine.url.render_as_string(hide_password=False)
    proc = subprocess.Popen([sys.executable, "-c", ORPHAN, url], stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    server_pid = int(proc.stdout.readline())
    try:
        deadline = time.monotonic() + 30
        with migrated_engine.connect() as conn:  # killed while the server runs its statement
            while not conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p AND state = 'active' "
                                        "AND query LIKE '%pg_sleep%'"), {"p": server_pid}).scalar():
                conn.rollback()
                assert time.monotonic() < deadline
                time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with migrated_engine.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '20s'"))  # the orphan's ten minutes would fail this
            conn.execute(text("UPDATE held SET n = n + 10"))
            assert conn.execute(text("SELECT n FROM held")).scalar() == 10  # the killed one's update undone
    finally:  # whatever happened, no orphan left to block the tests after this one
        proc.kill()
        with migrated_engine.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": server_pid})
            conn.execute(text("DROP TABLE held"))
