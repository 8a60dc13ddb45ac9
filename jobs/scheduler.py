"""`panhuo scheduler`: the scheduled jobs in a process of their own (APScheduler 3)."""
from __future__ import annotations

import logging
import signal
import time

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, EVENT_SCHEDULER_STARTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from jobs.deliver import send_due
from jobs.schedule import JOBS, catch_up, run_queued, run_tick
from ledger import clock, runs
from ledger.config import Config, ConfigError
from metrics.allocation import refresh_stale

log = logging.getLogger("panhuo.scheduler")


def triggers(config: Config) -> dict[str, CronTrigger]:
    """Each job's trigger from its crontab line in config.toml (a bad line names its key)."""
    out = {}
    for job in JOBS:
        try:
            out[job.id] = CronTrigger.from_crontab(config[job.cron_key], timezone=config.zone)
        except ValueError as exc:
            raise ConfigError(f"配置项 {job.cron_key} 不是有效的 crontab / {job.cron_key} is not a valid crontab "
                              f"line: {config[job.cron_key]!r} ({exc})") from None
    return out


def build(engine: Engine, config: Config) -> BlockingScheduler:
    # coalesce: runs missed while the process was busy or suspended collapse into one (every
    # job is idempotent for its tick); misfire_grace_time: a run that is late by less than
    # this still runs, a later one is left to the start-up catch-up; max_instances 1: a slow
    # run is never overtaken by the next firing of the same job.
    scheduler = BlockingScheduler(timezone=config.zone, job_defaults={
        "coalesce": True, "misfire_grace_time": config["scheduler.misfire_grace_seconds"], "max_instances": 1})
    for job in JOBS:
        scheduler.add_job(run_tick, triggers(config)[job.id], args=(engine, config, job), id=job.id, name=job.title)

    def poll():
        run_queued(engine, config)
        send_due(engine, config)  # e-mails of papers and messages, and failed ones whose back-off has passed
        review_stock(engine, config)
        report(engine, config, scheduler)

    scheduler.add_job(poll, IntervalTrigger(seconds=config["scheduler.poll_seconds"]), id="poll",
                      name="手动任务与心跳")
    return scheduler


def review_stock(engine: Engine, config: Config) -> None:
    """配置审核: the open requests' reviews stored again once the stock or the day changed, so the
    page reads them instead of computing them."""
    started = time.perf_counter()
    refreshed = refresh_stale(engine, config, config.today())
    if refreshed:
        log.info("配置审核: %d requests reviewed against the stock and stored in %.1f s", refreshed,
                 time.perf_counter() - started)


def report(engine: Engine, config: Config, scheduler: BlockingScheduler | None) -> None:
    """Tell the admin page what is scheduled and when it runs next."""
    jobs = {j.id: j for j in scheduler.get_jobs()} if scheduler else {}
    runs.report_schedule(engine, [
        {"job": job.id, "title": job.title, "schedule": config[job.cron_key],
         "next_run_at": (jobs[job.id].next_run_time.astimezone(clock.UTC).replace(tzinfo=None)
                         if job.id in jobs and jobs[job.id].next_run_time else None)}
        for job in JOBS])


def run_scheduler(engine: Engine, config: Config, once: bool = False) -> None:
    """Catch up, then run the jobs on their schedules until stopped (`once`: catch up and exit)."""
    triggers(config)  # refuse a bad schedule before doing anything
    catch_up(engine, config)
    run_queued(engine, config)
    send_due(engine, config)
    review_stock(engine, config)
    if once:
        return
    scheduler = build(engine, config)
    signal.signal(signal.SIGTERM, lambda *_: scheduler.shutdown(wait=False))
    scheduler.add_listener(lambda event: report(engine, config, scheduler),
                           EVENT_SCHEDULER_STARTED | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    log.info("scheduler started: %s", ", ".join(f"{j.id} [{config[j.cron_key]}]" for j in JOBS))
    scheduler.start()
