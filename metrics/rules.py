"""The early-warning rules of warnings.md: a registry, one small function per rule.

A rule returns DuckDB SQL over the engine's tables (`facts`: assets in scope on D; the ledger
tables; `place`) selecting ref, asset_code, level, days, months and message, with the
parameters it binds. Config values are only ever bound, never pasted into the SQL text.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable

import duckdb

from ledger import vocab
from ledger.config import Config
from ledger.models import SCORE_NAMES
from ledger.vocab import CATEGORIES
from metrics.definitions import overdue_months
from metrics.figures import LATE_INCOME
from metrics.timeline import year_before

LEVELS = tuple(vocab.LEVELS)  # yellow, orange, red


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # Chinese, as pages, exports and documents name it
    levels: tuple[str, ...]
    settings: tuple[str, ...]  # the config keys it reads
    query: Callable[[dt.date, Config], tuple[str, dict]]
    fix: str | None  # what fixing it is (vocab.FIX_ACTIONS: idle, plan, remit, quality); None: no points at stake
    scores: tuple[str, ...]  # the sub-scores its firing costs points on


RULES: dict[str, Rule] = {}


def rule(id: str, name: str, levels: tuple[str, ...], settings: tuple[str, ...] = (), fix: str | None = None,
         scores: tuple[str, ...] = ()):
    def register(query):
        RULES[id] = Rule(id, name, levels, settings, query, fix, scores)
        return query
    return register


@rule("idle_overdue", "超期闲置", LEVELS, ("warnings.idle_months",), fix="idle", scores=("idle", "overdue"))
def idle_overdue(d: dt.date, config: Config):
    yellow, orange, red = config["warnings.idle_months"]
    return """
        SELECT asset_code AS ref, asset_code,
               CASE WHEN months_idle >= $red THEN 'red' WHEN months_idle >= $orange THEN 'orange'
                    ELSE 'yellow' END AS level,
               NULL AS days, months_idle AS months, '资产已闲置 ' || months_idle || ' 个月' AS message
          FROM facts WHERE status = 'idle' AND months_idle >= $yellow""", {
        "yellow": yellow, "orange": orange, "red": red}


@rule("idle_no_plan", "闲置未列台账", ("orange",), fix="idle", scores=("idle",))
def idle_no_plan(d: dt.date, config: Config):
    return """
        SELECT f.asset_code AS ref, f.asset_code, 'orange' AS level, NULL AS days, f.months_idle AS months,
               '闲置 ' || f.months_idle || ' 个月仍未列入盘活台账' AS message
          FROM facts f
         WHERE f.status = 'idle' AND f.months_idle >= $overdue
           AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.asset_code = f.asset_code AND p.listed_on <= $d)""", {
        "d": d, "overdue": overdue_months(config)}


def _late(source: str, ref: str, since: str, where: str, message: tuple[str, str]) -> str:
    """Rows of `source` that are `days` past `since` on D: orange, red beyond $red_days days."""
    before, after = message
    return f"""
        SELECT ref, asset_code, CASE WHEN days > $red_days THEN 'red' ELSE 'orange' END AS level, days,
               NULL AS months, '{before}' || days || '{after}' AS message
          FROM (SELECT {ref} AS ref, asset_code, date_diff('day', {since}, $d) AS days FROM {source} WHERE {where})"""


@rule("plan_overdue", "台账逾期", ("orange", "red"), ("warnings.plan_red_days",), fix="plan", scores=("completion",))
def plan_overdue(d: dt.date, config: Config):
    return _late("plans", "plan_id", "due_on", "due_on < $d AND (done_on IS NULL OR done_on > $d)",
                 ("盘活台账逾期 ", " 天未完成")), {"d": d, "red_days": config["warnings.plan_red_days"]}


@rule("remit_late", "收入逾期未缴", ("orange", "red"),
      ("warnings.remit_deadline_days", "warnings.remit_red_days"), fix="remit", scores=("remit",))
def remit_late(d: dt.date, config: Config):
    # exactly the income rows the late_income_count figure counts
    return _late("income", "income_id", "received_on", LATE_INCOME, ("收入到账 ", " 天未足额上缴国库")), {
        "d": d, "late": d - dt.timedelta(days=config["warnings.remit_deadline_days"]),
        "red_days": config["warnings.remit_red_days"]}


@rule("lease_no_contract", "出租无有效合同", ("yellow",))
def lease_no_contract(d: dt.date, config: Config):
    return """
        SELECT f.asset_code AS ref, f.asset_code, 'yellow' AS level, NULL AS days, NULL AS months,
               '资产出租但无有效租赁合同' AS message
          FROM facts f
         WHERE f.status = 'leased' AND NOT EXISTS (
               SELECT 1 FROM leases l WHERE l.asset_code = f.asset_code AND l.start_on <= $d AND l.end_on >= $d)""", {
        "d": d}


@rule("lease_irregular", "出租程序不规范", ("yellow",))
def lease_irregular(d: dt.date, config: Config):
    return """
        SELECT lease_id AS ref, asset_code, 'yellow' AS level, NULL AS days, NULL AS months,
               '出租程序不规范：' || concat_ws('、', CASE WHEN NOT appraised THEN '未评估' END,
                                                 CASE WHEN NOT public_bidding THEN '未公开招租' END) AS message
          FROM leases
         WHERE start_on > $y AND start_on <= $d AND (NOT appraised OR NOT public_bidding)""", {
        "d": d, "y": year_before(d)}


@rule("below_appraisal", "低于评估价处置", ("red",))
def below_appraisal(d: dt.date, config: Config):
    return """
        SELECT income_id AS ref, asset_code, 'red' AS level, NULL AS days, NULL AS months,
               '处置收入 ' || format('{:,.2f}', amount / 100) || ' 元低于评估价值 '
                   || format('{:,.2f}', appraised_value / 100) || ' 元' AS message
          FROM income
         WHERE kind = 'disposal' AND received_on > $y AND received_on <= $d
           AND appraised_value IS NOT NULL AND amount < appraised_value""", {"d": d, "y": year_before(d)}


@rule("stale_listing", "长期在仓未调剂", ("yellow",), ("warnings.stale_listing_days",))
def stale_listing(d: dt.date, config: Config):
    return """
        SELECT listing_id AS ref, asset_code, 'yellow' AS level, date_diff('day', listed_on, $d) AS days,
               NULL AS months, '在公物仓 ' || date_diff('day', listed_on, $d) || ' 天仍未调剂' AS message
          FROM listings WHERE listed_on < $stale AND (delisted_on IS NULL OR delisted_on > $d)""", {
        "d": d, "stale": d - dt.timedelta(days=config["warnings.stale_listing_days"])}


@rule("buy_while_idle", "有闲置仍新购", ("orange",), ("warnings.buy_while_idle_categories",))
def buy_while_idle(d: dt.date, config: Config):
    # An asset bought in the 12 months up to D while its department held a same-category asset
    # that had been idle for 6+ months on the purchase day. months_between falls as the idle run
    # starts later, so the earliest run start of the idle spans covering that day decides.
    return """
        WITH bought AS (
            SELECT p.asset_code, p.dept_code, a.category, a.acquired_on FROM assets a JOIN place p ON p.asset_code = a.code
             WHERE list_contains($categories, a.category) AND a.acquired_on > $y AND a.acquired_on <= $d),
        idle AS (
            SELECT p.asset_code, p.dept_code, a.category, a.acquired_on, s.start_on, s.end_on, s.run_start
              FROM spans s JOIN assets a ON a.code = s.asset_code JOIN place p ON p.asset_code = s.asset_code
             WHERE s.status = 'idle' AND list_contains($categories, a.category) AND s.start_on <= $d
               AND (s.end_on IS NULL OR s.end_on > $y)),
        firing AS (
            SELECT b.asset_code, any_value(b.category) AS category
              FROM bought b JOIN idle i ON i.dept_code = b.dept_code AND i.category = b.category
             WHERE i.asset_code <> b.asset_code AND i.acquired_on <= b.acquired_on AND i.start_on <= b.acquired_on
               AND (i.end_on IS NULL OR i.end_on > b.acquired_on)
             GROUP BY b.asset_code, b.acquired_on
            HAVING months_between(MIN(i.run_start), b.acquired_on) >= $overdue)
        SELECT f.asset_code AS ref, f.asset_code, 'orange' AS level, NULL AS days, NULL AS months,
               '部门已有闲置满 ' || $overdue || ' 个月的同类资产（' || c.label || '）仍新购' AS message
          FROM firing f JOIN category_labels c ON c.key = f.category""", {
        "d": d, "y": year_before(d), "overdue": overdue_months(config),
        "categories": [CATEGORIES.get(c, c) for c in config["warnings.buy_while_idle_categories"]]}


@rule("data_gap", "资料不全", ("yellow",), fix="quality", scores=("quality",))
def data_gap(d: dt.date, config: Config):
    return """
        SELECT asset_code AS ref, asset_code, 'yellow' AS level, NULL AS days, NULL AS months,
               '待盘活资产资料不全：' || concat_ws('、', CASE WHEN photo_count = 0 THEN '无照片' END,
                                              CASE WHEN location IS NULL OR location = '' THEN '无存放地点' END)
                   AS message
          FROM facts WHERE pool AND (photo_count = 0 OR location IS NULL OR location = '')""", {}


NAMES = {r.id: r.name for r in RULES.values()}  # rule id -> Chinese name, in warnings.md's order
# what fixing each kind of item means, and the rules whose warnings name such items
FIXED_BY = {kind: tuple(r.id for r in RULES.values() if r.fix == kind) for kind in vocab.FIX_ACTIONS}
# the rules whose warnings explain the points lost on each sub-score
BEHIND_SCORE = {name: tuple(r.id for r in RULES.values() if name in r.scores) for name in SCORE_NAMES}


def evaluate(duck: duckdb.DuckDBPyConnection, d: dt.date, config: Config, only: str | None = None) -> None:
    """Table `warnings`: every rule's rows with their place and first_seen (kept from the
    previous month's snapshot while the same rule fires on the same ref)."""
    duck.execute("CREATE OR REPLACE TABLE category_labels AS SELECT * FROM (VALUES "
                 + ", ".join("(?, ?)" for _ in CATEGORIES) + ") t(key, label)",
                 [x for zh, key in CATEGORIES.items() for x in (key, zh)])
    duck.execute("""CREATE OR REPLACE TABLE fired (rule VARCHAR, ref VARCHAR, asset_code VARCHAR, level VARCHAR,
                    days INTEGER, months INTEGER, message VARCHAR)""")
    for item in RULES.values():
        if only and item.id != only:
            continue
        sql, params = item.query(d, config)
        duck.execute(f"INSERT INTO fired SELECT $rule_id, ref, asset_code, level, days, months, message FROM ({sql})",
                     {**params, "rule_id": item.id})
    duck.execute("""
        CREATE OR REPLACE TABLE warnings AS
        SELECT w.rule, w.ref, w.level, w.asset_code, p.unit_code, p.dept_code, p.region_code, w.days, w.months,
               COALESCE(before.first_seen, $d) AS first_seen, w.message
          FROM fired w JOIN place p ON p.asset_code = w.asset_code
          LEFT JOIN warning_rows_prev before ON before.rule = w.rule AND before.ref = w.ref""", {"d": d})

