"""The tables and columns of the import format (import.md), declared once."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ledger import vocab

ABOUT_SHEET = "说明"  # the import template's notes: a sheet the importer passes over
CODE_CHARS = 64  # ledger.models.CODE
NAME_CHARS = 200  # names, places, parties: String(200)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    kind: str  # code | text | date | money | int | bool | enum
    required: bool = False
    default: object = None
    choices: dict[str, str] | None = None  # for enum: accepted spelling -> stored key
    width: int | None = None  # text: the most characters its database column holds (default NAME_CHARS)
    past: bool = False  # date: of something that has happened, so never after the day of the import

    @property
    def max_chars(self) -> int | None:
        """The longest cell a code or text column takes: what its database column holds, so a
        longer value is a cell error and never reaches the database."""
        if self.kind == "code":
            return CODE_CHARS
        if self.kind == "text":
            return self.width or NAME_CHARS
        return None


@dataclass(frozen=True)
class Table:
    key: str
    zh: str
    target: str  # database table
    columns: tuple[Column, ...]
    keys: tuple[str, ...]  # the upsert key
    unique: tuple[tuple[str, ...], ...] = field(default=())  # further keys unique within the sheet

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def label(self) -> str:
        return self.zh


def _enum(mapping: dict[str, str]) -> dict[str, str]:
    """Accept the Chinese spelling and the English key alike."""
    accepted = dict(mapping)
    accepted.update({v: v for v in mapping.values()})
    return accepted


UNIT_TYPE_KEYS = {"行政单位": "行政单位", "事业单位": "事业单位", "国有企业": "国有企业",
                  "administrative": "行政单位", "institution": "事业单位", "enterprise": "国有企业"}

UNITS = Table("units", "单位", "units", (
    Column("unit_code", "单位编码", "code", True),
    Column("unit_name", "单位名称", "text", True),
    Column("dept_code", "主管部门编码", "code", True),
    Column("dept_name", "主管部门名称", "text", True),
    Column("region_code", "区划编码", "code", True),
    Column("region_name", "区划名称", "text", True),
    Column("unit_type", "单位类型", "enum", False, "事业单位", UNIT_TYPE_KEYS),
), keys=("unit_code",))

ASSETS = Table("assets", "资产卡片", "assets", (
    Column("asset_code", "资产编号", "code", True),
    Column("unit_code", "单位编码", "code", True),
    Column("asset_name", "资产名称", "text", True),
    Column("category", "资产分类", "enum", True, None, _enum(vocab.CATEGORIES)),
    Column("original_value", "原值", "money", True),
    Column("net_value", "净值", "money"),
    Column("acquired_on", "取得日期", "date", True, past=True),
    Column("status", "使用状况", "enum", True, None, _enum(vocab.STATUSES)),
    Column("status_since", "状况起始日期", "date", True, past=True),
    Column("location", "存放地点", "text"),
    Column("photo_count", "照片数", "int", False, 0),
    Column("shared", "是否共享共用", "bool", False, False),
    Column("category_code", "分类代码", "code"),
), keys=("asset_code",))

STATUS_CHANGES = Table("status_changes", "状况变动", "status_changes", (
    Column("asset_code", "资产编号", "code", True),
    Column("changed_on", "变动日期", "date", True, past=True),
    Column("status", "使用状况", "enum", True, None, _enum(vocab.STATUSES)),
), keys=("asset_code", "changed_on"))

PLANS = Table("plans", "盘活台账", "plans", (
    Column("plan_id", "台账编号", "code", True),
    Column("asset_code", "资产编号", "code", True),
    Column("method", "盘活方式", "enum", True, None, _enum(vocab.METHODS)),
    Column("owner", "责任人", "text", width=100),
    Column("listed_on", "列入日期", "date", True, past=True),
    Column("due_on", "计划完成日期", "date", True),
    Column("done_on", "实际完成日期", "date", past=True),
), keys=("plan_id",), unique=(("asset_code",),))

LEASES = Table("leases", "出租合同", "leases", (
    Column("lease_id", "合同编号", "code", True),
    Column("asset_code", "资产编号", "code", True),
    Column("lessee", "承租方", "text", True),
    Column("start_on", "起租日期", "date", True),
    Column("end_on", "到期日期", "date", True),
    Column("annual_rent", "年租金", "money", True),
    Column("appraised", "是否评估", "bool", False, False),
    Column("public_bidding", "是否公开招租", "bool", False, False),
), keys=("lease_id",))

INCOME = Table("income", "收入", "income", (
    Column("income_id", "收入编号", "code", True),
    Column("asset_code", "资产编号", "code", True),
    Column("kind", "收入类型", "enum", True, None, _enum(vocab.INCOME_KINDS)),
    Column("received_on", "到账日期", "date", True, past=True),
    Column("amount", "到账金额", "money", True),
    Column("appraised_value", "评估价值", "money"),
    Column("remitted_on", "上缴日期", "date", past=True),
    Column("remitted_amount", "上缴金额", "money", False, 0),
), keys=("income_id",))

LISTINGS = Table("listings", "公物仓", "listings", (
    Column("listing_id", "入仓编号", "code", True),
    Column("asset_code", "资产编号", "code", True),
    Column("mode", "调剂共享模式", "enum", True, None, _enum(vocab.LISTING_MODES)),
    Column("scope", "发布范围", "enum", False, "local", _enum(vocab.LISTING_SCOPES)),
    Column("listed_on", "入仓日期", "date", True, past=True),
    Column("delisted_on", "出仓日期", "date", past=True),
    Column("outcome", "出仓原因", "enum", False, None, _enum(vocab.LISTING_OUTCOMES)),
    Column("receiver", "接收单位", "text"),
), keys=("listing_id",))

REQUESTS = Table("requests", "配置需求", "requests", (
    Column("request_id", "需求编号", "code", True),
    Column("unit_code", "单位编码", "code", True),
    Column("budget_year", "预算年度", "int", True),
    Column("asset_name", "资产名称", "text", True),
    Column("category", "资产分类", "enum", True, None, _enum(vocab.CATEGORIES)),
    Column("category_code", "分类代码", "code"),
    Column("quantity", "数量", "int", True),
    Column("unit_price", "单价", "money", True),
    Column("requested_on", "申报日期", "date", True, past=True),
    Column("reason", "申报理由", "text", width=2000),
), keys=("request_id",))

# In load order: a table only refers to tables before it.
TABLES: tuple[Table, ...] = (UNITS, ASSETS, STATUS_CHANGES, PLANS, LEASES, INCOME, LISTINGS, REQUESTS)
# the tables whose rows name an asset
ASSET_TABLES: tuple[Table, ...] = (STATUS_CHANGES, PLANS, LEASES, INCOME, LISTINGS)
REQUIRED = (UNITS, ASSETS)


def table_for_name(name: str) -> Table | None:
    """The table a sheet or CSV file name stands for (Chinese name or English key)."""
    stem = name.strip()
    if stem.lower().endswith(".csv"):
        stem = stem[:-4]
    for table in TABLES:
        if stem == table.zh or stem.lower() == table.key:
            return table
    return None


# A heading as the budget system's exports write it: wrapped over lines, a required column marked
# (*单位编码), a sum with its unit (原值（元）). A sum in another unit (原值（万元）) is no column of the
# format: it is left out with a note, and a required one is then missing.
YUAN = re.compile(r"[（(]元[）)]$")


def column_for_header(table: Table, header: object) -> Column | None:
    text = "" if header is None else re.sub(r"\s+", "", str(header)).strip("*＊")
    in_yuan = YUAN.search(text)
    if in_yuan:
        text = text[:in_yuan.start()]
    for column in table.columns:
        if (text == column.zh or text.lower() == column.key) and (in_yuan is None or column.kind == "money"):
            return column
    return None
