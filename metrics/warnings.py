"""Early-warning rules of warnings.md, evaluated for one snapshot date D.

Each rule is one SQL query that returns the rows it fires on with their place
(asset, unit, department, region); levels, days and messages are set here.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Connection

from ledger.config import Config
from ledger.vocab import CATEGORIES, POOL_STATUSES, label
from metrics.kpis import OVERDUE_MONTHS, in_scope_sql, late_income_sql, months_idle_sql, query
from metrics.timeline import as_date, months_between, year_before

RULES = {
    "idle_overdue": "超期闲置", "idle_no_plan": "闲置未列台账", "plan_overdue": "台账逾期",
    "remit_late": "收入逾期未缴", "lease_no_contract": "出租无有效合同", "lease_irregular": "出租程序不规范",
    "below_appraisal": "低于评估价处置", "stale_listing": "长期在仓未调剂", "buy_while_idle": "有闲置仍新购",
    "data_gap": "资料不全",
}
LEVELS = ("yellow", "orange", "red")


@dataclass
class Warning:
    rule: str
    level: str
    ref: str
    asset_code: str
    unit_code: str
    dept_code: str
    region_code: str
    days: int | None
    months: int | None
    message: str


PLACE = ("a.code AS asset_code, a.unit_code AS unit_code, u.dept_code AS dept_code, "
         "dp.region_code AS region_code")
PLACE_JOIN = "JOIN units u ON u.code = a.unit_code JOIN departments dp ON dp.code = u.dept_code"


def _idle_level(months: int, thresholds: list[int]) -> str | None:
    level = None
    for name, threshold in zip(LEVELS, thresholds):
        if months >= threshold:
            level = name
    return level


def evaluate(conn: Connection, d: dt.date, config: Config) -> list[Warning]:
    out: list[Warning] = []
    y = year_before(d)
    idle_months = config["warnings.idle_months"]

    def add(rule, level, row, ref=None, days=None, months=None, message=""):
        out.append(Warning(rule, level, ref or row.asset_code, row.asset_code, row.unit_code, row.dept_code,
                           row.region_code, days, months, message))

    # idle_overdue, idle_no_plan: idle on D for 6+ months
    months_sql = months_idle_sql(conn)
    rows = query(conn, f"""
        SELECT {PLACE}, {months_sql} AS months,
               EXISTS (SELECT 1 FROM plans p WHERE p.asset_code = a.code AND p.listed_on <= :d) AS has_plan
          FROM status_spans s JOIN assets a ON a.code = s.asset_code {PLACE_JOIN}
         WHERE {in_scope_sql()} AND s.status = 'idle' AND {months_sql} >= :least""",
                 d=d, dm=d.year * 12 + d.month, least=min(idle_months[0], OVERDUE_MONTHS))
    for row in rows:
        level = _idle_level(row.months, idle_months)
        if level:
            add("idle_overdue", level, row, months=row.months, message=f"资产已闲置 {row.months} 个月")
        if row.months >= OVERDUE_MONTHS and not row.has_plan:
            add("idle_no_plan", "orange", row, months=row.months,
                message=f"闲置 {row.months} 个月仍未列入盘活台账")

    # plan_overdue
    rows = query(conn, f"""
        SELECT {PLACE}, p.plan_id, p.due_on FROM plans p JOIN assets a ON a.code = p.asset_code {PLACE_JOIN}
         WHERE p.due_on < :d AND NOT (p.done_on IS NOT NULL AND p.done_on <= :d)""", d=d)
    for row in rows:
        days = (d - as_date(row.due_on)).days
        level = "red" if days > config["warnings.plan_red_days"] else "orange"
        add("plan_overdue", level, row, ref=row.plan_id, days=days, message=f"盘活台账逾期 {days} 天未完成")

    # remit_late
    rows = query(conn, f"""
        SELECT {PLACE}, i.income_id, i.received_on FROM income i JOIN assets a ON a.code = i.asset_code {PLACE_JOIN}
         WHERE {late_income_sql()}""", d=d, late=d - dt.timedelta(days=config["warnings.remit_deadline_days"]))
    for row in rows:
        days = (d - as_date(row.received_on)).days
        level = "red" if days > config["warnings.remit_red_days"] else "orange"
        add("remit_late", level, row, ref=row.income_id, days=days, message=f"收入到账 {days} 天未足额上缴国库")

    # lease_no_contract
    rows = query(conn, f"""
        SELECT {PLACE} FROM status_spans s JOIN assets a ON a.code = s.asset_code {PLACE_JOIN}
         WHERE {in_scope_sql()} AND s.status = 'leased'
           AND NOT EXISTS (SELECT 1 FROM leases l WHERE l.asset_code = a.code
                           AND l.start_on <= :d AND l.end_on >= :d)""", d=d)
    for row in rows:
        add("lease_no_contract", "yellow", row, message="资产出租但无有效租赁合同")

    # lease_irregular
    rows = query(conn, f"""
        SELECT {PLACE}, l.lease_id, l.appraised, l.public_bidding FROM leases l
          JOIN assets a ON a.code = l.asset_code {PLACE_JOIN}
         WHERE l.start_on > :y AND l.start_on <= :d AND (NOT l.appraised OR NOT l.public_bidding)""", d=d, y=y)
    for row in rows:
        missing = "、".join(x for x, ok in (("未评估", row.appraised), ("未公开招租", row.public_bidding)) if not ok)
        add("lease_irregular", "yellow", row, ref=row.lease_id, message=f"出租程序不规范：{missing}")

    # below_appraisal
    rows = query(conn, f"""
        SELECT {PLACE}, i.income_id, i.amount, i.appraised_value FROM income i
          JOIN assets a ON a.code = i.asset_code {PLACE_JOIN}
         WHERE i.kind = 'disposal' AND i.received_on > :y AND i.received_on <= :d
           AND i.appraised_value IS NOT NULL AND i.amount < i.appraised_value""", d=d, y=y)
    for row in rows:
        add("below_appraisal", "red", row, ref=row.income_id,
            message=f"处置收入 {row.amount / 100:,.2f} 元低于评估价值 {row.appraised_value / 100:,.2f} 元")

    # stale_listing
    rows = query(conn, f"""
        SELECT {PLACE}, l.listing_id, l.listed_on FROM listings l JOIN assets a ON a.code = l.asset_code {PLACE_JOIN}
         WHERE l.listed_on < :stale AND (l.delisted_on IS NULL OR l.delisted_on > :d)""",
                 d=d, stale=d - dt.timedelta(days=config["warnings.stale_listing_days"]))
    for row in rows:
        days = (d - as_date(row.listed_on)).days
        add("stale_listing", "yellow", row, ref=row.listing_id, days=days, message=f"在公物仓 {days} 天仍未调剂")

    # buy_while_idle
    for row in _buy_while_idle(conn, d, y, config):
        add("buy_while_idle", "orange", row,
            message=f"部门已有闲置满 {OVERDUE_MONTHS} 个月的同类资产（{label(CATEGORIES, row.category)}）仍新购")

    # data_gap
    pool = ", ".join(f"'{p}'" for p in POOL_STATUSES)
    rows = query(conn, f"""
        SELECT {PLACE}, a.photo_count, a.location FROM status_spans s JOIN assets a ON a.code = s.asset_code
          {PLACE_JOIN}
         WHERE {in_scope_sql()} AND s.status IN ({pool})
           AND (a.photo_count = 0 OR a.location IS NULL OR a.location = '')""", d=d)
    for row in rows:
        gaps = "、".join(x for x, gap in (("无照片", row.photo_count == 0), ("无存放地点", not row.location)) if gap)
        add("data_gap", "yellow", row, message=f"待盘活资产资料不全：{gaps}")
    return out


def _buy_while_idle(conn: Connection, d: dt.date, y: dt.date, config: Config):
    """Assets bought in the 12 months up to D while the department held a same-category asset idle 6+ months.

    Candidates and the idle spans they can meet are small subsets; the pairing is done in pandas.
    """
    categories = [CATEGORIES.get(c, c) for c in config["warnings.buy_while_idle_categories"]]
    if not categories:
        return []
    cats = ", ".join(f"'{c}'" for c in categories)
    bought = query(conn, f"""
        SELECT {PLACE}, a.category, a.acquired_on FROM assets a {PLACE_JOIN}
         WHERE a.category IN ({cats}) AND a.acquired_on > :y AND a.acquired_on <= :d""", d=d, y=y)
    bought = pd.DataFrame(bought.fetchall(), columns=list(bought.keys()))
    if bought.empty:
        return []
    idle = query(conn, f"""
        SELECT a.code AS idle_code, u.dept_code, a.category, a.acquired_on AS idle_acquired,
               s.start_on, s.end_on, s.run_start
          FROM status_spans s JOIN assets a ON a.code = s.asset_code {PLACE_JOIN}
         WHERE s.status = 'idle' AND a.category IN ({cats}) AND s.start_on <= :d
           AND (s.end_on IS NULL OR s.end_on > :y)""", d=d, y=y)
    idle = pd.DataFrame(idle.fetchall(), columns=list(idle.keys()))
    if idle.empty:
        return []
    for frame, cols in ((bought, ["acquired_on"]), (idle, ["idle_acquired", "start_on", "end_on", "run_start"])):
        for col in cols:
            frame[col] = pd.to_datetime(frame[col])
    pairs = bought.merge(idle, on=["dept_code", "category"])
    on_a = pairs.acquired_on
    pairs = pairs[(pairs.idle_code != pairs.asset_code) & (pairs.idle_acquired <= on_a) & (pairs.start_on <= on_a)
                  & (pairs.end_on.isna() | (pairs.end_on > on_a))]
    # months_between falls as the idle start moves later: the earliest run start decides.
    earliest = pairs.groupby(["asset_code", "acquired_on"], as_index=False).agg(run_start=("run_start", "min"))
    firing = {code for code, start, bought_on in zip(earliest.asset_code, earliest.run_start, earliest.acquired_on)
              if months_between(start.date(), bought_on.date()) >= OVERDUE_MONTHS}
    return list(bought[bought.asset_code.isin(firing)].itertuples(index=False))
