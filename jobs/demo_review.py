"""The demo city's 配置审核 history: last budget year's requests reviewed against the stock of
their day, and most transfers carried out by a later ledger import, the way they would be."""
from __future__ import annotations

import csv
import datetime as dt
import random
import tempfile
from pathlib import Path

from sqlalchemy import Engine, select, true

from ledger import allocation
from ledger.config import Config
from ledger.importer import import_path
from ledger.importer.schema import ASSETS, UNITS
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
        frame = found.of(r.request_id)
        free = [(a, u) for a, u in zip(frame.asset_code, frame.unit_code) if a not in used]
        flags = found.flags_of(r.request_id)
        if free and rng.random() < 0.6:
            kind = "transfer" if len(free) >= r.quantity else "partial" if r.quantity > 1 else "transfer"
            assets = [a for a, _ in free[:r.quantity if kind == "transfer" else len(free)]]
            approved = r.quantity - len(assets) if kind == "partial" else None
        else:
            kind = "reject" if rng.random() < 0.1 else "approve"
            assets, approved = [], None
        note = NOTES["approve_stock" if kind == "approve" and free else kind]
        candidates = allocation.Candidates(on, dict(free), {k: flags[k] for k in allocation.FLAG_NAMES})
        with engine.begin() as conn:
            allocation.decide(conn, REVIEWER, r.request_id, true(), kind, assets, approved, note, candidates,
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
        _write(Path(folder) / f"{UNITS.zh}.csv", [c.zh for c in UNITS.columns], [list(u) for u in units])
        rows = []
        for asset_code, request_id in moves:
            a = cards[asset_code]
            since = max(on, a.status_since)
            rows.append([a.code, receiving[request_id], a.name, label(CATEGORIES, a.category),
                         f"{a.original_value / 100:.2f}", "" if a.net_value is None else f"{a.net_value / 100:.2f}",
                         a.acquired_on.isoformat(), label(STATUSES, "in_use"), since.isoformat(), "调入后存放地点待登记",
                         a.photo_count, "是" if a.shared else "否", a.category_code or ""])
        _write(Path(folder) / f"{ASSETS.zh}.csv", [c.zh for c in ASSETS.columns], rows)
        result = import_path(engine, folder, config, username="demo", file_name="调剂完成后的台账更新")
    if not result.ok:
        raise RuntimeError("; ".join(map(str, result.problems[:5])))
    return len(moves)


def _write(path: Path, header: list[str], rows: list[list]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
