"""The only place pages, downloads and the API read snapshots. Every function takes a Scope."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, case, func, select

from dashboard.cache import snapshot_cached
from dashboard.scope import Scope
from ledger import allocation, vocab, workflow
from ledger.exports import snapshot_frame, typed
from ledger.models import (HELPER_FIELDS, KPI_FIELDS, SCORE_NAMES, Asset, Commitment, Decision, Department, HeldAsset,
                           Income, KpiRow, Lease,
                           Listing, ListEntry, Plan, PurchaseRequest,
                           Region, Snapshot, StatusChange, Transfer, Unit, WarningCase, WarningEvent,
                           WarningRow)
from ledger.spans import spans_of_asset
from metrics import allocation as alloc
from metrics.timeline import as_date, snapshot_date
from outputs import facts

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


def scope_label(engine: Engine, scope: Scope) -> str:
    """How exports name the caller's scope: 全市, a region or a department by name."""
    if scope.kind in ("all", "screen"):
        return "全市"
    with engine.connect() as conn:
        if scope.kind == "region":
            name = conn.execute(select(Region.name).where(Region.code == scope.code)).scalar()
        elif scope.kind == "department":
            name = conn.execute(select(Department.name).where(Department.code == scope.code)).scalar()
        else:
            name = None
    return f"{name or ''}（{scope.code}）" if scope.code else "无"


def scope_filters(scope: Scope) -> dict:
    """The scope as the where-clauses ledger.reports takes."""
    return {"kpis": scope.kpis(), "warnings": scope.warnings(), "lists": scope.lists()}


def meeting_month(engine: Engine, scope: Scope, today) -> str | None:
    """The month a meeting reviews: the newest that has ended (the current one is still moving)."""
    available = months(engine, scope)
    ended = [m for m in available if snapshot_date(m) < today]
    return (ended or available or [None])[0]


@snapshot_cached
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


@snapshot_cached
def warnings(engine: Engine, scope: Scope, month: str, level: str | None = None, rule: str | None = None,
             region: str | None = None, dept: str | None = None, unit: str | None = None) -> pd.DataFrame:
    extra = [scope.warnings()]
    for column, value in ((WarningRow.level, level), (WarningRow.rule, rule), (WarningRow.region_code, region),
                          (WarningRow.dept_code, dept), (WarningRow.unit_code, unit)):
        if value:
            extra.append(column == value)
    with engine.connect() as conn:
        return snapshot_frame(conn, "warnings", month, where=and_(*extra))


@snapshot_cached(workflow=True)
def warning_cases(engine: Engine, scope: Scope, month: str, today: dt.date, ack_days: int, level: str | None = None,
                  rule: str | None = None, state: str | None = None, limit: int = 500) -> tuple[pd.DataFrame, dict]:
    """The month's warnings with the state of their case, the most pressing first (escalated,
    then by level), at most `limit`; and the counts of all of them by level and escalated.

    For the month the cases were last synchronised with, the cases alone answer the counts and
    the ordering (no join over every warning of the city); other months join the two tables.
    """
    overdue = workflow.overdue_condition(today, ack_days)
    columns = ["rule", "level", "ref", "asset_code", "unit_code", "dept_code", "days", "months", "first_seen", "message"]
    with engine.connect() as conn:
        synced = conn.execute(select(func.max(WarningCase.last_month))).scalar() == month
        if synced:
            base = select().select_from(WarningCase).where(WarningCase.last_month == month, scope.owns(WarningCase))
            level_col = WarningCase.level
        else:
            base = (select().select_from(WarningRow)
                    .outerjoin(WarningCase, and_(WarningCase.rule == WarningRow.rule, WarningCase.ref == WarningRow.ref))
                    .where(WarningRow.month == month, scope.warnings()))
            level_col = WarningRow.level
        for column, value in ((level_col, level), (WarningCase.rule if synced else WarningRow.rule, rule),
                              (WarningCase.state, state)):
            if value:
                base = base.where(column == value)
        severity = case((level_col == "red", 0), (level_col == "orange", 1), else_=2)
        order = (overdue.desc(), severity, WarningCase.rule if synced else WarningRow.rule,
                 WarningCase.ref if synced else WarningRow.ref)
        if synced:
            top = base.add_columns(WarningCase.id, overdue.label("late"), severity.label("sev")) \
                .order_by(*order).limit(limit).subquery()
            query = (select(*[getattr(WarningRow, c) for c in columns], WarningCase.id.label("case_id"), WarningCase.state,
                            WarningCase.opened_on, WarningCase.fix_by, WarningCase.note, top.c.late)
                     .join(WarningCase, WarningCase.id == top.c.id)
                     .join(WarningRow, and_(WarningRow.month == month, WarningRow.rule == WarningCase.rule,
                                            WarningRow.ref == WarningCase.ref))
                     .order_by(top.c.late.desc(), top.c.sev, WarningCase.rule, WarningCase.ref))
        else:
            query = base.add_columns(*[getattr(WarningRow, c) for c in columns], WarningCase.id.label("case_id"),
                                     WarningCase.state, WarningCase.opened_on, WarningCase.fix_by, WarningCase.note,
                                     overdue.label("late")).order_by(*order).limit(limit)
        frame = pd.DataFrame(conn.execute(query).fetchall(), columns=[
            *columns, "case_id", "state", "opened_on", "fix_by", "note", "overdue"])
        counts = {"overdue": 0, "total": 0}
        for lvl, late, n in conn.execute(base.add_columns(level_col, overdue, func.count())
                                         .group_by(level_col, overdue)):  # one scan for every tile
            counts[lvl] = counts.get(lvl, 0) + n
            counts["total"] += n
            counts["overdue"] += n if late else 0
    frame["overdue"] = frame["overdue"].fillna(False).astype(bool)
    return frame, counts


@snapshot_cached(workflow=True)
def follow_up(engine: Engine, scope: Scope, ack_days: int) -> dict[str, list[str]]:
    """Per department, what the workflow adds to its reasons today: overdue commitments,
    orange/red warnings left unacknowledged and transfers decided but overdue (allocation.md)."""
    today = dt.date.today()
    with engine.connect() as conn:
        commitments = workflow.commitment_counts(conn, today, scope.owns(Commitment))
        escalated = workflow.escalated_counts(conn, today, ack_days, scope.owns(WarningCase))
        transfers = allocation.transfer_counts(conn, today, scope.owns(Transfer))
    out: dict[str, list[str]] = {}
    for dept, n in commitments.items():
        text = f"整改承诺未完成 {n['open']} 项" + (f"，其中逾期 {n['overdue']} 项" if n["overdue"] else "")
        out.setdefault(dept, []).append(text)
    for dept, n in escalated.items():
        out.setdefault(dept, []).append(f"橙色以上预警逾期未确认 {n} 条（超过 {ack_days} 天）")
    for dept, n in transfers.items():
        if n["overdue"]:
            out.setdefault(dept, []).append(f"配置审核决定调剂的资产逾期未完成 {n['overdue']} 项")
    return out


@snapshot_cached(workflow=True)
def commitment_totals(engine: Engine, scope: Scope) -> dict[str, int]:
    """Commitments in progress and overdue (the meeting screen sees these totals too)."""
    with engine.connect() as conn:
        counts = workflow.commitment_counts(conn, dt.date.today(), scope.workflow_totals(Commitment))
    return {key: sum(c[key] for c in counts.values()) for key in ("open", "overdue")}


@snapshot_cached(workflow=True)
def case_states(engine: Engine, scope: Scope) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(r.rule, r.ref): r.state for r in conn.execute(
            select(WarningCase.rule, WarningCase.ref, WarningCase.state).where(scope.owns(WarningCase)))}


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


def _overdue_query(scope: Scope, month: str, region=None, dept=None, category=None, band=None, min_value=None):
    query = (select(WarningRow.asset_code, Asset.name.label("asset_name"), Asset.category, Asset.original_value,
                    WarningRow.months, WarningRow.level, WarningRow.first_seen, Asset.location,
                    Unit.name.label("unit_name"), Department.name.label("dept_name"), WarningRow.region_code)
             .join(Asset, Asset.code == WarningRow.asset_code).join(Unit, Unit.code == Asset.unit_code)
             .join(Department, Department.code == Unit.dept_code)
             .where(WarningRow.month == month, WarningRow.rule == "idle_overdue", scope.warnings()))
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
        return conn.execute(select(func.count()).select_from(_overdue_query(scope, month, **filters).subquery())
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
            scope.refused("asset", code)
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


# ---- 配置审核 (allocation.md) ---------------------------------------------------------------

def _masked(scope: Scope, candidates: pd.DataFrame) -> pd.DataFrame:
    """A department sees other departments' candidate assets without their values."""
    if scope.kind == "department":
        candidates = candidates.assign(value=candidates.value.where(candidates.dept_code == scope.code, None))
    return candidates


def request_years(engine: Engine, scope: Scope) -> list[int]:
    with engine.connect() as conn:
        return list(conn.execute(select(PurchaseRequest.budget_year).distinct()
                                 .join(Unit, Unit.code == PurchaseRequest.unit_code)
                                 .join(Department, Department.code == Unit.dept_code)
                                 .where(scope.units()).order_by(PurchaseRequest.budget_year.desc())).scalars())


def purchase_requests(engine: Engine, scope: Scope, year: int | None = None, request_id: str | None = None,
                      dept: str | None = None) -> pd.DataFrame:
    """The requests the caller sees (of a year, one, or a department's), with the standing
    decision and its transfers."""
    where = and_(scope.units(), *([PurchaseRequest.budget_year == year] if year is not None else []),
                 *([PurchaseRequest.request_id == request_id] if request_id is not None else []),
                 *([Unit.dept_code == dept] if dept is not None else []))
    frame = alloc.requests_frame(engine, where)
    ids = frame.request_id.tolist()
    with engine.connect() as conn:
        decisions = pd.DataFrame(conn.execute(select(
            Decision.request_id, Decision.kind, Decision.approved_qty, Decision.note, Decision.decided_by,
            Decision.decided_at, Decision.candidate_count, Decision.flags)
            .where(Decision.withdrawn_at.is_(None), Decision.request_id.in_(ids))).all(),
            columns=["request_id", "decision", "approved_qty", "decision_note", "decided_by", "decided_at",
                     "decided_candidates", "decided_flags"])
        moved = pd.DataFrame(conn.execute(select(Transfer.request_id, Transfer.state).where(
            Transfer.request_id.in_(ids), Transfer.state != "withdrawn")).all(), columns=["request_id", "state"])
    frame = frame.merge(decisions, on="request_id", how="left")
    counts = moved.groupby("request_id").state.agg(
        transfer_qty="size", transfer_done=lambda s: int((s == "done").sum()))
    return frame.merge(counts, left_on="request_id", right_index=True, how="left")


def request_review(engine: Engine, config, scope: Scope, d: dt.date, year: int | None = None,
                   request_id: str | None = None) -> alloc.Review | None:
    """Candidates and flags on `d` of the caller's requests (one, or a year's); None when the
    request is not the caller's to see."""
    where = scope.units()
    if request_id is not None:
        where = and_(where, PurchaseRequest.request_id == request_id)
    if year is not None:
        where = and_(where, PurchaseRequest.budget_year == year)
    requests = alloc.requests_frame(engine, where)
    if requests.empty:
        if request_id is not None:
            scope.refused("request", request_id)
        return None
    found = alloc.review(engine, config, d, requests)
    found.candidates = _masked(scope, found.candidates)
    return found


def allocation_exports(engine: Engine, config, scope: Scope, d: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    return alloc.export_frames(engine, config, d, scope.units(), shown=lambda found: _masked(scope, found))


def transfers(engine: Engine, scope: Scope) -> pd.DataFrame:
    """Transfers decided for the caller's departments, with asset, unit and department names."""
    receiver = Department.__table__.alias("receiver")
    query = (select(Transfer.request_id, Transfer.asset_code, Asset.name.label("asset_name"),
                    Unit.name.label("from_unit"), receiver.c.name.label("to_dept"), Transfer.dept_code,
                    Transfer.decided_on, Transfer.due_on, Transfer.state, Transfer.done_on, Transfer.done_how)
             .join(Asset, Asset.code == Transfer.asset_code).join(Unit, Unit.code == Transfer.from_unit_code)
             .join(receiver, receiver.c.code == Transfer.dept_code)
             .where(scope.owns(Transfer)).order_by(Transfer.decided_on.desc(), Transfer.request_id, Transfer.asset_code))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).all(), columns=[
            "request_id", "asset_code", "asset_name", "from_unit", "to_dept", "dept_code", "decided_on", "due_on",
            "state", "done_on", "done_how"])


def allocation_figures(engine: Engine, config, scope: Scope, year: int, d: dt.date) -> pd.DataFrame:
    """The year's figures by department, region and city over the caller's requests (a county:
    its departments and its region; a department: itself)."""
    frame = alloc.figures(engine, config, year, d, scope.units())
    if scope.kind == "region":
        frame = frame[frame.level != "city"]
    elif scope.kind == "department":
        frame = frame[frame.level == "department"]
    return frame.reset_index(drop=True)


def place_names(engine: Engine, scope: Scope, unit_codes: set[str]) -> dict[str, tuple[str, str]]:
    """unit code -> (unit name, department name). Not scoped on purpose: a request's candidates
    name the unit holding each asset, whoever's it is (allocation.md: a department sees them)."""
    if not unit_codes or scope.kind == "none":
        return {}
    with engine.connect() as conn:
        return {r.code: (r.name, r.dept_name) for r in conn.execute(
            select(Unit.code, Unit.name, Department.name.label("dept_name"))
            .join(Department, Department.code == Unit.dept_code).where(Unit.code.in_(sorted(unit_codes))))}


def held_assets(engine: Engine, scope: Scope, request_id: str) -> list[str]:
    """The assets held by the caller's request's standing decision."""
    with engine.connect() as conn:
        return list(conn.execute(select(HeldAsset.asset_code).join(
            PurchaseRequest, PurchaseRequest.request_id == HeldAsset.request_id)
            .join(Unit, Unit.code == PurchaseRequest.unit_code).join(Department, Department.code == Unit.dept_code)
            .where(HeldAsset.request_id == request_id, scope.units())).scalars())


OPINION_COLUMNS = ["需求编号", "主管部门", "申报单位", "资产名称", "资产分类", "分类代码", "数量", "单价（元）", "金额（元）",
                   "申报日期", "审核决定", "同意采购数量", "调剂资产", "调剂完成", "审核时候选资产数", "审核时提示", "审核意见",
                   "审核人", "审核时间"]


def opinion_sheet(engine: Engine, scope: Scope, year: int) -> pd.DataFrame:
    """审核意见表: one row per request of the year the caller sees, its decision and the assets named."""
    frame = purchase_requests(engine, scope, year)
    with engine.connect() as conn:
        named = conn.execute(select(Transfer.request_id, Transfer.asset_code, Asset.name, Transfer.state)
                             .join(Asset, Asset.code == Transfer.asset_code)
                             .where(Transfer.request_id.in_(frame.request_id.tolist()), Transfer.state != "withdrawn")
                             .order_by(Transfer.asset_code)).all()
    assets: dict[str, list[str]] = {}
    for request_id, code, name, _ in named:
        assets.setdefault(request_id, []).append(f"{code} {name}")
    rows = []
    for r in frame.itertuples():
        decided = isinstance(r.decision, str)
        flags = r.decided_flags if decided and isinstance(r.decided_flags, dict) else {}
        rows.append([r.request_id, r.dept_name, r.unit_name, r.asset_name, vocab.label(vocab.CATEGORIES, r.category),
                     r.category_code if isinstance(r.category_code, str) else "", int(r.quantity),
                     yuan_of(r.unit_price), yuan_of(r.quantity * r.unit_price), r.requested_on.isoformat(),
                     allocation.KINDS[r.decision] if decided else "待审核", int(r.approved_qty) if decided else None,
                     "；".join(assets.get(r.request_id, [])),
                     f"{int(r.transfer_done)}/{int(r.transfer_qty)}" if decided and r.transfer_qty == r.transfer_qty
                     and r.transfer_qty else "",
                     int(r.decided_candidates) if decided else None,
                     "、".join(v for k, v in allocation.FLAG_NAMES.items() if flags.get(k)),
                     r.decision_note if decided else "", r.decided_by if decided else "",
                     r.decided_at.strftime("%Y-%m-%d %H:%M:%S") if decided else ""])
    return pd.DataFrame(rows, columns=OPINION_COLUMNS)


def yuan_of(fen) -> float:
    return round(int(fen) / 100, 2)
