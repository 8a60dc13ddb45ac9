"""The demo city: a realistic, fictional 示范市 with its counties, written in the import format.

Seeded and reproducible. Each department gets a hidden management quality q in [0, 1];
q drives how often its assets fall idle, how fast plans are done, how promptly income is
turned over and how complete its records are, so departments spread from excellent to
poor and every warning rule and list has members. Rows are streamed to all sheets at
once, so memory stays flat up to millions of assets.
"""
from __future__ import annotations

import csv
import datetime as dt
import math
import random
from dataclasses import dataclass
from pathlib import Path

import openpyxl
from sqlalchemy import Engine, delete, insert, select

from ledger import accounts, clock, reporting
from ledger.db import session_scope
from ledger.errors import UserError
from ledger.importer.schema import TABLES
from ledger.models import ApiToken, AuditEntry, Base, ImportRecord, LoginAttempt, Region, Submission, Unit, User, WeeklyReport
from ledger.models import Department as DepartmentRow

CITY = ("371500", "示范市")
COUNTIES = [("371502", "东城区"), ("371503", "西城区"), ("371521", "南河县"), ("371522", "北山县"),
            ("371523", "清水县"), ("371524", "白云县"), ("371581", "临江市")]
# the departments of the demo accounts dept and dept2
DEPT_ACCOUNTS = {"dept": f"{CITY[0]}001", "dept2": f"{COUNTIES[0][0]}001"}
BUREAUS = ["教育局", "公安局", "民政局", "财政局", "人力资源和社会保障局", "自然资源和规划局", "住房和城乡建设局",
           "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会", "应急管理局", "审计局",
           "市场监督管理局", "统计局", "医疗保障局", "城市管理局", "生态环境局", "司法局", "体育局", "林业局",
           "信访局", "档案馆", "机关事务服务中心", "发展和改革委员会", "工业和信息化局", "科学技术局",
           "退役军人事务局", "供销合作社", "气象局", "住房公积金管理中心", "广播电视台", "图书馆", "博物馆",
           "党校", "融媒体中心", "行政审批服务局", "大数据局", "人民防空办公室", "粮食和物资储备局", "残疾人联合会",
           "总工会", "妇女联合会"]
UNIT_SUFFIXES = ["机关", "服务中心", "事务中心", "第一中学", "第二中学", "保障中心", "监测站", "研究所", "培训中心"]
# category: (share of cards, median value in yuan, spread, names)
CATEGORIES = {
    "通用设备": (0.45, 6_000, 0.9, ["台式计算机", "笔记本电脑", "打印机", "复印机", "投影仪", "空调", "服务器"]),
    "家具用具": (0.28, 1_800, 0.7, ["办公桌", "办公椅", "文件柜", "会议桌", "沙发", "书架"]),
    "专用设备": (0.10, 60_000, 1.2, ["检测仪", "医疗设备", "实验设备", "监控系统", "教学设备"]),
    "车辆": (0.04, 180_000, 0.5, ["公务用车", "执法车", "救护车", "巡逻车", "客车"]),
    "房屋": (0.04, 2_500_000, 1.0, ["办公楼", "业务用房", "仓库", "门面房", "宿舍楼"]),
    "无形资产": (0.04, 80_000, 1.0, ["软件", "信息系统", "专利权"]),
    "土地": (0.01, 8_000_000, 0.9, ["土地使用权"]),
    "公共基础设施": (0.01, 1_500_000, 1.0, ["道路", "桥梁", "管网", "广场"]),
    "其他": (0.03, 5_000, 1.0, ["图书", "文物", "其他资产"]),
}
# GB/T 14885 class codes of the names above; a card of another name carries none. Not every
# system exports them: three cards in ten come without (they are matched by name then).
CLASS_CODES = {
    "台式计算机": "A02010104", "笔记本电脑": "A02010105", "服务器": "A02010103", "打印机": "A02021001",
    "复印机": "A02020100", "投影仪": "A02020200", "空调": "A02061800",
    "办公桌": "A05010101", "会议桌": "A05010102", "办公椅": "A05010201", "文件柜": "A05010301", "书架": "A05010302",
    "沙发": "A05010401", "公务用车": "A02030500", "执法车": "A02030600", "巡逻车": "A02030601", "救护车": "A02030700",
    "客车": "A02030200", "检测仪": "A03230100", "医疗设备": "A03180000", "实验设备": "A03200000",
    "监控系统": "A02091000", "教学设备": "A03190000",
}
# what departments ask to buy: names in stock elsewhere, and some that no idle card has
WANTED = {"通用设备": ["台式计算机", "笔记本电脑", "打印机", "复印机", "投影仪", "空调", "服务器", "无人机", "扫描仪"],
          "家具用具": ["办公桌", "办公椅", "文件柜", "会议桌", "书架", "档案密集架"],
          "车辆": ["公务用车", "执法车", "巡逻车", "新能源执法车"],
          "专用设备": ["检测仪", "监控系统", "教学设备", "医疗设备"]}
REASONS = ["新设科室，需配置办公设备", "现有设备已达使用年限", "业务量增加", "新建业务用房配套", "人员增加", "执法装备更新"]
REQUEST_YEARS = (2026, 2027)
LESSEES = ["某物流公司", "某商贸公司", "某餐饮公司", "某科技公司", "某培训机构", "某超市"]
OWNERS = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴霞"]
METHODS = ["自用", "调剂", "共享共用", "出租", "公物仓", "出售", "报废", "转型改造", "市场化运营"]

LAST_MONTH_END = dt.date(2026, 10, 31)   # the newest month the demo computes
FIRST_DAY = dt.date(2003, 1, 1)
# the city set up its 盘活台账 in May 2025 (seeds/003: 建立台账（2025年5月）): an asset idle since
# long before comes onto it then, not with a plan due in 2013 and 台账逾期 for 8,000 days
LEDGER_OPENED = dt.date(2025, 5, 1)


@dataclass
class Department:
    code: str
    name: str
    region_code: str
    region_name: str
    quality: float
    units: list[tuple[str, str]]


def months_to_compute(last: dt.date = LAST_MONTH_END, count: int = 13) -> list[str]:
    index = last.year * 12 + last.month - 1
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(index - count + 1, index + 1)]


def _departments(rng: random.Random) -> list[Department]:
    out = []
    for region_code, region_name, count in [(CITY[0], CITY[1], 45)] + [(c, n, 15) for c, n in COUNTIES]:
        prefix = CITY[1] if region_code == CITY[0] else region_name
        for i, bureau in enumerate(rng.sample(BUREAUS, count), start=1):
            code = f"{region_code}{i:03d}"
            # Beta(4, 1.6): most departments manage well, a tail manages poorly
            quality = rng.betavariate(4, 1.6)
            if code == DEPT_ACCOUNTS["dept"]:
                # the demo's department account manages poorly, so that it meets the whole cycle a
                # department can: its 约谈 and 约谈通知书, commitments to report on with evidence
                quality = min(quality, 0.3)
            n_units = max(1, min(len(UNIT_SUFFIXES), round(rng.gauss(4, 1.6))))
            units = [(f"{code}{j:03d}", f"{prefix}{bureau}{suffix}")
                     for j, suffix in enumerate(rng.sample(UNIT_SUFFIXES, n_units), start=1)]
            out.append(Department(code, f"{prefix}{bureau}", region_code, region_name, quality, units))
    return out


def _money(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


def _day(ordinal: int) -> str:
    return dt.date.fromordinal(ordinal).isoformat()


class LedgerWriter:
    """One row sink per sheet: an xlsx workbook (write-only) or a folder of CSV files."""

    def __init__(self, target: Path):
        self.target = target
        self.xlsx = target.suffix.lower() == ".xlsx"
        self.counts = {t.key: 0 for t in TABLES}
        if self.xlsx:
            self.book = openpyxl.Workbook(write_only=True)
            self.sheets = {t.key: self.book.create_sheet(t.zh) for t in TABLES}
        else:
            target.mkdir(parents=True, exist_ok=True)
            self.files = {t.key: (target / f"{t.zh}.csv").open("w", encoding="utf-8-sig", newline="") for t in TABLES}
            self.sheets = {k: csv.writer(f) for k, f in self.files.items()}
        for table in TABLES:
            self._put(table.key, [c.zh for c in table.columns])
        self.muted = False  # rows of a department left out (write_demo_ledger's `dept`) are drawn, not written

    def row(self, table: str, values: list) -> None:
        if self.muted:
            return
        self.counts[table] += 1
        self._put(table, values)

    def _put(self, table: str, values: list) -> None:
        if self.xlsx:
            self.sheets[table].append(values)
        else:
            self.sheets[table].writerow(values)

    def close(self) -> None:
        if self.xlsx:
            self.book.save(self.target)
        else:
            for f in self.files.values():
                f.close()


def write_demo_ledger(target: str | Path, assets: int = 50_000, seed: int = 2026,
                      dept: str | None = None, gone: frozenset[str] = frozenset()) -> dict[str, int]:
    """Write the demo ledger to `target` (.xlsx file, or a folder of CSV files); returns row counts.
    `dept`: only that department's units and their records, as it sends them itself (报送), no
    purchase requests; the same rows as in the whole city's ledger but for the cards of `gone`
    (assets it no longer holds: transferred to another department) and their records."""
    rng = random.Random(seed)
    departments = _departments(rng)
    units = [(d, code, name) for d in departments for code, name in d.units]
    weights = [rng.lognormvariate(0, 0.6) for _ in units]
    total = sum(weights)
    per_unit = [int(assets * w / total) for w in weights]
    for i in range(assets - sum(per_unit)):
        per_unit[i % len(per_unit)] += 1
    writer = LedgerWriter(Path(target))
    try:
        for one in departments:
            for code, name in one.units:
                writer.muted = dept is not None and one.code != dept
                writer.row("units", [code, name, one.code, one.name, one.region_code, one.region_name,
                                     rng.choice(["行政单位", "事业单位", "事业单位", "国有企业"])])
        gen = _AssetGenerator(rng, writer)
        for (one, unit_code, _), count in zip(units, per_unit):
            for _ in range(count):
                writer.muted = dept is not None and (one.code != dept or gen.next_code in gone)
                gen.asset(one, unit_code)
        writer.muted = False
        if dept is None:
            _requests(random.Random(seed + 1), writer, units, per_year=max(60, min(600, assets // 150)))
    finally:
        writer.close()
    return writer.counts


class _AssetGenerator:
    def __init__(self, rng: random.Random, writer: LedgerWriter):
        self.rng = rng
        self.w = writer
        self.n = 0
        self.plans = self.leases = self.incomes = self.listings = 0
        self.end = LAST_MONTH_END.toordinal() + 20  # a little past the last month: records keep coming
        self.first = FIRST_DAY.toordinal()
        self.opened = LEDGER_OPENED.toordinal()
        self.cats = list(CATEGORIES)
        self.cat_weights = [CATEGORIES[c][0] for c in self.cats]

    @property
    def next_code(self) -> str:
        """The code of the card `asset` writes next."""
        return f"ZC{self.n + 1:09d}"

    def asset(self, dept: Department, unit_code: str) -> None:
        rng, q = self.rng, dept.quality
        code = self.next_code
        self.n += 1
        category = rng.choices(self.cats, self.cat_weights)[0]
        _, median, spread, names = CATEGORIES[category]
        value = max(10_000, int(median * 100 * math.exp(rng.gauss(0, spread))))
        # acquisitions lean to recent years
        acquired = self.end - int((self.end - self.first) * rng.random() ** 1.6)
        timeline = [(acquired, "在用")]
        roll = rng.random()
        if rng.random() < 0.6:  # yearly inventory confirmations: 在用 after 在用
            for _ in range(rng.randint(1, 3)):
                self._change(timeline, "在用", timeline[-1][0] + rng.randint(200, 800))
        p_idle = 0.08 + 0.18 * (1 - q) ** 2
        if category in ("房屋", "土地"):
            p_idle *= 1.6  # idle buildings and land are what the policy documents worry about most
        if roll < p_idle:
            self._idle_story(code, timeline, value, q)
        elif roll < p_idle + 0.03:
            since = self._change(timeline, rng.choice(["低效运转", "待处置"]))
            if rng.random() < 0.5:
                self._plan(code, since + rng.randint(10, 200), q, timeline)
        elif roll < p_idle + 0.06 and category in ("房屋", "车辆", "专用设备", "土地"):
            self._lease_story(code, timeline, value, q)
        elif roll < p_idle + 0.07:
            self._disposal_story(code, timeline, value, q)
        if rng.random() < 0.03:
            self._change(timeline, "在用")  # a plain in-use correction entry
        # the export is of its day (`end`): a yearly confirmation or a story's step due after it has
        # not happened yet, and no card says it has (the import refuses a date still to come)
        timeline = sorted(entry for entry in timeline if entry[0] <= self.end)
        status_since, status = timeline[-1]
        for on, entry in timeline[1:-1]:
            self.w.row("status_changes", [code, _day(on), entry])
        photos = 0 if rng.random() < 0.35 * (1 - q) else rng.randint(1, 6)
        location = "" if rng.random() < 0.2 * (1 - q) else f"{rng.randint(1, 9)}号楼{rng.randint(1, 12)}层{rng.randint(1, 30):02d}室"
        net = int(value * rng.uniform(0.05, 0.95))
        name = rng.choice(names)
        # from the card's number, not the random stream: the same seed keeps the same city
        class_code = CLASS_CODES.get(name) if self.n % 10 >= 3 else None
        self.w.row("assets", [code, unit_code, name, category, _money(value), _money(net),
                              _day(acquired), status, _day(status_since), location, photos,
                              "是" if rng.random() < 0.05 else "否", class_code])

    def _change(self, timeline: list, status: str, on: int | None = None) -> int:
        start = timeline[-1][0] + 1
        if on is None:
            on = start + int((self.end - start) * self.rng.random()) if self.end > start else start
        on = max(on, start)
        timeline.append((on, status))
        return on

    def _idle_story(self, code: str, timeline: list, value: int, q: float) -> None:
        rng = self.rng
        since = self._change(timeline, "闲置")
        if rng.random() < 0.15:
            self._change(timeline, "闲置", since + rng.randint(30, 200))  # re-confirmed: run continues
        if rng.random() < 0.6 + 0.35 * q:
            self._plan(code, since + rng.randint(10, 200), q, timeline)
        if timeline[-1][1] == "闲置" and rng.random() < 0.35:
            self.listings += 1
            listed = since + rng.randint(0, 120)
            delisted = listed + rng.randint(30, 400) if rng.random() < 0.3 else None
            if delisted and delisted > self.end:
                delisted = None
            self.w.row("listings", [f"{self.listings:08d}", code, rng.choice(["调剂", "共享"]),
                                    rng.choice(["本地区", "本地区", "全省", "全国"]), _day(min(listed, self.end)),
                                    _day(delisted) if delisted else None,
                                    rng.choice(["已调剂", "已共享", "撤回"]) if delisted else None,
                                    "某接收单位" if delisted else None])
        if timeline[-1][1] == "出租":
            self._lease_records(code, timeline[-1][0], value, q)

    def _plan(self, code: str, listed: int, q: float, timeline: list) -> None:
        """A revitalization plan; when done, the asset leaves the pool on that day."""
        rng = self.rng
        if listed < self.opened:  # onto the 台账 in its first two months, spread by the day itself
            listed = self.opened + listed % 61
        listed = min(listed, self.end)
        due = listed + rng.randint(90, 360)
        done = None
        if rng.random() < 0.2 + 0.7 * q:
            done = due - rng.randint(-120, 60) if rng.random() < 0.8 else due + rng.randint(1, 200)
            done = max(done, listed + 1, timeline[-1][0] + 1)
            if done <= self.end:
                self._change(timeline, rng.choice(["在用", "出租", "已处置"]), done)
            else:
                done = None
        self.plans += 1
        self.w.row("plans", [f"TZ{self.plans:08d}", code, rng.choice(METHODS), rng.choice(OWNERS),
                             _day(listed), _day(due), _day(done) if done else None])

    def _lease_story(self, code: str, timeline: list, value: int, q: float) -> None:
        self._lease_records(code, self._change(timeline, "出租"), value, q)

    def _lease_records(self, code: str, start: int, value: int, q: float) -> None:
        """Successive contracts from `start`; a poorly run department sometimes lets one lapse."""
        rng = self.rng
        rent = max(100_00, int(value * rng.uniform(0.03, 0.08)))
        appraised = "是" if rng.random() < 0.75 + 0.25 * q else "否"
        public = "是" if rng.random() < 0.7 + 0.3 * q else "否"
        while start <= self.end:
            end = start + 365 * rng.randint(1, 3) - 1
            self.leases += 1
            self.w.row("leases", [f"HT{self.leases:08d}", code, rng.choice(LESSEES), _day(start), _day(end),
                                  _money(rent), appraised, public])
            self._rent_income(code, max(start, self.end - 730), min(end, self.end), rent, q)
            if rng.random() < 0.08 * (1 - q) + 0.01:
                break  # lapsed: still leased out, no valid contract
            start = end + 1

    def _rent_income(self, code: str, first: int, last: int, rent: int, q: float) -> None:
        """Monthly rent over the last two years, turned over promptly or late by the department's quality."""
        rng = self.rng
        received = first + 30
        while received <= last:
            late = rng.random() > 0.55 + 0.45 * q
            remitted_on = received + (rng.randint(35, 200) if late else rng.randint(1, 25))
            remitted = None if remitted_on > self.end or (late and rng.random() < 0.5) else remitted_on
            self._income(code, "出租收入", received, rent // 12, None, remitted)
            received += 30

    def _disposal_story(self, code: str, timeline: list, value: int, q: float) -> None:
        rng = self.rng
        pending = self._change(timeline, "待处置")
        if rng.random() < 0.6 and pending + 30 < self.end:
            sold = self._change(timeline, "已处置", pending + rng.randint(30, 300))
            if sold <= self.end and rng.random() < 0.5:
                appraised = max(100_00, int(value * rng.uniform(0.05, 0.4)))
                amount = int(appraised * (rng.uniform(0.85, 0.99) if rng.random() < 0.1 else rng.uniform(1.0, 1.3)))
                remitted_on = sold + (rng.randint(2, 25) if rng.random() < 0.6 + 0.4 * q else rng.randint(40, 200))
                self._income(code, "处置收入", sold, amount, appraised, remitted_on if remitted_on <= self.end else None)

    def _income(self, code: str, kind: str, received: int, amount: int, appraised: int | None,
                remitted_on: int | None) -> None:
        self.incomes += 1
        self.w.row("income", [f"SR{self.incomes:09d}", code, kind, _day(received), _money(amount),
                              _money(appraised) if appraised else None, _day(remitted_on) if remitted_on else None,
                              _money(amount) if remitted_on else "0.00"])



def _requests(rng: random.Random, writer: LedgerWriter, units: list, per_year: int) -> None:
    """Purchase requests (配置需求) of each budget year, filed in the summer and autumn before it;
    more from poorly run departments (they also hold more idle stock)."""
    weights = [1.5 - dept.quality for dept, _, _ in units]
    cats = list(WANTED)
    n = 0
    for year in REQUEST_YEARS:
        first = dt.date(year - 1, 6, 1).toordinal()
        last = min(dt.date(year - 1, 11, 15), LAST_MONTH_END + dt.timedelta(days=20)).toordinal()
        for _ in range(per_year):
            n += 1
            dept, unit_code, _ = rng.choices(units, weights)[0]
            category = rng.choices(cats, [0.5, 0.3, 0.1, 0.1])[0]
            name = rng.choice(WANTED[category])
            median = CATEGORIES[category][1]
            quantity = rng.choice([1, 1, 1, 2, 2, 3, 5, 10]) if category in ("通用设备", "家具用具") else 1
            price = max(500_00, int(median * 100 * math.exp(rng.gauss(0.3, 0.4))))
            code = CLASS_CODES.get(name) if rng.random() < 0.6 else None
            if code and rng.random() < 0.3:
                code = code[:7]  # a wider class: any asset of it will do
            writer.row("requests", [f"XQ{year}{n:05d}", unit_code, year, name, category, code, quantity,
                                    _money(price), _day(rng.randint(first, last)), rng.choice(REASONS)])


# ---- the demo's database ---------------------------------------------------------------------

DEMO_PASSWORD = "panhuo-demo"
# what a rebuilt demo keeps: who may log in, what they did, what was imported
KEPT = {model.__tablename__ for model in (User, ApiToken, LoginAttempt, ImportRecord, AuditEntry)}


class DemoError(UserError):
    pass


WEEKLY_TEXTS = [("完成闲置资产清查，{n}项资产已列入盘活台账", "部分资产权属资料不全", "推进公物仓调剂，完成照片补录"),
                ("调剂闲置设备{n}台至下属单位使用", "无", "对接财政局公物仓办理入仓手续"),
                ("出租门面房{n}间，租金已按期上缴", "个别承租方缴款滞后", "督促承租方按期缴款并上缴国库"),
                ("报废处置老旧设备{n}台，处置收入已上缴", "评估报告出具较慢", "完成剩余资产评估与处置")]


def reporting_history(engine: Engine, months: list[str], today: dt.date, due_day: int, seed: int = 2026,
                      zone: str = "Asia/Shanghai") -> dict[str, int]:
    """What the units sent in the months before (reporting.md), as a bureau would find it: most on
    time, some late, a few missing, confirmations where nothing changed; and the departments' weekly
    reports of the last four weeks, most of them in time. The demo's own bulk load reports nothing.
    Each is recorded at nine in the morning of the day it came (`zone`), before anything done since."""
    rng = random.Random(seed + 5)
    counts = {"on_time": 0, "late": 0, "missing": 0, "weekly": 0}
    with session_scope(engine, write=True) as s:
        s.execute(delete(Submission))
        s.execute(delete(WeeklyReport))
        units = s.execute(select(Unit.code, Unit.dept_code, DepartmentRow.region_code)
                          .join(DepartmentRow, DepartmentRow.code == Unit.dept_code).order_by(Unit.code)).all()
        senders = {code: username for username, code in DEPT_ACCOUNTS.items()}
        quality = {dept: rng.random() for dept in sorted({u.dept_code for u in units})}
        # a ledger counts as sent after a case was closed off from the second of the 销号 on (the
        # case sync): the history stays a minute before whatever the demo does next
        rows, earlier = [], clock.now() - dt.timedelta(minutes=1)
        for month in months:
            start = reporting.due_date(month, 1)
            for unit in units:
                q, draw = quality[unit.dept_code], rng.random()
                if draw < 0.55 + 0.4 * q:
                    day = start + dt.timedelta(days=rng.randrange(due_day))
                elif draw < 0.93 + 0.05 * q:
                    day = start + dt.timedelta(days=due_day + rng.randrange(20))
                else:
                    counts["missing"] += 1
                    continue
                if day > today:
                    continue  # not received yet: pending
                counts["on_time" if day <= start.replace(day=due_day) else "late"] += 1
                rows.append(dict(unit_code=unit.code, month=month, received_on=day,
                                 channel="confirm" if rng.random() < 0.15 else "import",
                                 sender=senders.get(unit.dept_code, "supervisor"),
                                 created_at=min(clock.start_of(day, zone) + dt.timedelta(hours=9), earlier)))
        s.execute(insert(Submission), rows)
        departments = s.execute(select(DepartmentRow.code, DepartmentRow.region_code)).all()
        for back in range(1, 5):
            week = reporting.week_of(today - dt.timedelta(weeks=back))
            for dept in departments:
                if rng.random() > 0.55 + 0.4 * quality.get(dept.code, 0.5):
                    continue  # 未报
                progress, problems, plan = rng.choice(WEEKLY_TEXTS)
                late = rng.random() < 0.1
                s.add(WeeklyReport(dept_code=dept.code, region_code=dept.region_code, week=week, version=1,
                                   progress=progress.format(n=rng.randint(1, 12)), problems=problems, next_plan=plan,
                                   signer=rng.choice(OWNERS), submitted_by=senders.get(dept.code, "demo"),
                                   submitted_at=clock.now() - dt.timedelta(days=7 * back) if not late else
                                   clock.now() - dt.timedelta(days=7 * back - 1), late=late))
                counts["weekly"] += 1
    return counts


def clear_ledger(engine: Engine) -> None:
    """Empty the ledger, the snapshots and the workflow for a new demo city, but only where the
    database holds nothing but the demo city; accounts, imports and the audit log stay."""
    demo_regions = {CITY[0], *(code for code, _ in COUNTIES)}
    with session_scope(engine, write=True) as s:
        if set(s.scalars(select(Region.code))) - demo_regions:
            raise DemoError("配置的数据库中已有非演示数据，演示不会覆盖它；请用 PANHUO_DATABASE_URL 指定另一个数据库 / the "
                            "configured database holds a ledger that is not the demo city; point PANHUO_DATABASE_URL "
                            "at another database")
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT:
                s.execute(delete(table))


def demo_accounts(engine: Engine) -> list[tuple[str, str, str | None, str]]:
    """One account per role (created, or reset to the demo password): (username, role, scope, password)."""
    wanted = [("leader", "leader", None), ("supervisor", "supervisor", None), ("admin", "admin", None),
              ("screen", "screen", None), ("county", "county", COUNTIES[0][0]),
              *((username, "department", code) for username, code in DEPT_ACCOUNTS.items())]
    with session_scope(engine, write=True) as s:
        for username, role, scope_code in wanted:
            try:
                accounts.add_user(s, username, role, DEMO_PASSWORD, scope_code)
            except accounts.AccountError:
                accounts.set_password(s, username, DEMO_PASSWORD)
    return [(u, r, c, DEMO_PASSWORD) for u, r, c in wanted]
