"""Every indicator of metrics.md declared once: what it divides, which way is better, how it
is scored, what it is called and how it is shown. The engine's SQL, the score, the attribution
("where the points went"), the what-if and the pages all derive from these declarations.
"""
from __future__ import annotations

from dataclasses import dataclass

from ledger.config import Config
from ledger.models import SCORE_NAMES


@dataclass(frozen=True)
class Indicator:
    key: str  # the KPI column
    numerator: str
    denominator: str  # undefined where it is 0
    label: str  # as pages and documents name it
    note: str  # one line for a tooltip: what it measures
    kind: str = "rate"  # rate: shown 0.00%; months: shown 0.0
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
    Indicator("idle_rate", "idle_value", "base_value", "闲置率", "闲置资产原值占在账资产原值的比例",
              score="idle"),
    Indicator("overdue_idle_rate", "overdue_idle_value", "base_value", "超期闲置率",
              "闲置满 6 个月的资产原值占在账资产原值的比例", score="overdue"),
    Indicator("avg_months_idle", "sum_months_idle", "idle_count", "平均闲置月数", "闲置资产的平均闲置月数",
              kind="months"),
    Indicator("due_completion_rate", "due_done_value", "due_value", "到期盘活完成率",
              "到期盘活台账中已完成部分的原值占比", score="completion", lower_is_better=False),
    Indicator("completion_rate", "done_value", "plan_value", "台账完成率", "已列入盘活台账的资产中已盘活的原值占比",
              lower_is_better=False),
    Indicator("remit_rate", "income_remitted", "income_received", "收入上缴率",
              "近 12 个月资产收入中已上缴国库的比例", score="remit", lower_is_better=False),
    Indicator("lease_remit_rate", "lease_income_remitted", "lease_income_received", "出租收入上缴率",
              "近 12 个月出租收入中已上缴国库的比例", lower_is_better=False),
    Indicator("data_quality_rate", "pool_ok_count", "pool_count", "数据质量率",
              "待盘活资产中照片和存放地点齐全的比例", score="quality", lower_is_better=False),
    Indicator("listing_rate", "listed_idle_value", "idle_value", "入仓率", "闲置资产中已入公物仓的原值占比",
              lower_is_better=False),
)
BY_KEY = {i.key: i for i in INDICATORS}
# the five sub-scores in metrics.md's order, each with its indicator
SCORED: dict[str, Indicator] = {name: next(i for i in INDICATORS if i.score == name) for name in SCORE_NAMES}


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

