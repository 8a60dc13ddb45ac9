"""Build small ledgers as CSV folders (Chinese headers) and import them through the real path."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ledger.importer import import_path
from ledger.importer.schema import TABLES

_DEFAULTS = {
    "units": {"unit_type": "事业单位"},
    "assets": {"asset_name": "测试资产", "category": "通用设备", "original_value": "1000.00", "acquired_on": "2020-01-01",
               "status": "在用", "status_since": "2020-01-01", "location": "1号楼", "photo_count": "1", "shared": "否"},
    "plans": {"method": "调剂", "owner": "张三"},
    "leases": {"lessee": "某公司", "appraised": "是", "public_bidding": "是", "annual_rent": "1000"},
    "income": {"kind": "出租收入"},
    "listings": {"mode": "调剂", "scope": "本地区"},
    "requests": {"budget_year": "2027", "category": "通用设备", "quantity": "1", "unit_price": "5000.00",
                 "requested_on": "2026-11-01"},
}


@dataclass
class LedgerBuilder:
    """Rows by table key; cells by English key; written with Chinese headers."""
    tables: dict[str, list[dict]] = field(default_factory=lambda: {t.key: [] for t in TABLES})

    def unit(self, code="U1", dept="D1", region="990100", **cells):
        row = {"unit_code": code, "unit_name": f"单位{code}", "dept_code": dept, "dept_name": f"部门{dept}",
               "region_code": region, "region_name": f"区划{region}"}
        return self._add("units", row, cells)

    def asset(self, code, unit="U1", **cells):
        return self._add("assets", {"asset_code": code, "unit_code": unit}, cells)

    def change(self, asset, on, status):
        return self._add("status_changes", {"asset_code": asset, "changed_on": on, "status": status}, {})

    def plan(self, plan_id, asset, listed_on, due_on, done_on="", **cells):
        row = {"plan_id": plan_id, "asset_code": asset, "listed_on": listed_on, "due_on": due_on, "done_on": done_on}
        return self._add("plans", row, cells)

    def lease(self, lease_id, asset, start_on, end_on, **cells):
        return self._add("leases", {"lease_id": lease_id, "asset_code": asset, "start_on": start_on,
                                    "end_on": end_on}, cells)

    def income(self, income_id, asset, received_on, amount, remitted_on="", remitted_amount="0", **cells):
        row = {"income_id": income_id, "asset_code": asset, "received_on": received_on, "amount": amount,
               "remitted_on": remitted_on, "remitted_amount": remitted_amount}
        return self._add("income", row, cells)

    def listing(self, listing_id, asset, listed_on, **cells):
        return self._add("listings", {"listing_id": listing_id, "asset_code": asset, "listed_on": listed_on}, cells)

    def request(self, request_id, unit="U1", asset_name="测试资产", **cells):
        return self._add("requests", {"request_id": request_id, "unit_code": unit, "asset_name": asset_name}, cells)

    def _add(self, table, row, cells):
        self.tables[table].append({**_DEFAULTS.get(table, {}), **row, **cells})
        return self

    def write(self, folder: Path, encoding: str = "utf-8-sig") -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            rows = self.tables[table.key]
            if not rows:
                continue
            with (folder / f"{table.zh}.csv").open("w", encoding=encoding, newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow([c.zh for c in table.columns])
                for row in rows:
                    writer.writerow([row.get(c.key, "") for c in table.columns])
        return folder

    def load(self, engine, config, folder: Path):
        result = import_path(engine, self.write(folder), config)
        assert result.ok, [str(p) for p in result.problems]
        return result
