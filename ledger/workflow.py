"""The accountability workflow: warning cases and their states, interviews and commitments.

Who may do what is ledger.permissions (roles.md), checked here on every step; which rows they may
touch comes from the caller's scope as an SQL condition (`where`), so an id outside it behaves
exactly like one that does not exist. Every change writes its audit entry in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, DateTime, String, and_, func, insert, literal, or_, select, update
from sqlalchemy.sql import ColumnElement

from ledger import audit, clock, permissions
from ledger.errors import UserError
from ledger.models import (
    Asset, Commitment, Interview, ListEntry, Snapshot, Unit, WarningCase, WarningEvent, WarningRow,
)

# warnings whose asset still firing means a commitment naming it is not yet kept
UNKEPT_RULES = ("idle_overdue", "idle_no_plan", "plan_overdue", "remit_late")


class WorkflowError(UserError):
    pass


class OutOfScope(WorkflowError):
    """Nothing was done and cases outside the caller's scope were named: the caller audits it
    (the transaction that would have logged it is rolled back)."""

    def __init__(self, message: str, ids: list[int]):
        super().__init__(message)
        self.ids = ids


@dataclass(frozen=True)
class Actor:
    username: str
    role: str | None
    address: str | None = None

    def require(self, action: str) -> None:
        if not permissions.may(self.role, action):
            raise WorkflowError("无权执行此操作 / not allowed for this account")


def timestamp() -> dt.datetime:
    """Now, to the second: when a workflow step happened."""
    return clock.now()


# ---- warning cases --------------------------------------------------------------------------

def sync_cases(conn: Connection, month: str) -> dict[str, int]:
    """Carry the month's warnings into the cases: new ones open, re-fired ones reopen with their
    history, and open or acknowledged ones that no longer fire close by themselves.

    Set-based (a few statements whatever the number of warnings), each step logged first so the
    event keeps the state it left."""
    now = timestamp()
    # a case and this month's warning of the same (rule, ref): UPDATE … FROM, a join on both databases
    joined = and_(WarningRow.month == month, WarningRow.rule == WarningCase.rule, WarningRow.ref == WarningCase.ref)
    firing = select(WarningRow.rule).where(joined).exists()

    def log(action: str, to_state: str, note: str, *where) -> None:
        conn.execute(insert(WarningEvent).from_select(
            ["case_id", "at", "actor", "action", "from_state", "to_state", "note"],
            select(WarningCase.id, literal(now, DateTime), literal("system"), literal(action), WarningCase.state,
                   literal(to_state), literal(note)).where(*where)))

    reopening = WarningCase.state.in_(("resolved", "closed"))
    log("refired", "open", f"{month} 再次触发", reopening, firing)
    reopened = conn.execute(update(WarningCase).where(joined, reopening).values(
        state="open", level=WarningRow.level, opened_on=WarningRow.first_seen, note=None, fix_by=None)).rowcount
    conn.execute(update(WarningCase).where(joined, or_(WarningCase.last_month != month,
                                                       WarningCase.level != WarningRow.level))
                 .values(level=WarningRow.level, last_month=month))
    gone = and_(WarningCase.state.in_(("open", "acknowledged")), ~firing)
    log("closed", "closed", f"{month} 规则不再触发，自动关闭", gone)
    closed = conn.execute(update(WarningCase).where(gone).values(state="closed")).rowcount
    known = select(WarningCase.id).where(WarningCase.rule == WarningRow.rule, WarningCase.ref == WarningRow.ref)
    opened = conn.execute(select(func.count()).select_from(WarningRow)
                          .where(WarningRow.month == month, ~known.exists())).scalar_one()
    conn.execute(insert(WarningCase).from_select(
        ["rule", "ref", "asset_code", "dept_code", "region_code", "level", "state", "opened_on", "last_month"],
        select(WarningRow.rule, WarningRow.ref, WarningRow.asset_code, WarningRow.dept_code, WarningRow.region_code,
               WarningRow.level, literal("open"), WarningRow.first_seen, literal(month))
        .where(WarningRow.month == month, ~known.exists())))
    # the cases just opened are the ones without any event yet
    conn.execute(insert(WarningEvent).from_select(
        ["case_id", "at", "actor", "action", "from_state", "to_state", "note"],
        select(WarningCase.id, literal(now, DateTime), literal("system"), literal("fired"), literal(None, String),
               literal("open"), literal(f"{month} 触发"))
        .where(WarningCase.last_month == month,
               ~select(WarningEvent.id).where(WarningEvent.case_id == WarningCase.id).exists())))
    return {"opened": opened, "reopened": reopened, "closed": closed}


def _change_cases(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], allowed_from: tuple,
                  to_state: str, action: str, note: str, fix_by: dt.date | None = None) -> int:
    if not note or not note.strip():
        raise WorkflowError("请填写说明 / a note is required")
    rows = conn.execute(select(WarningCase.id, WarningCase.state, WarningCase.rule, WarningCase.ref)
                        .where(WarningCase.id.in_(ids), where)).all()
    foreign = sorted(set(ids) - {r.id for r in rows})
    if foreign:  # named by a crafted request: skipped as if they did not exist, and the attempt logged
        audit.record(conn, actor.username, "scope.refused", f"预警 #{foreign}"[:200],
                     detail=f"{audit.ACTIONS.get(f'warning.{action}', action)}：含范围外的预警", role=actor.role,
                     address=actor.address)
    movable = [r for r in rows if r.state in allowed_from]
    if not movable:
        message = "没有可处理的预警 / no warning in a state this can be done to"
        raise OutOfScope(message, foreign) if foreign else WorkflowError(message)
    now = timestamp()
    conn.execute(update(WarningCase).where(WarningCase.id.in_([r.id for r in movable])).values(
        state=to_state, note=note.strip(), updated_by=actor.username, updated_at=now,
        **({"fix_by": fix_by} if fix_by is not None else {})))
    conn.execute(insert(WarningEvent), [dict(case_id=r.id, at=now, actor=actor.username, action=action,
                                             from_state=r.state, to_state=to_state, note=note.strip()) for r in movable])
    audit.record(conn, actor.username, f"warning.{action}", f"{len(movable)} 条预警",
                 before={"states": sorted({r.state for r in movable})},
                 after={"state": to_state, "cases": [f"{r.rule}:{r.ref}" for r in movable][:200],
                        **({"fix_by": fix_by.isoformat()} if fix_by else {})},
                 detail=note.strip(), role=actor.role, address=actor.address)
    return len(movable)


def acknowledge(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], note: str,
                fix_by: dt.date | None) -> int:
    """The department (or its supervisor) acknowledges with a note and a planned fix date."""
    actor.require("acknowledge")
    if fix_by is None:
        raise WorkflowError("请填写计划整改日期 / a planned fix date is required")
    return _change_cases(conn, actor, ids, where, ("open",), "acknowledged", "acknowledged", note, fix_by)


def resolve(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], note: str) -> int:
    """A supervisor (or county) resolves with a note."""
    actor.require("resolve")
    return _change_cases(conn, actor, ids, where, ("open", "acknowledged"), "resolved", "resolved", note)


# ---- interviews and commitments -------------------------------------------------------------

def schedule_interview(conn: Connection, actor: Actor, month: str, dept_code: str, on: dt.date, attendees: str,
                       lists_where: ColumnElement[bool], place: str | None = None) -> int:
    """From the month's interview list: its topics are the list's reasons, with their figures."""
    actor.require("schedule")
    entry = conn.execute(
        select(ListEntry.name, ListEntry.region_code, ListEntry.reasons).where(
            ListEntry.month == month, ListEntry.list == "interview", ListEntry.level == "department",
            ListEntry.code == dept_code, lists_where)).first()
    if entry is None:
        raise WorkflowError("该部门不在本月约谈名单上 / the department is not on that month's interview list")
    if not attendees or not attendees.strip():
        raise WorkflowError("请填写参加人员 / attendees are required")
    topics = list(entry.reasons)  # the list's reasons with their figures; outputs.phrasing words them
    interview_id = conn.execute(insert(Interview).values(
        month=month, dept_code=dept_code, region_code=entry.region_code, scheduled_on=on, attendees=attendees.strip(),
        place=(place or "").strip() or None, topics=topics, status="scheduled", created_by=actor.username, created_at=timestamp()).returning(Interview.id)).scalar_one()
    audit.record(conn, actor.username, "interview.schedule", f"约谈 #{interview_id} {entry.name}",
                 after={"month": month, "dept": dept_code, "on": on.isoformat(), "place": (place or "").strip() or None,
                        "topics": [r.get("rule") for r in topics]},
                 role=actor.role, address=actor.address)
    return interview_id


def record_outcome(conn: Connection, actor: Actor, interview_id: int, where: ColumnElement[bool], outcome: str,
                   commitments: list[dict]) -> list[int]:
    """The interview was held: its outcome and the commitments, each with an owner and a deadline."""
    actor.require("record")
    interview = conn.execute(select(Interview).where(Interview.id == interview_id, where)).first()
    if interview is None:
        raise WorkflowError("约谈不存在 / no such interview")
    if not outcome or not outcome.strip():
        raise WorkflowError("请填写约谈结果 / the outcome is required")
    for c in commitments:
        if not (c.get("text") or "").strip() or not (c.get("owner") or "").strip() or not c.get("deadline"):
            raise WorkflowError("每项整改承诺须有内容、责任人和期限 / each commitment needs text, owner and deadline")
    _check_own_assets(conn, interview.dept_code, [a for c in commitments for a in c.get("asset_codes") or []])
    conn.execute(update(Interview).where(Interview.id == interview_id).values(status="held", outcome=outcome.strip()))
    ids = []
    for c in commitments:
        ids.append(conn.execute(insert(Commitment).values(
            interview_id=interview_id, dept_code=interview.dept_code, region_code=interview.region_code,
            text=c["text"].strip(), owner=c["owner"].strip(), deadline=c["deadline"],
            asset_codes=sorted(set(c.get("asset_codes") or [])), status="open", updated_by=actor.username,
            updated_at=timestamp()).returning(Commitment.id)).scalar_one())
    audit.record(conn, actor.username, "interview.record", f"约谈 #{interview_id}",
                 before={"status": interview.status}, after={"status": "held", "outcome": outcome.strip(),
                                                             "commitments": ids},
                 role=actor.role, address=actor.address)
    return ids


def _change_commitment(conn: Connection, actor: Actor, commitment_id: int, where: ColumnElement[bool],
                       allowed_from: tuple, values: dict, action: str) -> None:
    row = conn.execute(select(Commitment).where(Commitment.id == commitment_id, where)).first()
    if row is None:
        raise WorkflowError("整改承诺不存在 / no such commitment")
    if row.status not in allowed_from:
        raise WorkflowError("该承诺当前状态不能这样处理 / not possible in the commitment's state")
    conn.execute(update(Commitment).where(Commitment.id == commitment_id).values(
        updated_by=actor.username, updated_at=timestamp(), **values))
    audit.record(conn, actor.username, f"commitment.{action}", f"承诺 #{commitment_id}",
                 before={"status": row.status, "evidence": row.evidence},
                 after={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()},
                 role=actor.role, address=actor.address)


def answer(conn: Connection, actor: Actor, commitment_id: int, where: ColumnElement[bool], evidence: str) -> None:
    """The department reports what it did (evidence notes)."""
    actor.require("answer")
    if not evidence or not evidence.strip():
        raise WorkflowError("请填写整改情况 / evidence is required")
    _change_commitment(conn, actor, commitment_id, where, ("open", "answered"),
                       {"status": "answered", "evidence": evidence.strip()}, "answer")


def complete(conn: Connection, actor: Actor, commitment_id: int, where: ColumnElement[bool], on: dt.date) -> None:
    """A supervisor confirms the commitment done."""
    actor.require("complete")
    _change_commitment(conn, actor, commitment_id, where, ("open", "answered"), {"status": "done", "done_on": on},
                       "complete")


def _check_own_assets(conn: Connection, dept_code: str, codes: list[str]) -> None:
    """A commitment names the interviewed department's own assets only; each other one is named."""
    if not codes:
        return
    own = set(conn.execute(select(Asset.code).join(Unit, Unit.code == Asset.unit_code).where(
        Asset.code.in_(sorted(set(codes))), Unit.dept_code == dept_code)).scalars())
    foreign = sorted(set(codes) - own)
    if foreign:
        raise WorkflowError(f"以下资产不属于被约谈部门：{'、'.join(foreign)} / "
                            f"not assets of the interviewed department: {', '.join(foreign)}")


def commitment_checks(conn: Connection, commitments: list) -> dict[int, str]:
    """Each asset-naming commitment against the newest snapshot after its interview's month:
    kept when none of its assets still fires an idle, plan or income warning."""
    newest = conn.execute(select(Snapshot.month).order_by(Snapshot.month.desc()).limit(1)).scalar()
    months = {r.id: r.month for r in conn.execute(select(Interview.id, Interview.month))}
    out: dict[int, str] = {}
    for c in commitments:
        if not c.asset_codes:
            continue
        if newest is None or newest <= months.get(c.interview_id, newest):
            out[c.id] = "待下月快照核验"
            continue
        still = conn.execute(select(WarningRow.asset_code).where(
            WarningRow.month == newest, WarningRow.asset_code.in_(c.asset_codes), WarningRow.dept_code == c.dept_code,
            WarningRow.rule.in_(UNKEPT_RULES))).scalars().all()
        out[c.id] = f"{newest} 已兑现" if not still else f"{newest} 仍有预警：{'、'.join(sorted(set(still)))}"
    return out


def escalated_counts(conn: Connection, today: dt.date, ack_days: int, where: ColumnElement[bool]) -> dict[str, int]:
    """Orange and red warnings left unacknowledged past `ack_days`, per department."""
    return dict(conn.execute(select(WarningCase.dept_code, func.count()).where(
        overdue_condition(today, ack_days), where).group_by(WarningCase.dept_code)).all())


def overdue_condition(today: dt.date, ack_days: int) -> ColumnElement[bool]:
    """Orange and red warnings left unacknowledged longer than `ack_days` are overdue."""
    return and_(WarningCase.state == "open", WarningCase.level.in_(("orange", "red")),
                WarningCase.opened_on < today - dt.timedelta(days=ack_days))


def commitment_counts(conn: Connection, today: dt.date, where: ColumnElement[bool]) -> dict[str, dict[str, int]]:
    """Per department: commitments not yet done, and of those the ones past their deadline."""
    out: dict[str, dict[str, int]] = {}
    for dept, deadline in conn.execute(select(Commitment.dept_code, Commitment.deadline).where(
            Commitment.status != "done", where)):
        counts = out.setdefault(dept, {"open": 0, "overdue": 0})
        counts["open"] += 1
        counts["overdue"] += deadline < today
    return out
