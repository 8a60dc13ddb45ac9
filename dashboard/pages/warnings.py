"""预警 Warnings: filter by level and rule; counts and list."""
from __future__ import annotations

import dash
from dash import Input, Output, callback, dcc, html

from dashboard import components as c
from dashboard import context, queries
from dashboard.pages.department import warnings_grid
from dashboard.shell import page_frame
from metrics.warnings import RULES

dash.register_page(__name__, path="/warnings", name="预警", title="预警 · 国有资产盘活督导平台")
P = "warnings"


def layout(level: str | None = None, **_query):
    return page_frame("/warnings", P, "预警", snapshot_only=True, controls=[
        dcc.Dropdown(id=f"{P}-level", options=[{"label": v, "value": k} for k, v in c.LEVEL_ZH.items()],
                     value=level if level in c.LEVEL_ZH else None, placeholder="全部等级", className="filter"),
        dcc.Dropdown(id=f"{P}-rule", options=[{"label": v, "value": k} for k, v in RULES.items()],
                     placeholder="全部规则", className="filter"),
    ])


@callback(Output(f"{P}-body", "children"), Input(f"{P}-month", "value"), Input(f"{P}-level", "value"),
          Input(f"{P}-rule", "value"))
def render(month: str, level: str | None, rule: str | None):
    scope, engine = context.scope(), context.engine()
    if month not in queries.months(engine, scope) or not scope.sees_assets:
        return c.not_found()
    frame = queries.warnings(engine, scope, month, level=level, rule=rule)
    counts = frame.groupby("level").size().to_dict() if not frame.empty else {}
    tiles = html.Div([html.Div([html.Div(f"{counts.get(k, 0):,}", className="alert-count"), html.Div(f"{v}预警")],
                               className=f"alert-tile tile-{k}") for k, v in
                      (("red", "红色"), ("orange", "橙色"), ("yellow", "黄色"))], className="alert-tiles mb-3")
    return html.Div([tiles, c.section(f"预警清单（{len(frame):,} 条）", warnings_grid(f"{P}-grid", frame, "620px"))])
