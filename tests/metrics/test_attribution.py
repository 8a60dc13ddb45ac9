"""Points regained by fixing one item agree with the scoring rule of metrics.md."""
from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from metrics.attribution import fixes, points_regained
from metrics.scores import score_rows

D = dt.date(2026, 10, 31)
FIGURES = {"base_value": 1000.0, "idle_value": 100.0, "overdue_idle_value": 80.0, "due_value": 200.0,
           "due_done_value": 100.0, "income_received": 50.0, "income_remitted": 40.0, "pool_count": 10, "pool_ok_count": 9}


def score_of(figures, config):
    return score_rows([figures], config)[0]["score"]


def item(rule, ref, asset="A1", value=0.0, **extra):
    return {"rule": rule, "ref": ref, "asset_code": asset, "asset_name": "资产", "value": value, **extra}


def test_score_of_matches_the_sub_score_rule(config):
    # idle 10% -> (0.15-0.10)/(0.13)*100; overdue 8% -> 0; completion 50% -> (0.5-0.3)/0.6*100;
    # remit 80% -> 0; quality 90% -> (0.9-0.6)/0.4*100; weights 25/20/25/20/10
    expected = (25 * 500 / 13 + 0 + 25 * 100 / 3 + 0 + 10 * 75) / 100
    assert abs(score_of(FIGURES, config) - expected) < 1e-9


def test_fixes_are_ranked_by_points_and_idle_assets_count_once(config):
    items = [item("idle_overdue", "A1", "A1", 80.0), item("idle_no_plan", "A1", "A1", 80.0),
             item("plan_overdue", "P1", "A2", 50.0), item("data_gap", "A3", "A3"),
             item("remit_late", "I1", "A4", amount=10.0, remitted_amount=0.0, remitted_on=None,
                  received_on=dt.date(2026, 5, 1)),
             item("remit_late", "I0", "A4", amount=10.0, remitted_amount=0.0, remitted_on=None,
                  received_on=dt.date(2025, 5, 1))]  # outside the 12 months: remitting it moves nothing
    ranked = fixes(FIGURES, items, D, config)
    assert [f.ref for f in ranked] == ["A1", "I1", "P1", "A3"]  # 35.4, 20, 10.4, 7.5 points
    assert [f.kind for f in ranked] == ["idle", "remit", "plan", "quality"]
    idle = ranked[0]
    after = dict(FIGURES, idle_value=20.0, overdue_idle_value=0.0)
    assert abs(idle.points - (score_of(after, config) - score_of(FIGURES, config))) < 1e-9
    assert ranked[1].value == 10.0 and abs(ranked[1].points - 20) < 1e-9


@given(st.floats(0, 1000), st.floats(0, 1000))
def test_putting_an_idle_asset_to_use_never_costs_points(base_config, idle, value):
    figures = dict(FIGURES, idle_value=idle + value, overdue_idle_value=value)
    assert points_regained(figures, [{"idle_value": -value, "overdue_idle_value": -value}], base_config)[0] >= -1e-9


def test_items_that_only_move_the_score_together_share_the_points(config):
    # remit at 40/50 = 80%: the sub-score is 0 until the rate passes 80%, 100 at 100%
    items = [item("remit_late", f"I{i}", "A4", amount=amount, remitted_amount=0.0, remitted_on=None,
                  received_on=dt.date(2026, 5, 1)) for i, amount in enumerate((6.0, 4.0))]
    ranked = fixes(FIGURES, items, D, config)
    [total] = points_regained(FIGURES, [{"income_remitted": 10.0}], config)
    assert abs(total - 20) < 1e-9
    assert [(f.ref, round(f.points, 9)) for f in ranked] == [("I0", 12.0), ("I1", 8.0)]
