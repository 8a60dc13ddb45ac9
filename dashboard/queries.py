"""The only place pages, downloads and the API read snapshots. Every function takes a Scope."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Engine, and_, func, select

from dashboard.scope import Scope
from ledger.exports import snapshot_frame, typed
from ledger.models import KPI_FIELDS, SCORE_NAMES, KpiRow, ListEntry, Snapshot, WarningRow

KPI_COLUMNS = ["month", "level", "code", "name", "dept_code", "region_code", *[n for n, _ in KPI_FIELDS],
               *[f"score_{n}" for n in SCORE_NAMES], "score", "rank", "rank_change", "peer_size"]


def months(engine: Engine, scope: Scope) -> list[str]:
    """Months with a snapshot, newest first (nothing for an account without a scope)."""
    if scope.kind == "none":
        return []
    with engine.connect() as conn:
        return list(conn.execute(select(Snapshot.month).order_by(Snapshot.month.desc())).scalars())


def snapshot_info(engine: Engine, month: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(Snapshot.month, Snapshot.computed_at).where(Snapshot.month == month)).first()
    return None if row is None else {"month": row.month, "computed_at": row.computed_at}


def kpis(engine: Engine, scope: Scope, month: str | list[str], level: str | None = None,
         region: str | None = None, dept: str | None = None, code: str | None = None) -> pd.DataFrame:
    """KPI rows the scope may see; the optional filters only ever narrow it."""
    query = select(*[getattr(KpiRow, c) for c in KPI_COLUMNS]).where(scope.kpis())
    query = query.where(KpiRow.month.in_(month) if isinstance(month, list) else KpiRow.month == month)
    for column, value in ((KpiRow.level, level), (KpiRow.region_code, region), (KpiRow.dept_code, dept),
                          (KpiRow.code, code)):
        if value is not None:
            query = query.where(column == value)
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query.order_by(KpiRow.month, KpiRow.level, KpiRow.rank, KpiRow.code))
                             .fetchall(), columns=KPI_COLUMNS)
    return typed(frame)


def kpi_row(engine: Engine, scope: Scope, month: str, level: str, code: str) -> dict | None:
    """One row, or None when it does not exist or lies outside the scope (indistinguishable)."""
    frame = kpis(engine, scope, month, level=level, code=code)
    if frame.empty:
        if code:
            scope.refused(f"{level} row", code)
        return None
    return frame.iloc[0].to_dict()


def warnings(engine: Engine, scope: Scope, month: str, level: str | None = None, rule: str | None = None,
             region: str | None = None, dept: str | None = None) -> pd.DataFrame:
    extra = [scope.warnings()]
    for column, value in ((WarningRow.level, level), (WarningRow.rule, rule), (WarningRow.region_code, region),
                          (WarningRow.dept_code, dept)):
        if value:
            extra.append(column == value)
    with engine.connect() as conn:
        return snapshot_frame(conn, "warnings", month, where=and_(*extra))


def warning_counts(engine: Engine, scope: Scope, month: str) -> pd.DataFrame:
    """Warnings per (region, level), for the heat map and the level cards."""
    query = (select(WarningRow.region_code, WarningRow.level, func.count().label("count"))
             .where(WarningRow.month == month, scope.warnings())
             .group_by(WarningRow.region_code, WarningRow.level))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).fetchall(), columns=["region_code", "level", "count"])


def lists(engine: Engine, scope: Scope, month: str) -> pd.DataFrame:
    columns = ["month", "list", "level", "code", "name", "region_code", "reasons"]
    query = (select(*[getattr(ListEntry, c) for c in columns]).where(ListEntry.month == month, scope.lists())
             .order_by(ListEntry.list, ListEntry.level, ListEntry.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).fetchall(), columns=columns)

