import math

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from metrics.lists import notice_size
from metrics.ranks import rank_group
from metrics.scores import composite, sub_score

rates = st.floats(min_value=0, max_value=2, allow_nan=False)


@pytest.mark.parametrize("x, expected", [(0.01, 100.0), (0.02, 100.0), (0.15, 0.0), (0.30, 0.0), (0.085, 50.0)])
def test_lower_is_better(x, expected):
    assert sub_score(x, 0.02, 0.15, True) == pytest.approx(expected)


@pytest.mark.parametrize("x, expected", [(0.95, 100.0), (0.90, 100.0), (0.30, 0.0), (0.10, 0.0), (0.60, 50.0)])
def test_higher_is_better(x, expected):
    assert sub_score(x, 0.90, 0.30, False) == pytest.approx(expected)


def test_undefined_indicator_scores_100():
    assert sub_score(None, 0.02, 0.15, True) == 100.0
    assert sub_score(math.nan, 0.90, 0.30, False) == 100.0


@given(rates, rates, rates, st.booleans())
def test_sub_score_in_range_and_monotone(x, y, spread, lower):
    assume(spread > 1e-6)
    good, bad = (0.1, 0.1 + spread) if lower else (0.1 + spread, 0.1)
    a, b = sub_score(min(x, y), good, bad, lower), sub_score(max(x, y), good, bad, lower)
    assert 0 <= a <= 100 and 0 <= b <= 100
    assert (a >= b) if lower else (a <= b)


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=5, max_size=5),
       st.lists(st.integers(min_value=1, max_value=50), min_size=5, max_size=5))
def test_composite_is_a_weighted_mean(subs, weights):
    names = ["idle", "overdue", "completion", "remit", "quality"]
    score = composite(dict(zip(names, subs)), dict(zip(names, weights)))
    assert min(subs) - 1e-9 <= score <= max(subs) + 1e-9


def test_default_weights_example():
    subs = {"idle": 100.0, "overdue": 100.0, "completion": 100.0, "remit": 100.0, "quality": 0.0}
    weights = {"idle": 25, "overdue": 20, "completion": 25, "remit": 20, "quality": 10}
    assert composite(subs, weights) == 90.0  # the sample's 清江市审计局第一中学, 2026-08


def test_rank_ties_break_on_idle_rate_then_code_and_empty_rows_are_unranked():
    rows = [
        {"code": "B", "score": 90.0, "idle_rate": 0.05, "asset_count": 3},
        {"code": "A", "score": 90.0, "idle_rate": 0.05, "asset_count": 3},
        {"code": "C", "score": 90.0, "idle_rate": 0.01, "asset_count": 3},
        {"code": "D", "score": 90.0, "idle_rate": None, "asset_count": 3},
        {"code": "E", "score": 95.0, "idle_rate": 0.50, "asset_count": 3},
        {"code": "F", "score": 100.0, "idle_rate": None, "asset_count": 0},
    ]
    assert rank_group(rows) == {"E": 1, "C": 2, "A": 3, "B": 4, "D": 5}


@pytest.mark.parametrize("n, k", [(1, 1), (3, 1), (10, 1), (11, 2), (20, 2), (30, 3), (31, 4)])
def test_notice_size_is_ten_percent_rounded_up(n, k):
    assert notice_size(n, 0.10) == k
