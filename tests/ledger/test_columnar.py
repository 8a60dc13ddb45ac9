"""The ledger read into DuckDB: a table read in parts on two connections is the whole table, and
a read beside a writer at work neither waits for it nor sees its uncommitted rows."""
from __future__ import annotations

import sqlite3
import time

import pytest

from ledger import columnar
from metrics.engine import LEDGER

COLUMNS = LEDGER["assets"]


def cards(engine, config, connections: int, queries=None) -> list[tuple]:
    queries = queries or [("assets", sql, ()) for sql in columnar.parts(engine, "assets", COLUMNS)]
    queries += [("units", "SELECT code, name, dept_code FROM units", ())]
    with columnar.connect(config) as duck:
        columnar.load(duck, engine, queries, {"assets": COLUMNS, "units": LEDGER["units"]}, connections)
        assert duck.execute("SELECT count(*) FROM units").fetchone()[0] == 6
        return sorted(duck.execute("SELECT * FROM assets").fetchall())


def test_cards_read_in_parts_on_two_connections_are_all_the_cards_once(city, config):
    whole = cards(city, config, 1, [("assets", f"SELECT {', '.join(COLUMNS)} FROM assets", ())])
    assert len(whole) == 12 and len({row[0] for row in whole}) == 12
    assert cards(city, config, 2) == whole
    assert cards(city, config, 1) == whole


def test_a_failing_query_on_two_connections_is_reported_and_the_next_read_works(city, config):
    with pytest.raises(Exception) as failed:
        cards(city, config, 2, [("assets", "SELECT nothing FROM assets", ())])
    assert "nothing" in str(failed.value)
    assert len(cards(city, config, 2)) == 12


def test_a_read_beside_a_writer_at_work_sees_what_was_committed_without_waiting(city, config):
    if city.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's reads are the server's: one snapshot, never waiting for a writer")
    before = cards(city, config, 2)
    writer = sqlite3.connect(city.url.database, isolation_level=None)
    try:
        writer.execute("BEGIN IMMEDIATE")  # an import under way: the write lock held
        writer.execute("UPDATE assets SET category = '通用设备' WHERE code = 'A1'")
        started = time.monotonic()
        assert cards(city, config, 2) == before  # one connection, as committed
        assert time.monotonic() - started < 5  # SQLite's busy wait is 5 s: it did not wait for the writer
        writer.execute("COMMIT")
    finally:
        writer.close()
    after = cards(city, config, 2)
    assert after != before and [r for r in after if r[0] == "A1"][0][2] == "通用设备"
