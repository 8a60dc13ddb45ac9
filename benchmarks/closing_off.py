"""The warning pages after a day of 销号: their statements timed on a computed city, before and
after supervisors close off `--cases` cases, with the planner's statistics as that day leaves them.

    PANHUO_DATABASE_URL=... python benchmarks/closing_off.py 2026-10 2026-09 [--cases 10000] [--runs 5]

PostgreSQL's statistics are taken after a computation; closing off fewer than a tenth of the cases
in a day does not reach autovacuum's threshold, so they still say no case is resolved. This times,
for the whole city, the county and the department with the most cases, the warning list's counts
and first page in the synced month and a month before it under each state filter, the overdue
counts, the bulletin's open warnings and a department's week, then resolves the cases (the
orange and red ones of every department in turn, 500 per request: a selection from the rows the
list has loaded, up to 2,000, then 直接销号) and times them again. It changes the city: run it on
a benchmark database. Prints the slowest run of each statement, before and after, and whether
autovacuum analysed the cases in between.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import time

from sqlalchemy import func, select, text, true

from ledger import warning_list, workflow
from ledger.config import load_config
from ledger.db import make_engine
from ledger.models import WarningCase
from ledger.reporting import week_facts
from ledger.scope import Scope
from outputs.facts import rectify_departments

SUPERVISOR = workflow.Actor("bench-supervisor", "supervisor")
STATES = (None, "open", "acknowledged", "resolved", "closed", warning_list.OVERDUE_STATE)


def statements(month: str, older: str, synced: str, scopes: dict[str, Scope], today: dt.date, ack_days: int, zone: str):
    """(name, function of a connection) for every statement timed."""
    for (label, scope), m, state in itertools.product(scopes.items(), (month, older), STATES):
        args = (scope, m, m == synced, today, ack_days)
        yield f"counts {label} {m} {state or '全部'}", lambda c, a=args, s=state: warning_list.counts(c, *a, state=s)
        yield f"rows {label} {m} {state or '全部'}", lambda c, a=args, s=state: warning_list.rows(c, *a, state=s)
    for label, scope in scopes.items():
        yield f"overdue counts {label}", lambda c, s=scope: workflow.escalated_counts(c, today, ack_days,
                                                                                     s.owns(WarningCase))
        yield f"bulletin departments {label}", lambda c, s=scope: rectify_departments(c, s, month)
    dept = scopes["department"].code
    # this week's, when the cases are resolved
    yield "week facts department", lambda c: week_facts(c, dept, dt.date.today().strftime("%G-W%V"), zone)


def timed(engine, named, runs: int) -> dict[str, float]:
    slowest = {}
    for name, run in named:
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            with engine.connect() as conn:
                run(conn)
            times.append(time.perf_counter() - started)
        slowest[name] = max(times)
    return slowest


def analysed(engine) -> str:
    if engine.dialect.name != "postgresql":
        return "—"
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT analyze_count + autoanalyze_count FROM pg_stat_user_tables "
                                     "WHERE relname = 'warning_cases'")).scalar())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("month", help="the month the cases are synced with")
    parser.add_argument("older", help="a month computed before it")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date(2026, 11, 20))
    args = parser.parse_args()
    config = load_config()
    engine = make_engine(config.database_url)
    ack_days = config["workflow.ack_days"]
    with engine.connect() as conn:
        synced = warning_list.synced_month(conn)
        dept, region = conn.execute(select(WarningCase.dept_code, WarningCase.region_code).group_by(
            WarningCase.dept_code, WarningCase.region_code).order_by(func.count().desc()).limit(1)).one()
        open_ids = conn.execute(select(WarningCase.id).where(
            WarningCase.state == "open", WarningCase.level.in_(("orange", "red")))
            .order_by(WarningCase.dept_code, WarningCase.id)).scalars().all()
    scopes = {"all": Scope("all"), "region": Scope("region", region), "department": Scope("department", dept)}
    named = list(statements(args.month, args.older, synced, scopes, args.today, ack_days, config["org.timezone"]))
    before, counted = timed(engine, named, args.runs), analysed(engine)
    chosen = open_ids[:args.cases]
    started = time.perf_counter()
    for start in range(0, len(chosen), 500):
        with engine.begin() as conn:
            workflow.resolve(conn, SUPERVISOR, chosen[start:start + 500], true(), "已盘活，销号")
    closing = time.perf_counter() - started
    after = timed(engine, named, args.runs)
    print(f"{engine.dialect.name}: {len(chosen):,} of {len(open_ids):,} open orange/red cases resolved in "
          f"{closing:.1f} s; department {dept}, region {region}; statistics of the cases taken "
          f"{counted} → {analysed(engine)} times")
    print("| statement | before ms | after ms |\n|---|---|---|")
    for name, _ in named:
        print(f"| {name} | {before[name] * 1000:.0f} | {after[name] * 1000:.0f} |")


if __name__ == "__main__":
    main()
