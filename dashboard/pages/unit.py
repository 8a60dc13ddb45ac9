"""单位 Unit: its figures against thresholds, rank within the department, trend and warnings."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html

from dashboard import components as c
from dashboard import context, queries
from dashboard.components.scores import score_breakdown
from dashboard.components.warnings import warnings_grid
from dashboard.shell import guarded, month_in_address, page_frame, register_page
from metrics.timeline import shift_month
from outputs import figures as fig

PATH = register_page(__name__, "/unit")
P = "unit"
month_in_address(f"{P}-month")


def layout(code: str | None = None, month: str | None = None, **_query):
    if not code:
        return c.not_found()
    return page_frame(PATH, P, "单位详情", snapshot_only=True, controls=[dcc.Store(id=f"{P}-code", data=code)], month=month)


@callback(Output(f"{P}-body", "children"), Output(f"{P}-title", "children"),
          Input(f"{P}-month", "value"), State(f"{P}-code", "data"))
@guarded(PATH)
def render(month: str, code: str):
    scope, engine = context.scope(), context.engine()
    row = queries.kpi_row(engine, scope, month, "unit", str(code or ""))
    if row is None:
        return c.not_found(), "单位详情"
    history = queries.kpis(engine, scope, [shift_month(month, -i) for i in range(13)], level="unit",
                           code=row["code"]).sort_values("month")
    warnings = queries.warnings(engine, scope, month, unit=row["code"])
    rank = "部门内" + fig.rank_text(row["rank"], row["peer_size"])
    before = history[history.month == shift_month(month, -1)]
    previous = before.iloc[0].to_dict() if len(before) else {}
    return html.Div([
        # as the department page's card: the score, its change and rank, the way on below the card
        dbc.Row([dbc.Col([c.kpi_card(fig.figure("score").label, c.shown("score", row["score"]),
                                     c.delta("score", row["score"], previous.get("score")), rank, id_=f"{P}-score"),
                          html.A("← 返回主管部门", href=c.href("/department", row["dept_code"]), className="small d-block mt-2",
                                 id=f"{P}-back")], md=3),
                 dbc.Col(score_breakdown(row, context.config()), md=9)], className="g-3 mb-3"),
        c.section("近13个月", c.trend(history, ["score"])),
        c.section(f"本月预警（{len(warnings):,} 条）", warnings_grid(f"{P}-warnings", warnings, {row["code"]: row["name"]})),
    ]), row["name"]
