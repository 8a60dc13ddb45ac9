"""Every indicator of metrics.md declared once: what it divides, which way is better, how it
is scored, what it is called and how it is shown. The engine's SQL, the score, the attribution
("where the points went"), the what-if and the pages all derive from these declarations.
"""
from __future__ import annotations

from dataclasses import dataclass

from ledger.config import Config
from ledger.models import SCORE_NAMES


def overdue_months(config: Config) -> int:
    """Idle this many months or more is overdue idle: the figures' threshold and the yellow level
    of the idle_overdue warning are one setting (`[warnings] idle_months`, its first value)."""
    return int(config["warnings.idle_months"][0])


@dataclass(frozen=True)
class Indicator:
    key: str  # the KPI column
    numerator: str
    denominator: str  # undefined where it is 0
    label: str  # as pages and documents name it
    note: str  # one line for a tooltip: what it measures
    undefined_because: str  # why it is undefined, as a sentence says it: 无（…）
    score: str | None = None  # the sub-score it feeds ([score.<score>] good, bad, weight)
    lower_is_better: bool = True

    @property
    def sql(self) -> str:
        """The indicator over a row of figures, in DuckDB SQL (NULL when undefined)."""
        return (f"CASE WHEN {self.denominator} = 0 OR {self.denominator} IS NULL THEN NULL "
                f"ELSE CAST({self.numerator} AS DOUBLE) / {self.denominator} END")

    def target(self, config: Config) -> str:
        """The full-marks threshold as people read it: ≤2% or ≥90%."""
        good = config.score_rule(self.score)[0]
        return f"{'≤' if self.lower_is_better else '≥'}{good * 100:g}%"


INDICATORS: tuple[Indicator, ...] = (
    Indicator("idle_rate", "idle_value", "base_value", "闲置率", "闲置资产原值占在账资产原值的比例", "无在册资产",
              score="idle"),
    Indicator("overdue_idle_rate", "overdue_idle_value", "base_value", "超期闲置率",
              "超期闲置资产原值占在账资产原值的比例", "无在册资产", score="overdue"),
    Indicator("avg_months_idle", "sum_months_idle", "idle_count", "平均闲置月数", "闲置资产的平均闲置月数",
              "无闲置资产"),
    Indicator("due_completion_rate", "due_done_value", "due_value", "到期盘活完成率",
              "到期盘活台账中已完成部分的原值占比", "本月无到期盘活台账", score="completion", lower_is_better=False),
    Indicator("completion_rate", "done_value", "plan_value", "台账完成率", "已列入盘活台账的资产中已盘活的原值占比",
              "无盘活台账", lower_is_better=False),
    Indicator("remit_rate", "income_remitted", "income_received", "收入上缴率",
              "近 12 个月资产收入中已上缴国库的比例", "近12个月无盘活收入", score="remit", lower_is_better=False),
    Indicator("lease_remit_rate", "lease_income_remitted", "lease_income_received", "出租收入上缴率",
              "近 12 个月出租收入中已上缴国库的比例", "近12个月无出租收入", lower_is_better=False),
    Indicator("data_quality_rate", "pool_ok_count", "pool_count", "数据质量率",
              "待盘活资产中照片和存放地点齐全的比例", "无待盘活资产", score="quality", lower_is_better=False),
    Indicator("listing_rate", "listed_idle_value", "idle_value", "入仓率", "闲置资产中已入公物仓的原值占比",
              "无闲置资产", lower_is_better=False),
)
BY_KEY = {i.key: i for i in INDICATORS}
# the five sub-scores in metrics.md's order, each with its indicator
SCORED: dict[str, Indicator] = {name: next(i for i in INDICATORS if i.score == name) for name in SCORE_NAMES}


# ---- every figure a person reads: its name, its kind (how it is shown) and which way is better ----

@dataclass(frozen=True)
class Figure:
    """A figure as metrics.md's "Showing a figure" shows it.

    kind: rate (12.35%), score (87.6分), money (yuan; 1,234.5万元), count (1,234 with `unit`),
    months (whole months), avg_months (a mean of months, one decimal), rank (第 3 名).
    better: "lower", "higher", or None where neither is (a count of assets, a value).
    """
    key: str
    label: str
    kind: str
    better: str | None = None
    unit: str = ""  # what a count counts: 项, 笔, 个
    undefined_because: str = "无可计算数据"


def _rate(indicator: Indicator) -> Figure:
    kind = "avg_months" if indicator.key == "avg_months_idle" else "rate"
    better = None if kind == "avg_months" else ("lower" if indicator.lower_is_better else "higher")
    return Figure(indicator.key, indicator.label, kind, better, undefined_because=indicator.undefined_because)


FIGURES: dict[str, Figure] = {f.key: f for f in [
    Figure("asset_count", "资产数", "count", unit="项"), Figure("base_value", "资产原值", "money"),
    Figure("idle_count", "闲置资产数", "count", "lower", "项"), Figure("idle_value", "闲置资产原值", "money", "lower"),
    Figure("underused_value", "低效运转原值", "money", "lower"),
    Figure("pending_disposal_value", "待处置原值", "money"), Figure("leased_value", "出租出借原值", "money"),
    Figure("overdue_idle_count", "超期闲置资产", "count", "lower", "项"),
    Figure("overdue_idle_value", "超期闲置原值", "money", "lower"),
    Figure("max_months_idle", "最长闲置月数", "months", "lower", undefined_because="无闲置资产"),
    Figure("plan_count", "盘活台账数", "count", unit="项"), Figure("plan_value", "台账原值", "money"),
    Figure("done_value", "已盘活原值", "money", "higher"), Figure("due_value", "到期台账原值", "money"),
    Figure("due_done_value", "到期已完成原值", "money", "higher"),
    Figure("overdue_plan_count", "逾期台账", "count", "lower", "项"),
    Figure("income_received", "近12个月收入到账", "money"), Figure("income_remitted", "已上缴", "money", "higher"),
    Figure("lease_income_received", "近12个月出租收入", "money"),
    Figure("lease_income_remitted", "出租收入已上缴", "money", "higher"),
    Figure("late_income_count", "逾期未缴收入", "count", "lower", "笔"),
    Figure("pool_count", "待盘活资产数", "count", unit="项"), Figure("listed_idle_value", "入仓闲置原值", "money"),
    *[_rate(i) for i in INDICATORS],
    Figure("score", "综合得分", "score", "higher"),
    *[Figure(f"score_{name}", f"{i.label}得分", "score", "higher") for name, i in SCORED.items()],
    Figure("rank", "排名", "rank", "lower"), Figure("rank_change", "名次变化", "rank", "higher"),
    Figure("peer_size", "参评数", "count", unit="个"),
    # counted from a snapshot's warnings and lists rather than stored with its figures
    Figure("warning_count", "预警", "count", "lower", "条"), Figure("list_count", "名单", "count", "lower", "个"),
    # 配置审核's figures of a budget year (allocation.md)
    Figure("request_amount", "配置需求金额", "money"), Figure("transfer_saving", "节约采购资金", "money", "higher"),
    Figure("transfer_rate", "调剂率", "rate", "higher", undefined_because="无存量可满足的需求"),
    # 报送 (reporting.md): the share of a department's units whose month arrived by the due day
    Figure("on_time_share", "按期报送率", "rate", "higher", undefined_because="无应报单位"),
]}


def sub_score_sql(name: str) -> str:
    """metrics.md's linear rule between the two thresholds, clamped to [0, 100]; undefined -> 100."""
    x, good, bad = SCORED[name].key, f"${name}_good", f"${name}_bad"
    if SCORED[name].lower_is_better:
        return (f"CASE WHEN {x} IS NULL OR {x} <= {good} THEN 100.0 WHEN {x} >= {bad} THEN 0.0 "
                f"ELSE 100.0 * ({bad} - {x}) / ({bad} - {good}) END")
    return (f"CASE WHEN {x} IS NULL OR {x} >= {good} THEN 100.0 WHEN {x} <= {bad} THEN 0.0 "
            f"ELSE 100.0 * ({x} - {bad}) / ({good} - {bad}) END")


def composite_sql() -> str:
    """score = Σ weight·sub-score / Σ weight, over the score_<name> columns."""
    return "(" + " + ".join(f"${n}_weight * score_{n}" for n in SCORE_NAMES) + ") / $weight_total"


def score_params(config: Config) -> dict[str, float]:
    """The thresholds and weights as bound parameters (never pasted into SQL text)."""
    params: dict[str, float] = {}
    for name in SCORE_NAMES:
        good, bad, weight = config.score_rule(name)
        params |= {f"{name}_good": float(good), f"{name}_bad": float(bad), f"{name}_weight": float(weight)}
    params["weight_total"] = float(sum(params[f"{n}_weight"] for n in SCORE_NAMES))
    return params

