"""What fixing each item wins back: the score a department regains if one idle asset is put to
use, one overdue plan is done, one late income is turned over, or one asset's record completed.

Computed from the snapshot's own figures with the scoring rule of metrics.md, so the points
add up with what the score breakdown shows. Pure: no database.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ledger.config import Config
from ledger.models import SCORE_NAMES
from ledger.vocab import FIX_ACTIONS
from metrics.definitions import SCORED, score_params
from metrics.rules import RULES
from metrics.scores import score_rows, undefined
from metrics.timeline import year_before


@dataclass
class Fix:
    kind: str  # idle | plan | remit | quality
    asset_code: str
    asset_name: str
    ref: str
    value: float  # yuan at stake (0 for a record to complete)
    points: float  # score regained

    @property
    def action(self) -> str:
        return FIX_ACTIONS[self.kind]


def fix_of(rule: str) -> str | None:
    """What fixing a warning of `rule` is (idle, plan, remit, quality), None where no points are at stake."""
    return RULES[rule].fix if rule in RULES else None


def lost_points(row: dict, config: Config) -> dict[str, float]:
    """Points of the 100 lost on each indicator: weight·(100 − sub-score)/Σweight."""
    params = score_params(config)
    return {n: params[f"{n}_weight"] * (100 - row[f"score_{n}"]) / params["weight_total"] for n in SCORE_NAMES}


def breakdown(row: dict, config: Config) -> list[dict]:
    """The score's make-up, one item per sub-score in metrics.md's order: its indicator's label,
    note, key and value, the full-marks target, the sub-score, its weight and the points lost."""
    lost = lost_points(row, config)
    return [{"name": name, "label": indicator.label, "note": indicator.note, "key": indicator.key,
             "value": row[indicator.key], "target": indicator.target(config), "score": row[f"score_{name}"],
             "weight": config.score_rule(name)[2], "lost": lost[name]}
            for name, indicator in SCORED.items()]


def changed(figures: dict, change: dict[str, float]) -> dict:
    """The figures after adding `change` ({figure: delta})."""
    after = dict(figures)
    for key, delta in change.items():
        after[key] = (0 if undefined(after.get(key)) else after[key]) + delta
    return after


def points_regained(figures: dict, changes: list[dict[str, float]], config: Config) -> list[float]:
    """The score gained by each change, scored together in one pass."""
    before, *after = score_rows([figures, *(changed(figures, c) for c in changes)], config)
    return [row["score"] - before["score"] for row in after]


def effects(items: list[dict], d: dt.date) -> list[tuple[Fix, dict[str, float]]]:
    """What fixing each warned item changes in the figures: (the fix, {figure: delta}).

    Items that fixing cannot move (other rules, income outside the 12 months, the second
    warning of an idle asset) are left out.
    """
    out = []
    seen_idle: set[str] = set()
    for item in items:
        kind, value = fix_of(item["rule"]), item["value"] or 0
        if kind == "idle":
            if item["asset_code"] in seen_idle:
                continue
            seen_idle.add(item["asset_code"])
            # both idle rules warn assets idle past the threshold: they count in the idle and the overdue rate
            change = {"idle_value": -value, "overdue_idle_value": -value}
        elif kind == "plan":
            change = {"due_done_value": value}
        elif kind == "remit":
            if not (year_before(d) < item["received_on"] <= d):
                continue  # outside the 12-month window: remitting it does not move the rate
            counted = item["remitted_amount"] if item["remitted_on"] is not None and item["remitted_on"] <= d else 0
            value = item["amount"] - counted
            change = {"income_remitted": value}
        elif kind == "quality":
            change, value = {"pool_ok_count": 1}, 0
        else:
            continue
        out.append((Fix(kind, item["asset_code"], item["asset_name"], item["ref"], value, 0.0), change))
    return out


def combined(changes) -> dict[str, float]:
    """Several changes as one: deltas of the same figure add up."""
    sums: dict[str, float] = {}
    for change in changes:
        for key, delta in change.items():
            sums[key] = sums.get(key, 0) + delta
    return sums


def fixes(figures: dict, items: list[dict], d: dt.date, config: Config) -> list[Fix]:
    """Rank warned items by the points fixing them regains, largest first.

    A sub-score is clamped between two thresholds, so one item alone often moves nothing while
    all of its kind together cross the threshold. Each kind (idle assets, overdue plans, late
    income, incomplete records) is therefore valued as a whole - the points regained if all of
    it were fixed - and shared among its items by the money at stake (records: equally).

    `items`: warning rows with rule, ref, asset_code, asset_name, value (the asset's original
    value) and for remit_late also amount, remitted_amount, remitted_on, received_on.
    Money in `figures` and `items` must be in the same unit.
    """
    groups: dict[str, list[tuple[Fix, dict[str, float], float]]] = {}
    for fix, change in effects(items, d):
        groups.setdefault(fix.kind, []).append((fix, change, fix.value if fix.kind != "quality" else 1))
    together = [combined(change for _, change, _ in members) for members in groups.values()]
    out: list[Fix] = []
    for members, total in zip(groups.values(), points_regained(figures, together, config)):
        weight = sum(w for _, _, w in members) or 1
        for fix, _, w in members:
            fix.points = total * w / weight
            out.append(fix)
    return sorted(out, key=lambda f: (-f.points, -f.value, f.ref))
