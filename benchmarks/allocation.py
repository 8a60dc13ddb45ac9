"""配置审核 latency on an imported city: one request's candidates, and a budget year's open requests.

    PANHUO_DATABASE_URL=... python benchmarks/allocation.py --date 2026-11-20 [--year 2027] [--runs 40]

"One request" times what the review page's detail callback asks of the engine on the server for
a request: the request row, its candidates and flags (read the fitting cards, build their
timelines, rank), the names of the units shown and its held assets. The requests timed are the
year's first `runs` by id (class-code and name requests alike), after one warm-up review. "The year" times every open
request of the budget year in one review (the page's list and the `export candidates` path).
"""
from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time

from sqlalchemy import and_, select

from ledger.config import load_config
from ledger.db import make_engine
from ledger.models import Decision, PurchaseRequest
from ledger.scope import Scope
from metrics.allocation import export_frames, requests_frame, review


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--date", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--year", type=int, default=2027)
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    config = load_config()
    engine = make_engine(config.database_url)
    scope = Scope("all")
    undecided = ~select(Decision.id).where(Decision.request_id == PurchaseRequest.request_id,
                                           Decision.withdrawn_at.is_(None)).exists()
    with engine.connect() as conn:
        ids = list(conn.execute(select(PurchaseRequest.request_id).where(
            PurchaseRequest.budget_year == args.year, undecided).order_by(PurchaseRequest.request_id)).scalars())
    # a web process keeps its SQLite reader process and its connections: warm them first
    review(engine, config, args.date, requests_frame(engine, PurchaseRequest.request_id == ids[-1]))
    times, found_counts = [], []
    for request_id in ids[:args.runs]:
        started = time.perf_counter()
        one = requests_frame(engine, and_(scope.units(), PurchaseRequest.request_id == request_id))
        found = review(engine, config, args.date, one)
        times.append(time.perf_counter() - started)
        found_counts.append(len(found.of(request_id)))
    times.sort()
    print(f"one request ({len(times)} requests, {min(found_counts)}–{max(found_counts)} candidates each): "
          f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms, "
          f"max {times[-1] * 1000:.0f} ms")
    started = time.perf_counter()
    year = requests_frame(engine, and_(PurchaseRequest.budget_year == args.year, undecided))
    found = review(engine, config, args.date, year)
    seconds = time.perf_counter() - started
    print(f"the year's {len(year)} open requests in one review: {seconds:.2f} s, {len(found.candidates):,} candidates")
    started = time.perf_counter()
    candidates, requests = export_frames(engine, config, args.date)
    print(f"export candidates + requests ({len(requests)} requests, {len(candidates):,} rows): "
          f"{time.perf_counter() - started:.2f} s")


if __name__ == "__main__":
    main()
