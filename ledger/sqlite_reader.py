"""The SQLite reader of ledger.columnar, run as a child process (`python -m ledger.sqlite_reader`).

It answers jobs, one JSON line each on stdin ({"database", "folder", "queries": [[name, sql,
params], ...]}), by running the SELECTs through the Arrow ADBC driver and writing each result as
an Arrow IPC file in `folder`; it replies with one JSON line ({"ok": true} or {"error": text}).
It lives as long as its parent keeps stdin open, so the driver is loaded once per process.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import adbc_driver_sqlite.dbapi as driver
import pyarrow as pa


def read(database: str, folder: Path, queries: list) -> None:
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
            with pa.OSFile(str(folder / f"{name}.arrow"), "wb") as sink, pa.ipc.new_file(sink, table.schema) as out:
                out.write_table(table)
        conn.rollback()


def main() -> None:
    for line in sys.stdin:
        job = json.loads(line)
        try:
            read(job["database"], Path(job["folder"]), job["queries"])
            reply = {"ok": True}
        except Exception as exc:  # reported to the parent, which raises it there
            reply = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
