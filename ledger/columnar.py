"""Ledger tables as Arrow, for DuckDB: read through the Arrow ADBC driver of the database
(PostgreSQL: binary COPY), every query of one call in one read transaction, so all the tables
show the same moment; then copied into DuckDB with declared types."""
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

Query = tuple[str, str, tuple]  # (DuckDB table, SELECT on the ledger database, parameters)


def connect(config: Config) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB bounded by `[engine] memory_limit` and `threads` (it spills beyond)."""
    settings = {"memory_limit": config["engine.memory_limit"], "preserve_insertion_order": False}
    if config["engine.threads"]:
        settings["threads"] = config["engine.threads"]  # 0: one per core, DuckDB's default
    return duckdb.connect(config=settings)


def placeholder(engine: Engine) -> str:
    """The first bound parameter in the ledger database's SQL."""
    return "$1" if engine.dialect.name == "postgresql" else "?"


def read(engine: Engine, queries: list[Query]) -> Iterator[tuple[str, pa.Table]]:
    """(name, Arrow table) for each query, in order. Use each before taking the next."""
    if engine.dialect.name == "postgresql":
        yield from _read_postgresql(engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                                    queries)
        return
    with tempfile.TemporaryDirectory(prefix="panhuo-read-") as folder:
        SqliteReader.read(engine.url.database, queries, Path(folder))
        for name, _, _ in queries:
            with pa.memory_map(str(Path(folder) / f"{name}.arrow")) as source:
                yield name, pa.ipc.open_file(source).read_all()


def load(duck: duckdb.DuckDBPyConnection, engine: Engine, queries: list[Query],
         types: dict[str, dict[str, str]]) -> None:
    """Run `queries` on the ledger and create each result in `duck` with `types[name]` ({column: type})."""
    for name, arrow in read(engine, queries):
        install(duck, name, types[name], arrow)


def install(duck: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], arrow: pa.Table) -> None:
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


def _read_postgresql(uri: str, queries: list[Query]) -> Iterator[tuple[str, pa.Table]]:
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
    """The child process that reads SQLite ledgers (ledger.sqlite_reader), started once per process.

    The ADBC driver carries its own copy of SQLite. Two copies of SQLite in one process break
    each other's POSIX file locks (closing one copy's handle drops the other's locks: "disk I/O
    error", at worst a corrupt database), so the driver never runs beside SQLAlchemy's sqlite3.
    """
    _lock = threading.Lock()
    _child: subprocess.Popen | None = None
    _owner = 0  # the pid that started it: a forked copy of this process starts its own

    @classmethod
    def read(cls, database: str, queries: list[Query], folder: Path) -> None:
        job = json.dumps({"database": database, "folder": str(folder), "queries": queries}) + "\n"
        with cls._lock:
            if cls._child is None or cls._owner != os.getpid() or cls._child.poll() is not None:
                cls._owner = os.getpid()
                cls._child = subprocess.Popen([sys.executable, "-m", "ledger.sqlite_reader"], text=True,
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
