"""The accountability workflow: warning cases and their states, interviews and commitments.

Who may do what is ledger.permissions (roles.md), checked here on every step; which rows they may
touch comes from the caller's scope as an SQL condition (`where`), so an id outside it behaves
exactly like one that does not exist. Every change writes its audit entry in the same transaction.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from sqlalchemy import Connection, DateTime, String, and_, func, insert, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlalchemy.sql import ColumnElement

from ledger import audit, clock, permissions
from ledger.bulk import rebuilt_indexes
from ledger.errors import UserError
from ledger.models import (
    Asset,
    Commitment,
    Evidence,
    Interview,
    ListEntry,
    Snapshot,
    Submission,
    Unit,
    WarningCase,
    WarningEvent,
    WarningRow,
)
from ledger.texts import checked_date, checked_name, checked_text
from ledger.vocab import CASE_STATES, COMMITMENT_STATES

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
    history (one closed off reopens only on a ledger sent after its 销号), and open or
    acknowledged ones that no longer fire close by themselves.

    Set-based (a few statements whatever the number of warnings), each step logged first so the
    event keeps the state it left."""
    now = timestamp()
    newest = conn.execute(select(func.coalesce(func.max(WarningCase.id), 0))).scalar_one()
    # A city's first computation opens a case for every warning and has none to carry: the
    # statements that carry them (and the statistics they are planned on) are left out.
    first = newest == 0
    reopened = closed = 0
    if not first:
        reopened, closed = _carry_cases(conn, month, now)
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    # the first computation's cases' and events' other indexes (and the events' foreign key) are
    # built after the rows, not kept up row by row (137k cases and events on PostgreSQL: 2.1-2.3 s, 1.4 s so)
    with rebuilt_indexes(conn, "warning_cases", first), rebuilt_indexes(conn, "warning_events", first):
        columns = ["rule", "ref", "asset_code", "dept_code", "region_code", "level", "state", "opened_on",
                   "last_month"]
        fired = select(WarningRow.rule, WarningRow.ref, WarningRow.asset_code, WarningRow.dept_code,
                       WarningRow.region_code, WarningRow.level, literal("open"), WarningRow.first_seen,
                       literal(month)).where(WarningRow.month == month)
        if first:  # with no case yet none can collide: a plain INSERT
            new = dialect.insert(WarningCase).from_select(columns, fired)
        else:
            # only the warnings with no case yet (a month's few thousand of 130k), found by an anti-join:
            # ON CONFLICT alone tried every row against the key (PostgreSQL at 1M assets: 0.55 s, so 0.13).
            # The cases have statistics here (taken by _carry_cases or after the computation before);
            # the first computation has none to plan on and no case to skip: there PostgreSQL would
            # scan the growing table for every row. ON CONFLICT stays for a case another month's
            # computation opened meanwhile: skipped, not a key error.
            known = aliased(WarningCase)
            fired = fired.where(~select(known.id).where(known.rule == WarningRow.rule,
                                                         known.ref == WarningRow.ref).exists())
            new = (dialect.insert(WarningCase).from_select(columns, fired)
                   .on_conflict_do_nothing(index_elements=["rule", "ref"]))
        # an INSERT's count is kept only when asked
        opened = conn.execute(new.execution_options(preserve_rowcount=True)).rowcount
        # the cases just opened are the ones numbered after the newest before
        conn.execute(insert(WarningEvent).from_select(
            ["case_id", "at", "actor", "action", "from_state", "to_state", "note"],
            select(WarningCase.id, literal(now, DateTime), literal("system"), literal("fired"), literal(None, String),
                   literal("open"), literal(f"{month} 触发"))
            .where(WarningCase.id > newest, WarningCase.last_month == month)))
    return {"opened": opened, "reopened": reopened, "closed": closed}


def _carry_cases(conn: Connection, month: str, now: dt.datetime) -> tuple[int, int]:
    """The cases known before `month`: those that fire again reopen, those that no longer fire
    close by themselves; (reopened, closed)."""
    _know_the_warning_rows(conn, month)
    # a case and this month's warning of the same (rule, ref): UPDATE … FROM, a join on both databases
    joined = and_(WarningRow.month == month, WarningRow.rule == WarningCase.rule, WarningRow.ref == WarningCase.ref)
    firing = select(WarningRow.rule).where(joined).exists()

    def log(action: str, to_state: str, note: str, *where) -> None:
        conn.execute(insert(WarningEvent).from_select(
            ["case_id", "at", "actor", "action", "from_state", "to_state", "note"],
            select(WarningCase.id, literal(now, DateTime), literal("system"), literal(action), WarningCase.state,
                   literal(to_state), literal(note)).where(*where)))

    # a case closed off (已销号) while its warning still fired stays closed off until the warning
    # fires on a ledger its unit sent after that (an import holding the unit, or 本月无变化): the
    # daily recompute on the data the supervisor already had does not undo the 销号, while a ledger
    # that still shows the problem does (times are to the second: one of the same second counts as
    # after). One that closed by itself reopens whenever it fires again. Asked through the month's
    # warning row: only of the cases that fire, not of every case ever closed off.
    resent = (select(Submission.id).join(Asset, Asset.unit_code == Submission.unit_code)
              .where(Asset.code == WarningRow.asset_code, Submission.created_at >= WarningCase.updated_at)
              .correlate(WarningCase, WarningRow).exists())  # both from outside, however deep it sits
    again = or_(WarningCase.state == "closed", WarningCase.updated_at.is_(None), resent)
    reopening = WarningCase.state.in_(("resolved", "closed"))
    log("refired", "open", f"{month} 再次触发", reopening, select(WarningRow.rule).where(joined, again).exists())
    reopened = conn.execute(update(WarningCase).where(joined, reopening, again).values(
        state="open", level=WarningRow.level, opened_on=WarningRow.first_seen, note=None, fix_by=None)).rowcount
    conn.execute(update(WarningCase).where(joined, or_(WarningCase.last_month != month,
                                                       WarningCase.level != WarningRow.level))
                 .values(level=WarningRow.level, last_month=month))
    gone = and_(WarningCase.state.in_(("open", "acknowledged", "submitted", "returned")), ~firing)
    log("closed", "closed", f"{month} 规则不再触发，自动关闭", gone)
    closed = conn.execute(update(WarningCase).where(gone).values(state="closed")).rowcount
    return reopened, closed


def _know_the_warning_rows(conn: Connection, month: str) -> None:
    """PostgreSQL: statistics that know `month` before the sync asks which cases still fire.

    The month is new to the statistics the first time it is computed (they were taken after the
    month before, and their months account for every row), so the planner expects one row of it
    and tests "fires again" by reading all the month's rows for every closed or resolved case: at a
    city's size, minutes to hours. ANALYZE inside the transaction counts the rows it wrote (0.4 s at
    1M assets), once a month: a recompute finds the month known. Only the columns these statements
    ask by (0.19 s instead of 0.37); the pages' statistics of all of them follow the computation
    (jobs.runner.refresh_statistics)."""
    if conn.dialect.name != "postgresql":
        return
    known = conn.exec_driver_sql(
        "SELECT most_common_vals::text::text[] FROM pg_stats WHERE schemaname = current_schema() "
        "AND tablename = 'warning_rows' AND attname = 'month'").scalar()
    if month not in (known or ()):
        conn.exec_driver_sql("ANALYZE warning_rows (month, rule, ref, asset_code), "
                             "warning_cases (rule, ref, state, last_month, updated_at)")


CHUNK = 10_000  # ids bound in one statement: PostgreSQL takes at most 65,535 parameters


def chunks(ids: list[int]):
    for start in range(0, len(ids), CHUNK):
        yield ids[start:start + CHUNK]


@dataclass(frozen=True)
class Moved:
    """The cases a step moved (a selection may hold some in another state, which stay as they were),
    the step (its audit action: acknowledged, submitted, verified, returned, resolved) and the date
    the cases are now to be fixed by, where it set one."""
    rows: tuple
    action: str
    fix_by: dt.date | None = None

    @property
    def ids(self) -> list[int]:
        return [r.id for r in self.rows]

    @property
    def by_department(self) -> Counter[str]:
        """How many of each department's moved: whom the step tells, and of how many."""
        return Counter(r.dept_code for r in self.rows)


def _change_cases(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], allowed_from: tuple,
                  to_state: str, action: str, note: str, **values) -> Moved:
    """Move the cases `ids` within `where` that are in `allowed_from` to `to_state`, setting `values`
    on them too."""
    note = checked_text(note, "说明")
    ids = sorted({i for i in ids if isinstance(i, int) and not isinstance(i, bool)})
    rows = [row for part in chunks(ids) for row in conn.execute(
        select(WarningCase.id, WarningCase.state, WarningCase.rule, WarningCase.ref, WarningCase.dept_code,
               WarningCase.region_code).where(WarningCase.id.in_(part), where)).all()]
    foreign = sorted(set(ids) - {r.id for r in rows})
    if foreign:  # named by a crafted request: skipped as if they did not exist, and the attempt logged
        audit.record(conn, actor.username, "scope.refused", f"预警 #{foreign}"[:200],
                     detail=f"{audit.ACTIONS.get(f'warning.{action}', action)}：含范围外的预警", role=actor.role,
                     address=actor.address)
    movable = sorted((r for r in rows if r.state in allowed_from), key=lambda r: r.id)
    if not movable:
        message = ("没有可处理的预警 / no warning in a state this can be done to" if not rows else
                   f"所选 {len(rows):,} 条预警的状态都不能这样处理：此操作只处理“"
                   f"{'”“'.join(CASE_STATES[s] for s in allowed_from)}”的预警 / none of the chosen warnings is "
                   f"{' or '.join(allowed_from)}")
        raise OutOfScope(message, foreign) if foreign else WorkflowError(message)
    now = timestamp()
    for part in chunks([r.id for r in movable]):
        conn.execute(update(WarningCase).where(WarningCase.id.in_(part)).values(
            state=to_state, note=note, updated_by=actor.username, updated_at=now, **values))
    conn.execute(insert(WarningEvent), [dict(case_id=r.id, at=now, actor=actor.username, action=action,
                                             from_state=r.state, to_state=to_state, note=note) for r in movable])
    audit.record(conn, actor.username, f"warning.{action}", f"{len(movable):,} 条预警",
                 before={"states": sorted({r.state for r in movable})},
                 after={"state": to_state, "cases": [f"{r.rule}:{r.ref}" for r in movable][:200],
                        **({"fix_by": values["fix_by"].isoformat()} if "fix_by" in values else {})},
                 detail=note, role=actor.role, address=actor.address)
    return Moved(tuple(movable), action, values.get("fix_by"))


FIX_WITHIN_YEARS = 3  # a planned fix date further off is not a plan


def acknowledge(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], note: str,
                fix_by, today: dt.date) -> Moved:
    """The department (or its supervisor) acknowledges with a note and a planned fix date, from today
    to three years on."""
    actor.require("acknowledge")
    fix_by = checked_date(fix_by, "计划整改日期", today, today.replace(year=today.year + FIX_WITHIN_YEARS)
                          if not (today.month == 2 and today.day == 29) else today + dt.timedelta(days=365 * 3))
    return _change_cases(conn, actor, ids, where, ("open",), "acknowledged", "acknowledged", note, fix_by=fix_by)


def resolve(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], note: str) -> Moved:
    """A supervisor (or county) resolves with a note."""
    actor.require("resolve")
    return _change_cases(conn, actor, ids, where, ("open", "acknowledged", "returned"), "resolved", "resolved", note)


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
    pending = conn.execute(select(Interview.id, Interview.scheduled_on).where(
        Interview.month == month, Interview.dept_code == dept_code, Interview.status == "scheduled")).first()
    if pending is not None:  # a second one would tell the department two dates: the first is moved instead
        raise WorkflowError(f"该部门的约谈已安排（#{pending.id}，{pending.scheduled_on}），尚未记录结果；如需改期，请用“改期”",
                            f"already scheduled (#{pending.id}, {pending.scheduled_on}) and not held: move it instead")
    attendees = checked_name(attendees, "参加人员")
    place = checked_name(place, "约谈地点", required=False) or None
    topics = list(entry.reasons)  # the list's reasons with their figures; outputs.phrasing words them
    interview_id = conn.execute(insert(Interview).values(
        month=month, dept_code=dept_code, region_code=entry.region_code, scheduled_on=on, attendees=attendees,
        place=place, topics=topics, status="scheduled", created_by=actor.username, created_at=timestamp()).returning(Interview.id)).scalar_one()
    audit.record(conn, actor.username, "interview.schedule", f"约谈 #{interview_id} {entry.name}",
                 after={"month": month, "dept": dept_code, "on": on.isoformat(), "place": place,
                        "topics": [r.get("rule") for r in topics]},
                 role=actor.role, address=actor.address)
    return interview_id


def interview_row(conn: Connection, interview_id: int):
    """One interview's row (the caller has just scheduled or moved it)."""
    return conn.execute(select(Interview).where(Interview.id == interview_id)).one()


def reschedule_interview(conn: Connection, actor: Actor, interview_id: int, where: ColumnElement[bool], on: dt.date,
                         place: str | None = None):
    """A scheduled interview moved to another day, or place (kept when none is given), before it is
    held; the row as it was."""
    actor.require("schedule")
    interview = conn.execute(select(Interview).where(Interview.id == interview_id, where)).first()
    if interview is None:
        raise WorkflowError("约谈不存在 / no such interview")
    if interview.status != "scheduled":
        raise WorkflowError("该约谈已记录结果，不能改期", "the interview has been held")
    place = checked_name(place, "约谈地点", required=False) or interview.place
    was, now = {"on": interview.scheduled_on.isoformat(), "place": interview.place}, {"on": on.isoformat(), "place": place}
    changed = [key for key in was if was[key] != now[key]]  # the audit page reads what moved, not what stayed
    if not changed:
        raise WorkflowError("约谈日期和地点都没有改变", "neither the day nor the place changes")
    conn.execute(update(Interview).where(Interview.id == interview_id).values(scheduled_on=on, place=place))
    audit.record(conn, actor.username, "interview.reschedule", f"约谈 #{interview_id}",
                 before={key: was[key] for key in changed}, after={key: now[key] for key in changed},
                 role=actor.role, address=actor.address)
    return interview


def record_outcome(conn: Connection, actor: Actor, interview_id: int, where: ColumnElement[bool], outcome: str,
                   commitments: list[dict]) -> list[int]:
    """The interview was held: its outcome and the commitments, each with an owner and a deadline."""
    actor.require("record")
    interview = conn.execute(select(Interview).where(Interview.id == interview_id, where)).first()
    if interview is None:
        raise WorkflowError("约谈不存在 / no such interview")
    outcome = checked_text(outcome, "约谈结果")
    items = [{"text": checked_text(c.get("text"), f"第{n}项承诺的整改内容"),
              "owner": checked_name(c.get("owner"), f"第{n}项承诺的责任人"),
              "deadline": checked_date(c.get("deadline"), f"第{n}项承诺的期限"),
              "asset_codes": [checked_name(a, "资产编号") for a in c.get("asset_codes") or []]}
             for n, c in enumerate(commitments, start=1)]
    _check_own_assets(conn, interview.dept_code, [a for c in items for a in c["asset_codes"]])
    conn.execute(update(Interview).where(Interview.id == interview_id).values(status="held", outcome=outcome))
    ids = []
    for c in items:
        ids.append(conn.execute(insert(Commitment).values(
            interview_id=interview_id, dept_code=interview.dept_code, region_code=interview.region_code,
            text=c["text"], owner=c["owner"], deadline=c["deadline"],
            asset_codes=sorted(set(c.get("asset_codes") or [])), status="open", updated_by=actor.username,
            updated_at=timestamp()).returning(Commitment.id)).scalar_one())
    audit.record(conn, actor.username, "interview.record", f"约谈 #{interview_id}",
                 before={"status": interview.status}, after={"status": "held", "outcome": outcome,
                                                             "commitments": ids},
                 role=actor.role, address=actor.address)
    return ids


def _change_commitment(conn: Connection, actor: Actor, commitment_id: int, where: ColumnElement[bool],
                       allowed_from: tuple, values: dict, action: str, detail: str | None = None):
    row = conn.execute(select(Commitment).where(Commitment.id == commitment_id, where)).first()
    if row is None:
        raise WorkflowError("整改承诺不存在 / no such commitment")
    if row.status not in allowed_from:
        raise WorkflowError(f"该承诺当前为「{COMMITMENT_STATES.get(row.status, row.status)}」，不能这样处理",
                            "not possible in the commitment's state")
    conn.execute(update(Commitment).where(Commitment.id == commitment_id).values(
        updated_by=actor.username, updated_at=timestamp(), **values))
    audit.record(conn, actor.username, f"commitment.{action}", f"承诺 #{commitment_id}",
                 before={"status": row.status},
                 after={k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()},
                 detail=detail, role=actor.role, address=actor.address)
    return row


EVIDENCE_SUBJECTS = {"commitment": "整改承诺", "case": "预警", "weekly": "周进度"}
OPEN_COMMITMENT = ("open", "answered", "returned")  # what a department may report kept
TO_CHECK = ("submitted", "answered")  # what waits on a supervisor's check: closed off (销号) or sent back


def record_evidence(conn: Connection, actor: Actor, subject: str, subject_id: int, dept: str, region: str,
                    files: list[tuple[str, str]]) -> list[int]:
    """Evidence rows for files already kept (ledger.filestore.keep), (name, sha256) each, audited."""
    ids = []
    for name, sha256 in files:
        ids.append(conn.execute(insert(Evidence).values(
            sha256=sha256, file_name=name, subject=subject, subject_id=subject_id, dept_code=dept, region_code=region,
            uploaded_by=actor.username, uploaded_at=timestamp())).inserted_primary_key[0])
        audit.record(conn, actor.username, "evidence.upload", f"{EVIDENCE_SUBJECTS[subject]} #{subject_id} {name}"[:200],
                     after={"sha256": sha256}, role=actor.role, address=actor.address)
    return ids


def _needs_files(files: list) -> None:
    if not files:
        raise WorkflowError("请上传至少一份佐证材料（PDF、图片、Word 或 Excel）", "at least one evidence file is required")


def submit_commitment(conn: Connection, actor: Actor, commitment_id: int, where: ColumnElement[bool], note: str,
                      files: list[tuple[str, str]]) -> None:
    """The department reports a commitment kept, with what it did and at least one file: 待核验."""
    actor.require("submit")
    note = checked_text(note, "整改情况")
    _needs_files(files)
    row = _change_commitment(conn, actor, commitment_id, where, OPEN_COMMITMENT,
                             {"status": "submitted", "evidence": note, "return_reason": None}, "submit")
    record_evidence(conn, actor, "commitment", commitment_id, row.dept_code, row.region_code, files)


def verify_commitment(conn: Connection, actor: Actor, commitment_id: int, where: ColumnElement[bool],
                      on: dt.date):
    """A supervisor (or the county in its region) has checked the evidence: 已销号, the commitment done.
    Its row as it was (whose it is, what it said)."""
    actor.require("verify")
    return _change_commitment(conn, actor, commitment_id, where, TO_CHECK, {"status": "done", "done_on": on},
                              "verify")


def return_commitment(conn: Connection, actor: Actor, commitment_id: int, where: ColumnElement[bool],
                      reason: str) -> str:
    """The evidence does not show the commitment kept: sent back with the reason. The department's code."""
    actor.require("verify")
    reason = checked_text(reason, "退回理由")
    row = _change_commitment(conn, actor, commitment_id, where, TO_CHECK,
                             {"status": "returned", "return_reason": reason}, "return", detail=reason)
    return row.dept_code


def submit_cases(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], note: str,
                 files: list[tuple[str, str]]) -> Moved:
    """The department reports warnings fixed, with evidence: 待核验 (a supervisor closes them off).
    The files are evidence of the cases this moved, not of any selected that were 待核验 already."""
    actor.require("submit")
    _needs_files(files)
    moved = _change_cases(conn, actor, ids, where, ("open", "acknowledged", "returned"), "submitted", "submitted",
                          note)
    for case in moved.rows:
        record_evidence(conn, actor, "case", case.id, case.dept_code, case.region_code, files)
    return moved


def verify_cases(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], note: str) -> Moved:
    """Evidence checked: the warnings are closed off (已销号)."""
    actor.require("verify")
    return _change_cases(conn, actor, ids, where, ("submitted",), "resolved", "verified", note)


def return_cases(conn: Connection, actor: Actor, ids: list[int], where: ColumnElement[bool], reason: str) -> Moved:
    """Evidence that does not show the warnings fixed: sent back with the reason."""
    actor.require("verify")
    reason = checked_text(reason, "退回理由")
    return _change_cases(conn, actor, ids, where, ("submitted",), "returned", "returned", reason,
                         return_reason=reason)


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
