"""The pages' charts and dropdowns, made in dashboard.components: every chart one plotly accepts
(built as plain traces and layout, which nothing checks on the way to the browser), every dropdown
in Chinese."""
from __future__ import annotations

import json

import plotly.graph_objects as go
import plotly.io as pio

from tests.dashboard.callbacks import call, components, layout_as, page

MONTH = "2026-10"


def drawn(payload) -> list[dict]:
    """The figures of the charts in a callback's answer or a layout (JSON text)."""
    payload = json.loads(payload) if isinstance(payload, str) else payload
    return [node["props"]["figure"] for node in components(payload, lambda node: node.get("type") == "Graph")]


def assert_plotly_accepts(figures: list[dict]) -> None:
    for figure in figures:
        checked = go.Figure(figure)  # raises on a property plotly does not know or a value it refuses
        assert checked.layout.template == pio.templates[pio.templates.default], "drawn in the portal's look"
        assert all(len(trace.x or ()) or len(trace.y or ()) for trace in checked.data), "every trace has points"


def test_every_chart_of_the_pages_is_one_plotly_accepts(app, as_user):
    _, overview = call(as_user("leader"), [("overview-body", "children")], [("overview-month", "value", MONTH)])
    _, department = call(as_user("leader"), [("department-body", "children"), ("department-title", "children")],
                         [("department-month", "value", MONTH)], [("department-code", "data", "D1")])
    _, mine = call(as_user("dept"), [("my-score-body", "children")], [("my-score-month", "value", MONTH)])
    _, asset = call(as_user("supervisor"), [("asset-body", "children"), ("asset-title", "children")],
                    [("asset-month", "value", MONTH)], [("asset-code", "data", "A1")])
    pages = {"overview": drawn(overview), "department": drawn(department), "my-score": drawn(mine),
             "asset": drawn(asset), "report": drawn(layout_as(app, "leader", page("report").layout, month=MONTH)),
             "screen": drawn(layout_as(app, "screen", page("screen").layout))}
    assert all(pages.values()), {name: len(figures) for name, figures in pages.items()}
    for figures in pages.values():
        assert_plotly_accepts(figures)
    # the department page's three: its trend, its rank month by month and its warnings by rule and level
    assert len(pages["department"]) == 3


def test_every_dropdown_of_the_pages_speaks_chinese(app):
    """Dash's dropdowns say "Search" and "No options found" unless told otherwise."""
    from dashboard.components import DROPDOWN_LABELS
    found = {}
    for role, path in (("supervisor", "warnings"), ("supervisor", "overdue"), ("supervisor", "reporting"),
                       ("supervisor", "interviews"), ("supervisor", "allocation"), ("leader", "rankings"),
                       ("leader", "overview"), ("admin", "jobs"), ("admin", "audit"), ("admin", "accounts")):
        layout = json.loads(layout_as(app, role, page(path).layout))
        for node in components(layout, lambda node: node.get("type") == "Dropdown"):
            found[node["props"]["id"]] = node["props"].get("labels")
    assert len(found) >= 15, sorted(found)
    assert {id_: labels for id_, labels in found.items() if labels != DROPDOWN_LABELS} == {}
    assert DROPDOWN_LABELS["search"] == "搜索" and "{num_selected}" in DROPDOWN_LABELS["selected_count"]
