"""/report: the month's printable report for the meeting (A4 landscape, print stylesheet), with
the charts; the same scope as every page."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import html

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import permitted, register_page
from ledger.vocab import LEVELS, LISTS, SEVERE_FIRST
from metrics.timeline import parse_month, shift_month
from outputs import figures as fig
from outputs.phrasing import reasons_text
from outputs.workbooks import title_line

PATH = register_page(__name__, "/report")
REPORTED = ["score", "asset_count", "base_value", "idle_rate", "overdue_idle_count", "overdue_idle_value",
            "overdue_idle_rate", "due_completion_rate", "remit_rate", "data_quality_rate"]
RANKED = ["score", "idle_rate", "overdue_idle_count", "due_completion_rate", "remit_rate"]
TRENDS = ["idle_rate", "overdue_idle_rate", "due_completion_rate", "remit_rate"]


def layout(month: str | None = None, **_query):
    scope, engine = context.scope(), context.engine()
    if not permitted(PATH):
        return c.not_found()
    cfg = context.config()
    try:
        asked = parse_month(month) if month else None
    except ValueError:
        return c.not_found()
    month = queries.chosen_month(engine, scope, asked, cfg.zone, cfg.today())  # the newest closed by default
    if month is None or (asked is not None and month != asked):
        return c.not_found()
    state = queries.month_states(engine, scope, cfg.zone)[month]
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
    before = rows[rows.month == shift_month(month, -1)]
    previous = before.iloc[0].to_dict() if len(before) else {}
    lines = [html.Tr([html.Th(fig.figure(key).label), html.Td(c.shown(key, now[key])),
                      html.Td(fig.change(key, now[key], previous.get(key)).arrow, className="small")])
             for key in REPORTED]
    lines.append(html.Tr([html.Th("本月预警"), html.Td(" · ".join(f"{LEVELS[lv]} {by_level.get(lv, 0):,}"
                                                               for lv in SEVERE_FIRST), colSpan=2)]))
    figures = html.Table([html.Tbody(lines)], className="report-table report-figures")
    trend = rows.sort_values("month")
    months = list(trend["month"])
    chart = c.chart([{"type": "scatter", "x": months, "y": c.values(trend[key] * 100), "name": fig.figure(key).label,
                      "mode": "lines+markers"} for key in TRENDS],
                    {"height": 300, "width": 640, "margin": {"l": 40, "r": 10, "t": 10, "b": 30}, "plot_bgcolor": "white",
                     "font": {"family": c.FONT, "size": 11}, "legend": {"orientation": "h", "y": -0.2},
                     "xaxis": c.month_axis(months), "yaxis": {"ticksuffix": "%", "gridcolor": "#e3e8ef"}}, static=True)

    def ranking(frame, title):
        head = html.Tr([html.Th(h) for h in ("排名", "名称", *[fig.figure(k).label for k in RANKED], "名次变化")])
        body = [html.Tr([html.Td(int(r["rank"])), html.Td(r["name"]),
                         *[html.Td(c.shown(key, r[key])) for key in RANKED], html.Td(fig.rank_move(r["rank_change"]))])
                for _, r in frame.iterrows()]
        return html.Section([html.H2(title), html.Table([html.Thead(head), html.Tbody(body)], className="report-table")])

    lists = [html.Section([html.H2(f"{zh}名单（{int((entries.list == key).sum()):,}）"),
                           html.Table([html.Tbody([html.Tr([html.Td(e["name"], className="who"),
                                                            html.Td(reasons_text(e["reasons"]))])
                                                   for _, e in entries[entries.list == key].iterrows()])],
                                      className="report-table") if (entries.list == key).any() else html.P("本月无")])
             for key, zh in LISTS.items()]
    return html.Div([
        html.Div([html.Button("打印", className="btn btn-primary btn-sm", id="report-print"),
                  html.Span("建议：A4 横向，勾选“背景图形”", className="text-muted small ms-2")], className="no-print mb-2"),
        html.H1(f"{cfg['org.city_name']}国有资产盘活督导月度报告"),
        html.Div(title_line(cfg, state.label, label, "月度督导报告"), className="report-meta"),
        dbc.Row([dbc.Col(html.Section([html.H2("核心指标"), figures]), width=5),
                 dbc.Col(html.Section([html.H2("近13个月走势"),
                                       chart]),
                         width=7)]),
        ranking(regions, "县区排名") if len(regions) and scope.kind == "all" else None,
        ranking(depts, "市直部门排名" if scope.kind == "all" else "本县区部门排名"),
        *lists,
    ], className="report")


dash.clientside_callback("function(n) { if (n) { window.print(); } return ''; }",
                         dash.Output("report-print", "title"), dash.Input("report-print", "n_clicks"),
                         prevent_initial_call=True)
