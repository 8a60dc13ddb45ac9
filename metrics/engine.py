"""The analytic engine: the ledger tables a computation needs, read as Arrow into DuckDB.

The ledger database (SQLite or PostgreSQL) stays the source of truth; a computation reads
it once through the Arrow ADBC driver of its database (PostgreSQL: binary COPY), in one
read transaction so every table shows the same moment, and computes everything in DuckDB.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Iterator

import duckdb
import pyarrow as pa
from sqlalchemy import Engine

from ledger.config import Config

# table -> {column: DuckDB type}; what metrics/ reads of the ledger and the snapshots
LEDGER: dict[str, dict[str, str]] = {
    "regions": {"code": "VARCHAR", "name": "VARCHAR"},
    "departments": {"code": "VARCHAR", "name": "VARCHAR", "region_code": "VARCHAR"},
    "units": {"code": "VARCHAR", "name": "VARCHAR", "dept_code": "VARCHAR"},
    "assets": {"code": "VARCHAR", "unit_code": "VARCHAR", "category": "VARCHAR", "original_value": "BIGINT",
               "acquired_on": "DATE", "location": "VARCHAR", "photo_count": "INTEGER"},
    "status_spans": {"asset_code": "VARCHAR", "status": "VARCHAR", "start_on": "DATE", "end_on": "DATE",
                     "run_start": "DATE"},
    "plans": {"plan_id": "VARCHAR", "asset_code": "VARCHAR", "listed_on": "DATE", "due_on": "DATE",
              "done_on": "DATE"},
    "income": {"income_id": "VARCHAR", "asset_code": "VARCHAR", "kind": "VARCHAR", "received_on": "DATE",
               "amount": "BIGINT", "appraised_value": "BIGINT", "remitted_on": "DATE", "remitted_amount": "BIGINT"},
    "leases": {"lease_id": "VARCHAR", "asset_code": "VARCHAR", "start_on": "DATE", "end_on": "DATE",
               "appraised": "BOOLEAN", "public_bidding": "BOOLEAN"},
    "listings": {"listing_id": "VARCHAR", "asset_code": "VARCHAR", "listed_on": "DATE", "delisted_on": "DATE"},
}
# earlier snapshots, read for one month at a time
HISTORY: dict[str, dict[str, str]] = {
    "kpi_rows": {"month": "VARCHAR", "level": "VARCHAR", "code": "VARCHAR", "rank": "INTEGER"},
    "warning_rows": {"month": "VARCHAR", "rule": "VARCHAR", "ref": "VARCHAR", "first_seen": "DATE"},
    "list_entries": {"month": "VARCHAR", "list": "VARCHAR", "level": "VARCHAR", "code": "VARCHAR"},
}


def connect(config: Config) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB bounded by `[engine] memory_limit` and `threads`."""
    settings = {"memory_limit": config["engine.memory_limit"], "preserve_insertion_order": False}
    if config["engine.threads"]:
        settings["threads"] = config["engine.threads"]  # 0: one per core, DuckDB's default
    return duckdb.connect(config=settings)


def _queries(engine: Engine, months: dict[str, str]) -> list[tuple[str, str, tuple]]:
    """(DuckDB table, SELECT on the ledger database, parameters) for everything a computation reads."""
    mark = "$1" if engine.dialect.name == "postgresql" else "?"
    out = [(table, f"SELECT {', '.join(columns)} FROM {table}", ()) for table, columns in LEDGER.items()]
    for table, columns in HISTORY.items():
        out += [(f"{table}_{key}", f"SELECT {', '.join(columns)} FROM {table} WHERE month = {mark}", (month,))
                for key, month in months.items()]
    return out


def load(duck: duckdb.DuckDBPyConnection, engine: Engine, months: dict[str, str]) -> None:
    """Read the ledger and the snapshots of `months` ({"prev": "2026-09", ...}) into `duck`.

    Each ledger table becomes a typed DuckDB table of the same name; each history table
    becomes `<table>_<key>` holding that month's rows.
    """
    columns = LEDGER | {f"{t}_{k}": c for t, c in HISTORY.items() for k in months}
    queries = _queries(engine, months)
    if engine.dialect.name == "postgresql":
        for name, arrow in read_postgresql(engine.url.set(drivername="postgresql")
                                           .render_as_string(hide_password=False), queries):
            _install(duck, name, columns[name], arrow)
        return
    with tempfile.TemporaryDirectory(prefix="panhuo-read-") as folder:
        SqliteReader.read(engine.url.database, queries, Path(folder))
        for name, _, _ in queries:
            with pa.memory_map(str(Path(folder) / f"{name}.arrow")) as source:
                _install(duck, name, columns[name], pa.ipc.open_file(source).read_all())


def read_postgresql(uri: str, queries) -> Iterator[tuple[str, pa.Table]]:
    """Every query in one REPEATABLE READ transaction (binary COPY underneath)."""
    import adbc_driver_postgresql.dbapi as driver
    with driver.connect(uri) as conn, conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            for name, sql, params in queries:
                cur.execute(sql, params) if params else cur.execute(sql)
                yield name, cur.fetch_arrow_table()
        finally:
            conn.rollback()


class SqliteReader:
    """The child process that reads SQLite ledgers (metrics.sqlite_reader), started once per process.

    The ADBC driver carries its own copy of SQLite. Two copies of SQLite in one process break
    each other's POSIX file locks (closing one copy's handle drops the other's locks: "disk I/O
    error", at worst a corrupt database), so the driver never runs beside SQLAlchemy's sqlite3.
    """
    _lock = threading.Lock()
    _child: subprocess.Popen | None = None
    _owner = 0  # the pid that started it: a forked copy of this process starts its own

    @classmethod
    def read(cls, database: str, queries, folder: Path) -> None:
        job = json.dumps({"database": database, "folder": str(folder), "queries": queries}) + "\n"
        with cls._lock:
            if cls._child is None or cls._owner != os.getpid() or cls._child.poll() is not None:
                cls._owner = os.getpid()
                cls._child = subprocess.Popen([sys.executable, "-m", "metrics.sqlite_reader"], text=True,
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            try:
                cls._child.stdin.write(job)
                cls._child.stdin.flush()
                reply = json.loads(cls._child.stdout.readline() or '{"error": "the reader process ended"}')
            except (OSError, ValueError) as exc:
                reply = {"error": str(exc)}
            if "error" in reply:
                cls._child.kill()
                cls._child = None
                raise RuntimeError(f"读取台账失败 / reading the ledger failed: {reply['error']}")


def _install(duck: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], arrow: pa.Table) -> None:
    """Copy an Arrow table into DuckDB with the declared types (SQLite hands dates over as text,
    booleans as integers, and an all-empty column as integers)."""
    def cast(column: str, kind: str) -> str:
        source = arrow.schema.field(column).type
        if kind == "BOOLEAN" and pa.types.is_integer(source):
            return f"CAST({column} <> 0 AS BOOLEAN) AS {column}"
        if kind == "DATE" and not pa.types.is_date(source):
            return f"CAST(CAST({column} AS VARCHAR) AS DATE) AS {column}"
        return f"CAST({column} AS {kind}) AS {column}"
    duck.register("arrow_in", arrow)
    try:
        duck.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT "
                     f"{', '.join(cast(c, k) for c, k in columns.items())} FROM arrow_in")
    finally:
        duck.unregister("arrow_in")
