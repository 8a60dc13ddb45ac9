"""/screen: the monthly meeting's wall display. Dark, large type, no navigation; panels rotate
on an interval and a new snapshot is picked up without a reload. Aggregates only."""
from __future__ import annotations

import dash
import plotly.graph_objects as go
from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, permitted
from ledger.vocab import LEVELS, LISTS
from metrics.timeline import data_date, parse_month, shift_month

dash.register_page(__name__, path="/screen", name="大屏", title="月度调度会 · 国有资产盘活督导平台")
P = "screen"
PANELS = ["核心指标", "县区排名", "部门排名", "预警分布", "约谈问责", "趋势"]
FONT = "Noto Sans CJK SC, Microsoft YaHei, sans-serif"
SHOWN = 7  # list entries that fit one panel
INK, MUTED, GRID = "#e8eef7", "#8fa3bf", "#22344d"


def layout(month: str | None = None, **_query):
    if not permitted("/screen"):
        return c.not_found()
    shown = _month(month)
    if shown is None:
        return html.Div(c.empty("尚无快照"), className="screen-root", id=f"{P}-root")
    cfg = context.config()
    return html.Div([
        dcc.Store(id=f"{P}-stamp", data=_stamp(shown)),
        dcc.Store(id=f"{P}-asked", data=month),
        dcc.Interval(id=f"{P}-refresh", interval=cfg["screen.refresh_seconds"] * 1000),
        dcc.Interval(id=f"{P}-rotate", interval=cfg["screen.rotate_seconds"] * 1000),
        html.Div(_content(shown), id=f"{P}-content"),
    ], className="screen-root", id=f"{P}-root")


def _month(asked: str | None) -> str | None:
    """The month asked for in the URL (if it has a snapshot), else the newest ended month."""
    scope, engine = context.scope(), context.engine()
    available = queries.months(engine, scope)
    try:
        if asked and parse_month(asked) in available:
            return asked
    except ValueError:
        pass
    return queries.meeting_month(engine, scope, context.config().today())


def _stamp(month: str) -> str:
    info = queries.snapshot_info(context.engine(), month)
    return f"{month}@{info['computed_at']}" if info else ""


@callback(Output(f"{P}-content", "children"), Output(f"{P}-stamp", "data"), Input(f"{P}-refresh", "n_intervals"),
          State(f"{P}-stamp", "data"), State(f"{P}-asked", "data"), prevent_initial_call=True)
@guarded("/screen")
def refresh(_n, stamp, asked):
    """A new snapshot (or a recomputed one) replaces the panels in place; otherwise nothing moves."""
    month = _month(asked if isinstance(asked, str) else None)
    if month is None:
        return no_update, no_update
    fresh = _stamp(month)
    if fresh == stamp:
        return no_update, no_update
    return _content(month), fresh


# rotate the panels and scale the 1920×1080 design to the wall (a 4K screen gets zoom 2)
clientside_callback(
    """
    function(n, ids) {
        const count = ids.length, active = (n || 0) % count;
        const fit = () => Math.min(window.innerWidth / 1920, window.innerHeight / 1080);
        if (!window.panhuoScreenFit) {  // a projector switched mid-meeting changes the size: follow it at once
            window.panhuoScreenFit = true;
            window.addEventListener("resize", () => {
                const root = document.getElementById("ROOT");
                if (root) root.style.zoom = fit();
            });
        }
        const zoom = fit();
        const classes = ids.map((_, i) => i === active ? "screen-panel active" : "screen-panel");
        const dots = ids.map((_, i) => i === active ? "screen-dot active" : "screen-dot");
        return [classes, dots, {zoom: zoom}];
    }
    """.replace("ROOT", f"{P}-root"),
    Output({"type": f"{P}-panel", "index": ALL}, "className"), Output({"type": f"{P}-dot", "index": ALL}, "className"),
    Output(f"{P}-root", "style"), Input(f"{P}-rotate", "n_intervals"), State({"type": f"{P}-panel", "index": ALL}, "id"),
)


def _content(month: str):
    scope, engine = context.scope(), context.engine()
    cfg = context.config()
    info = queries.snapshot_info(engine, month)
    city = queries.kpis(engine, scope, [shift_month(month, -i) for i in range(13)], level="city")
    now = city[city.month == month]
    if now.empty:
        return c.empty("本月无全市数据")
    now = now.iloc[0]
    before = city[city.month == shift_month(month, -1)]
    prev = before.iloc[0] if len(before) else {}
    panels = [
        _headline(now, prev),
        _region_ranking(engine, scope, month),
        _department_ranking(engine, scope, month, cfg["org.city_region_code"]),
        _heat(engine, scope, month),
        _lists(engine, scope, month),
        _trends(city.sort_values("month")),
    ]
    head = html.Div([
        html.Div([html.Span("盘", className="brand-mark"),
                  html.Span(f"{cfg['org.city_name']}国有资产盘活督导 · 月度调度会", className="screen-title")],
                 className="screen-brand"),
        html.Div([html.Div(c.month_text(month), className="screen-month"),
                  html.Div(f"数据截至 {data_date(month, info['computed_at']):%Y-%m-%d} · 计算于 {info['computed_at']:%Y-%m-%d %H:%M}",
                           className="screen-stamp")], className="screen-when"),
    ], className="screen-head")
    dots = html.Div([html.Span(name, id={"type": f"{P}-dot", "index": i}, className="screen-dot" + (" active" if i == 0 else ""))
                     for i, name in enumerate(PANELS)], className="screen-dots")
    body = html.Div([html.Div([html.H2(name, className="panel-title"), panel], id={"type": f"{P}-panel", "index": i},
                              className="screen-panel" + (" active" if i == 0 else ""))
                     for i, (name, panel) in enumerate(zip(PANELS, panels))], className="screen-body")
    return [head, body, dots]


def _change(now, before, better: str, percent: bool = True):
    if c.undefined(now) or c.undefined(before):
        return html.Div("上月无可比数据", className="big-delta muted")
    diff = now - before
    if abs(diff) < 1e-12:
        return html.Div("与上月持平", className="big-delta muted")
    good = diff > 0 if better == "higher" else diff < 0
    text = f"{diff * 100:+.2f} 个百分点" if percent else f"{diff:+.1f} 分"
    return html.Div(("▲ " if diff > 0 else "▼ ") + text, className="big-delta " + ("up" if good else "down"))


def _headline(now, prev):
    def tile(label, value, change, note):
        return html.Div([html.Div(label, className="big-label"), html.Div(value, className="big-value"), change,
                         html.Div(note, className="big-note")], className="big-tile")
    return html.Div([
        tile("综合得分", c.score_text(now["score"]), _change(now["score"], prev.get("score"), "higher", False), "五项指标加权"),
        tile("闲置率", c.pct(now["idle_rate"], 2), _change(now["idle_rate"], prev.get("idle_rate"), "lower"),
             f"闲置原值 {c.wan(now['idle_value'])}"),
        tile("超期闲置率", c.pct(now["overdue_idle_rate"], 2),
             _change(now["overdue_idle_rate"], prev.get("overdue_idle_rate"), "lower"),
             f"超期闲置 {int(now['overdue_idle_count']):,} 项"),
        tile("到期盘活完成率", c.pct(now["due_completion_rate"]),
             _change(now["due_completion_rate"], prev.get("due_completion_rate"), "higher"),
             f"逾期台账 {int(now['overdue_plan_count']):,} 项"),
        tile("收入上缴率", c.pct(now["remit_rate"]), _change(now["remit_rate"], prev.get("remit_rate"), "higher"),
             f"近12个月到账 {c.wan(now['income_received'])}"),
        tile("数据质量率", c.pct(now["data_quality_rate"]),
             _change(now["data_quality_rate"], prev.get("data_quality_rate"), "higher"),
             f"资产 {int(now['asset_count']):,} 项"),
    ], className="big-tiles")


def _bars(frame, limit: int | None = None):
    """Ranked rows as CSS bars: they scale with the screen and never clip a name."""
    rows = []
    for _, r in frame.head(limit or len(frame)).iterrows():
        move = r["rank_change"]
        arrow = "" if c.undefined(move) or move == 0 else (f"▲{int(move)}" if move > 0 else f"▼{int(-move)}")
        rows.append(html.Div([
            html.Span(f"{int(r['rank'])}", className="bar-rank"), html.Span(r["name"], className="bar-name"),
            html.Div(html.Div(style={"width": f"{max(0.0, min(100.0, r['score'])):.1f}%"}, className="bar-fill"),
                     className="bar-track"),
            html.Span(c.score_text(r["score"]), className="bar-score"),
            html.Span(arrow, className="bar-move " + ("up" if arrow.startswith("▲") else "down")),
        ], className="bar-row"))
    return html.Div(rows, className="bars") if rows else c.empty()


def _region_ranking(engine, scope, month):
    regions = queries.kpis(engine, scope, month, level="region").dropna(subset=["rank"]).sort_values("rank")
    return html.Div(_bars(regions), className="fill-panel")  # a handful of counties spread over the whole panel


def _department_ranking(engine, scope, month, city_code):
    depts = queries.kpis(engine, scope, month, level="department", region=city_code).dropna(subset=["rank"])
    depts = depts.sort_values("rank")
    return html.Div([
        html.Div([html.H3(f"市直部门前十（共 {len(depts)} 个）", className="sub-title"), _bars(depts.head(10))],
                 className="half"),
        html.Div([html.H3("市直部门后十", className="sub-title"), _bars(depts.tail(10))], className="half"),
    ], className="halves")


def _heat(engine, scope, month):
    counts = queries.warning_counts(engine, scope, month)
    regions = queries.kpis(engine, scope, month, level="region")
    names = dict(zip(regions["code"], regions["name"]))
    table = counts.pivot_table(index="region_code", columns="level", values="count", aggfunc="sum", fill_value=0) \
        if len(counts) else None
    levels = ["red", "orange", "yellow"]
    top = max(1, int(table.to_numpy().max())) if table is not None else 1
    head = html.Tr([html.Th("区划")] + [html.Th(f"{LEVELS[lv]}预警") for lv in levels] + [html.Th("合计")])
    rows = []
    city_code = context.config()["org.city_region_code"]
    for code in sorted(names, key=lambda k: (k != city_code, k)):
        values = [int(table.loc[code, lv]) if table is not None and code in table.index and lv in table.columns else 0
                  for lv in levels]
        cells = [html.Td(f"{v:,}", className=f"heat heat-{lv}", style={"--heat": f"{0.12 + 0.88 * v / top:.2f}"})
                 for lv, v in zip(levels, values)]
        label = f"{names[code]}（市本级）" if code == city_code else names[code]
        rows.append(html.Tr([html.Th(label)] + cells + [html.Td(f"{sum(values):,}", className="heat-total")]))
    return html.Table([html.Thead(head), html.Tbody(rows)], className="heat-table")


def _lists(engine, scope, month):
    entries = queries.lists(engine, scope, month)
    blocks = []
    for key in ("interview", "accountability"):
        members = entries[entries.list == key]
        items = [html.Li([html.Span(e["name"], className="list-who"),
                          html.Span("；".join(r["text"] for r in e["reasons"][:2]), className="list-why")])
                 for _, e in members.head(SHOWN).iterrows()]
        more = f"（另有 {len(members) - SHOWN} 个）" if len(members) > SHOWN else ""
        blocks.append(html.Div([html.H3(f"{LISTS[key]}名单 · {len(members)} 个{more}", className="sub-title"),
                                html.Ul(items, className="screen-list") if items else c.empty("本月无")], className="half"))
    others = " · ".join(f"{LISTS[k]} {int((entries.list == k).sum())} 个" for k in ("notice", "budget_restriction"))
    totals = queries.commitment_totals(engine, scope, context.config().today())
    others += f" · 整改承诺进行中 {totals['open']} 项，其中逾期 {totals['overdue']} 项"
    return html.Div([html.Div(blocks, className="halves"), html.Div(others, className="screen-foot")])


def _trends(city):
    """Two scales, two charts: the rates (%) on the left, the composite score on the right."""
    def layout(fig, title, suffix, rangemode):
        fig.update_layout(height=760, margin={"l": 70, "r": 30, "t": 70, "b": 60}, paper_bgcolor="rgba(0,0,0,0)",
                          plot_bgcolor="rgba(0,0,0,0)", font={"family": FONT, "size": 20, "color": INK},
                          title={"text": title, "font": {"size": 24}, "x": 0.02, "y": 0.98},
                          legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.02, "font": {"size": 20}},
                          xaxis={"type": "category", "gridcolor": GRID, "color": MUTED, "tickmode": "array",
                                 "tickvals": list(city["month"]), "ticktext": c.month_ticks(list(city["month"])),
                                 "tickangle": 0, "tickfont": {"size": 16}},
                          yaxis={"ticksuffix": suffix, "gridcolor": GRID, "color": MUTED, "rangemode": rangemode})
        return dcc.Graph(figure=fig, config={"displayModeBar": False, "staticPlot": True})

    rates = go.Figure()
    series = {"idle_rate": ("闲置率", "#ff8a65"), "overdue_idle_rate": ("超期闲置率", "#ef5350"),
              "due_completion_rate": ("到期盘活完成率", "#66bb6a"), "remit_rate": ("收入上缴率", "#42a5f5")}
    for column, (label, color) in series.items():
        rates.add_trace(go.Scatter(x=city["month"], y=city[column] * 100, name=label, mode="lines+markers",
                                   line={"color": color, "width": 4}, marker={"size": 9}))
    score = go.Figure(go.Scatter(x=city["month"], y=city["score"], name="综合得分", mode="lines+markers+text",
                                 text=[f"{v:.1f}" if v == v else "" for v in city["score"]], textposition="top center",
                                 line={"color": "#ffd54f", "width": 4}, marker={"size": 10}, showlegend=False))
    return html.Div([layout(rates, "各项比率", "%", "tozero"), layout(score, "全市综合得分", "", "normal")],
                    className="screen-trends")
