"""The demo city's 配置审核 history: last budget year's requests reviewed against the stock of
their day, and most transfers carried out by a later ledger import, the way they would be."""
from __future__ import annotations

import datetime as dt
import random
import tempfile
from pathlib import Path

from sqlalchemy import Engine, select, true

from ledger import allocation
from ledger.config import Config
from ledger.importer import import_path
from ledger.demo import LedgerWriter
from ledger.importer.schema import ASSETS
from ledger.models import Asset, Department, PurchaseRequest, Region, Transfer, Unit
from ledger.vocab import CATEGORIES, STATUSES, label
from ledger.workflow import Actor
from metrics.allocation import requests_frame, review

REVIEWER = Actor("demo", "supervisor")
NOTES = {"transfer": "存量资产可满足需求，通过公物仓调剂解决", "partial": "部分由存量调剂，其余同意采购",
         "approve_stock": "候选资产规格型号不符，同意采购", "approve": "全市存量中无同类闲置资产，同意采购",
         "reject": "需求依据不足，不予批复"}


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
