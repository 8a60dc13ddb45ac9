"""The import template: one sheet per table of the import format (import.md) with its Chinese
headers, required columns marked, and one example row whose codes fit together. The example
shows the format and never imports (ledger.importer.stage.check_template_example): a template
sent back unchanged names its example rows instead of adding 示例市 to the rankings."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill

from ledger.importer.schema import ABOUT_SHEET, TABLES

# one example row per table (column key -> cell); the unit, the asset and the records all meet
EXAMPLE = {
    "units": {"unit_code": "370100001", "unit_name": "示例市教育局机关", "dept_code": "370100001",
              "dept_name": "示例市教育局", "region_code": "370100", "region_name": "示例市", "unit_type": "行政单位"},
    "assets": {"asset_code": "ZC2024000001", "unit_code": "370100001", "asset_name": "台式计算机", "category": "通用设备",
               "original_value": "4500.00", "net_value": "1500.00", "acquired_on": "2021-03-15", "status": "闲置",
               "status_since": "2025-06-01", "location": "行政楼302室", "photo_count": "2", "shared": "否",
               "category_code": "A02010104"},
    "status_changes": {"asset_code": "ZC2024000001", "changed_on": "2025-06-01", "status": "闲置"},
    "plans": {"plan_id": "PZ2025001", "asset_code": "ZC2024000001", "method": "调剂", "owner": "张三",
              "listed_on": "2025-07-01", "due_on": "2025-12-31", "done_on": ""},
    "leases": {"lease_id": "ZL2025001", "asset_code": "ZC2024000001", "lessee": "某商贸公司", "start_on": "2025-01-01",
               "end_on": "2027-12-31", "annual_rent": "12000.00", "appraised": "是", "public_bidding": "是"},
    "income": {"income_id": "SR2025001", "asset_code": "ZC2024000001", "kind": "出租收入", "received_on": "2025-03-10",
               "amount": "12000.00", "appraised_value": "", "remitted_on": "2025-03-20", "remitted_amount": "12000.00"},
    "listings": {"listing_id": "GW2025001", "asset_code": "ZC2024000001", "mode": "调剂", "scope": "本地区",
                 "listed_on": "2025-07-05", "delisted_on": "", "outcome": "", "receiver": ""},
    "requests": {"request_id": "XQ2027001", "unit_code": "370100001", "budget_year": "2027", "asset_name": "台式计算机",
                 "category": "通用设备", "category_code": "A02010104", "quantity": "2", "unit_price": "5000.00",
                 "requested_on": "2026-11-01", "reason": "新设科室，需配置办公设备"},
}
REQUIRED_FILL = PatternFill("solid", fgColor="FDE9D9")


def required_columns() -> dict[str, list[str]]:
    """Each table's Chinese name -> its required columns, in order."""
    return {table.zh: [c.zh for c in table.columns if c.required] for table in TABLES}


def template_workbook() -> bytes:
    """The template as .xlsx bytes: its notes (ABOUT_SHEET), then one sheet per table."""
    book = Workbook()
    about = book.active
    about.title = ABOUT_SHEET
    about.append(["工作表", "必填列（表头为橙色）", "说明"])
    for table in TABLES:
        about.append([table.zh, "、".join(c.zh for c in table.columns if c.required),
                      "第 2 行为格式示例，不会被导入：导入前请替换或删除"])
    for cell in about[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABC", (14, 80, 32)):
        about.column_dimensions[letter].width = width
    for table in TABLES:
        sheet = book.create_sheet(table.zh)
        sheet.append([c.zh for c in table.columns])
        sheet.append([EXAMPLE[table.key].get(c.key, "") for c in table.columns])
        for column, cell in zip(table.columns, sheet[1]):
            cell.font = Font(bold=True)
            if column.required:
                cell.fill = REQUIRED_FILL
                cell.comment = Comment("必填", "盘活督导平台")
            sheet.column_dimensions[cell.column_letter].width = max(12, 2 * len(column.zh) + 4)
        for cell in sheet[2]:
            cell.number_format = "@"  # codes and dates stay text as the budget system exports them
        sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
