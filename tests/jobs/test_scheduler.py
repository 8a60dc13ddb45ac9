"""The scheduler: one run per tick across processes, failures and kills leave the previous
snapshot, a restart catches up, closed months stay final unless reopened (audited)."""
from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from jobs import schedule
from jobs.runner import MonthClosed, compute_month
from ledger.locks import LockBusy, named_lock
from ledger.models import AuditEntry, JobRun, MonthClose, Snapshot
from metrics.timeline import shift_month
from tests.factories import LedgerBuilder
from tests.helpers import ROOT

DAY = dt.date(2026, 11, 22)  # the scheduler's "today" in the in-process tests


def ledger(engine, config, folder):
    b = LedgerBuilder().unit("U1").unit("U2", dept="D2")
    b.asset("A1", unit="U1", status="闲置", status_since="2024-01-01").asset("A2", unit="U2")
    b.load(engine, config, folder)


def snapshot(engine, month):
    with engine.connect() as conn:
        return conn.execute(select(Snapshot.computed_at, Snapshot.row_counts).where(Snapshot.month == month)).first()


def audit_actions(engine, action):
    with engine.connect() as conn:
        return list(conn.scalars(select(AuditEntry.target).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def job_runs(engine):
    with engine.connect() as conn:
        return conn.execute(select(JobRun).order_by(JobRun.id)).all()


@pytest.mark.slow  # seconds of its own: the full lane's
def test_restart_after_a_missed_month_end_fills_and_closes_it(engine, config, tmp_path):
    ledger(engine, config, tmp_path)
    compute_month(engine, config, "2026-08", "test")
    config = config.replace(scheduler__close_day=5)
    schedule.catch_up(engine, config, DAY)
    with engine.connect() as conn:
        months = list(conn.scalars(select(Snapshot.month).order_by(Snapshot.month)))
        closed = list(conn.scalars(select(MonthClose.month).order_by(MonthClose.month)))
    assert months == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert closed == ["2026-08", "2026-09", "2026-10"]  # 22 Nov is past the 5th: October is due
    assert audit_actions(engine, "snapshot.compute") == ["2026-08", "2026-09", "2026-10", "2026-11"]
    # each month closed was delivered once, as a run of its own (delivery.md, [delivery] after_close)
    assert [(r.job, r.tick, r.status) for r in job_runs(engine) if r.job == "deliver"] == [
        ("deliver", m, "succeeded") for m in ("2026-08", "2026-09", "2026-10")]
    assert audit_actions(engine, "delivery.run") == ["送达 2026-08", "送达 2026-09", "送达 2026-10"]
    # a second start-up the same day finds nothing left to do
    schedule.catch_up(engine, config, DAY)
    assert audit_actions(engine, "snapshot.compute") == ["2026-08", "2026-09", "2026-10", "2026-11"]
    assert len(audit_actions(engine, "delivery.run")) == 3


def test_a_month_closes_on_the_close_day_but_never_before_its_ledgers_were_due(config):
    """Ledgers are due on the 5th: a unit that sends October's on 5 November is on time, so October
    closes on the 6th at the earliest, whatever close_day says."""
    assert schedule.due_close(config, dt.date(2026, 11, 5)) == "2026-09"
    assert schedule.due_close(config, dt.date(2026, 11, 6)) == "2026-10"
    early = config.replace(scheduler__close_day=2)
    assert schedule.due_close(early, dt.date(2026, 11, 5)) == "2026-09"
    assert schedule.due_close(config.replace(scheduler__close_day=10), dt.date(2026, 11, 9)) == "2026-09"


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])  # config is not changed
@given(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), st.integers(1, 28), st.integers(1, 28))
def test_no_month_is_closed_before_its_ledgers_due_day_has_passed(config, day, close, due):
    from ledger.reporting import due_date
    config = config.replace(scheduler__close_day=close, reporting__due_day=due)
    month = schedule.due_close(config, day)
    assert due_date(month, due) < day
    # and the previous month closes on the close day once its ledgers were due
    if day.day >= close and day.day > due:
        assert month == shift_month(f"{day.year:04d}-{day.month:02d}", -1)


def test_before_the_close_day_the_previous_month_stays_open_and_is_recomputed(engine, config, tmp_path, monkeypatch):
    ledger(engine, config, tmp_path)
    config = config.replace(scheduler__close_day=25)
    schedule.catch_up(engine, config, DAY)
    with engine.connect() as conn:
        closed = list(conn.scalars(select(MonthClose.month)))
    assert closed == ["2026-09"]  # computed first: it had no snapshot
    assert sorted(audit_actions(engine, "snapshot.compute")) == ["2026-09", "2026-10", "2026-11"]
    # the next day's recompute does both open months from one reading of the ledger
    import jobs.runner

    class Counted(jobs.runner.LoadedLedger):
        def __init__(self, *args):
            reads.append(args)
            super().__init__(*args)
    reads = []
    monkeypatch.setattr(jobs.runner, "LoadedLedger", Counted)
    assert schedule.run_tick(engine, config, schedule.BY_ID["recompute"], day=DAY + dt.timedelta(days=1)) == "succeeded"
    assert len(reads) == 1 and audit_actions(engine, "snapshot.compute")[-2:] == ["2026-10", "2026-11"]


def test_a_closed_month_needs_reopen_and_the_reopen_is_audited(engine, config, tmp_path):
    ledger(engine, config, tmp_path)
    schedule.catch_up(engine, config.replace(scheduler__close_day=1), DAY)
    before = snapshot(engine, "2026-10")
    with pytest.raises(MonthClosed, match="已关账"):
        compute_month(engine, config, "2026-10", "someone")
    assert snapshot(engine, "2026-10") == before
    compute_month(engine, config, "2026-10", "cli:ops", reopen=True)
    with engine.connect() as conn:
        entry = conn.execute(select(AuditEntry).where(AuditEntry.action == "snapshot.reopen")).one()
    assert (entry.actor, entry.target) == ("cli:ops", "2026-10")
    assert entry.before["computed_at"] == before.computed_at.isoformat(" ")
    assert entry.after["row_counts"] == before.row_counts


def test_an_exception_half_way_keeps_the_snapshot_and_marks_the_run_failed(engine, config, tmp_path, monkeypatch):
    ledger(engine, config, tmp_path)
    compute_month(engine, config, "2026-11", "test")
    compute_month(engine, config, "2026-10", "test")
    before = snapshot(engine, "2026-11")

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")
    monkeypatch.setattr("metrics.snapshot.evaluate", boom)
    status = schedule.run_tick(engine, config, schedule.BY_ID["recompute"], day=DAY)
    assert status == "failed"
    run = job_runs(engine)[-1]
    assert (run.job, run.tick, run.status) == ("recompute", "2026-11-22", "failed")
    assert "disk on fire" in run.error
    assert snapshot(engine, "2026-11") == before
    # the failed tick is retried by the next firing, once the fault is gone
    monkeypatch.undo()
    assert schedule.run_tick(engine, config, schedule.BY_ID["recompute"], day=DAY) == "succeeded"
    assert schedule.run_tick(engine, config, schedule.BY_ID["recompute"], day=DAY) is None  # done: not again


def test_a_held_month_lock_makes_a_second_computation_wait(engine, config):
    with named_lock(engine, "compute-2026-10"):
        with pytest.raises(LockBusy):
            compute_month(engine, config, "2026-10", "cli", wait=0.5)


def _env(config, **extra):
    env = dict(os.environ, PANHUO_DATABASE_URL=config.database_url, PANHUO_ORG_CITY_REGION_CODE="990100",
               PANHUO_SCHEDULER_CLOSE_DAY="1", PANHUO_SCHEDULER_OUTBOX=str(extra.pop("outbox", "outbox")))
    env.pop("PANHUO_CONFIG", None)
    return dict(env, **extra)


@pytest.mark.slow
def test_two_scheduler_processes_started_together_run_each_tick_once(engine, config, tmp_path):
    ledger(engine, config, tmp_path)
    today = config.today()  # the deployment's day, as the scheduler sees it
    current = f"{today.year:04d}-{today.month:02d}"
    compute_month(engine, config, shift_month(current, -3), "test")
    panhuo = [sys.executable, "-m", "jobs.cli", "scheduler", "--once"]
    procs = [subprocess.Popen(panhuo, cwd=tmp_path, env=_env(config), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=120)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    runs = job_runs(engine)
    ticks = [(r.job, r.tick) for r in runs]
    assert len(ticks) == len(set(ticks))
    assert {(r.job, r.status) for r in runs} == {("catch-up", "succeeded"), ("close-month", "succeeded"),
                                                  ("recompute", "succeeded"), ("deliver", "succeeded")}
    computed = audit_actions(engine, "snapshot.compute")
    assert sorted(computed) == [shift_month(current, -3), shift_month(current, -2), shift_month(current, -1), current]


KILLABLE = textwrap.dedent("""
    import pathlib, sys, time
    import ledger.bulk, metrics.snapshot
    from jobs.cli import main
    real = metrics.snapshot.write_arrow
    def slow(conn, table, *args, **kwargs):
        real(conn, table, *args, **kwargs)
        if table == "kpi_rows":  # half-way through writing the snapshot
            pathlib.Path(sys.argv[1]).write_text("writing")
            time.sleep(120)
    metrics.snapshot.write_arrow = slow
    main(["scheduler", "--once"], prog_name="panhuo")
""")


@pytest.mark.slow
def test_kill_9_mid_run_leaves_no_partial_rows_and_the_restart_redoes_it(engine, config, tmp_path):
    ledger(engine, config, tmp_path)
    today = config.today()  # the deployment's day, as the scheduler sees it
    current = f"{today.year:04d}-{today.month:02d}"
    previous = shift_month(current, -1)
    compute_month(engine, config, previous, "test")
    compute_month(engine, config, current, "test")
    before = {m: snapshot(engine, m) for m in (previous, current)}
    with engine.connect() as conn:
        rows_before = conn.exec_driver_sql("SELECT month, COUNT(*) FROM kpi_rows GROUP BY month ORDER BY month").all()
    marker = tmp_path / "writing"
    proc = subprocess.Popen([sys.executable, "-c", KILLABLE, str(marker)], cwd=tmp_path, env=_env(config, PYTHONPATH=str(ROOT)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not marker.exists():
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert {m: snapshot(engine, m) for m in (previous, current)} == before
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT month, COUNT(*) FROM kpi_rows GROUP BY month ORDER BY month").all() == rows_before
    assert [r.status for r in job_runs(engine) if r.job == "recompute"] == ["running"]
    # the restart marks the dead run interrupted, then runs the tick again
    schedule.catch_up(engine, config.replace(scheduler__close_day=1))
    (run,) = [r for r in job_runs(engine) if r.job == "recompute"]
    assert run.status == "succeeded" and run.pid == os.getpid()
    assert snapshot(engine, current).computed_at >= before[current].computed_at


def test_the_weekly_report_lands_whole_in_the_outbox(engine, config, tmp_path):
    import openpyxl

    ledger(engine, config, tmp_path / "l")
    compute_month(engine, config, "2026-10", "test")
    config = config.replace(scheduler__outbox=str(tmp_path / "outbox"))
    thursday = dt.date(2026, 11, 19)
    assert schedule.run_tick(engine, config, schedule.BY_ID["weekly-report"], day=thursday) == "succeeded"
    assert schedule.run_tick(engine, config, schedule.BY_ID["weekly-report"], day=thursday) is None  # once a week
    (report,) = (tmp_path / "outbox").iterdir()
    assert report.name == "周调度-2026-W47-2026-10.xlsx"
    book = openpyxl.load_workbook(report)
    assert book.sheetnames == ["部门排名", "预警汇总", "约谈问责名单", "周进度 2026-W47", "未报周进度部门", "逾期未读通知书"]
    # no department reported that week: every department is listed as not reported
    assert [row[1] for row in book["未报周进度部门"].iter_rows(min_row=3, values_only=True)] == ["部门D1", "部门D2"]
    assert "盘活工作周调度 · 2026年10月（进行中） · 2026年第47周 · 范围：全市" in book["部门排名"]["A1"].value



def test_the_weekly_report_on_time_on_thursday_morning_reports_the_week_before(engine, config, tmp_path, monkeypatch):
    """Reports are due on Thursday at 18:00: a dispatch at 08:00 that day reports the week before,
    whose reports are all in; its file and the workbooks delivered to the bureau name the same week."""
    from ledger import clock
    from ledger.models import Paper

    ledger(engine, config, tmp_path / "l")
    compute_month(engine, config, "2026-10", "test")
    config = config.replace(scheduler__outbox=str(tmp_path / "outbox"))
    monkeypatch.setattr(clock, "local_now", lambda zone: dt.datetime(2026, 11, 26, 8))
    assert schedule.run_tick(engine, config, schedule.BY_ID["weekly-report"], day=dt.date(2026, 11, 26)) == "succeeded"
    (report,) = (tmp_path / "outbox").iterdir()
    assert report.name == "周调度-2026-W47-2026-10.xlsx"
    with engine.connect() as conn:
        titles = conn.execute(select(Paper.title).where(Paper.kind == "weekly")).scalars().all()
    assert titles and all(t.startswith("2026年第47周周调度") for t in titles)


@pytest.mark.slow
def test_the_running_scheduler_writes_a_line_per_run_and_none_per_heartbeat(engine, config, tmp_path):
    """Polled every second for a few seconds: the terminal reads the start, one line for each run,
    and nothing for the polls and heartbeats in between."""
    ledger(engine, config, tmp_path)
    panhuo = [sys.executable, "-m", "jobs.cli", "scheduler"]
    proc = subprocess.Popen(panhuo, cwd=tmp_path, env=_env(config, PANHUO_SCHEDULER_POLL_SECONDS="1"),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(8)
    finally:
        proc.terminate()
    output = proc.communicate(timeout=60)[0]
    lines = output.splitlines()
    assert any("scheduler started" in line for line in lines), output
    assert not [line for line in lines if "Running job" in line or "executed successfully" in line], output
    succeeded = [line for line in lines if ": succeeded in " in line]
    assert succeeded and len(lines) <= len(succeeded) + 5, output  # the start and the runs, not a line per poll


def test_departments_are_reminded_of_the_ledgers_still_to_send_before_the_due_day(engine, config, tmp_path):
    """[reporting] remind_days (2) before October's ledgers are due (5 November) the scheduler tells
    each department which of its units have sent nothing yet (报送提醒): on that day's tick only, once,
    never a unit that has reported, never with remind_days 0."""
    from sqlalchemy import true

    from ledger import reporting
    from ledger.models import Message, User
    from ledger.workflow import Actor
    from tests.city import add_accounts

    b = LedgerBuilder().unit("U1").unit("U3").unit("U2", dept="D2")
    b.asset("A1", unit="U1").asset("A3", unit="U3").asset("A2", unit="U2").load(engine, config, tmp_path / "l")
    add_accounts(engine, [("supervisor", "supervisor", None), ("dept", "department", "D1")])
    with engine.begin() as conn:  # U3 had nothing to change in October and said so on 1 November
        reporting.confirm(conn, Actor("supervisor", "supervisor"), ["U3"], true(), dt.date(2026, 11, 1))

    def reminders():
        with engine.connect() as conn:
            return conn.execute(select(User.username, Message.title, Message.body).join(User, User.id == Message.user_id)
                                .where(Message.kind == "reminder")).all()
    job = schedule.BY_ID["remind"]
    assert schedule.run_tick(engine, config, job, day=dt.date(2026, 11, 2)) == "succeeded" and reminders() == []
    assert schedule.run_tick(engine, config, job, day=dt.date(2026, 11, 3)) == "succeeded"
    assert schedule.run_tick(engine, config, job, day=dt.date(2026, 11, 3)) is None  # once for the day
    [(user, title, body)] = reminders()  # D2 has no account: only D1's is told
    assert user == "dept" and title == "报送提醒：2026年10月台账应于2026年11月5日前报送，尚有 1 个单位未报送"
    assert body.startswith("以下单位尚未报送2026年10月资产台账，应于2026年11月5日前报送：单位U1。") and "单位U3" not in body
    assert audit_actions(engine, "reminder.send") == ["2026-10 提醒"]
    assert schedule.remind_before_due(engine, config.replace(reporting__remind_days=0), dt.date(2026, 11, 3)) == 0
    assert schedule.remind_before_due(engine, config.replace(reporting__remind_days=4), dt.date(2026, 11, 1)) == 1


def test_departments_are_reminded_of_this_weeks_progress_on_the_morning_it_is_due(engine, config, tmp_path):
    """周进度 is due on Thursday at 18:00: that morning's tick tells each department that has not
    sent this week's yet (周进度提醒), and not one that has; no other day's tick does."""
    from ledger import reporting
    from ledger.models import Message, User
    from ledger.workflow import Actor
    from tests.city import add_accounts

    ledger(engine, config, tmp_path / "l")
    add_accounts(engine, [("dept", "department", "D1"), ("dept2", "department", "D2")])

    def told():
        with engine.connect() as conn:
            return conn.execute(select(User.username, Message.title).join(User, User.id == Message.user_id)
                                .where(Message.kind == "reminder").order_by(User.username)).all()
    job, thursday = schedule.BY_ID["remind"], dt.date(2026, 11, 19)  # 2026-W47
    with engine.begin() as conn:  # D2 has sent its week already
        reporting.save_weekly(conn, Actor("dept2", "department"), "D2", "2026-W47",
                              {"progress": "调剂 2 件", "problems": "无", "next_plan": "继续"}, "王五",
                              dt.datetime(2026, 11, 18, 16), "thu")
    assert schedule.run_tick(engine, config, job, day=thursday - dt.timedelta(days=1)) == "succeeded" and told() == []
    assert schedule.run_tick(engine, config, job, day=thursday) == "succeeded"
    assert told() == [("dept", "周进度提醒：本周进度应于2026年11月19日周四 18:00前报送")]
    with engine.connect() as conn:
        body, link = conn.execute(select(Message.body, Message.link).where(Message.kind == "reminder")).one()
    assert link == "/reporting?tab=weekly&week=2026-W47"  # 周进度, at the week it is reminded of
    assert body.startswith("本周（2026年第47周）工作进度尚未报送") and audit_actions(engine, "reminder.send") == ["2026-W47 周进度提醒"]
