"""Scores of any rows of figures (the attribution's and the what-if's variants) by the same SQL
the snapshot scores with (metrics.figures.scoring_sql, built from metrics.definitions)."""
from __future__ import annotations

import duckdb
import pandas as pd
import pyarrow as pa

from ledger.config import Config
from metrics.definitions import INDICATORS, score_params
from metrics.figures import scoring_sql

_SHARED: list[duckdb.DuckDBPyConnection] = []  # one small in-memory database; a cursor per call
FIGURES = sorted({part for i in INDICATORS for part in (i.numerator, i.denominator)})


def undefined(x) -> bool:
    """An undefined value: None, or NaN / NA as pandas carries it."""
    return x is None or (pd.api.types.is_scalar(x) and bool(pd.isna(x)))


def score_rows(rows: list[dict], config: Config) -> list[dict]:
    """Each row of figures with its rates, sub-scores (score_<name>) and score added."""
    if not rows:
        return []
    columns = {name: [None if undefined(row.get(name)) else float(row[name]) for row in rows] for name in FIGURES}
    table = pa.table({"row_no": list(range(len(rows))), **{k: pa.array(v, pa.float64()) for k, v in columns.items()}})
    if not _SHARED:
        _SHARED.append(duckdb.connect(config={"threads": 1}))
    with _SHARED[0].cursor() as duck:
        duck.register("variants", table)
        duck.execute(scoring_sql("variants"), score_params(config))
        result = duck.fetchall()
        names = [c[0] for c in duck.description]
    scored = sorted((dict(zip(names, values)) for values in result), key=lambda r: r["row_no"])
    return [{**row, **{k: v for k, v in out.items() if k not in FIGURES and k != "row_no"}}
            for row, out in zip(rows, scored)]

