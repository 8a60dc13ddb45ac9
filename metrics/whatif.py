"""What-if: a department's score, sub-scores and rank if some of its warned items were fixed.

A simulation changes the month's figures the way fixing each item would (metrics.attribution),
scores them by the snapshot's own scoring SQL and ranks them among the same peers by the
snapshot's own ranking SQL. Nothing is written.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from ledger.config import Config
from ledger.models import SCORE_NAMES
from metrics.attribution import changed, combined, effects
from metrics.figures import rank
from metrics.scores import score_rows

RANK_COLUMNS = ["level", "code", "dept_code", "region_code", "score", "idle_rate", "asset_count"]


@dataclass
class Simulation:
    before: dict  # score, score_<name>, indicators, rank, peer_size as in the snapshot
    after: dict  # the same after the fixes
    fixed: int  # items that move a figure


def _ranked(rows: list[dict], config: Config) -> dict[str, tuple[int | None, int | None]]:
    """{code: (rank, peer_size)} of rows of one peer group, by the snapshot's ranking SQL."""
    with duckdb.connect(config={"threads": 1}) as duck:
        duck.register("peers", pa.Table.from_pylist([{k: r[k] for k in RANK_COLUMNS} for r in rows]))
        duck.execute("CREATE TABLE scored AS SELECT * FROM peers")
        duck.execute("CREATE TABLE kpi_rows_prev (level VARCHAR, code VARCHAR, rank INTEGER)")
        rank(duck, config)
        return {code: (r, n) for code, r, n in duck.execute("SELECT code, rank, peer_size FROM kpis").fetchall()}


def simulate(row: dict, peers: list[dict], items: list[dict], d: dt.date, config: Config) -> Simulation:
    """`row`: the department's snapshot row; `peers`: the rows of its peer group (itself included);
    `items`: the warned items taken as fixed (attribution's item shape, money as in `row`)."""
    moves = effects(items, d)
    after = score_rows([changed(row, combined(change for _, change in moves))], config)[0]
    ranks = _ranked([dict(p, **({"score": after["score"], "idle_rate": after["idle_rate"]}
                                if p["code"] == row["code"] else {})) for p in peers], config)
    keys = ["score", *(f"score_{n}" for n in SCORE_NAMES), "idle_rate", "overdue_idle_rate",
            "due_completion_rate", "remit_rate", "data_quality_rate"]
    before = {k: row[k] for k in keys} | {"rank": row["rank"], "peer_size": row["peer_size"]}
    new_rank, size = ranks.get(row["code"], (None, None))
    return Simulation(before, {k: after[k] for k in keys} | {"rank": new_rank, "peer_size": size}, len(moves))
