"""部门 Department: figures against thresholds, units ranked within it, warnings, trend."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.components.scores import costliest, score_breakdown
from dashboard.components.warnings import warnings_grid
from dashboard.shell import guarded, month_in_address, page_frame, register_page
from metrics.rules import NAMES as RULE_NAMES
from metrics.timeline import shift_month
from outputs import figures as fig

PATH = register_page(__name__, "/department")
P = "department"
month_in_address(f"{P}-month")


def layout(code: str | None = None, month: str | None = None, **_query):
    if not code:
        return c.not_found()
    return page_frame(PATH, P, "部门详情", snapshot_only=True, controls=[
        dcc.Store(id=f"{P}-code", data=code),
        dbc.Button("下载整改通知书（Word）", id=f"{P}-rectify", color="primary", size="sm", outline=True),
        html.Span(id=f"{P}-rectify-said", className="small"), dcc.Download(id=f"{P}-download")], month=month)


@callback(Output(f"{P}-download", "data"), Output(f"{P}-rectify-said", "children"), Input(f"{P}-rectify", "n_clicks"),
          State(f"{P}-month", "value"), State(f"{P}-code", "data"), prevent_initial_call=True)
@guarded(PATH)
def rectify_notice(n_clicks, month, code):
    """The department's 整改通知书 for the month; for a department outside the caller's scope, a reason."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    if not n_clicks:
        return no_update, no_update
    if not isinstance(code, str) or month not in queries.months(engine, scope):
        return no_update, "请选择已计算的月份"
    made = queries.notice(engine, scope, "rectify", month, code, config)
    if made is None:
        return no_update, "该部门不在本账号范围内，无法生成整改通知书"
    context.audit("export", f"整改通知书 {month} {code}", detail=made[0])
    return dcc.send_bytes(made[1], made[0]), None


@callback(Output(f"{P}-body", "children"), Output(f"{P}-title", "children"),
          Input(f"{P}-month", "value"), State(f"{P}-code", "data"))
@guarded(PATH)
def render(month: str, code: str):
    scope, engine = context.scope(), context.engine()
    row = queries.kpi_row(engine, scope, month, "department", str(code or ""))
    if row is None:
        return c.not_found(), "部门详情"
    units = queries.kpis(engine, scope, month, level="unit", dept=row["code"]).sort_values("rank")
    history = queries.kpis(engine, scope, [shift_month(month, -i) for i in range(13)], level="department",
                           code=row["code"]).sort_values("month")
    warnings = queries.warnings(engine, scope, month, dept=row["code"])
    unit_rows = c.figure_texts(units.assign(href=[c.href("/unit", u) for u in units["code"]]),
                               {"rank": "rank", "score": "score", "asset_count": "asset_count", "idle_rate": "idle_rate"})
    unit_grid = c.grid(f"{P}-units", unit_rows[["rank", "rank_text", "name", "score", "score_text", "asset_count",
                                                "asset_count_text", "idle_rate", "idle_rate_text", "href"]], [
        c.figure_column("rank", "排名", width=80), c.link_column("name", "单位", "href", flex=2, tooltipField="name"),
        c.figure_column("score", width=110), c.figure_column("asset_count", width=100),
        c.figure_column("idle_rate", width=100),
    ], height="320px")
    rank = fig.rank_text(row["rank"], row["peer_size"])
    before = history[history.month == shift_month(month, -1)]
    previous = before.iloc[0].to_dict() if len(before) else {}
    return html.Div([
        dbc.Row([dbc.Col([c.kpi_card(fig.figure("score").label, c.shown("score", row["score"]),
                                     c.delta("score", row["score"], previous.get("score")), rank, id_=f"{P}-score"),
                          html.A("通报、约谈、整改履历 →", href=f"/history?code={row['code']}", className="small d-block mt-2")],
                         md=3),
                 dbc.Col(score_breakdown(row, context.config()), md=9)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(c.section("单位排名", unit_grid), lg=6),
                 dbc.Col(c.section("近13个月", c.trend(history, ["score"], height=220),
                                   c.rank_path(history, int(row["peer_size"] or 0))), lg=6)], className="g-3 mb-3"),
        costliest(row, queries.point_items(context.engine(), context.scope(), month, row["code"]), month,
                  context.config(), f"{P}-costliest"),
        c.section(f"本月预警（{len(warnings)} 条" + ("，显示最严重的 500 条）" if len(warnings) > 500 else "）"),
                  *([c.warning_mix(warnings, RULE_NAMES)] if not warnings.empty else []),
                  warnings_grid(f"{P}-warnings", warnings, dict(zip(units["code"], units["name"])))),
        c.request_outcomes(queries.purchase_requests(engine, scope, dept=row["code"])),
    ]), row["name"]
