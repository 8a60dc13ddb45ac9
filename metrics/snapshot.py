"""Compute one month's snapshot and swap it in atomically.

Everything is read and written in one transaction: a failure anywhere leaves the
previous snapshot of the month exactly as it was, and an import cannot slip in
between the queries of one computation.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Callable

from sqlalchemy import Connection, Engine, delete, insert, select

from ledger.bulk import write_rows
from ledger.config import Config
from ledger.models import HELPER_FIELDS, KPI_FIELDS, SCORE_NAMES, KpiRow, ListEntry, Snapshot, WarningRow
from metrics.kpis import compute_figures
from metrics.lists import compute_lists
from metrics.ranks import rank_group
from metrics.scores import INDICATORS, composite, sub_score
from metrics.timeline import as_date, shift_month, snapshot_date
from metrics.warnings import evaluate

KPI_COLUMNS = ["month", "level", "code", "name", "dept_code", "region_code",
               *[f"score_{n}" for n in SCORE_NAMES], "score", "rank", "rank_change", "peer_size",
               *[n for n, _ in KPI_FIELDS + HELPER_FIELDS]]
WARNING_COLUMNS = ["month", "rule", "ref", "level", "asset_code", "unit_code", "dept_code", "region_code",
                   "days", "months", "first_seen", "message"]


def _native(value):
    """pandas/numpy values -> plain Python, undefined -> None."""
    if value is None:
        return None
    try:
        if value != value:  # NaN, NA
            return None
    except TypeError:
        return None
    return value.item() if hasattr(value, "item") else value


def score_rows(rows: list[dict], config: Config) -> None:
    weights = {name: config.score_rule(name)[2] for name in SCORE_NAMES}
    for row in rows:
        subs = {}
        for name in SCORE_NAMES:
            indicator, lower = INDICATORS[name]
            good, bad, _ = config.score_rule(name)
            subs[name] = sub_score(row[indicator], good, bad, lower)
            row[f"score_{name}"] = subs[name]
        row["score"] = composite(subs, weights)


def rank_rows(rows: list[dict], city_region_code: str, previous_ranks: dict[tuple[str, str], int]) -> None:
    groups: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        if row["level"] == "unit":
            groups.setdefault(("unit", row["dept_code"]), []).append(row)
        elif row["level"] == "department":
            groups.setdefault(("department", row["region_code"]), []).append(row)
        elif row["level"] == "region" and row["code"] != city_region_code:
            groups.setdefault(("region", ""), []).append(row)
    for row in rows:
        row["rank"] = row["rank_change"] = row["peer_size"] = None
    for members in groups.values():
        ranks = rank_group(members)
        for row in members:
            row["rank"] = ranks.get(row["code"])
            row["peer_size"] = len(ranks)  # "rank r among n": n counts ranked rows only
            before = previous_ranks.get((row["level"], row["code"]))
            if row["rank"] is not None and before is not None:
                row["rank_change"] = before - row["rank"]


def compute_snapshot(engine: Engine, month: str, config: Config,
                     before_commit: Callable[[Connection, dict], None] | None = None) -> dict:
    """Compute `month` (YYYY-MM) from the ledger as it stands and store it; returns row counts.

    `before_commit(conn, counts)` runs inside the transaction (the audit entry goes there, so
    it is written exactly when the snapshot is).
    """
    d = snapshot_date(month)
    prev_month, prev2_month = shift_month(month, -1), shift_month(month, -2)
    options = {"write": True}
    if engine.dialect.name == "postgresql":
        # one consistent view of the ledger for all the queries of this computation
        options["isolation_level"] = "REPEATABLE READ"
    with engine.connect().execution_options(**options) as conn, conn.begin():
        frame = compute_figures(conn, d, config["warnings.remit_deadline_days"], config["org.city_region_code"])
        rows = [{k: _native(v) for k, v in rec.items()} for rec in frame.to_dict("records")]
        score_rows(rows, config)
        previous_ranks = {(r.level, r.code): r.rank for r in conn.execute(
            select(KpiRow.level, KpiRow.code, KpiRow.rank).where(KpiRow.month == prev_month, KpiRow.rank.is_not(None)))}
        rank_rows(rows, config["org.city_region_code"], previous_ranks)

        warnings = evaluate(conn, d, config)
        first_seen = dict(((r.rule, r.ref), r.first_seen) for r in conn.execute(
            select(WarningRow.rule, WarningRow.ref, WarningRow.first_seen).where(WarningRow.month == prev_month)))
        red_counts: dict[tuple[str, str], int] = {}
        for w in warnings:
            if w.level == "red":
                for key in (("department", w.dept_code), ("region", w.region_code)):
                    red_counts[key] = red_counts.get(key, 0) + 1

        previous_lists = {label: {(e.list, e.level, e.code) for e in conn.execute(
            select(ListEntry.list, ListEntry.level, ListEntry.code).where(ListEntry.month == m))}
            for label, m in (("M-1", prev_month), ("M-2", prev2_month))}
        ranked = [r for r in rows if r["level"] in ("department", "region")]
        entries = compute_lists(ranked, red_counts, previous_lists, config)

        _replace(conn, month, d, rows, warnings, first_seen, entries)
        counts = {"kpis": len(rows), "warnings": len(warnings), "lists": len(entries)}
        if before_commit is not None:
            before_commit(conn, counts)
    return counts


def _replace(conn: Connection, month: str, d: dt.date, rows, warnings, first_seen, entries) -> None:
    for table in (ListEntry, WarningRow, KpiRow, Snapshot):
        conn.execute(delete(table).where(table.month == month))
    conn.execute(insert(Snapshot).values(
        month=month, snapshot_date=d, computed_at=dt.datetime.now(),
        row_counts={"kpis": len(rows), "warnings": len(warnings), "lists": len(entries)}))
    write_rows(conn, "kpi_rows", KPI_COLUMNS,
               ([month, *[row.get(c) for c in KPI_COLUMNS[1:]]] for row in rows))
    write_rows(conn, "warning_rows", WARNING_COLUMNS, (
        [month, w.rule, w.ref, w.level, w.asset_code, w.unit_code, w.dept_code, w.region_code, w.days, w.months,
         as_date(first_seen.get((w.rule, w.ref), d)), w.message] for w in warnings))
    if entries:
        conn.execute(insert(ListEntry), [dict(asdict(e), month=month) for e in entries])

