"""ledger.bulk: the same rows whichever way they are written."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from ledger import bulk
from ledger.columnar import SqliteDriver
from ledger.importer import load
from ledger.models import Asset, Base, Plan, Unit
from tests.city import build_city
from tests.factories import LedgerBuilder
from tests.helpers import empty_all

# written with the moment they were written (or chained to it): not the same in two builds
MOMENTS = {"audit_log", "imports", "job_runs"}


def stored(engine) -> dict[str, list[tuple]]:
    """Every value of the ledger with SQLite's storage class of it (TEXT '1' is not INTEGER 1)."""
    found = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in MOMENTS:
                continue
            # moments and salted password hashes differ between two builds of one city
            columns = [c.name for c in table.columns if not c.name.endswith("_at") and c.name != "password_hash"]
            typed = ", ".join(f"typeof({c}), {c}" for c in columns)
            found[table.name] = conn.execute(text(f"SELECT {typed} FROM {table.name} ORDER BY {', '.join(columns)}")).all()
    return found


def test_the_drivers_ingest_stores_what_executemany_stores(migrated_engine, base_config, tmp_path, monkeypatch):
    """A city imported and computed with every table written through the ADBC driver's ingest holds
    the same values, of the same storage classes, as one written by executemany."""
    if migrated_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's way of writing a large table")
    monkeypatch.setattr(load, "REBUILD_ROWS", 1)  # every load a large one, written by write_arrow
    monkeypatch.setattr(bulk, "INGEST_ROWS", 10**9)
    build_city(empty_all(migrated_engine), base_config, tmp_path / "executemany")
    by_executemany = stored(migrated_engine)
    monkeypatch.setattr(bulk, "INGEST_ROWS", 1)
    ingested = driver_jobs(monkeypatch)
    build_city(empty_all(migrated_engine), base_config, tmp_path / "ingest")
    assert {"assets", "plans", "requests", "kpi_rows", "warning_rows"} <= {j["table"] for j in ingested}
    assert stored(migrated_engine) == by_executemany
    assert by_executemany["assets"] and by_executemany["warning_rows"] and by_executemany["kpi_rows"]
    assert not scratch_folders(migrated_engine)


def driver_jobs(monkeypatch, failing: int = 0) -> list[dict]:
    """The ingest jobs SQLite's driver process is given from now on; the `failing`-th is given a
    file that is not there (the driver reports it as it would any failure)."""
    jobs, run = [], SqliteDriver.run

    def spied(job):
        if "ingest" in job:
            jobs.append(job["ingest"])
            if len(jobs) == failing:
                job = {"ingest": dict(job["ingest"], file="/nonexistent/rows.arrow")}
        return run(job)
    monkeypatch.setattr(SqliteDriver, "run", spied)
    return jobs


def scratch_folders(engine, pid: int | None = None) -> list:
    """The scratch folders beside the database of the process `pid` (this one by default)."""
    return list(Path(engine.url.database).parent.glob(f"{bulk.SCRATCH}{pid or os.getpid()}-*"))


def test_a_scratch_folder_left_by_a_killed_process_is_deleted_by_the_next_import(engine, config, tmp_path):
    """kill -9 mid-import leaves its scratch folder (some hundreds of MB at 1M cards): the next
    import beside the same database deletes it, and leaves alone those of processes still running."""
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's way of writing a large table")
    ended = subprocess.Popen(["true"])
    ended.wait()
    beside = Path(engine.url.database).parent
    orphan, busy = beside / f"{bulk.SCRATCH}{ended.pid}-abc", beside / f"{bulk.SCRATCH}{os.getppid()}-abc"
    for folder in (orphan, busy):
        folder.mkdir()
        (folder / "ingest_0.sqlite").write_bytes(b"rows")
    try:
        LedgerBuilder().unit("U1").asset("A1").load(engine, config, tmp_path)
        assert not orphan.exists() and (busy / "ingest_0.sqlite").exists()
    finally:
        shutil.rmtree(busy, ignore_errors=True)
        shutil.rmtree(orphan, ignore_errors=True)


def test_an_ingest_that_fails_leaves_the_ledger_as_it_was(migrated_engine, base_config, tmp_path, monkeypatch):
    """The driver failing on the second table (the first already copied in) fails the import:
    nothing of it is stored, no scratch file is left, no connection keeps one attached."""
    if migrated_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's way of writing a large table")
    engine = empty_all(migrated_engine)
    monkeypatch.setattr(load, "REBUILD_ROWS", 1)
    monkeypatch.setattr(bulk, "INGEST_ROWS", 1)
    jobs = driver_jobs(monkeypatch, failing=2)
    with pytest.raises(RuntimeError, match="写入台账失败 / writing the ledger failed"):
        LedgerBuilder().unit("U1", dept="D1").asset("A1", unit="U1").plan("T1", "A1", "2025-02-01", "2025-08-01") \
            .load(engine, base_config, tmp_path / "file")
    assert len(jobs) == 2 and not scratch_folders(engine)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Asset)).scalar() == 0
        assert conn.execute(select(func.count()).select_from(Unit)).scalar() == 0
    for _ in range(3):  # whichever pooled connection comes next
        with engine.connect() as conn:
            attached = [r[1] for r in conn.exec_driver_sql("PRAGMA database_list")]
            assert "main" in attached and not [a for a in attached if a.startswith("ingest")]


def test_a_second_import_replaces_rows_alike_by_ingest_and_by_executemany(migrated_engine, base_config, tmp_path,
                                                                          monkeypatch):
    """Upserts and deletions (a renamed card, a plan moved to another asset, changed statuses)
    give the same ledger through the driver's ingest as through executemany."""
    if migrated_engine.dialect.name != "sqlite":
        pytest.skip("SQLite's way of writing a large table")

    def month(builder: LedgerBuilder, moved: bool) -> LedgerBuilder:
        builder.unit("U1", dept="D1").unit("U2", dept="D2")
        builder.asset("A1", unit="U1", asset_name="改名" if moved else "原名").asset("A2", unit="U2")
        builder.change("A1", "2024-01-01", "闲置").change("A2", "2024-03-01", "在用" if moved else "闲置")
        return builder.plan("T1", "A2" if moved else "A1", "2025-02-01", "2025-08-01")

    found = []
    for rows in (10**9, 1):
        monkeypatch.setattr(bulk, "INGEST_ROWS", rows)
        engine = empty_all(migrated_engine)
        month(LedgerBuilder(), moved=False).load(engine, base_config, tmp_path / f"{rows}-one")
        jobs = driver_jobs(monkeypatch)
        month(LedgerBuilder(), moved=True).load(engine, base_config, tmp_path / f"{rows}-two")
        assert bool(jobs) == (rows == 1)
        found.append(stored(engine))
        with engine.connect() as conn:  # the second month as imported
            assert conn.execute(select(Plan.asset_code).where(Plan.plan_id == "T1")).scalar_one() == "A2"
            assert conn.execute(select(Asset.name).where(Asset.code == "A1")).scalar_one() == "改名"
    assert found[0] == found[1]


def test_a_month_over_the_last_writes_only_the_rows_that_differ(engine, config, tmp_path, monkeypatch):
    """Importing the next month's export writes the cards that are new or differ in some column —
    a value changed, emptied or filled in — and leaves the ones it repeats as they are."""
    written, replace = {}, load.replace_rows

    def counted(conn, table, *rest, **options):
        written[table] = replace(conn, table, *rest, **options)
        return written[table]
    monkeypatch.setattr(load, "replace_rows", counted)

    def month(places: dict[str, str]) -> LedgerBuilder:
        b = LedgerBuilder().unit("U1")
        for code, place in places.items():
            b.asset(code, unit="U1", location=place)
        return b

    month({"A1": "一楼", "A2": "二楼", "A3": "", "A4": "四楼"}).load(engine, config, tmp_path / "one")
    with engine.connect() as conn:
        before = versions(conn)
    month({"A1": "一楼", "A2": "三楼", "A3": "库房", "A4": "", "A5": "五楼"}).load(engine, config, tmp_path / "two")
    assert written["assets"] == 4  # A2 moved, A3 given a place, A4's emptied, A5 new
    assert written["units"] == 0
    with engine.connect() as conn:
        assert dict(conn.execute(select(Asset.code, Asset.location)).all()) == \
            {"A1": "一楼", "A2": "三楼", "A3": "库房", "A4": None, "A5": "五楼"}
        if before:  # PostgreSQL: the card repeated as it was is the same row version
            assert versions(conn)["A1"] == before["A1"] and versions(conn)["A2"] != before["A2"]


def versions(conn) -> dict[str, str]:
    """PostgreSQL: each card's row version (xmin), which any write of the row changes."""
    if conn.dialect.name != "postgresql":
        return {}
    return dict(conn.execute(text("SELECT code, xmin::text FROM assets")).all())
