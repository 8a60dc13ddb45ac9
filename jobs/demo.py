"""The demo city, built end to end: its ledger written and imported, last budget year's
purchase requests (配置审核) reviewed against the stock of their day and most transfers carried
out by a later ledger import, the way they would be, and 13 months computed."""
from __future__ import annotations

import datetime as dt
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, select, true

from jobs.runner import compute_months
from ledger import allocation, audit, runs
from ledger.config import Config
from ledger.demo import (
    CITY,
    REQUEST_YEARS,
    LedgerWriter,
    clear_ledger,
    months_to_compute,
    reporting_history,
    write_demo_ledger,
)
from ledger.importer import import_path
from ledger.importer.schema import ASSETS
from ledger.models import Asset, Department, PurchaseRequest, Region, Transfer, Unit
from ledger.reporting import reported_month
from ledger.vocab import CATEGORIES, STATUSES, label
from ledger.workflow import Actor
from metrics.allocation import requests_frame, review
from metrics.timeline import shift_month

REVIEWER = Actor("demo", "supervisor")
WORKBOOK = "示范市资产台账.xlsx"
SENDER = f"{CITY[0]}001"  # the demo account dept's department: its own ledger as it sends it (报送)
DEPT_WORKBOOK = f"部门报送示例_{SENDER}.xlsx"
NOTES = {"transfer": "存量资产可满足需求，通过公物仓调剂解决", "partial": "部分由存量调剂，其余同意采购",
         "approve_stock": "候选资产规格型号不符，同意采购", "approve": "全市存量中无同类闲置资产，同意采购",
         "reject": "需求依据不足，不予批复"}


def build_demo(engine: Engine, config: Config, assets: int, seed: int, folder: Path | None = None,
               say: Callable[[str], None] = print) -> Config:
    """Build the demo city in `engine` (which must hold nothing else) and return its config.

    `folder`: where to leave the demo workbook (default: a temporary folder); `say`: progress lines.
    """
    config = config.replace(org__city_region_code=CITY[0], org__city_name=CITY[1])
    clear_ledger(engine)
    with tempfile.TemporaryDirectory() as tmp:
        workbook = Path(folder or tmp) / WORKBOOK
        workbook.parent.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        counts = write_demo_ledger(workbook, assets=assets, seed=seed)
        say(f"已生成演示台账 / wrote demo ledger: {counts} ({time.perf_counter() - started:.1f}s)")
        if folder:
            write_demo_ledger(Path(folder) / DEPT_WORKBOOK, assets=assets, seed=seed, dept=SENDER)
        result = import_path(engine, workbook, config, username="demo")
        if not result.ok:  # the generator and the importer disagree: a bug, say so plainly
            raise RuntimeError("演示台账导入失败 / demo import failed: " + "; ".join(map(str, result.problems[:5])))
    say(f"已导入 / imported in {time.perf_counter() - started:.1f}s")
    year = REQUEST_YEARS[0]
    decided = review_demo_requests(engine, config, year, dt.date(year - 1, 12, 1))
    moved = carry_out_transfers(engine, config, 0.85, dt.date(year, 1, 15))
    say(f"已审核 {year} 年度配置需求 / reviewed last year's requests: {decided}; "
        f"{moved} 项调剂已在台账完成 / transfers done in the ledger")
    months = months_to_compute()
    compute_months(engine, config, months, "demo")
    with engine.execution_options(write=True).begin() as conn:  # months long past are final, as a bureau keeps them
        for month in months:
            runs.close_month(conn, month, REVIEWER.username)
            audit.record(conn, REVIEWER.username, "month.close", month)
    say(f"已计算并关账 13 个月快照 / computed and closed 13 monthly snapshots: {months[0]} … {months[-1]}")
    today = config.today()
    reported = [shift_month(reported_month(today), -i) for i in range(3, -1, -1)]
    history = reporting_history(engine, reported, today, config["reporting.due_day"], seed)
    say(f"已生成报送记录 / reporting history {reported[0]} … {reported[-1]}: 按期 {history['on_time']}，"
        f"逾期 {history['late']}，未报送 {history['missing']}；周进度 {history['weekly']} 份")
    return config


def review_demo_requests(engine: Engine, config: Config, year: int, on: dt.date, seed: int = 2026) -> dict[str, int]:
    """Decide every request of budget `year` as a reviewer would on `on`; returns counts by decision."""
    rng = random.Random(seed + 2)
    requests = requests_frame(engine, PurchaseRequest.budget_year == year)
    found = review(engine, config, on, requests)
    used: set[str] = set()
    counts: dict[str, int] = {}
    for r in requests.sort_values(["requested_on", "request_id"]).itertuples():
        basis = found.basis(r.request_id, exclude=used)  # ranked; what earlier decisions took is gone
        free = list(basis.assets)
        if free and rng.random() < 0.6:
            kind = "transfer" if len(free) >= r.quantity else "partial" if r.quantity > 1 else "transfer"
            assets = free[:r.quantity if kind == "transfer" else len(free)]
            approved = r.quantity - len(assets) if kind == "partial" else None
        else:
            kind = "reject" if rng.random() < 0.1 else "approve"
            assets, approved = [], None
        note = NOTES["approve_stock" if kind == "approve" and free else kind]
        with engine.begin() as conn:
            allocation.decide(conn, REVIEWER, r.request_id, true(), kind, assets, approved, note, basis,
                              config["allocation.transfer_days"])
        used.update(assets)
        counts[kind] = counts.get(kind, 0) + 1
    return counts


def carry_out_transfers(engine: Engine, config: Config, share: float, on: dt.date, seed: int = 2026) -> int:
    """Import a ledger update in which `share` of the decided transfers have moved to a unit of
    the receiving department (in use there from `on`); the import settles them."""
    rng = random.Random(seed + 3)
    with engine.connect() as conn:
        moves = [(t.asset_code, t.request_id) for t in conn.execute(
            select(Transfer.asset_code, Transfer.request_id).where(Transfer.state == "open").order_by(Transfer.id))
            if rng.random() < share]
        if not moves:
            return 0
        receiving = dict(conn.execute(select(PurchaseRequest.request_id, PurchaseRequest.unit_code)
                                      .where(PurchaseRequest.request_id.in_({r for _, r in moves}))).all())
        cards = {a.code: a for a in conn.execute(select(Asset).where(Asset.code.in_([a for a, _ in moves])))}
        units = conn.execute(select(Unit.code, Unit.name, Unit.dept_code, Department.name, Department.region_code,
                                    Region.name, Unit.unit_type)
                             .join(Department, Department.code == Unit.dept_code)
                             .join(Region, Region.code == Department.region_code)
                             .where(Unit.code.in_(set(receiving.values())))).all()
    with tempfile.TemporaryDirectory() as folder:
        writer = LedgerWriter(Path(folder) / "update")
        try:
            for unit in units:
                writer.row("units", list(unit))
            for asset_code, request_id in moves:
                a = cards[asset_code]
                card = {"asset_code": a.code, "unit_code": receiving[request_id], "asset_name": a.name,
                        "category": label(CATEGORIES, a.category), "original_value": f"{a.original_value / 100:.2f}",
                        "net_value": None if a.net_value is None else f"{a.net_value / 100:.2f}",
                        "acquired_on": a.acquired_on.isoformat(), "status": label(STATUSES, "in_use"),
                        "status_since": max(on, a.status_since).isoformat(), "location": "调入后存放地点待登记",
                        "photo_count": a.photo_count, "shared": "是" if a.shared else "否",
                        "category_code": a.category_code}
                writer.row("assets", [card[c.key] for c in ASSETS.columns])
        finally:
            writer.close()
        result = import_path(engine, Path(folder) / "update", config, username="demo", file_name="调剂完成后的台账更新")
    if not result.ok:
        raise RuntimeError("; ".join(map(str, result.problems[:5])))
    return len(moves)
