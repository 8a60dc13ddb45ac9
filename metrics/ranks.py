"""Ranks within peer groups (metrics.md, "Rank")."""
from __future__ import annotations

from typing import Iterable

from metrics.scores import undefined


def rank_group(rows: Iterable[dict]) -> dict[str, int]:
    """Rank rows of one peer group: score desc, idle_rate asc (undefined last), code asc.

    Rows with asset_count = 0 are left out (unranked, not counted in the group's size).
    Returns {code: rank}.
    """
    ranked = [r for r in rows if r["asset_count"] > 0]

    def key(row: dict):
        rate = row["idle_rate"]
        missing = undefined(rate)
        return (-row["score"], missing, 0.0 if missing else rate, row["code"])

    return {row["code"]: position for position, row in enumerate(sorted(ranked, key=key), start=1)}
