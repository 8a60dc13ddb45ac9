"""Ledger tables as Arrow, for DuckDB: read through the Arrow ADBC driver of the database
(PostgreSQL: binary COPY), every query of one call in one read transaction, so all the tables
show the same moment; then copied into DuckDB with declared types."""
from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Iterator, Sequence

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


_scratch = threading.local()


@contextlib.contextmanager
def scratch(config: Config) -> Iterator[duckdb.DuckDBPyConnection]:
    """`connect` for short work on a request: this thread's DuckDB, kept between calls (opening one
    costs about 20 ms), emptied of every table and view when the work is done."""
    duck = getattr(_scratch, "duck", None)
    if duck is None or getattr(_scratch, "owner", 0) != os.getpid():
        duck = _scratch.duck = connect(config)
        _scratch.owner = os.getpid()
    try:
        yield duck
    finally:
        try:
            for name, kind in duck.execute("SELECT table_name, table_type FROM information_schema.tables "
                                           "WHERE table_schema = 'main'").fetchall():
                duck.execute(f'DROP {"VIEW" if kind == "VIEW" else "TABLE"} IF EXISTS "{name}"')
        except duckdb.Error:
            _scratch.duck = None  # unusable: the next call opens another
            duck.close()


def placeholder(engine: Engine) -> str:
    """The first bound parameter in the ledger database's SQL."""
    return "$1" if engine.dialect.name == "postgresql" else "?"


def earlier(name: str, column: str) -> dict:
    """A query parameter: the values of `column` in the result of the earlier query `name` of the
    same read (the condition `among` writes takes it)."""
    return {"earlier": [name, column]}


def among(engine: Engine, position: int) -> str:
    """`IN` a list of texts given as the parameter at `position` (an `earlier` one, or `values`),
    in the ledger database's SQL."""
    # PostgreSQL plans a set it cannot see (100 rows) as index lookups, where `= ANY` of a
    # thousand codes is planned as a scan of the whole table
    return (f"IN (SELECT unnest(CAST(${position} AS text[])))" if engine.dialect.name == "postgresql"
            else "IN (SELECT value FROM json_each(?))")


def values(engine: Engine, items: list[str]) -> list[str] | str:
    """A list of texts as the parameter `among` reads: a PostgreSQL array, JSON for SQLite."""
    return list(items) if engine.dialect.name == "postgresql" else json.dumps(list(items))


def read(engine: Engine, queries: list[Query], connections: int = 1) -> Iterator[tuple[str, pa.Table]]:
    """(name, Arrow table) for each query, in order. Use each before taking the next.

    `connections` > 1: SQLite reads that many queries at once (on connections that see one
    moment; queries that take no `earlier` result)."""
    if engine.dialect.name == "postgresql":
        yield from _read_postgresql(engine.url.set(drivername="postgresql").render_as_string(hide_password=False),
                                    queries)
        return
    with tempfile.TemporaryDirectory(prefix="panhuo-read-") as folder:
        SqliteDriver.run({"read": {"database": engine.url.database, "folder": folder, "queries": queries,
                                   "connections": connections}})
        for i, (name, _, _) in enumerate(queries):
            with pa.memory_map(str(Path(folder) / f"{i}.arrow")) as source:
                yield name, pa.ipc.open_file(source).read_all()


def load(duck: duckdb.DuckDBPyConnection, engine: Engine, queries: list[Query],
         types: dict[str, dict[str, str]], connections: int = 1) -> None:
    """Run `queries` on the ledger and create each result in `duck` with `types[name]` ({column: type});
    the rows of queries of one name (parts of a table, `parts`) in one table."""
    if not queries:  # the history of a range's months, all kept: no trip to the database
        return
    made = set()
    for name, arrow in read(engine, queries, connections):
        install(duck, name, types[name], arrow, append=name in made)
        made.add(name)


def parts(engine: Engine, table: str, columns: Sequence[str]) -> list[str]:
    """SELECTs of all of `table`'s rows: on SQLite two, each half of its rows by rowid (for `read`
    on two connections; PostgreSQL one, its read is the server's)."""
    select = f"SELECT {', '.join(columns)} FROM {table}"
    if engine.dialect.name == "postgresql":
        return [select]
    middle = f"(SELECT max(rowid) / 2 FROM {table})"
    return [f"{select} WHERE rowid <= {middle}", f"{select} WHERE rowid > {middle}"]


def install(duck: duckdb.DuckDBPyConnection, name: str, columns: dict[str, str], arrow: pa.Table,
            append: bool = False) -> None:
    """Copy an Arrow table into DuckDB with the declared types (SQLite hands dates over as text,
    booleans as integers, and an all-empty column as integers); `append`: into the table `name` made before."""
    def cast(column: str, kind: str) -> str:
        source = arrow.schema.field(column).type
        if kind == "BOOLEAN" and pa.types.is_integer(source):
            return f"CAST({column} <> 0 AS BOOLEAN) AS {column}"
        if kind == "DATE" and not pa.types.is_date(source):
            return f"CAST(CAST({column} AS VARCHAR) AS DATE) AS {column}"
        return f"CAST({column} AS {kind}) AS {column}"
    duck.register("arrow_in", arrow)
    try:
        duck.execute(f"{f'INSERT INTO {name}' if append else f'CREATE OR REPLACE TABLE {name} AS'} SELECT "
                     f"{', '.join(cast(c, k) for c, k in columns.items())} FROM arrow_in")
    finally:
        duck.unregister("arrow_in")


def _read_postgresql(uri: str, queries: list[Query]) -> Iterator[tuple[str, pa.Table]]:
    with PostgresConnections.borrow(uri) as conn, conn.cursor() as cur:
        cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        try:
            done: dict[str, pa.Table] = {}
            for name, sql, params in queries:
                params = tuple(done[p["earlier"][0]].column(p["earlier"][1]).to_pylist()
                               if isinstance(p, dict) else p for p in params)
                cur.execute(sql, params) if params else cur.execute(sql)
                done[name] = cur.fetch_arrow_table()
                yield name, done[name]
        finally:
            conn.rollback()


class PostgresConnections:
    """ADBC connections to PostgreSQL kept for reuse in this process: opening one costs about
    55 ms (libpq and the driver's type catalogue), a third of a purchase review's time."""
    KEEP = 4  # idle connections kept per database
    _lock = threading.Lock()
    _idle: dict[str, list] = {}
    _owner = 0  # a forked copy of this process must not share its parent's sockets

    @classmethod
    @contextlib.contextmanager
    def borrow(cls, uri: str):
        import adbc_driver_postgresql.dbapi as driver
        with cls._lock:
            if cls._owner != os.getpid():
                cls._idle, cls._owner = {}, os.getpid()
            idle = cls._idle.setdefault(uri, [])
            conn = idle.pop() if idle else None
        conn = conn or driver.connect(uri)
        try:
            yield conn
        except BaseException:
            conn.close()  # its state is unknown (a broken socket, a failed query): never reused
            raise
        with cls._lock:
            if len(idle) < cls.KEEP:
                idle.append(conn)
                return
        conn.close()


class SqliteDriver:
    """The child process that runs SQLite's ADBC driver (ledger.sqlite_driver), started once per process.

    The ADBC driver carries its own copy of SQLite. Two copies of SQLite in one process break
    each other's POSIX file locks (closing one copy's handle drops the other's locks: "disk I/O
    error", at worst a corrupt database), so the driver never runs beside SQLAlchemy's sqlite3.
    """
    _lock = threading.Lock()
    _child: subprocess.Popen | None = None
    _owner = 0  # the pid that started it: a forked copy of this process starts its own

    @classmethod
    def run(cls, job: dict) -> None:
        """Have the child do `job` (one of those ledger.sqlite_driver answers); raise what it reports."""
        line = json.dumps(job) + "\n"
        with cls._lock:
            if cls._child is None or cls._owner != os.getpid() or cls._child.poll() is not None:
                cls._owner = os.getpid()
                cls._child = subprocess.Popen([sys.executable, "-m", "ledger.sqlite_driver"], text=True,
                                              stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            try:
                cls._child.stdin.write(line)
                cls._child.stdin.flush()
                reply = json.loads(cls._child.stdout.readline() or '{"error": "the driver process ended"}')
            except (OSError, ValueError) as exc:
                reply = {"error": str(exc)}
            if "error" in reply:
                cls._child.kill()
                cls._child = None
                failed = "读取台账失败 / reading the ledger failed" if "read" in job else "写入台账失败 / writing the ledger failed"
                raise RuntimeError(f"{failed}: {reply['error']}")
