"""Ranks within peer groups (metrics.md, "Rank")."""
from __future__ import annotations

import math
from typing import Iterable


def rank_group(rows: Iterable[dict]) -> dict[str, int]:
    """Rank rows of one peer group: score desc, idle_rate asc (undefined last), code asc.

    Rows with asset_count = 0 are left out (unranked, not counted in the group's size).
    Returns {code: rank}.
    """
    ranked = [r for r in rows if r["asset_count"] > 0]

    def key(row: dict):
        rate = row["idle_rate"]
        undefined = rate is None or (isinstance(rate, float) and math.isnan(rate))
        return (-row["score"], undefined, 0.0 if undefined else rate, row["code"])

    return {row["code"]: position for position, row in enumerate(sorted(ranked, key=key), start=1)}
