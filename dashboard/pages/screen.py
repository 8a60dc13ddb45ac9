"""/screen: the monthly meeting's wall display. Dark, large type, no navigation; panels rotate
on an interval and a new snapshot is picked up without a reload. Aggregates only."""
from __future__ import annotations

from dash import ALL, Input, Output, State, callback, clientside_callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, permitted, register_page
from ledger.vocab import LEVELS, LISTS, SEVERE_FIRST
from metrics.timeline import parse_month, shift_month
from outputs import figures as fig
from outputs.phrasing import reasons_text

PATH = register_page(__name__, "/screen")
P = "screen"
PANELS = ["核心指标", "县区排名", "部门排名", "预警分布", "约谈问责", "趋势"]
SHOWN = 7  # list entries that fit one panel
INK, MUTED, GRID = "#e8eef7", "#8fa3bf", "#22344d"


def layout(month: str | None = None, **_query):
    if not permitted(PATH):
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
    config = context.config()
    return queries.chosen_month(engine, scope, None, config.zone, config.today())


def _stamp(month: str) -> str:
    info = queries.snapshot_info(context.engine(), month)
    return f"{month}@{info['computed_at']}" if info else ""


@callback(Output(f"{P}-content", "children"), Output(f"{P}-stamp", "data"), Input(f"{P}-refresh", "n_intervals"),
          State(f"{P}-stamp", "data"), State(f"{P}-asked", "data"), prevent_initial_call=True)
@guarded(PATH)
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
    state = queries.month_states(engine, scope, cfg.zone)[month]
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
        html.Div([html.Div(state.label, className="screen-month"),
                  html.Div(f"数据截至 {fig.date_text(state.reach)} · 计算于 "
                           f"{fig.moment(state.computed_at, cfg.zone, seconds=False)}", className="screen-stamp")],
                 className="screen-when"),
    ], className="screen-head")
    dots = html.Div([html.Span(name, id={"type": f"{P}-dot", "index": i}, className="screen-dot" + (" active" if i == 0 else ""))
                     for i, name in enumerate(PANELS)], className="screen-dots")
    body = html.Div([html.Div([html.H2(name, className="panel-title"), panel], id={"type": f"{P}-panel", "index": i},
                              className="screen-panel" + (" active" if i == 0 else ""))
                     for i, (name, panel) in enumerate(zip(PANELS, panels))], className="screen-body")
    return [head, body, dots]


def _headline(now, prev):
    """The six headline figures, as the overview shows them (components.HEADLINE, outputs.figures)."""
    def tile(key, notes):
        change = fig.change(key, now[key], prev.get(key))
        tone = "muted" if change.size is None else {True: "up", False: "down", None: "muted"}[change.improved]
        return html.Div([html.Div(fig.figure(key).label, className="big-label"),
                         html.Div(c.shown(key, now[key]), className="big-value"),
                         html.Div(change.arrow if change.size is None else f"较上月 {change.arrow}",
                                  className=f"big-delta {tone}", title=change.sentence),
                         html.Div("五项指标加权" if key == "score" else c.figure_note(now, notes), className="big-note")],
                        className="big-tile", id=f"{P}-tile-{key}")
    return html.Div([tile(key, notes) for key, notes in c.HEADLINE], className="big-tiles")


def _bars(frame, limit: int | None = None):
    """Ranked rows as CSS bars: they scale with the screen and never clip a name."""
    rows = []
    for _, r in frame.head(limit or len(frame)).iterrows():
        arrow = fig.rank_move(r["rank_change"])
        rows.append(html.Div([
            html.Span(f"{int(r['rank'])}", className="bar-rank"), html.Span(r["name"], className="bar-name"),
            html.Div(html.Div(style={"width": f"{max(0.0, min(100.0, r['score'])):.1f}%"}, className="bar-fill"),
                     className="bar-track"),
            html.Span(c.shown("score", r["score"]), className="bar-score"),
            html.Span("" if arrow in ("＝", fig.DASH) else arrow,
                      className="bar-move " + ("up" if arrow.startswith("▲") else "down")),
        ], className="bar-row"))
    return html.Div(rows, className="bars") if rows else c.empty()


def _region_ranking(engine, scope, month):
    regions = queries.kpis(engine, scope, month, level="region").dropna(subset=["rank"]).sort_values("rank")
    return html.Div(_bars(regions), className="fill-panel")  # a handful of counties spread over the whole panel


def _department_ranking(engine, scope, month, city_code):
    depts = queries.kpis(engine, scope, month, level="department", region=city_code).dropna(subset=["rank"])
    depts = depts.sort_values("rank")
    # the rows of each half spread over the panel's height, so neither leaves its lower half empty
    return html.Div([
        html.Div([html.H3(f"市直部门前十（共 {len(depts):,} 个）", className="sub-title"), _bars(depts.head(10))],
                 className="half fill-half"),
        html.Div([html.H3("市直部门后十", className="sub-title"), _bars(depts.tail(10))], className="half fill-half"),
    ], className="halves")


def _heat(engine, scope, month):
    counts = queries.warning_counts(engine, scope, month)
    regions = queries.kpis(engine, scope, month, level="region")
    names = dict(zip(regions["code"], regions["name"]))
    table = counts.pivot_table(index="region_code", columns="level", values="count", aggfunc="sum", fill_value=0) \
        if len(counts) else None
    levels = list(SEVERE_FIRST)
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
                          html.Span(reasons_text(e["reasons"][:2]), className="list-why")])
                 for _, e in members.head(SHOWN).iterrows()]
        more = f"（另有 {len(members) - SHOWN:,} 个）" if len(members) > SHOWN else ""
        blocks.append(html.Div([html.H3(f"{LISTS[key]}名单 · {len(members):,} 个{more}", className="sub-title"),
                                html.Ul(items, className="screen-list") if items else c.empty("本月无")], className="half"))
    others = " · ".join(f"{LISTS[k]} {int((entries.list == k).sum()):,} 个" for k in ("notice", "budget_restriction"))
    totals = queries.commitment_totals(engine, scope, context.config().today())
    others += f" · 整改承诺进行中 {totals['open']:,} 项，其中逾期 {totals['overdue']:,} 项"
    return html.Div([html.Div(blocks, className="halves"), html.Div(others, className="screen-foot")])


TRENDS = {"score": "#ffd54f", "idle_rate": "#ff8a65", "overdue_idle_rate": "#ef5350", "due_completion_rate": "#66bb6a",
          "remit_rate": "#42a5f5", "data_quality_rate": "#ba68c8"}


def _trends(city):
    """Small multiples: one panel per figure, each axis fitted to its own line (four rates between 9 %
    and 93 % that each move by a point or two are flat lines on one 0–100 % axis)."""
    months = list(city["month"])

    def panel(key, color):
        values = city[key] * (100 if fig.figure(key).kind == "rate" else 1)
        known = values.dropna()
        low, high = (float(known.min()), float(known.max())) if len(known) else (0.0, 1.0)
        pad = max((high - low) * 0.25, 0.5 if fig.figure(key).kind == "rate" else 1.0)
        line = {"type": "scatter", "x": months, "y": c.values(values), "mode": "lines+markers+text",
                "line": {"color": color, "width": 4}, "marker": {"size": 9},
                "text": [c.shown(key, v) if i in (0, len(months) - 1) else "" for i, v in enumerate(city[key])],
                "textposition": "top center", "textfont": {"size": 18, "color": INK}, "showlegend": False}
        return html.Div(c.chart([line], {
            "height": 366, "margin": {"l": 70, "r": 24, "t": 56, "b": 44}, "paper_bgcolor": "rgba(0,0,0,0)",
            "plot_bgcolor": "rgba(0,0,0,0)", "font": {"family": c.FONT, "size": 16, "color": INK},
            "title": {"text": f"{fig.figure(key).label} {c.shown(key, city[key].iloc[-1])}", "font": {"size": 24},
                      "x": 0.03, "y": 0.95},
            "xaxis": c.month_axis(months, gridcolor=GRID, color=MUTED, tickfont={"size": 13}),
            "yaxis": {"ticksuffix": "%" if fig.figure(key).kind == "rate" else "", "gridcolor": GRID, "color": MUTED,
                      "range": [max(0.0, low - pad), min(100.0, high + pad)], "nticks": 5, "zeroline": False}},
            static=True), className="trend-cell")

    return html.Div([panel(key, color) for key, color in TRENDS.items()], className="screen-trends")
