"""Computing a month safely: one computation per month at a time, closed months kept final,
every computation audited and every job run recorded."""
from __future__ import annotations

import contextlib
import dataclasses
import logging
import time
import traceback
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Callable, Iterator

from sqlalchemy import Engine, func, select

from ledger import audit, runs, workflow
from ledger.bulk import analyze
from ledger.config import Config
from ledger.locks import named_lock
from ledger.models import Snapshot
from metrics.engine import LoadedLedger
from metrics.snapshot import compute, compute_snapshot, store

log = logging.getLogger("panhuo.jobs")


class MonthClosed(ValueError):
    pass


@dataclasses.dataclass
class _Job:
    stored: dict | None  # the row counts already stored, when the month is not to be computed
    before_commit: Callable | None = None  # store's: the audit entry and the case sync


@contextlib.contextmanager
def _month(engine: Engine, month: str, actor: str, reopen: bool = False, wait: float | None = None,
           only_if_missing: bool = False, cases: bool = True) -> Iterator[_Job]:
    """Hold `month`'s lock for the block: a scheduler and a CLI call never compute one month at once.

    Raises MonthClosed for a closed month unless `reopen` (then audited as a reopen).
    `only_if_missing`: filling a gap; if another process filled it meanwhile, `stored` has its counts.
    `cases=False`: the warning cases do not follow this month even when it is the newest (a month
    of a range other than its last, see compute_months).
    """
    with named_lock(engine, f"compute-{month}", wait=wait):
        with engine.connect() as conn:
            closed = runs.is_closed(conn, month)
            before = conn.execute(select(Snapshot.computed_at, Snapshot.row_counts)
                                  .where(Snapshot.month == month)).first()
        if before is not None and only_if_missing:
            yield _Job(dict(before.row_counts))
            return
        if closed and not reopen:
            raise MonthClosed(f"{month} 已关账，重算须由管理员加 --reopen / {month} is closed: "
                              f"recomputing it needs --reopen by an admin")
        previous = None if before is None else {"computed_at": before.computed_at.isoformat(" "),
                                                 "row_counts": before.row_counts}

        def before_commit(conn, counts):
            audit.record(conn, actor, "snapshot.reopen" if closed else "snapshot.compute", month,
                         before=previous, after={"row_counts": counts})
            # the workflow follows the newest month only: recomputing an old one leaves it be
            if cases and conn.execute(select(func.max(Snapshot.month))).scalar() == month:
                workflow.sync_cases(conn, month)

        yield _Job(None, before_commit)


def compute_month(engine: Engine, config: Config, month: str, actor: str, reopen: bool = False,
                  wait: float | None = None, only_if_missing: bool = False, refresh: bool = True) -> dict:
    """Compute and store `month` unless it is closed (then only with `reopen`, audited); its row
    counts. `wait`: seconds to wait for another computation of the month (LockBusy after);
    `refresh`: the planner statistics after."""
    with _month(engine, month, actor, reopen, wait, only_if_missing) as job:
        if job.stored is not None:
            return job.stored
        counts = compute_snapshot(engine, month, config, before_commit=job.before_commit)
    if refresh:
        refresh_statistics(engine)
    return counts


def compute_months(engine: Engine, config: Config, months: list[str], actor: str,
                   on_done: Callable[[str, dict, float], None] | None = None, **options) -> dict[str, dict]:
    """compute_month for each of `months` in order, reading the ledger once for all of them; their
    row counts by month.

    A month is stored while the next one is computed (a thread of its own writes it; each month's
    lock is held until it is stored, and a month is stored only after the one before it). A
    failure stops the range: the months stored before it stay.

    The warning cases follow the newest month only, as when the months had been computed before:
    a range computed afresh (a new city's backfill, the demo) leaves the same cases as recomputing
    it does, not a case opened and closed again for every month a warning came and went."""
    done: dict[str, dict] = {}
    if not months:
        return done
    newest = max(months)
    storing: list[tuple[str, float, Future, contextlib.ExitStack]] = []  # the month being stored

    def stored() -> None:
        if not storing:
            return
        month, started, future, lock = storing.pop()
        try:
            done[month] = future.result()
        finally:
            lock.close()
        if on_done is not None:
            on_done(month, done[month], time.perf_counter() - started)

    with LoadedLedger(engine, config) as ledger, ThreadPoolExecutor(1, thread_name_prefix="panhuo-store") as writer:
        try:
            for month in months:
                started = time.perf_counter()
                with contextlib.ExitStack() as held:
                    job = held.enter_context(_month(engine, month, actor, cases=month == newest, **options))
                    computed = None
                    if job.stored is None:
                        computed = compute(ledger, month, config)
                        ledger.keep(month)  # the next month's history, from DuckDB
                    stored()  # the month before, stored meanwhile
                    lock = held.pop_all()  # from here released once this month is stored
                if computed is None:  # filled meanwhile by another process: nothing to store
                    future: Future = Future()
                    future.set_result(job.stored)
                else:
                    future = writer.submit(store, engine, computed, job.before_commit)
                storing.append((month, started, future, lock))
            stored()
        finally:
            for _, _, future, lock in storing:  # stopped by a failure: its lock goes once it is done
                wait([future])
                lock.close()
    refresh_statistics(engine)
    return done


def refresh_statistics(engine: Engine) -> None:
    """Planner statistics for the tables a computation rewrote: without them SQLite picks the
    primary key over the scope index for a department's warnings (a 2× slower page)."""
    analyze(engine, ("kpi_rows", "warning_rows", "list_entries", "warning_cases"))


def run_recorded(engine: Engine, job: str, tick: str, trigger: str, work: Callable[[], int | None],
                 month: str | None = None, requested_by: str | None = None, reopen: bool = False,
                 run_id: int | None = None) -> str | None:
    """Run `work` as the one run of (job, tick); returns its status, None if another process had it.

    `run_id`: a run already claimed (a queued manual run taken by the scheduler).
    """
    if run_id is None:
        run_id = runs.claim(engine, job, tick, trigger, month, requested_by, reopen)
        if run_id is None:
            log.info("%s %s: already run or running elsewhere, skipped", job, tick)
            return None
    started = time.perf_counter()
    try:
        rows = work()
    except Exception as exc:  # recorded, then the scheduler goes on with its other jobs
        log.error("%s %s failed: %s", job, tick, exc)
        runs.finish(engine, run_id, "failed", error=f"{exc}\n{traceback.format_exc(limit=5)}")
        return "failed"
    runs.finish(engine, run_id, "succeeded", rows=rows)
    # the one line a run leaves in the terminal (heartbeats and polls log at debug only)
    log.info("%s %s: succeeded in %.1f s%s", job, tick, time.perf_counter() - started,
             f", {rows:,} rows" if isinstance(rows, int) else "")
    return "succeeded"
