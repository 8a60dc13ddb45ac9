"""Job run records and closed months.

A run is claimed by inserting (job, tick): the unique key lets exactly one process run a
tick, however many schedulers or CLI calls race for it. A failed or interrupted tick may be
claimed again; a succeeded one never.
"""
from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from ledger import clock
from ledger.models import JobRun, MonthClose, SchedulerJob

RETRYABLE = ("failed", "interrupted")
HOST = socket.gethostname()[:100]


def _now() -> dt.datetime:
    return clock.now()


def claim(engine: Engine, job: str, tick: str, trigger: str, month: str | None = None,
          requested_by: str | None = None, reopen: bool = False) -> int | None:
    """Start a run of `job` for `tick`; None if another process has it (or it already succeeded)."""
    now = _now()
    mine = dict(status="running", started_at=now, ended_at=None, error=None, rows=None, host=HOST, pid=os.getpid(),
                trigger=trigger, requested_by=requested_by, reopen=reopen)
    try:
        with engine.begin() as conn:
            return conn.execute(insert(JobRun).values(job=job, tick=tick, month=month, queued_at=now, **mine)
                                .returning(JobRun.id)).scalar_one()
    except IntegrityError:
        pass
    with engine.execution_options(write=True).begin() as conn:
        retried = conn.execute(update(JobRun).where(JobRun.job == job, JobRun.tick == tick,
                                                    JobRun.status.in_(RETRYABLE)).values(**mine))
        if retried.rowcount != 1:
            return None
        return conn.execute(select(JobRun.id).where(JobRun.job == job, JobRun.tick == tick)).scalar_one()


def queue(engine: Engine, job: str, month: str | None, requested_by: str, reopen: bool = False,
          params: dict | None = None) -> int:
    """A run asked for by hand (admin page, a long export); the scheduler process picks it up."""
    with engine.execution_options(write=True).begin() as conn:
        return conn.execute(insert(JobRun).values(
            job=job, tick=f"manual-{uuid.uuid4().hex[:12]}", trigger="manual", month=month, reopen=reopen,
            requested_by=requested_by, params=params, status="queued", queued_at=_now()).returning(JobRun.id)).scalar_one()


def waiting(engine: Engine, job: str, requested_by: str) -> list[dict | None]:
    """The parameters of the runs of `job` an account asked for that are not done yet."""
    with engine.connect() as conn:
        return list(conn.execute(select(JobRun.params).where(
            JobRun.job == job, JobRun.requested_by == requested_by, JobRun.status.in_(("queued", "running")))).scalars())


def take_queued(engine: Engine) -> JobRun | None:
    """Claim the oldest queued run, if any (a conditional update: one taker wins)."""
    with engine.execution_options(write=True).begin() as conn:
        for run in conn.execute(select(JobRun).where(JobRun.status == "queued").order_by(JobRun.id).limit(5)).all():
            taken = conn.execute(update(JobRun).where(JobRun.id == run.id, JobRun.status == "queued").values(
                status="running", started_at=_now(), host=HOST, pid=os.getpid()))
            if taken.rowcount == 1:
                return conn.execute(select(JobRun).where(JobRun.id == run.id)).one()
    return None


def finish(engine: Engine, run_id: int, status: str, rows: int | None = None, error: str | None = None) -> None:
    with engine.execution_options(write=True).begin() as conn:
        conn.execute(update(JobRun).where(JobRun.id == run_id).values(
            status=status, ended_at=_now(), rows=rows, error=error and error[:4000]))


def alive(pid: int) -> bool:
    """Whether a process of this host has the pid (one out of range has none)."""
    try:
        os.kill(pid, 0)  # asks, sends nothing
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # another user's
    return True


def reap_interrupted(engine: Engine) -> int:
    """Mark runs of this host whose process is gone (killed, crashed) as interrupted."""
    with engine.execution_options(write=True).begin() as conn:
        dead = [r.id for r in conn.execute(select(JobRun.id, JobRun.pid).where(
            JobRun.status == "running", JobRun.host == HOST)) if r.pid is None or not alive(r.pid)]
        if dead:
            conn.execute(update(JobRun).where(JobRun.id.in_(dead)).values(
                status="interrupted", ended_at=_now(), error="进程已退出 / the process running it is gone"))
    return len(dead)


def cleanup(engine: Engine, keep_days: int) -> int:
    """Forget finished runs older than `keep_days`."""
    cutoff = _now() - dt.timedelta(days=keep_days)
    with engine.execution_options(write=True).begin() as conn:
        return conn.execute(delete(JobRun).where(
            JobRun.queued_at < cutoff, JobRun.status.not_in(("queued", "running")))).rowcount


def recent(engine: Engine, limit: int = 100) -> list:
    with engine.connect() as conn:
        return conn.execute(select(JobRun).order_by(JobRun.id.desc()).limit(limit)).all()


def report_schedule(engine: Engine, jobs: list[dict]) -> None:
    """The scheduler's heartbeat: each job's schedule and next run time."""
    now = _now()
    with engine.execution_options(write=True).begin() as conn:
        conn.execute(delete(SchedulerJob))
        if jobs:
            conn.execute(insert(SchedulerJob), [dict(j, heartbeat_at=now, host=HOST, pid=os.getpid()) for j in jobs])


def schedule(engine: Engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(SchedulerJob).order_by(SchedulerJob.job)).all()


# ---- closed months ------------------------------------------------------------------------

def closed_months(conn) -> dict[str, MonthClose]:
    return {r.month: r for r in conn.execute(select(MonthClose))}


def is_closed(conn, month: str) -> bool:
    return conn.execute(select(MonthClose.month).where(MonthClose.month == month)).first() is not None


def close_month(conn, month: str, actor: str) -> None:
    conn.execute(insert(MonthClose).values(month=month, closed_at=_now(), closed_by=actor))
