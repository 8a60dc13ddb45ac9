"""Write many rows fast, inside the caller's transaction: COPY on PostgreSQL; on SQLite
executemany, or for a large table inside `ingest_space` the ADBC driver's bulk ingest."""
from __future__ import annotations

import contextlib
import dataclasses
import io
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path
from typing import Iterator, Sequence

import pyarrow as pa
import pyarrow.csv
from sqlalchemy import Connection, inspect

from ledger.columnar import SqliteDriver
from ledger.models import Base
from ledger.runs import alive

# From this many rows a write of this module hands a SQLite table to the ADBC driver, which
# binds Arrow's values in C where executemany first makes a Python object of each: a month's
# warning rows (10 columns) 93 ms against 176 ms at 50,000 rows, 47 against 61 ms at 20,000; 1M
# cards 2.6 s against 4.7 s. Smaller writes are not worth a file.
INGEST_ROWS = 10_000
SCRATCH = ".panhuo-ingest-"  # a scratch folder's name: then the pid of the process it is for


@dataclasses.dataclass
class _Space:
    folder: Path
    attached: list[str]


@contextlib.contextmanager
def ingest_space(conn: Connection) -> Iterator[None]:
    """SQLite: while the block runs, this module's writes hand a large table to the ADBC driver.

    The driver runs in its own process (ledger.columnar.SqliteDriver) and so cannot write into
    `conn`'s transaction: it writes the rows into a scratch file beside the database (a folder
    SQLite needs writable for its WAL anyway, on the same disk), which `conn` attaches and copies
    from with one INSERT … SELECT. A file stays attached until the block ends; the block must end
    the transaction (SQLite detaches a file only outside one).
    """
    database = conn.engine.url.database
    if conn.dialect.name != "sqlite" or not database or database == ":memory:":
        yield
        return
    beside = Path(database).resolve().parent
    _remove_orphans(beside)
    with tempfile.TemporaryDirectory(prefix=f"{SCRATCH}{os.getpid()}-", dir=beside) as folder:
        space = conn.info["ingest_space"] = _Space(Path(folder), [])
        try:
            yield
        finally:
            del conn.info["ingest_space"]
            try:
                for alias in space.attached:
                    conn.connection.driver_connection.execute(f"DETACH DATABASE {alias}")
            except sqlite3.Error:
                conn.invalidate()  # never back to the pool with a file attached


def _remove_orphans(folder: Path) -> None:
    """Delete the scratch folders of processes that ended without deleting them (killed: kill -9,
    the OOM killer); a 1M import leaves some hundreds of MB."""
    for orphan in folder.glob(f"{SCRATCH}*-*"):
        pid = orphan.name[len(SCRATCH):].split("-")[0]
        if pid.isdigit() and int(pid) != os.getpid() and not alive(int(pid)):
            shutil.rmtree(orphan, ignore_errors=True)


def _ingested(conn: Connection, table: str, columns: Sequence[str], data: pa.Table) -> str | None:
    """SQLite inside `ingest_space`, a large table: `data`'s `columns` written by the ADBC driver
    into a table named `table` of a scratch file attached to `conn`; its qualified name. Otherwise None."""
    space = conn.info.get("ingest_space")
    if space is None or data.num_rows < INGEST_ROWS:
        return None
    alias = f"ingest_{len(space.attached)}"
    arrow, scratch = space.folder / f"{alias}.arrow", space.folder / f"{alias}.sqlite"
    rows = data.select(list(columns))
    with pa.OSFile(str(arrow), "wb") as sink, pa.ipc.new_file(sink, rows.schema) as out:
        out.write_table(rows)
    SqliteDriver.run({"ingest": {"database": str(scratch), "table": table, "file": str(arrow)}})
    arrow.unlink()
    conn.connection.driver_connection.execute(f"ATTACH DATABASE ? AS {alias}", (str(scratch),))
    space.attached.append(alias)
    return f"{alias}.{table}"


def python_rows(data: pa.Table, columns: Sequence[str], batch: int = 100_000) -> Iterator[tuple]:
    """The rows of an Arrow table as tuples, converted a batch at a time (memory stays flat)."""
    for part in data.select(list(columns)).to_batches(max_chunksize=batch):
        yield from zip(*(column.to_pylist() for column in part.columns))


def write_arrow(conn: Connection, table: str, columns: Sequence[str], data: pa.Table) -> None:
    """Write an Arrow table's rows: one CSV COPY on PostgreSQL; on SQLite executemany, or for a
    large table inside `ingest_space` the ADBC driver's ingest."""
    if data.num_rows == 0:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "sqlite":
        ingested = _ingested(conn, table, columns, data)
        if ingested is not None:
            conn.exec_driver_sql(f"INSERT INTO main.{table} ({names}) SELECT {names} FROM {ingested}")
        else:
            conn.connection.driver_connection.executemany(
                f"INSERT INTO {table} ({names}) VALUES ({', '.join('?' * len(columns))})", python_rows(data, columns))
        return
    # CSV as PostgreSQL reads it (an unquoted empty field is NULL, a quoted one an empty text),
    # a batch at a time so memory stays flat
    raw = conn.connection.driver_connection
    options = pyarrow.csv.WriteOptions(include_header=False)
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)") as copy:
        for batch in data.select(list(columns)).to_batches(max_chunksize=100_000):
            buffer = io.BytesIO()
            pyarrow.csv.write_csv(batch, buffer, options)
            copy.write(buffer.getvalue())


@contextlib.contextmanager
def _joinable(conn: Connection, table: str, columns: Sequence[str], data: pa.Table) -> Iterator[str]:
    """`data` as a table of the database for the block (its name): on SQLite inside `ingest_space`
    a large one the driver ingested, else a temporary one shaped like `table`'s `columns`."""
    ingested = _ingested(conn, table, columns, data)
    if ingested is not None:
        yield ingested  # its file is detached and deleted when the ingest space closes
        return
    scratch = f"load_{table}"
    conn.exec_driver_sql(f"DROP TABLE IF EXISTS {scratch}")
    conn.exec_driver_sql(f"CREATE TEMPORARY TABLE {scratch} AS SELECT {', '.join(columns)} FROM {_target(conn, table)} "
                         "WHERE false")
    write_arrow(conn, scratch, columns, data)  # COPY; on SQLite executemany, the driver having declined it
    if conn.dialect.name == "postgresql":
        conn.exec_driver_sql(f"ANALYZE {scratch}")  # else it is planned as if empty
    yield scratch
    conn.exec_driver_sql(f"DROP TABLE {scratch}")


def _target(conn: Connection, table: str) -> str:
    """`table` of the ledger, named so that a scratch table of the same name attached on SQLite is not it."""
    return f"main.{table}" if conn.dialect.name == "sqlite" else table


def _upsert_from(conn: Connection, table: str, source: str, columns: Sequence[str], keys: Sequence[str]) -> None:
    names = ", ".join(columns)
    updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in keys)
    # "WHERE true": after a bare SELECT … FROM, SQLite would read ON CONFLICT's ON as a join's
    conn.exec_driver_sql(f"INSERT INTO {_target(conn, table)} ({names}) SELECT {names} FROM {source} WHERE true "
                         f"ON CONFLICT ({', '.join(keys)}) " + (f"DO UPDATE SET {updates}" if updates else "DO NOTHING"))


def _delete_from(conn: Connection, table: str, source: str, keys: Sequence[str]) -> None:
    names = ", ".join(keys)
    conn.exec_driver_sql(f"DELETE FROM {_target(conn, table)} WHERE ({names}) IN (SELECT {names} FROM {source})")


def upsert_arrow(conn: Connection, table: str, columns: Sequence[str], keys: Sequence[str], data: pa.Table) -> None:
    """Insert the rows, replacing the stored row of the same key."""
    if data.num_rows == 0:
        return
    with _joinable(conn, table, columns, data) as source:
        _upsert_from(conn, table, source, columns, keys)


def delete_keys(conn: Connection, table: str, keys: Sequence[str], data: pa.Table) -> None:
    """Delete the stored rows whose key is among `data`'s rows."""
    if data.num_rows == 0:
        return
    with _joinable(conn, table, keys, data) as source:
        _delete_from(conn, table, source, keys)


def replace_rows(conn: Connection, table: str, columns: Sequence[str], keys: Sequence[str], data: pa.Table,
                 rebuild_from: int, delete_first: bool = False) -> int:
    """Insert `data`'s rows, replacing the stored row of the same key, and write only the rows that
    are new or differ in some column: a month's export repeats most of the last one, and rewriting
    a row the same costs what writing a new one does (a new row version on PostgreSQL, its index
    entries, its WAL). From `rebuild_from` rows to write, the table's secondary indexes are built
    after them (`rebuilt_indexes`). `delete_first`: the stored rows of the keys to write are deleted
    before (a table unique in another column too, where rows written one by one could collide
    half-way). Returns how many rows were written."""
    if data.num_rows == 0:
        return 0
    others = [c for c in columns if c not in keys]
    distinct = "IS NOT" if conn.dialect.name == "sqlite" else "IS DISTINCT FROM"
    differs = (f"({', '.join(f't.{c}' for c in others)}) {distinct} ({', '.join(f's.{c}' for c in others)})"
               if others else "false")
    changed = f"changed_{table}"
    with _joinable(conn, table, columns, data) as source:
        conn.exec_driver_sql(f"DROP TABLE IF EXISTS {changed}")
        conn.exec_driver_sql(
            f"CREATE TEMPORARY TABLE {changed} AS SELECT {', '.join(f's.{c}' for c in columns)} FROM {source} s "
            f"LEFT JOIN {_target(conn, table)} t ON {' AND '.join(f't.{k} = s.{k}' for k in keys)} "
            f"WHERE t.{keys[0]} IS NULL OR {differs}")
    written = conn.exec_driver_sql(f"SELECT count(*) FROM {changed}").scalar_one()
    with rebuilt_indexes(conn, table, written >= rebuild_from):
        if delete_first:
            _delete_from(conn, table, changed, keys)
        _upsert_from(conn, table, changed, columns, keys)
    conn.exec_driver_sql(f"DROP TABLE {changed}")
    return written


@contextlib.contextmanager
def rebuilt_indexes(conn: Connection, target: str, large: bool):
    """Drop `target`'s secondary indexes (and on PostgreSQL its foreign keys) before a large write
    and create them again after it, in the caller's transaction: built once from the rows, sorted,
    rather than kept up row by row (on PostgreSQL that locks the table, and those it refers to,
    against readers meanwhile)."""
    if not large:
        yield
        return
    stored = {i["name"] for i in inspect(conn).get_indexes(target)}  # an optional one may be absent
    indexes = [i for i in Base.metadata.tables[target].indexes if not i.unique and i.name in stored]
    keys = []
    if conn.dialect.name == "postgresql":
        keys = conn.exec_driver_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = CAST(%(t)s AS regclass) AND contype = 'f' ORDER BY conname", {"t": target}).all()
    for name, _ in keys:
        conn.exec_driver_sql(f'ALTER TABLE {target} DROP CONSTRAINT "{name}"')
    for index in indexes:
        index.drop(conn)
    yield
    for index in indexes:
        index.create(conn)
    for name, definition in keys:
        conn.exec_driver_sql(f'ALTER TABLE {target} ADD CONSTRAINT "{name}" {definition}')


def analyze(engine, tables: Sequence[str]) -> None:
    """Refresh the planner statistics of `tables` (sampled on SQLite: ~20 ms a table at 1M rows)."""
    with engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA analysis_limit = 20000")
            for table in tables:
                conn.exec_driver_sql(f"ANALYZE {table}")
        else:
            conn.exec_driver_sql(f"ANALYZE {', '.join(tables)}")
        conn.commit()
