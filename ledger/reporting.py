"""报送 (reporting.md): which unit has reported which month and when, confirmations that nothing
changed, each (unit, month)'s status, and the departments' weekly progress reports."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Callable

import pandas as pd
from sqlalchemy import Connection, and_, func, insert, select, update
from sqlalchemy.sql import ColumnElement

from ledger import audit, clock, inbox, permissions
from ledger.config import WEEKDAYS
from ledger.errors import UserError
from ledger.models import (
    Commitment,
    Department,
    Submission,
    Transfer,
    Unit,
    WarningCase,
    WarningEvent,
    WeeklyReport,
)
from ledger.texts import checked_name, checked_text

STATUSES = ("on_time", "late", "missing", "pending")  # ledger.vocab.SUBMISSION_STATES says them
EXPORT = ["month", "unit_code", "unit_name", "dept_code", "region_code", "status", "received_on", "channel", "sender",
          "import_id"]
WEEKLY_HOUR = 18  # a week's report is due at 18:00 local time on [reporting] weekly_due


class ReportingError(UserError):
    pass


def _month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def reported_month(received_on: dt.date) -> str:
    """The month a file received on that day reports: the month before it."""
    first = received_on.replace(day=1) - dt.timedelta(days=1)
    return _month_of(first)


def due_date(month: str, due_day: int) -> dt.date:
    """Month M is due by `due_day` of M+1."""
    year, mon = map(int, month.split("-"))
    year, mon = (year + 1, 1) if mon == 12 else (year, mon + 1)
    return dt.date(year, mon, due_day)


def record_import(conn: Connection, import_id: int, units: list[str], received_on: dt.date, sender: str) -> int:
    """A successful import reports the month before the one it was received in, for every unit it
    holds a row of; how many units."""
    if units:
        now, month = clock.now(), reported_month(received_on)
        conn.execute(insert(Submission), [dict(unit_code=u, month=month, received_on=received_on, channel="import",
                                               sender=sender, import_id=import_id, created_at=now) for u in units])
    return len(units)


def confirm(conn: Connection, actor, units: list[str], where: ColumnElement[bool],
            today: dt.date) -> tuple[str, int, int]:
    """本月无变化: the units (within the caller's scope, `where` over Unit/Department) report the month
    before today's without a file, recorded like an import without rows; a unit that has reported
    the month already is left as it is. (month, units confirmed, units left)."""
    if not permissions.may(actor.role, "confirm"):
        raise ReportingError("无权执行此操作", "not allowed for this account")
    wanted = sorted({checked_name(u, "单位编码") for u in units})
    if not wanted:
        raise ReportingError("请选择要确认“本月无变化”的单位", "choose the units to confirm")
    found = set(conn.execute(select(Unit.code).join(Department, Department.code == Unit.dept_code)
                             .where(Unit.code.in_(wanted), where)).scalars())
    if set(wanted) - found:  # outside the scope and unknown read the same
        raise ReportingError(f"以下单位不存在或不在本账号范围内：{'、'.join(sorted(set(wanted) - found))}",
                             "units unknown or outside this account's scope")
    month, now = reported_month(today), clock.now()
    # its ledger or an earlier confirmation came first: a second record would say nothing more
    reported = set(conn.execute(select(Submission.unit_code).where(
        Submission.month == month, Submission.unit_code.in_(wanted))).scalars())
    fresh = [u for u in wanted if u not in reported]
    if not fresh:
        raise ReportingError(f"所选单位 {month} 均已报送，无需再确认“本月无变化”",
                             f"the chosen units have reported {month} already")
    conn.execute(insert(Submission), [dict(unit_code=u, month=month, received_on=today, channel="confirm",
                                           sender=actor.username, created_at=now) for u in fresh])
    audit.record(conn, actor.username, "submission.confirm", f"{month} 本月无变化 {len(fresh)} 个单位",
                 after={"month": month, "units": fresh[:200]}, role=actor.role, address=actor.address)
    return month, len(fresh), len(reported)


def statuses(conn: Connection, month: str, where: ColumnElement[bool], today: dt.date, due_day: int) -> pd.DataFrame:
    """Every unit of the ledger within `where` (over Unit/Department) with its status for `month`
    (reporting.md: on_time by the due day, late after it in M+1, missing once the due day has
    passed with nothing, pending before it) and the first thing received for it in M+1."""
    due = due_date(month, due_day)
    start = due.replace(day=1)  # what was received in M+1 reports M
    end = (start + dt.timedelta(days=32)).replace(day=1)
    first = (select(Submission.unit_code, Submission.received_on, Submission.channel, Submission.sender,
                    Submission.import_id,
                    func.row_number().over(partition_by=Submission.unit_code,
                                           order_by=(Submission.received_on, Submission.id)).label("n"))
             .where(Submission.month == month, Submission.received_on >= start, Submission.received_on < end)
             .subquery())
    rows = conn.execute(
        select(Unit.code.label("unit_code"), Unit.name.label("unit_name"), Unit.dept_code,
               Department.name.label("dept_name"), Department.region_code, first.c.received_on, first.c.channel,
               first.c.sender, first.c.import_id)
        .join(Department, Department.code == Unit.dept_code)
        .outerjoin(first, and_(first.c.unit_code == Unit.code, first.c.n == 1))
        .where(where).order_by(Department.region_code, Unit.dept_code, Unit.code)).all()
    frame = pd.DataFrame(rows, columns=["unit_code", "unit_name", "dept_code", "dept_name", "region_code", "received_on",
                                        "channel", "sender", "import_id"])
    frame.insert(0, "month", month)

    def status(received) -> str:
        if isinstance(received, dt.date):
            return "on_time" if received <= due else "late"
        return "missing" if today > due else "pending"
    frame["status"] = [status(r) for r in frame["received_on"]]
    frame["import_id"] = frame["import_id"].astype("Int64")
    return frame


def remind(conn: Connection, units: pd.DataFrame, words: Callable[[list[str]], tuple[str, str]], month: str,
           email: bool, actor: str, what: str, role: str | None = None,
           address: str | None = None) -> Counter[str]:
    """One message to each department of `units` (rows of `statuses`) naming its units (`words`: their
    names -> title and body), audited as `what` (催报, 提醒); how many accounts of each department it
    reached (none: the department has no account to tell)."""
    sent: Counter[str] = Counter()
    for dept, own in units.groupby("dept_code"):
        title, body = words(own["unit_name"].tolist())
        sent[dept] = inbox.notify_departments(conn, [dept], "reminder", title, body, month, email,
                                             inbox.link("/reporting", month=month))
    audit.record(conn, actor, "reminder.send", f"{month} {what}",
                 after={"departments": sorted(units["dept_code"].unique().tolist())[:200], "units": len(units)},
                 role=role, address=address)
    return sent


def shares(frame: pd.DataFrame) -> pd.DataFrame:
    """Per department: units on time, late, missing and pending, and the share on time."""
    if frame.empty:
        return pd.DataFrame(columns=["dept_code", "dept_name", "region_code", "units", *STATUSES, "on_time_share"])
    counts = frame.pivot_table(index=["dept_code", "dept_name", "region_code"], columns="status", values="unit_code",
                               aggfunc="count", fill_value=0).reindex(columns=list(STATUSES), fill_value=0)
    counts = counts.reset_index()
    counts.insert(3, "units", counts[list(STATUSES)].sum(axis=1))
    counts["on_time_share"] = counts["on_time"] / counts["units"]
    return counts


# ---- the weekly progress report (周进度) -----------------------------------------------------

def week_of(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_days(week: str) -> tuple[dt.date, dt.date]:
    """The Monday and the Sunday of an ISO week."""
    monday = dt.date.fromisocalendar(int(week[:4]), int(week[6:]), 1)
    return monday, monday + dt.timedelta(days=6)


def week_due(week: str, weekday: str) -> dt.datetime:
    """When a week's report is due, local time: `weekday` of that week at 18:00."""
    day = week_days(week)[0] + dt.timedelta(days=WEEKDAYS.index(weekday))
    return dt.datetime.combine(day, dt.time(WEEKLY_HOUR))


def reported_week(moment: dt.datetime, weekday: str) -> str:
    """The newest week whose report was due by `moment` (local time): the week 周调度 reports on,
    so that no department is listed as 未报 while it still has time to send."""
    week = week_of(moment.date())
    return week if moment >= week_due(week, weekday) else week_of(moment.date() - dt.timedelta(weeks=1))


FIELDS = {"progress": "本周进展", "problems": "存在问题", "next_plan": "下周计划"}


def save_weekly(conn: Connection, actor, dept: str, week: str, fields: dict, signer: str, now_local: dt.datetime,
                weekday: str, files: list[tuple[str, str]] = ()) -> tuple[int, bool]:
    """A department's report of `week`, with at most one evidence file ((name, sha256) kept by
    ledger.filestore): corrected in place until it is due, a new version after (both kept).
    (version, late)."""
    if not permissions.may(actor.role, "weekly"):
        raise ReportingError("无权执行此操作", "not allowed for this account")
    text = {key: checked_text(fields.get(key), label) for key, label in FIELDS.items()}
    signer = checked_name(signer, "负责人")
    region = conn.execute(select(Department.region_code).where(Department.code == dept)).scalar()
    if region is None:
        raise ReportingError("部门不存在", "no such department")
    late = now_local > week_due(week, weekday)
    latest = conn.execute(select(WeeklyReport.id, WeeklyReport.version, WeeklyReport.late).where(
        WeeklyReport.dept_code == dept, WeeklyReport.week == week).order_by(WeeklyReport.version.desc()).limit(1)).first()
    values = dict(**text, signer=signer, submitted_by=actor.username, submitted_at=clock.now(), late=late)
    if latest is not None and not late and not latest.late:
        conn.execute(update(WeeklyReport).where(WeeklyReport.id == latest.id).values(**values))
        version, report_id = latest.version, latest.id
    else:
        version = (latest.version + 1) if latest is not None else 1
        report_id = conn.execute(insert(WeeklyReport).values(dept_code=dept, region_code=region, week=week,
                                                             version=version, **values)).inserted_primary_key[0]
    if files:
        from ledger.workflow import record_evidence  # the one home of evidence rows
        proof = record_evidence(conn, actor, "weekly", report_id, dept, region, list(files)[:1])[0]
        conn.execute(update(WeeklyReport).where(WeeklyReport.id == report_id).values(evidence_id=proof))
    audit.record(conn, actor.username, "weekly.report", f"{week} 周进度 {dept}",
                 after={"week": week, "version": version, "late": late}, role=actor.role, address=actor.address)
    return version, late


def weekly_reports(conn: Connection, week: str, where: ColumnElement[bool]) -> pd.DataFrame:
    """Every department within `where` (over Department) with the newest version of its report of
    `week` (empty where it has none: 未报)."""
    newest = (select(WeeklyReport, func.row_number().over(partition_by=WeeklyReport.dept_code,
                                                          order_by=WeeklyReport.version.desc()).label("n"))
              .where(WeeklyReport.week == week).subquery())
    rows = conn.execute(select(Department.code.label("dept_code"), Department.name.label("dept_name"),
                               Department.region_code, newest.c.version, newest.c.progress, newest.c.problems,
                               newest.c.next_plan, newest.c.signer, newest.c.submitted_by, newest.c.submitted_at,
                               newest.c.late, newest.c.evidence_id)
                        .outerjoin(newest, and_(newest.c.dept_code == Department.code, newest.c.n == 1))
                        .where(where).order_by(Department.region_code, Department.code)).all()
    return pd.DataFrame(rows, columns=["dept_code", "dept_name", "region_code", "version", "progress", "problems",
                                       "next_plan", "signer", "submitted_by", "submitted_at", "late", "evidence_id"])


def week_facts(conn: Connection, dept: str, week: str, zone: str) -> dict[str, int]:
    """What the portal already knows of a department's week: warnings closed off, commitments closed
    off, transfers made (received or given)."""
    monday, sunday = week_days(week)
    start, end = clock.start_of(monday, zone), clock.start_of(sunday + dt.timedelta(days=1), zone)
    resolved = conn.execute(select(func.count()).select_from(WarningEvent)
                            .join(WarningCase, WarningCase.id == WarningEvent.case_id)
                            .where(WarningCase.dept_code == dept, WarningEvent.to_state == "resolved",
                                   WarningEvent.at >= start, WarningEvent.at < end)).scalar_one()
    closed = conn.execute(select(func.count()).select_from(Commitment).where(
        Commitment.dept_code == dept, Commitment.status == "done", Commitment.done_on >= monday,
        Commitment.done_on <= sunday)).scalar_one()
    given = select(Unit.code).where(Unit.dept_code == dept)
    transfers = conn.execute(select(func.count()).select_from(Transfer).where(
        Transfer.state == "done", Transfer.done_on >= monday, Transfer.done_on <= sunday,
        (Transfer.dept_code == dept) | Transfer.from_unit_code.in_(given))).scalar_one()
    return {"resolved": resolved, "commitments": closed, "transfers": transfers}

