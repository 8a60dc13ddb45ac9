"""The reference of the compute benchmark: the same figures computed by DuckDB alone from files.

    python benchmarks/pure_duckdb.py export DATABASE_URL FOLDER   # the ledger tables as Parquet (untimed)
    python benchmarks/pure_duckdb.py run FOLDER 2026-08 2026-10     # prints the seconds it took

`run` reads the Parquet files into DuckDB and computes every month of the range with the
engine's own SQL (status timeline, facts, figures, scores, ranks, warnings, lists), each month's
results fetched as Arrow and kept as the next month's history; it writes nothing back. That is
the floor `panhuo compute` is measured against: it adds reading the ledger database and
writing each snapshot into it.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

from ledger.columnar import connect
from ledger.config import load_config
from ledger.db import make_engine
from metrics.engine import HISTORY, LEDGER, LoadedLedger
from metrics.figures import build_timeline, compute_kpis, prepare
from metrics.lists import compute_lists
from metrics.rules import evaluate
from metrics.timeline import months_range, snapshot_date


def export(url: str, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with LoadedLedger(make_engine(url), load_config(environ={}).replace(database__url=url)) as ledger:
        for table in LEDGER:
            ledger.duck.execute(f"COPY {table} TO '{folder / table}.parquet' (FORMAT parquet)")


def run(folder: Path, first: str, last: str) -> float:
    config = load_config()
    started = time.perf_counter()
    duck = connect(config)
    for table in LEDGER:
        duck.execute(f"CREATE TABLE {table} AS SELECT * FROM read_parquet('{folder / table}.parquet')")
    build_timeline(duck)
    for key in ("prev", "prev2"):
        for table, columns in HISTORY.items():
            duck.execute(f"CREATE OR REPLACE TABLE {table}_{key} AS SELECT "
                         + ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in columns.items()) + " WHERE false")
    for month in months_range(first, last):
        d = snapshot_date(month)
        prepare(duck, d)
        compute_kpis(duck, d, config)
        evaluate(duck, d, config)
        entries = compute_lists(duck, config)
        kpis, warnings = duck.sql("SELECT * FROM kpis").to_arrow_table(), duck.sql("SELECT * FROM warnings").to_arrow_table()
        # this month is the next one's history, as the stored snapshot would be
        duck.execute("CREATE OR REPLACE TABLE kpi_rows_prev2 AS SELECT * FROM kpi_rows_prev")
        duck.execute("CREATE OR REPLACE TABLE list_entries_prev2 AS SELECT * FROM list_entries_prev")
        duck.execute(f"CREATE OR REPLACE TABLE kpi_rows_prev AS SELECT '{month}' AS month, level, code, rank FROM kpis")
        duck.execute(f"CREATE OR REPLACE TABLE warning_rows_prev AS SELECT '{month}' AS month, rule, ref, first_seen "
                     "FROM warnings")
        duck.execute(f"CREATE OR REPLACE TABLE list_entries_prev AS SELECT '{month}' AS month, list, level, code "
                     "FROM list_reasons")
        assert kpis.num_rows and warnings.num_rows is not None and entries is not None
    return time.perf_counter() - started


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2], Path(sys.argv[3]))
    else:
        print(f"{run(Path(sys.argv[2]), sys.argv[3], sys.argv[4]):.2f}")
