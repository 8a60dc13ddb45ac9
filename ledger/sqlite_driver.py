"""SQLite's Arrow ADBC driver, run as a child process (`python -m ledger.sqlite_driver`) for
ledger.columnar (reads) and ledger.bulk (large writes).

It answers jobs, one JSON line each on stdin, with one JSON line ({"ok": true} or {"error": text}):
- {"read": {"database", "folder", "queries": [[name, sql, params], ...]}} runs the SELECTs and
  writes each result as the Arrow IPC file `folder`/`name`.arrow;
- {"ingest": {"database", "table", "file"}} writes the rows of the Arrow IPC file `file` into a
  new table of `database`, a scratch file the parent attaches and copies from.
It lives as long as its parent keeps stdin open, so the driver is loaded once per process.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import adbc_driver_sqlite.dbapi as driver
import pyarrow as pa


def read(database: str, folder: str, queries: list) -> None:
    with driver.connect(database) as conn, conn.cursor() as cur:
        # SQLite types each column from the values of the first batch: one batch holding the
        # whole result sees every value, so a column that starts with NULLs is still typed right
        cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": str(1 << 30)})
        # the driver opens a transaction on the first statement: every table shows one moment
        done: dict[str, pa.Table] = {}
        for name, sql, params in queries:
            # {"earlier": [query, column]}: that column of an earlier result, as JSON for json_each
            params = tuple(json.dumps(done[p["earlier"][0]].column(p["earlier"][1]).to_pylist())
                           if isinstance(p, dict) else p for p in params)
            cur.execute(sql, params) if params else cur.execute(sql)
            table = done[name] = cur.fetch_arrow_table()
            with pa.OSFile(str(Path(folder) / f"{name}.arrow"), "wb") as sink, \
                    pa.ipc.new_file(sink, table.schema) as out:
                out.write_table(table)
        conn.rollback()


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
