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
from metrics.engine import HISTORY, LEDGER, LoadedLedger, history_from_kept, keep_history
from metrics.figures import build_timeline, compute_kpis, prepare
from metrics.lists import compute_lists
from metrics.rules import evaluate
from metrics.timeline import months_range, shift_month, snapshot_date


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
    kept: list[str] = []
    for month in months_range(first, last):
        # the months before the range have no snapshot; the range's own are kept as panhuo keeps them
        for table, key, _ in history_from_kept(duck, {"prev": shift_month(month, -1), "prev2": shift_month(month, -2)},
                                               kept):
            duck.execute(f"CREATE OR REPLACE TABLE {table}_{key} AS SELECT "
                         + ", ".join(f"CAST(NULL AS {t}) AS {c}" for c, t in HISTORY[table].items()) + " WHERE false")
        d = snapshot_date(month)
        prepare(duck, d)
        compute_kpis(duck, d, config)
        evaluate(duck, d, config)
        entries = compute_lists(duck, config)
        kpis, warnings = duck.sql("SELECT * FROM kpis").to_arrow_table(), duck.sql("SELECT * FROM warnings").to_arrow_table()
        keep_history(duck, month)  # the next months' history, as the stored snapshot has it
        kept.insert(0, month)
        assert kpis.num_rows and warnings.num_rows is not None and entries is not None
    return time.perf_counter() - started


if __name__ == "__main__":
    if sys.argv[1] == "export":
        export(sys.argv[2], Path(sys.argv[3]))
    else:
        print(f"{run(Path(sys.argv[2]), sys.argv[3], sys.argv[4]):.2f}")
