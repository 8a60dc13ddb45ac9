"""Reads of the accountability workflow: warning cases and their states, interviews, commitments,
a department's history. Every function takes a Scope."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, and_, case, func, or_, select

from dashboard.cache import snapshot_cached
from dashboard.scope import Scope
from ledger import allocation, workflow
from ledger.models import (
    Asset,
    Commitment,
    Department,
    Interview,
    ListEntry,
    Transfer,
    Unit,
    WarningCase,
    WarningRow,
    holds,
)

OVERDUE_STATE = "overdue"  # the state filter's "逾期未确认": open orange and red warnings past the acknowledgement days


@snapshot_cached
def synced_month(engine: Engine, scope: Scope) -> str | None:
    """The month the cases were last synchronised with (a computation changes it, with the data's version)."""
    with engine.connect() as conn:
        return conn.execute(select(func.max(WarningCase.last_month))).scalar()


def _matching(engine: Engine, scope: Scope, month: str, today: dt.date, ack_days: int, level, rule, state, region,
              dept, search):
    """The month's warnings the filters keep, as (select without columns, the table that answers
    for them, the overdue condition). For the month the cases were last synchronised with, the
    cases alone answer (no join over every warning of the city); other months join the two tables."""
    overdue = workflow.overdue_condition(today, ack_days)
    synced = synced_month(engine, scope) == month
    source = WarningCase if synced else WarningRow
    if synced:
        base = select().select_from(WarningCase).where(WarningCase.last_month == month, scope.owns(WarningCase))
    else:
        base = (select().select_from(WarningRow)
                .outerjoin(WarningCase, and_(WarningCase.rule == WarningRow.rule, WarningCase.ref == WarningRow.ref))
                .where(WarningRow.month == month, scope.warnings()))
    for column, value in ((source.level, level), (source.rule, rule), (source.region_code, region),
                          (source.dept_code, dept)):
        if value:
            base = base.where(column == value)
    if state == OVERDUE_STATE:
        base = base.where(overdue)
    elif state:
        base = base.where(WarningCase.state == state)
    if search:
        # the names live on the cards: join them only when asked to search them, from the scope's
        # warnings (a text as common as the city's code prefix is on every card; matching the cards,
        # units and departments apiece first made a county's list three times slower)
        base = (base.join(Asset, Asset.code == source.asset_code).join(Unit, Unit.code == Asset.unit_code)
                .join(Department, Department.code == source.dept_code)
                .where(or_(*[holds(column, search) for column in
                             (Asset.code, Asset.name, Unit.code, Unit.name, Department.code, Department.name)])))
    return base, source, overdue


@snapshot_cached(workflow=True)
def case_counts(engine: Engine, scope: Scope, month: str, today: dt.date, ack_days: int, *, level: str | None = None,
                rule: str | None = None, state: str | None = None, region: str | None = None,
                dept: str | None = None, search: str | None = None) -> dict:
    """How many of the month's warnings the filters match: by level, overdue and in total (one scan
    for every tile; the list's pages share it)."""
    base, source, overdue = _matching(engine, scope, month, today, ack_days, level, rule, state, region, dept, search)
    counts = {"overdue": 0, "total": 0}
    with engine.connect() as conn:
        for lvl, late, n in conn.execute(base.add_columns(source.level, overdue, func.count())
                                         .group_by(source.level, overdue)):
            counts[lvl] = counts.get(lvl, 0) + n
            counts["total"] += n
            counts["overdue"] += n if late else 0
    return counts


WARNING_COLUMNS = ["rule", "level", "ref", "asset_code", "unit_code", "dept_code", "region_code", "days", "months",
                   "first_seen", "message"]
PAGE_COLUMNS = [*WARNING_COLUMNS, "case_id", "state", "opened_on", "fix_by", "note", "overdue", "asset_name",
                "unit_name", "dept_name"]


@snapshot_cached(workflow=True)
def case_page(engine: Engine, scope: Scope, month: str, today: dt.date, ack_days: int, *, level: str | None = None,
              rule: str | None = None, state: str | None = None, region: str | None = None,
              dept: str | None = None, search: str | None = None, start: int = 0,
              end: int | None = 100) -> pd.DataFrame:
    """Rows [start, end) of the month's warnings the filters match, the most pressing first
    (overdue, then by level, rule and object), with the state of their case and their asset, unit
    and department names."""
    if end is not None and end <= start:
        return pd.DataFrame(columns=PAGE_COLUMNS).astype({"overdue": bool})
    base, source, overdue = _matching(engine, scope, month, today, ack_days, level, rule, state, region, dept, search)
    severity = case((source.level == "red", 0), (source.level == "orange", 1), else_=2)
    page = (base.add_columns(source.rule.label("rule"), source.ref.label("ref"), overdue.label("late"),
                             severity.label("sev"))
            .order_by(overdue.desc(), severity, source.rule, source.ref).offset(start))
    top = (page if end is None else page.limit(end - start)).subquery()
    query = (select(*[getattr(WarningRow, c) for c in WARNING_COLUMNS], WarningCase.id.label("case_id"),
                    WarningCase.state, WarningCase.opened_on, WarningCase.fix_by, WarningCase.note, top.c.late,
                    Asset.name.label("asset_name"), Unit.name.label("unit_name"), Department.name.label("dept_name"))
             .select_from(top)
             .join(WarningRow, and_(WarningRow.month == month, WarningRow.rule == top.c.rule,
                                    WarningRow.ref == top.c.ref))
             .outerjoin(WarningCase, and_(WarningCase.rule == top.c.rule, WarningCase.ref == top.c.ref))
             .outerjoin(Asset, Asset.code == WarningRow.asset_code)
             .outerjoin(Unit, Unit.code == WarningRow.unit_code)
             .outerjoin(Department, Department.code == WarningRow.dept_code)
             .order_by(top.c.late.desc(), top.c.sev, top.c.rule, top.c.ref))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).fetchall(), columns=PAGE_COLUMNS)
    frame["overdue"] = frame["overdue"].fillna(False).astype(bool)
    return frame


def warning_cases(engine: Engine, scope: Scope, month: str, today: dt.date, ack_days: int, *, start: int = 0,
                  end: int | None = 100, **filters) -> tuple[pd.DataFrame, dict]:
    """Rows [start, end) of the month's warnings (case_page) and the counts of all that match
    (case_counts). `filters`: level, rule, region, dept; `state`: a case state or
    OVERDUE_STATE; `search`: part of an asset's code or name, a unit's or a department's name or code."""
    return (case_page(engine, scope, month, today, ack_days, start=start, end=end, **filters),
            case_counts(engine, scope, month, today, ack_days, **filters))


@snapshot_cached(workflow=True)
def follow_up(engine: Engine, scope: Scope, ack_days: int, today: dt.date) -> dict[str, list[str]]:
    """Per department, what the workflow adds to its reasons today: overdue commitments,
    orange/red warnings left unacknowledged and transfers decided but overdue (allocation.md);
    `today` in the deployment's time zone (Config.today)."""
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
def commitment_totals(engine: Engine, scope: Scope, today: dt.date) -> dict[str, int]:
    """Commitments in progress and overdue (the meeting screen sees these totals too)."""
    with engine.connect() as conn:
        counts = workflow.commitment_counts(conn, today, scope.workflow_totals(Commitment))
    return {key: sum(c[key] for c in counts.values()) for key in ("open", "overdue")}


@snapshot_cached(workflow=True)
def case_states(engine: Engine, scope: Scope) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(r.rule, r.ref): r.state for r in conn.execute(
            select(WarningCase.rule, WarningCase.ref, WarningCase.state).where(scope.owns(WarningCase)))}


def department_history(engine: Engine, scope: Scope, code: str) -> dict | None:
    """A department's lists, interviews and commitments with their checks; None outside the scope."""
    with engine.connect() as conn:
        dept = conn.execute(select(Department.code, Department.name, Department.region_code)
                            .where(Department.code == code, scope.owns(Department))).first()
        if dept is None:
            scope.refused("部门履历", code)
            return None
        listed = conn.execute(select(ListEntry.month, ListEntry.list, ListEntry.reasons).where(
            ListEntry.level == "department", ListEntry.code == code, scope.lists())).all()
        interviews = conn.execute(select(Interview).where(Interview.dept_code == code, scope.owns(Interview))).all()
        commitments = conn.execute(select(Commitment).where(Commitment.dept_code == code, scope.owns(Commitment))).all()
        return {"dept": dept, "listed": listed, "interviews": interviews, "commitments": commitments,
                "checks": workflow.commitment_checks(conn, commitments)}


def interview_list(engine: Engine, scope: Scope, month: str) -> list:
    """The departments on the month's 约谈 list, as (code, name)."""
    with engine.connect() as conn:
        return conn.execute(select(ListEntry.code, ListEntry.name).where(
            ListEntry.month == month, ListEntry.list == "interview", ListEntry.level == "department", scope.lists())
            .order_by(ListEntry.code)).all()


def interviews(engine: Engine, scope: Scope) -> tuple[list, list, dict]:
    """Interviews (newest first) and commitments (by deadline) with their department's name, and
    each commitment's check against the newest snapshot."""
    with engine.connect() as conn:
        found = conn.execute(select(Interview, Department.name.label("dept_name"))
                             .join(Department, Department.code == Interview.dept_code)
                             .where(scope.owns(Interview)).order_by(Interview.scheduled_on.desc())).all()
        commitments = conn.execute(select(Commitment, Department.name.label("dept_name"))
                                   .join(Department, Department.code == Commitment.dept_code)
                                   .where(scope.owns(Commitment)).order_by(Commitment.deadline)).all()
        return found, commitments, workflow.commitment_checks(conn, commitments)
