"""Where a score comes from: its parts against their targets and weights, and the assets that cost the most."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import html

from dashboard import components as c
from metrics import attribution
from metrics.definitions import overdue_months
from metrics.timeline import snapshot_date
from outputs import figures as fig


def score_breakdown(row: dict, config):
    items = []
    for item in attribution.breakdown(row, config):
        lost = item["lost"]
        items.append(html.Tr([html.Td(html.Span(item["label"], title=item["note"], className="has-note")),
                              html.Td(c.shown(item["key"], item["value"])), html.Td(item["target"]),
                              html.Td(c.shown("score", item["score"])), html.Td(f"{item['weight']:g}"),
                              html.Td(c.shown("score", lost) if lost >= 0.05 else "0",
                                      className="text-danger fw-semibold" if lost >= 0.05 else "")]))
    head = html.Thead(html.Tr([html.Th(h) for h in ("指标", "本月", "目标", "单项得分", "权重", "失分")]))
    return c.section("得分构成", dbc.Table([head, html.Tbody(items)], className="score-table", size="sm", hover=True))


def costliest(row: dict, items: list[dict], month: str, config, id_: str, limit: int = 15):
    """The assets, plans and income rows that cost the most points, with what fixing each wins back."""
    ranked = [f for f in attribution.fixes(row, items, snapshot_date(month), config) if f.points > 0.005]
    total, lost = sum(f.points for f in ranked), sum(attribution.lost_points(row, config).values())
    why = (f"本月共失 {fig.phrase('score', lost)}，其中 {fig.phrase('score', lost - total)}不是整改单项资产能挽回的："
           f"闲置未满 {overdue_months(config)} 个月的资产也计入闲置率，但尚未预警、此处不列；"
           "各项比率达到目标值才得满分，整改后仍未达标的部分照常扣分。") if lost - total >= 0.05 else ""
    if not ranked:
        return c.section("失分最多的资产", c.empty("本月没有可挽回的失分"), html.Div(why, className="text-muted small"))
    frame = c.figure_texts(pd.DataFrame([{"action": f.action, "asset": f.asset_code,
                                          "href": c.href("/asset", f.asset_code), "name": f.asset_name, "ref": f.ref,
                                          "value": f.value or None, "points": f.points} for f in ranked[:limit]]),
                           {"points": "score"})
    grid = c.grid(id_, frame, [
        {"field": "action", "headerName": "整改事项", "width": 130}, c.link_column("asset", "资产编号", "href", width=150),
        {"field": "name", "headerName": "资产名称", "flex": 1, "minWidth": 140}, {"field": "ref", "headerName": "台账/收入编号", "width": 150},
        c.yuan_column("value", "涉及金额", width=140),
        c.figure_column("points", "可挽回（分）", width=140, sort="desc"),
    ], height="420px")
    note = html.Div(f"共 {len(ranked):,} 项，全部整改约可挽回 {fig.phrase('score', total)}。同类问题合计测算可挽回分数，按涉及金额分摊到各项"
                    f"（资料补全按项均摊）。{why}", className="text-muted small mb-2")
    return c.section(f"失分最多的资产（前 {min(limit, len(ranked))} 项）", note, grid)
