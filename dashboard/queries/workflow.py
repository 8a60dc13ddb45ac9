"""Reads of the accountability workflow: warning cases and their states, interviews, commitments,
a department's history. Every function takes a Scope."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, func, select

from dashboard.cache import snapshot_cached
from dashboard.scope import Scope
from ledger import allocation, inbox, warning_list, workflow
from ledger.models import (
    Commitment,
    Department,
    Interview,
    ListEntry,
    Transfer,
    WarningCase,
)


@snapshot_cached
def synced_month(engine: Engine, scope: Scope) -> str | None:
    """The month the cases were last synchronised with (a computation changes it, with the data's version)."""
    with engine.connect() as conn:
        return warning_list.synced_month(conn)


@snapshot_cached(workflow=True)
def case_counts(engine: Engine, scope: Scope, month: str, today: dt.date, ack_days: int, **filters) -> dict:
    """ledger.warning_list.counts, cached: the list's tiles and all its pages share one count."""
    with engine.connect() as conn:
        return warning_list.counts(conn, scope, month, synced_month(engine, scope) == month, today, ack_days,
                                   **filters)


@snapshot_cached(workflow=True)
def case_page(engine: Engine, scope: Scope, month: str, today: dt.date, ack_days: int, *, start: int = 0,
              end: int | None = 100, **filters) -> pd.DataFrame:
    """ledger.warning_list.rows, cached: one block of the list."""
    with engine.connect() as conn:
        return warning_list.rows(conn, scope, month, synced_month(engine, scope) == month, today, ack_days,
                                 start=start, end=end, **filters)


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
def commitments_to_check(engine: Engine, scope: Scope) -> int:
    """Commitments waiting for a supervisor's check (待核验), those the 约谈整改 page offers to check."""
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Commitment).where(
            Commitment.status.in_(workflow.TO_CHECK), scope.owns(Commitment))).scalar_one()


@snapshot_cached(workflow=True)
def case_states(engine: Engine, scope: Scope) -> dict[tuple[str, str], str]:
    with engine.connect() as conn:
        return {(r.rule, r.ref): r.state for r in conn.execute(
            select(WarningCase.rule, WarningCase.ref, WarningCase.state).where(scope.owns(WarningCase)))}


def department_history(engine: Engine, scope: Scope, code: str) -> dict | None:
    """A department's lists, interviews, commitments with their checks and the notices sent to it with
    their reading; None outside the scope."""
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
                "checks": workflow.commitment_checks(conn, commitments), "notices": inbox.notices_to(conn, code)}


def interview_list(engine: Engine, scope: Scope, month: str) -> list:
    """The departments on the month's 约谈 list, as (code, name)."""
    with engine.connect() as conn:
        return conn.execute(select(ListEntry.code, ListEntry.name).where(
            ListEntry.month == month, ListEntry.list == "interview", ListEntry.level == "department", scope.lists())
            .order_by(ListEntry.code)).all()


@snapshot_cached(workflow=True)
def interviews_to_schedule(engine: Engine, scope: Scope, month: str) -> int:
    """Departments on the month's 约谈 list with no interview of that month yet."""
    held = select(Interview.id).where(Interview.month == month, Interview.dept_code == ListEntry.code).exists()
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(ListEntry).where(
            ListEntry.month == month, ListEntry.list == "interview", ListEntry.level == "department", scope.lists(),
            ~held)).scalar_one()


def interviews_ahead(engine: Engine, scope: Scope, today: dt.date) -> list:
    """The scope's interviews scheduled from `today` on and not yet held, soonest first (uncached: a
    move of one changes no version the cache knows)."""
    with engine.connect() as conn:
        return conn.execute(select(Interview.month, Interview.scheduled_on, Interview.place).where(
            Interview.status == "scheduled", Interview.scheduled_on >= today, scope.owns(Interview))
            .order_by(Interview.scheduled_on, Interview.id)).all()


def arrangements(engine: Engine, scope: Scope) -> dict[tuple[str, str], dict[str, tuple]]:
    """Who of each department read its newest 约谈安排 (ledger.inbox.arrangements), in the scope."""
    with engine.connect() as conn:
        return inbox.arrangements(conn, scope.owns(Department))


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
