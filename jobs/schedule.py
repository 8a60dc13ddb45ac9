"""The scheduled jobs, declared once: id, title, schedule (a config key), tick and body.

A job's tick names the period it serves (a date, a month, an ISO week). Runs are claimed per
(job, tick), so a tick runs once whatever else runs; a failed tick is retried at the next
firing or start-up.
"""
from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import Engine, select, true

from jobs import exports
from jobs.deliver import deliver
from jobs.runner import compute_month, compute_months, run_recorded
from ledger import audit, clock, inbox, reporting, runs, vocab
from ledger.config import Config
from ledger.locks import named_lock
from ledger.models import Snapshot
from ledger.scope import Scope
from metrics.timeline import months_range, shift_month
from outputs.phrasing import reporting_reminder, weekly_reminder
from outputs.warning_list import EXPORT_JOB
from outputs.workbooks import newest_month, weekly_dispatch

log = logging.getLogger("panhuo.jobs")
ACTOR = "scheduler"
MONTHLY_PAPERS = ("bulletin", "interview", "rectify")  # sent when a month closes; 周调度 goes out weekly


def today(config: Config) -> dt.date:
    return config.today()


def month_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def close_day(config: Config) -> int:
    """The day of the month the previous month closes on: `[scheduler] close_day`, but never before
    the day after its ledgers were due (`[reporting] due_day`), so that a ledger sent on time, even
    on the due day itself, is in the month's final figures."""
    return max(config["scheduler.close_day"], config["reporting.due_day"] + 1)


def due_close(config: Config, day: dt.date) -> str:
    """The newest month that should be closed on `day`."""
    back = 1 if day.day >= close_day(config) else 2
    return shift_month(month_of(day), -back)


def _snapshot_months(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.scalars(select(Snapshot.month).order_by(Snapshot.month)))


# ---- job bodies: (engine, config, day) -> rows written ----------------------------------

def recompute(engine: Engine, config: Config, day: dt.date) -> int:
    """The current month, and the previous one while it is open (the ledger read once for both)."""
    current = month_of(day)
    with engine.connect() as conn:
        closed = runs.closed_months(conn)
    months = [m for m in (shift_month(current, -1), current) if m not in closed]
    return sum(counts["kpis"] for counts in compute_months(engine, config, months, ACTOR).values())


def close_months(engine: Engine, config: Config, day: dt.date) -> int:
    """Close every month up to the one due on `day` (computing it first if it has no snapshot), then
    deliver each month just closed (delivery.md, `[delivery] after_close`)."""
    due = due_close(config, day)
    compute_month(engine, config, due, ACTOR, only_if_missing=True)
    closed = []
    for month in (m for m in _snapshot_months(engine) if m <= due):
        # under the month's lock: a computation of it is never half-way when it closes
        with named_lock(engine, f"compute-{month}"), engine.execution_options(write=True).begin() as conn:
            if not runs.is_closed(conn, month):
                runs.close_month(conn, month, ACTOR)
                audit.record(conn, ACTOR, "month.close", month)
                closed.append(month)
    if config["delivery.after_close"]:
        for month in closed:  # a run of its own per month: delivered once, retried if it fails
            run_recorded(engine, "deliver", month, "schedule",
                         lambda m=month: deliver(engine, config, m, kinds=MONTHLY_PAPERS, actor=ACTOR).inbox,
                         month=month)
    return len(closed)


def weekly_report(engine: Engine, config: Config, day: dt.date) -> int:
    """Write 周调度 for the newest snapshot into the outbox; the file is the outcome. It reports on
    the newest week whose progress reports were due by the tick (now, or the end of a missed
    tick's day): never on a week whose departments still have time to send."""
    moment = min(clock.local_now(config.zone), dt.datetime.combine(day, dt.time.max))
    week = reporting.reported_week(moment, config["reporting.weekly_due"])
    with engine.connect() as conn:
        month = newest_month(conn)
        if month is None:
            return 0
        outbox = Path(config["scheduler.outbox"])
        outbox.mkdir(parents=True, exist_ok=True)
        target = outbox / f"周调度-{week}-{month}.xlsx"
        partial = target.with_suffix(".part")
        weekly_dispatch(conn, month, partial, config, Scope("all"), "全市", week=week)
    partial.replace(target)  # the outbox never holds half a file
    # to supervisors and each county (delivery.md)
    deliver(engine, config, month, kinds=("weekly",), actor=ACTOR, week=week)
    return 1


def remind_before_due(engine: Engine, config: Config, day: dt.date) -> int:
    """What is due soon, told to the departments that have not sent it (报送提醒); the accounts
    reached: `[reporting] remind_days` before a month's ledgers are due, which of its units have sent
    nothing yet (after the due day 催报 is the bureau's own, from 报送); on the day 周进度 is due, that
    this week's has not come."""
    return _remind_ledgers(engine, config, day) + _remind_week(engine, config, day)


def _remind_ledgers(engine: Engine, config: Config, day: dt.date) -> int:
    days, due_day = config["reporting.remind_days"], config["reporting.due_day"]
    month = reporting.reported_month(day)
    due = reporting.due_date(month, due_day)
    if not days or day != due - dt.timedelta(days=days):
        return 0
    with engine.execution_options(write=True).begin() as conn:
        frame = reporting.statuses(conn, month, true(), day, due_day)
        pending = frame[frame["status"] == "pending"]
        if pending.empty:
            return 0
        return reporting.remind(conn, pending, lambda units: reporting_reminder(month, due, day, units, late=False),
                                month, bool(config["mail.host"]), ACTOR, "提醒").total()


def _remind_week(engine: Engine, config: Config, day: dt.date) -> int:
    week = reporting.week_of(day)
    due = reporting.week_due(week, config["reporting.weekly_due"])
    if not config["reporting.remind_days"] or day != due.date():
        return 0
    with engine.execution_options(write=True).begin() as conn:
        frame = reporting.weekly_reports(conn, week, true())
        missing = frame[frame["version"].isna()]
        if missing.empty:
            return 0
        title, body = weekly_reminder(week, due)
        departments = missing["dept_code"].tolist()
        sent = inbox.notify_departments(conn, departments, "reminder", title, body, None, bool(config["mail.host"]),
                                        inbox.link("/reporting", tab="weekly", week=week))
        audit.record(conn, ACTOR, "reminder.send", f"{week} 周进度提醒", after={"departments": departments[:200]})
        return sent


def cleanup(engine: Engine, config: Config, day: dt.date) -> int:
    """Old run records, and the lists made in the background that have been kept long enough."""
    return runs.cleanup(engine, config["scheduler.keep_days"]) + exports.forget_old(engine, config)


@dataclass(frozen=True)
class Job:
    id: str
    title: str
    cron_key: str
    tick: Callable[[Config, dt.date], str]
    body: Callable[[Engine, Config, dt.date], int]


JOBS = [
    Job("recompute", vocab.JOB_TITLES["recompute"], "scheduler.recompute_cron", lambda c, d: d.isoformat(), recompute),
    Job("close-month", vocab.JOB_TITLES["close-month"], "scheduler.close_cron", due_close, close_months),
    Job("weekly-report", vocab.JOB_TITLES["weekly-report"], "scheduler.weekly_report_cron",
        lambda c, d: "{0}-W{1:02d}".format(*d.isocalendar()), weekly_report),
    Job("cleanup", vocab.JOB_TITLES["cleanup"], "scheduler.cleanup_cron", lambda c, d: d.isoformat(), cleanup),
    Job("remind", vocab.JOB_TITLES["remind"], "scheduler.remind_cron", lambda c, d: d.isoformat(), remind_before_due),
]
BY_ID = {job.id: job for job in JOBS}


def run_tick(engine: Engine, config: Config, job: Job, trigger: str = "schedule", day: dt.date | None = None) -> str | None:
    """The job's run for the current tick (once, whoever asks)."""
    day = day or today(config)
    return run_recorded(engine, job.id, job.tick(config, day), trigger,
                        lambda: job.body(engine, config, day))


def catch_up(engine: Engine, config: Config, day: dt.date | None = None) -> None:
    """At start-up: mark runs a dead process left behind, fill month-ends that passed without a
    snapshot, close what is due, and run today's recompute if it has not run."""
    day = day or today(config)
    # two schedulers starting together catch up one after the other: the second finds it done
    with named_lock(engine, "scheduler-catch-up"):
        interrupted = runs.reap_interrupted(engine)
        if interrupted:
            log.warning("%d run(s) left by a stopped process marked interrupted", interrupted)
        stored = _snapshot_months(engine)
        previous = shift_month(month_of(day), -1)
        if stored and stored[-1] < previous:
            for month in months_range(shift_month(stored[-1], 1), previous):
                run_recorded(engine, "catch-up", month, "catch-up",
                             lambda m=month: compute_month(engine, config, m, ACTOR, only_if_missing=True)["kpis"],
                             month=month)
        run_tick(engine, config, BY_ID["close-month"], "catch-up", day)
        run_tick(engine, config, BY_ID["recompute"], "catch-up", day)


def run_queued(engine: Engine, config: Config) -> int:
    """Runs asked for on the admin page (recompute a month, reopening it if asked) and the long
    exports asked for on a page."""
    done = 0
    while (run := runs.take_queued(engine)) is not None:
        if run.job == "recompute-month":
            actor = run.requested_by or "admin"
            work = lambda r=run, a=actor: compute_month(engine, config, r.month, a, reopen=r.reopen)["kpis"]  # noqa: E731
        elif run.job == EXPORT_JOB:
            work = lambda r=run: exports.warnings_workbook(engine, config, r)  # noqa: E731
        elif run.job in BY_ID:
            work = lambda r=run: BY_ID[r.job].body(engine, config, today(config))  # noqa: E731
        else:
            runs.finish(engine, run.id, "failed", error=f"未知任务 / unknown job {run.job}")
            continue
        run_recorded(engine, run.job, run.tick, run.trigger, work, run_id=run.id)
        done += 1
    return done

