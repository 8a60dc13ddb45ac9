"""/report: the month's printable report for the meeting (A4 landscape, print stylesheet), with
the charts; the same scope as every page."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import permitted
from ledger.reports import title_line
from ledger.vocab import LEVELS, LISTS
from metrics.timeline import parse_month, shift_month

dash.register_page(__name__, path="/report", name="打印版报告", title="月度督导报告 · 国有资产盘活督导平台")
FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"


def layout(month: str | None = None, **_query):
    scope, engine = context.scope(), context.engine()
    if not permitted("/report"):
        return c.not_found()
    available = queries.months(engine, scope)
    try:
        month = parse_month(month) if month else (available[0] if available else None)
    except ValueError:
        month = None
    if month not in available:
        return c.not_found()
    cfg = context.config()
    label = queries.scope_label(engine, scope)
    level, code = ("region", scope.code) if scope.kind == "region" else ("city", None)
    rows = queries.kpis(engine, scope, [shift_month(month, -i) for i in range(13)], level=level, code=code)
    now = rows[rows.month == month]
    if now.empty:
        return c.not_found()
    now = now.iloc[0]
    region = scope.code if scope.kind == "region" else cfg["org.city_region_code"]
    depts = queries.kpis(engine, scope, month, level="department", region=region).dropna(subset=["rank"]).sort_values("rank")
    regions = queries.kpis(engine, scope, month, level="region").dropna(subset=["rank"]).sort_values("rank")
    entries = queries.lists(engine, scope, month)
    counts = queries.warning_counts(engine, scope, month)
    by_level = counts.groupby("level")["count"].sum().to_dict() if len(counts) else {}
    figures = html.Table([html.Tbody([html.Tr([html.Th(k), html.Td(v)]) for k, v in [
        ("综合得分", c.score_text(now["score"])), ("资产数", f"{int(now['asset_count']):,} 项"),
        ("资产原值", c.wan(now["base_value"])), ("闲置率", c.pct(now["idle_rate"], 2)),
        ("超期闲置", f"{int(now['overdue_idle_count']):,} 项 · {c.wan(now['overdue_idle_value'])}"),
        ("超期闲置率", c.pct(now["overdue_idle_rate"], 2)), ("到期盘活完成率", c.pct(now["due_completion_rate"])),
        ("收入上缴率", c.pct(now["remit_rate"])), ("数据质量率", c.pct(now["data_quality_rate"])),
        ("本月预警", " · ".join(f"{LEVELS[lv]} {by_level.get(lv, 0):,}" for lv in ("red", "orange", "yellow"))),
    ]])], className="report-table report-figures")
    trend = rows.sort_values("month")
    fig = go.Figure([go.Scatter(x=trend["month"], y=trend[col] * 100, name=name, mode="lines+markers")
                     for col, name in (("idle_rate", "闲置率"), ("overdue_idle_rate", "超期闲置率"),
                                       ("due_completion_rate", "到期盘活完成率"), ("remit_rate", "收入上缴率"))])
    fig.update_layout(height=300, width=640, margin={"l": 40, "r": 10, "t": 10, "b": 30}, plot_bgcolor="white",
                      font={"family": FONT, "size": 11}, legend={"orientation": "h", "y": -0.2},
                      xaxis={"type": "category"}, yaxis={"ticksuffix": "%", "gridcolor": "#e3e8ef"})

    def ranking(frame, title):
        head = html.Tr([html.Th(h) for h in ("排名", "名称", "综合得分", "闲置率", "超期闲置", "完成率", "上缴率", "名次变化")])
        body = [html.Tr([html.Td(int(r["rank"])), html.Td(r["name"]), html.Td(c.score_text(r["score"])),
                         html.Td(c.pct(r["idle_rate"], 2)), html.Td(f"{int(r['overdue_idle_count']):,}"),
                         html.Td(c.pct(r["due_completion_rate"])), html.Td(c.pct(r["remit_rate"])),
                         html.Td("" if c.undefined(r["rank_change"]) else f"{int(r['rank_change']):+d}")])
                for _, r in frame.iterrows()]
        return html.Section([html.H2(title), html.Table([html.Thead(head), html.Tbody(body)], className="report-table")])

    lists = [html.Section([html.H2(f"{zh}名单（{int((entries.list == key).sum())}）"),
                           html.Table([html.Tbody([html.Tr([html.Td(e["name"], className="who"),
                                                            html.Td("；".join(r["text"] for r in e["reasons"]))])
                                                   for _, e in entries[entries.list == key].iterrows()])],
                                      className="report-table") if (entries.list == key).any() else html.P("本月无")])
             for key, zh in LISTS.items()]
    return html.Div([
        html.Div([html.Button("打印", className="btn btn-primary btn-sm", id="report-print"),
                  html.Span("建议：A4 横向，勾选“背景图形”", className="text-muted small ms-2")], className="no-print mb-2"),
        html.H1(f"{cfg['org.city_name']}国有资产盘活督导月度报告"),
        html.Div(title_line(cfg["org.city_name"], month, label, "月度督导会议材料"), className="report-meta"),
        dbc.Row([dbc.Col(html.Section([html.H2("核心指标"), figures]), width=5),
                 dbc.Col(html.Section([html.H2("近13个月走势"),
                                       dcc.Graph(figure=fig, config={"displayModeBar": False, "staticPlot": True})]), width=7)]),
        ranking(regions, "县区排名") if len(regions) and scope.kind == "all" else None,
        ranking(depts, "市直部门排名" if scope.kind == "all" else "本县区部门排名"),
        *lists,
    ], className="report")


dash.clientside_callback("function(n) { if (n) { window.print(); } return ''; }",
                         dash.Output("report-print", "title"), dash.Input("report-print", "n_clicks"),
                         prevent_initial_call=True)
