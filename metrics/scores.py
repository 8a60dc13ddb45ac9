"""Sub-scores and the composite score (metrics.md, "Score")."""
from __future__ import annotations

import math

# name -> (indicator, lower is better)
INDICATORS: dict[str, tuple[str, bool]] = {
    "idle": ("idle_rate", True),
    "overdue": ("overdue_idle_rate", True),
    "completion": ("due_completion_rate", False),
    "remit": ("remit_rate", False),
    "quality": ("data_quality_rate", False),
}
# the sub-scores' indicators as pages and documents name them
LABELS = {"idle": "闲置率", "overdue": "超期闲置率", "completion": "到期盘活完成率", "remit": "收入上缴率",
          "quality": "数据质量率"}


def undefined(x) -> bool:
    """An undefined indicator: None, or NaN as pandas carries it."""
    return x is None or (isinstance(x, float) and math.isnan(x))


def sub_score(x: float | None, good: float, bad: float, lower_is_better: bool) -> float:
    """Linear between the two thresholds, clamped to [0, 100]; an undefined indicator scores 100."""
    if undefined(x):
        return 100.0
    if lower_is_better:
        if x <= good:
            return 100.0
        if x >= bad:
            return 0.0
        return 100.0 * (bad - x) / (bad - good)
    if x >= good:
        return 100.0
    if x <= bad:
        return 0.0
    return 100.0 * (x - bad) / (good - bad)


def composite(sub_scores: dict[str, float], weights: dict[str, float]) -> float:
    """score = Σ weight·sub-score / Σ weight."""
    total = sum(weights[name] for name in sub_scores)
    return sum(weights[name] * value for name, value in sub_scores.items()) / total
