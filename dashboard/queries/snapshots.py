"""Reads of the computed snapshots (KPIs, warnings, lists) and of the ledger behind them. Every
function takes a Scope and filters by it; none has a default that means everything."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, false, func, or_, select

from dashboard.cache import snapshot_cached
from dashboard.scope import Scope
from ledger import vocab
from ledger.db import TimedOut, time_limit
from ledger.models import (
    HELPER_FIELDS,
    KPI_FIELDS,
    SCORE_NAMES,
    Asset,
    Department,
    Income,
    KpiRow,
    Lease,
    ListEntry,
    Listing,
    Plan,
    Region,
    Snapshot,
    StatusChange,
    Unit,
    WarningCase,
    WarningEvent,
    WarningRow,
    holds,
)
from metrics.spans import spans_of_asset
from metrics.timeline import as_date
from outputs import facts
from outputs import months as months_of
from outputs.exports import snapshot_frame, typed
from outputs.months import MonthState

KPI_COLUMNS = ["month", "level", "code", "name", "dept_code", "region_code", *[n for n, _ in KPI_FIELDS + HELPER_FIELDS],
               *[f"score_{n}" for n in SCORE_NAMES], "score", "rank", "rank_change", "peer_size"]


def plain(value):
    """A value as JSON carries it: undefined -> None, numpy -> Python, dates -> ISO text."""
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if value is None or pd.isna(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.item() if hasattr(value, "item") else value


def to_records(frame: pd.DataFrame, columns: list[str] | None = None) -> list[dict]:
    """Rows for JSON (the API) and for grids in the browser."""
    rows = frame.to_dict("records")
    return [{k: plain(row[k]) for k in (columns or frame.columns)} for row in rows]


@snapshot_cached
def months(engine: Engine, scope: Scope) -> list[str]:
    """Months with a snapshot, newest first (nothing for an account without a scope)."""
    if scope.kind == "none":
        return []
    with engine.connect() as conn:
        return list(conn.execute(select(Snapshot.month).order_by(Snapshot.month.desc())).scalars())


def snapshot_info(engine: Engine, month: str) -> dict | None:
    with engine.connect() as conn:
        row = conn.execute(select(Snapshot.month, Snapshot.computed_at, Snapshot.snapshot_date)
                           .where(Snapshot.month == month)).first()
    return None if row is None else {"month": row.month, "computed_at": row.computed_at,
                                     "snapshot_date": row.snapshot_date}


def scope_name(engine: Engine, scope: Scope) -> str | None:
    """The name of the region or department an account is limited to (None: not limited, or unknown)."""
    table = {"region": Region, "department": Department}.get(scope.kind)
    if table is None or not scope.code:
        return None
    with engine.connect() as conn:
        return conn.execute(select(table.name).where(table.code == scope.code)).scalar()


def scope_label(engine: Engine, scope: Scope) -> str:
    """How exports name the caller's scope: 全市, a region or a department by name."""
    if scope.kind in ("all", "screen"):
        return "全市"
    return f"{scope_name(engine, scope) or ''}（{scope.code}）" if scope.code else "无"


@snapshot_cached
def month_states(engine: Engine, scope: Scope, zone: str) -> dict[str, MonthState]:
    """The months with a snapshot, newest first, each closed or in progress (outputs.months)."""
    if scope.kind == "none":
        return {}
    with engine.connect() as conn:
        return months_of.states(conn, zone)


def chosen_month(engine: Engine, scope: Scope, asked, zone: str, today: dt.date) -> str | None:
    """The month a page opens on: the one asked for (`?month=`) when it has a snapshot, else the
    newest closed month (outputs.months.default_month)."""
    found = month_states(engine, scope, zone)
    return asked if isinstance(asked, str) and asked in found else months_of.default_month(found, today)


@snapshot_cached
def kpis(engine: Engine, scope: Scope, month: str | list[str], level: str | None = None,
         region: str | None = None, dept: str | None = None, code: str | None = None) -> pd.DataFrame:
    """KPI rows the scope may see; the optional filters only ever narrow it."""
    query = select(*[getattr(KpiRow, c) for c in KPI_COLUMNS]).where(scope.kpis())
    query = query.where(KpiRow.month.in_(month) if isinstance(month, list) else KpiRow.month == month)
    for column, value in ((KpiRow.level, level), (KpiRow.region_code, region), (KpiRow.dept_code, dept),
                          (KpiRow.code, code)):
        if value is not None:
            # a code is text: anything else a browser sends matches nothing (PostgreSQL would refuse
            # to compare it, SQLite would compare it as something else)
            query = query.where(column == value if isinstance(value, str) else false())
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query.order_by(KpiRow.month, KpiRow.level, KpiRow.rank, KpiRow.code))
                             .fetchall(), columns=KPI_COLUMNS)
    return typed(frame)


def region_names(engine: Engine, scope: Scope, month: str) -> dict[str, str]:
    """region code -> name, of the regions the scope sees in the month."""
    regions = kpis(engine, scope, month, level="region")
    return dict(zip(regions["code"], regions["name"]))


def kpi_row(engine: Engine, scope: Scope, month: str, level: str, code: str) -> dict | None:
    """One row, or None when it does not exist or lies outside the scope (indistinguishable)."""
    frame = kpis(engine, scope, month, level=level, code=code)
    if frame.empty:
        if code:
            scope.refused(f"{vocab.SCOPE_LEVELS.get(level, level)}指标", code)
        return None
    return frame.iloc[0].to_dict()


@snapshot_cached
def warnings(engine: Engine, scope: Scope, month: str, level: str | None = None, rule: str | None = None,
             region: str | None = None, dept: str | None = None, unit: str | None = None) -> pd.DataFrame:
    extra = []
    for column, value in ((WarningRow.level, level), (WarningRow.rule, rule), (WarningRow.region_code, region),
                          (WarningRow.dept_code, dept), (WarningRow.unit_code, unit)):
        if value:
            extra.append(column == value)
    with engine.connect() as conn:
        return snapshot_frame(conn, "warnings", month, scope, *extra)



@snapshot_cached
def warning_counts(engine: Engine, scope: Scope, month: str) -> pd.DataFrame:
    """Warnings per (region, level), for the heat map and the level cards."""
    query = (select(WarningRow.region_code, WarningRow.level, func.count().label("count"))
             .where(WarningRow.month == month, scope.warning_totals())
             .group_by(WarningRow.region_code, WarningRow.level))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).fetchall(), columns=["region_code", "level", "count"])


@snapshot_cached
def lists(engine: Engine, scope: Scope, month: str) -> pd.DataFrame:
    columns = ["month", "list", "level", "code", "name", "region_code", "reasons"]
    query = (select(*[getattr(ListEntry, c) for c in columns]).where(ListEntry.month == month, scope.lists())
             .order_by(ListEntry.list, ListEntry.level, ListEntry.code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).fetchall(), columns=columns)



@snapshot_cached
def point_items(engine: Engine, scope: Scope, month: str, dept: str) -> list[dict]:
    """A department's warned assets, plans and income rows with the money at stake (yuan)."""
    with engine.connect() as conn:
        return facts.point_items(conn, scope, month, dept)


def peer_standing(engine: Engine, scope: Scope, month: str, dept: str) -> list[dict]:
    """The ranking columns of a department's peer group, for the what-if's rank.

    The one read past a department's scope: other departments' scores decide its rank, as they
    do in the snapshot. Only the department's own new rank leaves the server; these rows never do.
    """
    own = kpi_row(engine, scope, month, "department", dept)
    if own is None:
        return []
    columns = [KpiRow.level, KpiRow.code, KpiRow.dept_code, KpiRow.region_code, KpiRow.score, KpiRow.idle_rate,
               KpiRow.asset_count]
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(select(*columns).where(
            KpiRow.month == month, KpiRow.level == "department", KpiRow.region_code == own["region_code"]))]


# ---- assets: the rows behind the figures ---------------------------------------------------

OVERDUE_SORTS = {"months": WarningRow.months, "original_value": Asset.original_value, "asset_code": Asset.code,
                 "dept_name": Department.name, "category": Asset.category, "first_seen": WarningRow.first_seen}
MONTH_BANDS = {"6-11": (6, 11), "12-23": (12, 23), "24+": (24, None)}


def _overdue_query(scope: Scope, month: str, region=None, dept=None, category=None, band=None, min_value=None,
                   columns: bool = True):
    """The overdue idle warnings the filters keep; `columns=False`: without the card's columns,
    joining the cards only when a filter is on them (to count: every warning has its card, as cards
    are never deleted)."""
    if columns:
        query = (select(WarningRow.asset_code, Asset.name.label("asset_name"), Asset.category, Asset.original_value,
                        WarningRow.months, WarningRow.level, WarningRow.first_seen, Asset.location,
                        Unit.name.label("unit_name"), Department.name.label("dept_name"), WarningRow.region_code)
                 .join(Asset, Asset.code == WarningRow.asset_code).join(Unit, Unit.code == Asset.unit_code)
                 .join(Department, Department.code == Unit.dept_code))
    else:
        query = select(WarningRow.asset_code)
        if category or min_value:
            query = query.join(Asset, Asset.code == WarningRow.asset_code)
    query = query.where(WarningRow.month == month, WarningRow.rule == "idle_overdue", scope.warnings())
    if region:
        query = query.where(WarningRow.region_code == region)
    if dept:
        query = query.where(WarningRow.dept_code == dept)
    if category:
        query = query.where(Asset.category == category)
    if band in MONTH_BANDS:
        low, high = MONTH_BANDS[band]
        query = query.where(WarningRow.months >= low)
        if high is not None:
            query = query.where(WarningRow.months <= high)
    if min_value:
        query = query.where(Asset.original_value >= int(round(float(min_value) * 100)))
    return query


@snapshot_cached
def overdue_idle(engine: Engine, scope: Scope, month: str, sort: list[dict] | None = None, start: int = 0,
                 end: int | None = 100, **filters) -> tuple[pd.DataFrame, int]:
    """Overdue idle assets (idle 6+ months on D) and their total, sorted and paged in SQL.

    A page holds at most 1,000 rows; end=None returns every row (the xlsx export).
    """
    query = _overdue_query(scope, month, **filters)
    order = []
    for item in sort or []:
        column = OVERDUE_SORTS.get(item.get("colId"))
        if column is not None:
            order.append(column.desc() if item.get("sort") == "desc" else column.asc())
    order += [WarningRow.months.desc(), WarningRow.asset_code]
    query = query.order_by(*order)
    if end is not None:
        start, end = max(0, int(start)), max(0, int(end))
        query = query.offset(start).limit(max(0, min(end - start, 1000)))
    with engine.connect() as conn:
        rows = conn.execute(query).fetchall() if end != 0 else []
    frame = pd.DataFrame(rows, columns=[c.name for c in query.selected_columns])
    frame["original_value"] = frame["original_value"] / 100
    return frame, overdue_total(engine, scope, month, **filters)


@snapshot_cached
def overdue_total(engine: Engine, scope: Scope, month: str, **filters) -> int:
    """How many rows the filters match, whatever the sort and the block asked for."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(
            _overdue_query(scope, month, **filters, columns=False).subquery())
                            ).scalar_one()


def asset_detail(engine: Engine, scope: Scope, code: str) -> dict | None:
    """Everything about one asset, or None when it does not exist or lies outside the scope."""
    with engine.connect() as conn:
        card = conn.execute(select(Asset.__table__, Unit.name.label("unit_name"), Department.name.label("dept_name"),
                                   Department.code.label("dept_code"))
                            .join(Unit, Unit.code == Asset.unit_code).join(Department, Department.code == Unit.dept_code)
                            .where(Asset.code == code, scope.units())
                            ).mappings().first()
        if card is None:
            scope.refused("资产", code)
            return None

        def rows(model, *order):
            return pd.DataFrame(conn.execute(select(model.__table__).where(model.asset_code == code).order_by(*order))
                                .mappings().all())
        return {
            "card": dict(card),
            "spans": pd.DataFrame(spans_of_asset(
                as_date(card["acquired_on"]), card["status"], as_date(card["status_since"]),
                [(as_date(on), status) for on, status in conn.execute(
                    select(StatusChange.changed_on, StatusChange.status).where(StatusChange.asset_code == code))]),
                columns=["start_on", "end_on", "status", "run_start"]),
            "plans": rows(Plan, Plan.listed_on),
            "leases": rows(Lease, Lease.start_on),
            "income": rows(Income, Income.received_on),
            "listings": rows(Listing, Listing.listed_on),
            "handling": pd.DataFrame(conn.execute(
                select(WarningEvent.at, WarningCase.rule, WarningCase.ref, WarningEvent.actor, WarningEvent.action,
                       WarningEvent.to_state, WarningEvent.note)
                .join(WarningCase, WarningCase.id == WarningEvent.case_id)
                .where(WarningCase.asset_code == code, scope.owns(WarningCase)).order_by(WarningEvent.id.desc()))
                .mappings().all()),
            "warnings": pd.DataFrame(conn.execute(
                select(WarningRow.month, WarningRow.rule, WarningRow.level, WarningRow.ref, WarningRow.message)
                .where(WarningRow.asset_code == code, scope.warnings()).order_by(WarningRow.month.desc()))
                .mappings().all()),
        }


def yuan_of(fen) -> float:
    return round(int(fen) / 100, 2)


SHORT_TEXT = 3  # a trigram index serves a text from three characters on
SHORT_SEARCH_MS = 150


def find(engine: Engine, scope: Scope, text: str, limit: int = 6) -> tuple[list[dict], bool]:
    """Departments, units and assets whose code or name holds `text`, within the scope; each as
    {"kind", "code", "name", "path", "where"} (the top bar's search). And whether every card was
    searched: a text shorter than three characters that is on few cards would read every card of
    the city, so the cards are searched for SHORT_SEARCH_MS at most."""
    if not scope.sees_assets or not text:
        return [], True
    found = []
    with engine.connect() as conn:
        depts = conn.execute(select(Department.code, Department.name).distinct()
                             .join(Unit, Unit.dept_code == Department.code).where(
            scope.units(), or_(holds(Department.code, text), holds(Department.name, text)))
            .order_by(Department.code).limit(limit)).all()
        found += [{"kind": "部门", "code": d.code, "name": d.name, "path": "/department", "where": ""} for d in depts]
        units = conn.execute(select(Unit.code, Unit.name, Department.name.label("dept"))
                             .join(Department, Department.code == Unit.dept_code).where(
            scope.units(), or_(holds(Unit.code, text), holds(Unit.name, text)))
            .order_by(Unit.code).limit(limit)).all()
        found += [{"kind": "单位", "code": u.code, "name": u.name, "path": "/unit", "where": u.dept} for u in units]
        query = (select(Asset.code, Asset.name, Unit.name.label("unit"))
                 .join(Unit, Unit.code == Asset.unit_code).join(Department, Department.code == Unit.dept_code)
                 .where(scope.units(), or_(holds(Asset.code, text), holds(Asset.name, text)))
                 .order_by(Asset.code).limit(limit))
        try:
            if len(text) >= SHORT_TEXT:
                assets = conn.execute(query).all()
            else:
                with time_limit(conn, SHORT_SEARCH_MS):
                    assets = conn.execute(query).all()
        except TimedOut:
            return found, False
        found += [{"kind": "资产", "code": a.code, "name": a.name, "path": "/asset", "where": a.unit} for a in assets]
    return found, True
