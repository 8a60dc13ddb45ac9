"""SQLite's Arrow ADBC driver, run as a child process (`python -m ledger.sqlite_driver`) for
ledger.columnar (reads) and ledger.bulk (large writes).

It answers jobs, one JSON line each on stdin, with one JSON line ({"ok": true} or {"error": text}):
- {"read": {"database", "folder", "queries": [[name, sql, params], ...], "connections": n}} runs
  the SELECTs and writes the result of the i-th as the Arrow IPC file `folder`/`i`.arrow; with
  n > 1 on n connections at once (queries independent of each other);
- {"ingest": {"database", "table", "file"}} writes the rows of the Arrow IPC file `file` into a
  new table of `database`, a scratch file the parent attaches and copies from.
It lives as long as its parent keeps stdin open, so the driver is loaded once per process.
"""
from __future__ import annotations

import contextlib
import importlib.abc
import json
import queue
import sys
import threading
from pathlib import Path
from typing import Iterator


class _WithoutPandas(importlib.abc.MetaPathFinder):
    """pandas, as if not installed: the driver's module loads pyarrow.dataset, which imports
    pandas only to ask whether it is there (0.3 s of the child's 0.6 s start); nothing here uses it."""
    def find_spec(self, name, path, target=None):
        if name.partition(".")[0] == "pandas":
            raise ModuleNotFoundError(f"no pandas in {__name__}", name=name)
        return None


if __name__ == "__main__":  # the child process only: never in a process that imports this module
    sys.meta_path.insert(0, _WithoutPandas())

import adbc_driver_sqlite.dbapi as driver  # noqa: E402
import pyarrow as pa  # noqa: E402


def read(database: str, folder: str, queries: list, connections: int = 1) -> None:
    with _reading(database, connections) as conns:
        if len(conns) == 1:
            done: dict[str, pa.Table] = {}
            for i, (name, sql, params) in enumerate(queries):
                # {"earlier": [query, column]}: that column of an earlier result, as JSON for json_each
                params = tuple(json.dumps(done[p["earlier"][0]].column(p["earlier"][1]).to_pylist())
                               if isinstance(p, dict) else p for p in params)
                done[name] = _write(conns[0], sql, params, Path(folder) / f"{i}.arrow")
            return
        # the queries in order, largest first as the caller gives them, each to the next free connection
        todo: queue.Queue = queue.Queue()
        for i, (_, sql, params) in enumerate(queries):
            todo.put((i, sql, params))
        failed: list[BaseException] = []

        def work(conn) -> None:
            while not failed:
                try:
                    i, sql, params = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    _write(conn, sql, tuple(params), Path(folder) / f"{i}.arrow")
                except BaseException as exc:  # raised in the main thread below
                    failed.append(exc)
        threads = [threading.Thread(target=work, args=(c,)) for c in conns]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failed:
            raise failed[0]


@contextlib.contextmanager
def _reading(database: str, connections: int) -> Iterator[list]:
    """Connections in read transactions that all show one moment of the database: begun while
    another connection holds the write lock, so that no commit falls between them. While a
    writer holds it (an import under way) one connection only: nothing waits for a writer."""
    conns: list = []
    try:
        if connections > 1:
            with driver.connect(database, autocommit=True) as guard, guard.cursor() as lock:
                try:
                    lock.execute("BEGIN IMMEDIATE")
                except driver.Error:
                    connections = 1
                else:
                    try:
                        conns = [_begun(database) for _ in range(connections)]
                    finally:
                        lock.execute("ROLLBACK")
        if not conns:
            conns = [_begun(database)]
        yield conns
    finally:
        for conn in conns:
            conn.rollback()
            conn.close()


def _begun(database: str):
    """A connection whose read transaction has begun (the driver opens one on the first statement;
    the first read fixes what it sees)."""
    conn = driver.connect(database)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM sqlite_master")
        cur.fetchall()
    return conn


def _write(conn, sql: str, params: tuple, path: Path) -> pa.Table:
    """The result of `sql` written as the Arrow IPC file `path`; the result."""
    with conn.cursor() as cur:
        # SQLite types each column from the values of the first batch: one batch holding the
        # whole result sees every value, so a column that starts with NULLs is still typed right
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(1 << 30)})
        cur.execute(sql, params) if params else cur.execute(sql)
        table = cur.fetch_arrow_table()
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
        out.write_table(table)
    return table


def ingest(database: str, table: str, file: str) -> None:
    with pa.memory_map(file) as source:
        rows = pa.ipc.open_file(source).read_all()
    # the driver writes the rows in one transaction of its own
    with driver.connect(database, autocommit=True) as conn, conn.cursor() as cur:
        # a scratch file, deleted after the parent's transaction: nothing to journal or sync
        cur.execute("PRAGMA journal_mode = OFF")
        cur.execute("PRAGMA synchronous = OFF")
        cur.adbc_ingest(table, rows, mode="create")


def main() -> None:
    for line in sys.stdin:
        job = json.loads(line)
        try:
            if "read" in job:
                read(**job["read"])
            else:
                ingest(**job["ingest"])
            reply = {"ok": True}
        except Exception as exc:  # reported to the parent, which raises it there
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
