"""部门 Department: figures against thresholds, units ranked within it, warnings, trend."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.pages.my_score import costliest, score_breakdown
from dashboard.shell import permitted, page_frame
from outputs import documents
from metrics.rules import NAMES as RULE_NAMES
from metrics.timeline import shift_month

dash.register_page(__name__, path="/department", name="部门", title="部门 · 国有资产盘活督导平台")
P = "department"


def layout(code: str | None = None, **_query):
    if not code:
        return c.not_found()
    return page_frame("/department", P, "部门详情", snapshot_only=True, controls=[
        dcc.Store(id=f"{P}-code", data=code),
        dbc.Button("下载整改通知书（Word）", id=f"{P}-rectify", color="primary", size="sm", outline=True),
        dcc.Download(id=f"{P}-download")])


@callback(Output(f"{P}-download", "data"), Input(f"{P}-rectify", "n_clicks"), State(f"{P}-month", "value"),
          State(f"{P}-code", "data"), prevent_initial_call=True)
def rectify_notice(n_clicks, month, code):
    """The department's 整改通知书 for the month; nothing for a department outside the caller's scope."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    if not n_clicks or not permitted("/department") or not isinstance(code, str) \
            or month not in queries.months(engine, scope):
        return no_update
    with engine.connect() as conn:
        made = documents.rectify(conn, scope, month, code, config, config.today())
    if made is None:
        return no_update
    context.audit("export", f"document rectify {month} {code}", detail=made[0])
    return dcc.send_bytes(made[1], made[0])


@callback(Output(f"{P}-body", "children"), Output(f"{P}-title", "children"),
          Input(f"{P}-month", "value"), State(f"{P}-code", "data"))
def render(month: str, code: str):
    scope, engine = context.scope(), context.engine()
    row = queries.kpi_row(engine, scope, month, "department", str(code or ""))
    if row is None:
        return c.not_found(), "部门详情"
    units = queries.kpis(engine, scope, month, level="unit", dept=row["code"]).sort_values("rank")
    history = queries.kpis(engine, scope, [shift_month(month, -i) for i in range(13)], level="department",
                           code=row["code"]).sort_values("month")
    warnings = queries.warnings(engine, scope, month, dept=row["code"])
    unit_rows = units.assign(idle=[c.pct(x, 2) for x in units["idle_rate"]],
                             rank=units["rank"].astype("Int64").astype(str).replace("<NA>", "—"),
                             href=[c.href("/unit", u) for u in units["code"]])
    unit_grid = c.grid(f"{P}-units", unit_rows[["rank", "name", "score", "asset_count", "idle", "href"]], [
        {"field": "rank", "headerName": "排名", "width": 80}, c.link_column("name", "单位", "href", flex=2),
        {"field": "score", "headerName": "综合得分", "width": 110, "valueFormatter": {"function": "d3.format('.1f')(params.value)"}},
        {"field": "asset_count", "headerName": "资产数", "width": 100}, {"field": "idle", "headerName": "闲置率", "width": 100},
    ], height="320px")
    rank = "未排名" if c.undefined(row["rank"]) else f"第 {int(row['rank'])} 名 / 共 {int(row['peer_size'])} 个部门"
    return html.Div([
        dbc.Row([dbc.Col([c.kpi_card("综合得分", c.score_text(row["score"]), note=rank),
                          html.A("通报、约谈、整改履历 →", href=f"/history?code={row['code']}", className="small d-block mt-2")],
                         md=3),
                 dbc.Col(score_breakdown(row, context.config()), md=9)], className="g-3 mb-3"),
        dbc.Row([dbc.Col(c.section("单位排名", unit_grid), lg=6),
                 dbc.Col(c.section("近13个月", c.trend(history, {"score": "综合得分"}, "", height=220),
                                   c.rank_path(history, int(row["peer_size"] or 0))), lg=6)], className="g-3 mb-3"),
        costliest(row, queries.point_items(context.engine(), context.scope(), month, row["code"]), month,
                  f"{P}-costliest"),
        c.section(f"本月预警（{len(warnings)} 条" + ("，显示最严重的 500 条）" if len(warnings) > 500 else "）"),
                  *([c.warning_mix(warnings, RULE_NAMES)] if not warnings.empty else []),
                  warnings_grid(f"{P}-warnings", warnings)),
        c.request_outcomes(queries.purchase_requests(engine, scope, dept=row["code"])),
    ]), row["name"]


LEVEL_CLASSES = {"lvl-red": "params.value == '红色'", "lvl-orange": "params.value == '橙色'",
                 "lvl-yellow": "params.value == '黄色'"}


def warning_display(frame):
    """Warning rows as the grids show them: rule and level in Chinese, an asset link, the span."""
    return frame.assign(rule_zh=frame["rule"].map(RULE_NAMES), level_zh=frame["level"].map(c.LEVEL_ZH),
                        asset_href=[c.href("/asset", code) for code in frame["asset_code"]],
                        span=[("" if c.undefined(d) else f"{int(d)} 天") if c.undefined(m) else f"{int(m)} 个月"
                              for d, m in zip(frame["days"], frame["months"])])


def warnings_grid(id_: str, frame, height: str = "420px"):
    if frame.empty:
        return c.empty("本月无预警")
    severity = {"red": 0, "orange": 1, "yellow": 2}
    # the most severe first; a large department's full list is on the 预警 page, filtered
    frame = frame.sort_values(["level", "rule", "ref"], key=lambda s: s.map(severity) if s.name == "level" else s).head(500)
    shown = warning_display(frame)
    return c.grid(id_, shown[["level_zh", "rule_zh", "ref", "asset_code", "asset_href", "unit_code", "span", "first_seen",
                              "message"]], [
        {"field": "level_zh", "headerName": "等级", "width": 90, "cellClassRules": LEVEL_CLASSES},
        {"field": "rule_zh", "headerName": "规则", "width": 140}, {"field": "ref", "headerName": "对象", "width": 140},
        c.link_column("asset_code", "资产编号", "asset_href", width=140),
        {"field": "unit_code", "headerName": "单位编码", "width": 140},
        {"field": "span", "headerName": "时长", "width": 100}, {"field": "first_seen", "headerName": "首次出现", "width": 120},
        {"field": "message", "headerName": "说明", "flex": 1, "minWidth": 240},
    ], height=height, options={"pagination": True, "paginationPageSize": 50})
