"""The overview's figures explain themselves: what each measures, its target and its weight."""
from __future__ import annotations

import json

from tests.dashboard.callbacks import call, components, layout_as, page


def test_each_headline_figure_says_what_it_measures_its_target_and_weight(app, as_user, config):
    status, response = call(as_user("leader"), [("overview-body", "children")], [("overview-month", "value", "2026-10")])
    assert status == 200
    explained = {node["children"][0]: node["title"] for node in components(
        response, lambda node: isinstance(node, dict) and node.get("className") == "kpi-title" and node.get("title"))}
    assert set(explained) == {"综合得分", "闲置率", "超期闲置率", "到期盘活完成率", "收入上缴率", "数据质量率"}
    good, _, weight = config.score_rule("idle")
    assert f"满分目标 ≤{good * 100:g}%，权重 {weight:g}" in explained["闲置率"]
    assert "满分 100" in explained["综合得分"] and "闲置率 " in explained["综合得分"]


def test_a_countys_overview_names_its_region(app, as_user):

    assert "总览 · 区划990102" in layout_as(app, "county", page("overview").layout)
    assert "总览 · " not in layout_as(app, "leader", page("overview").layout)
    _, response = call(as_user("county"), [("overview-body", "children")], [("overview-month", "value", "2026-10")])
    text = json.dumps(response, ensure_ascii=False)
    assert "区划990102部门前五名" in text and "本县区" not in text


def test_each_row_of_the_overview_is_filled_for_the_city_and_for_a_county(app, as_user):
    """A county has no 县区排名 beside its departments' two lists: they share the whole row."""
    for user, ranking_cards in (("leader", 3), ("county", 2)):
        _, response = call(as_user(user), [("overview-body", "children")], [("overview-month", "value", "2026-10")])
        rows = components(response, lambda node: isinstance(node, dict) and node.get("type") == "Row")
        ranking = next(r for r in rows if "前五名" in json.dumps(r, ensure_ascii=False))
        widths = [col["props"]["lg"] for col in ranking["props"]["children"]]
        assert len(widths) == ranking_cards and sum(widths) == 12, (user, widths)
