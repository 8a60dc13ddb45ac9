"""What-if latency on a computed city: a department ticks every idle asset and sees its score and rank.

    PANHUO_DATABASE_URL=... python benchmarks/whatif.py 2026-10 [--runs 40]

Times, per run, everything the 我的得分 callback does on the server: the department's row, its
warned items, its peers' ranking columns and the simulation. Prints the department picked (the
one whose asset count is nearest 5,000), p50 and p95.
"""
from __future__ import annotations

import argparse
import statistics
import time

from sqlalchemy import select

from ledger.config import load_config
from ledger.db import make_engine
from ledger.models import KpiRow
from ledger.scope import Scope
from metrics import whatif
from metrics.timeline import snapshot_date
from outputs.facts import _kpis, _row, point_items


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("month")
    parser.add_argument("--runs", type=int, default=40)
    args = parser.parse_args()
    config = load_config()
    engine = make_engine(config.database_url)
    with engine.connect() as conn:
        dept, assets = min(conn.execute(select(KpiRow.code, KpiRow.asset_count).where(
            KpiRow.month == args.month, KpiRow.level == "department")), key=lambda r: abs(r[1] - 5000))
    scope = Scope("department", dept)
    times = []
    for _ in range(args.runs):
        started = time.perf_counter()
        with engine.connect() as conn:
            row = _row(_kpis(conn, scope, args.month, KpiRow.level == "department", KpiRow.code == dept))
            items = [i for i in point_items(conn, scope, args.month, dept) if i["rule"] in ("idle_overdue", "idle_no_plan")]
            columns = [KpiRow.level, KpiRow.code, KpiRow.dept_code, KpiRow.region_code, KpiRow.score, KpiRow.idle_rate,
                       KpiRow.asset_count]
            peers = [dict(r._mapping) for r in conn.execute(select(*columns).where(
                KpiRow.month == args.month, KpiRow.level == "department", KpiRow.region_code == row["region_code"]))]
        result = whatif.simulate(row, peers, items, snapshot_date(args.month), config)
        times.append(time.perf_counter() - started)
    times.sort()
    print(f"department {dept}: {assets:,} assets, {len(items)} idle items; score {result.before['score']:.1f} -> "
          f"{result.after['score']:.1f}, rank {result.before['rank']} -> {result.after['rank']}")
    print(f"p50 {statistics.median(times) * 1000:.0f} ms, p95 {times[int(0.95 * (len(times) - 1))] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
