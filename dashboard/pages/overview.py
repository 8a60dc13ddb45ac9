"""总览 Overview: headline figures with month-on-month change, trends, rankings, warnings, lists."""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
from dash import Input, Output, callback, html

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, month_in_address, page_frame, register_page
from ledger import clock, reporting, vocab
from ledger.vocab import LISTS, CaseState
from metrics.timeline import shift_month
from outputs import figures as fig

PATH = register_page(__name__, "/")
P = "overview"
month_in_address(f"{P}-month")


def focus(scope) -> tuple[str, str | None]:
    """The row the page is about: the city, or the caller's own region or department."""
    if scope.kind == "region":
        return "region", scope.code
    if scope.kind == "department":
        return "department", scope.code
    return "city", None


def layout(month: str | None = None, **_query):
    scope = context.scope()
    # a county's overview says whose it is; the city's is the page everyone knows as 总览
    name = queries.scope_name(context.engine(), scope) if scope.kind == "region" else None
    return page_frame(PATH, P, f"总览 · {name}" if name else "总览", month=month)


@callback(Output(f"{P}-body", "children"), Input(f"{P}-month", "value"))
@guarded(PATH)
def render(month: str):
    scope, engine = context.scope(), context.engine()
    if month not in queries.months(engine, scope):
        return c.not_found()
    level, code = focus(scope)
    rows = queries.kpis(engine, scope, [shift_month(month, -i) for i in range(13)], level=level, code=code)
    if rows.empty:
        return c.not_found()
    now = rows[rows.month == month].iloc[0]
    before = rows[rows.month == shift_month(month, -1)]
    prev = before.iloc[0] if len(before) else {}
    cfg = context.config()
    cards = dbc.Row([dbc.Col(c.kpi_card(
        fig.figure(key).label, c.shown(key, now[key]), c.delta(key, now[key], prev.get(key)),
        _rank_note(now) if key == "score" else c.figure_note(now, notes), id_=f"kpi-{key}",
        explained=c.explain(key, cfg)), xs=6, md=4, xl=2, className="kpi-col") for key, notes in c.HEADLINE],
        className="g-3 mb-3")
    trend = rows.sort_values("month")
    charts = dbc.Row([
        dbc.Col(c.section("近13个月综合得分", c.trend(trend, ["score"]))),
        dbc.Col(c.section("近13个月闲置率", c.trend(trend, ["idle_rate", "overdue_idle_rate"]))),
    ], className="g-3 mb-3")
    return html.Div([_to_do(month, scope, engine), cards, charts, _rankings(month, scope, engine),
                     _alerts(month, scope, engine)])


def _rank_note(row) -> str:
    if c.undefined(row.get("rank")):
        return {"city": "全市综合得分", "region": "本级不参与排名"}.get(row["level"], "本月未参与排名")
    return fig.rank_text(row["rank"], row["peer_size"])


def _rankings(month, scope, engine):
    parts = []
    if scope.kind in ("all", "screen"):
        regions = queries.kpis(engine, scope, month, level="region")
        ranked = regions.dropna(subset=["rank"]).sort_values("rank")
        bars = {"type": "bar", "x": c.values(ranked["score"]), "y": ranked["name"].tolist(), "orientation": "h",
                "marker": {"color": "#1f4e79"}, "text": [c.shown("score", s) for s in ranked["score"]],
                "textposition": "outside", "hovertemplate": "%{y}：%{text}<extra></extra>"}
        parts.append(dbc.Col(c.section("县区排名", c.chart([bars], {
            "height": 300, "margin": {"l": 10, "r": 30, "t": 10, "b": 20}, "plot_bgcolor": "white",
            "yaxis": {"autorange": "reversed"}, "xaxis": {"range": [0, 105], "gridcolor": "#eef1f5"},
            "font": {"family": c.FONT}})), lg=4))
    if scope.kind in ("all", "screen", "region"):
        region = scope.code if scope.kind == "region" else context.config()["org.city_region_code"]
        depts = queries.kpis(engine, scope, month, level="department", region=region).dropna(subset=["rank"])
        title = "市直部门" if scope.kind != "region" else f"{queries.scope_name(engine, scope) or '本县区'}部门"
        width = 4 if parts else 6  # a county's two lists share the row that the city's shares with 县区排名
        for label, part in ((f"{title}前五名", depts.nsmallest(5, "rank")), (f"{title}后五名", depts.nlargest(5, "rank"))):
            parts.append(dbc.Col(c.section(label, _rank_list(part, scope)), lg=width))
    return dbc.Row(parts, className="g-3 mb-3") if parts else html.Div()


def _rank_list(frame, scope):
    items = []
    for _, row in frame.sort_values("rank").iterrows():
        name = html.A(row["name"], href=f"/department?code={row['code']}") if scope.sees_assets else row["name"]
        items.append(html.Li([html.Span(f"{int(row['rank'])}", className="rank-badge"), name,
                              html.Span(c.shown("score", row["score"]), className="ms-auto fw-semibold")],
                             className="rank-item"))
    return html.Ol(items, className="rank-list") if items else c.empty()


def _this_week(scope, engine) -> html.Div:
    """How many of the scope's departments have sent this week's 周进度, and by when the rest must;
    until then also how many did not send last week's (what a Monday asks first)."""
    cfg = context.config()
    now = clock.local_now(cfg.zone)
    week = reporting.week_of(now.date())
    reports = queries.weekly(engine, scope, week)
    done = int(reports["version"].notna().sum()) if len(reports) else 0
    due = reporting.week_due(week, cfg["reporting.weekly_due"])
    said = f"本周进度已报送 {done:,} / {len(reports):,} 个部门"
    if done < len(reports):  # as the 周进度 tab: 待报送 until it is due, 未报送 after
        said += f"，应于{fig.due_moment(due)}前报送" if now < due else f"，{len(reports) - done:,} 个部门未报送"
    lines = [html.A(f"{said} →", href=c.weekly_href(week), className="d-block")]
    if now < due:
        last = reporting.reported_week(now, cfg["reporting.weekly_due"])
        before = queries.weekly(engine, scope, last)
        if missing := int(before["version"].isna().sum()) if len(before) else 0:
            lines.append(html.A(f"上周 {missing:,} 个部门未报送 →", href=c.weekly_href(last), className="d-block mt-1"))
    return html.Div(lines, className="small mt-2", id=f"{P}-weekly")


def _to_do(month, scope, engine) -> html.Div | None:
    """What waits on those who interview, close items off (销号) and review purchases: departments on
    the month's 约谈 list not yet scheduled, notices left unread too long, warnings and commitments
    departments reported done, requests with no decision; each a link to where it is answered."""
    if not any(scope.may(action) for action in ("schedule", "verify", "decide")):
        return None
    cfg = context.config()
    items = []
    if scope.may("schedule") and (waiting := queries.interviews_to_schedule(engine, scope, month)):
        items.append(html.A(f"本月约谈名单 {waiting:,} 个部门尚未安排约谈",
                            href=f"/interviews?{urlencode({'month': month})}"))
    # notices a department has left unread too long: whoever interviews follows them up (delivery.md)
    days = cfg["delivery.read_within_days"]
    if scope.may("schedule") and (unread := queries.overdue_unread(engine, scope, clock.now(), days)):
        items.append(html.A(f"{len(unread):,} 份通知书逾期未读（送达超过 {days} 天）", href="/interviews"))
    if scope.may("verify"):
        cases = queries.case_counts(engine, scope, month, cfg.today(), cfg["workflow.ack_days"],
                                    state=CaseState.SUBMITTED)["total"]
        if cases:
            items.append(html.A(f"{cases:,} 条预警已报送整改，待核验销号",
                                href=f"/warnings?{urlencode({'month': month, 'state': CaseState.SUBMITTED})}"))
        if commitments := queries.commitments_to_check(engine, scope):
            items.append(html.A(f"{commitments:,} 项整改承诺待核验", href="/interviews"))
    if scope.may("decide"):
        items += [html.A(f"{year} 年度配置需求 {n:,} 项待审核", href=f"/allocation?{urlencode({'year': year, 'show': 'open'})}")
                  for year, n in queries.requests_to_review(engine, scope).items()]
    joined = [part for n, item in enumerate(items) for part in ([html.Span("·", className="mx-2")] if n else []) + [item]]
    return html.Div([html.Span("待办", className="todo-head"), *(joined or [html.Span("没有待安排、待核验、待审核的事项")])],
                    className="todo-strip mb-3", id=f"{P}-to-do")


def _alerts(month, scope, engine):
    cols = []
    if scope.kind in ("all", "region"):  # the finance bureau's and a county's: who has not reported the month
        cfg = context.config()
        sent = queries.submissions(engine, scope, month, cfg.today(), cfg["reporting.due_day"])
        cols.append(dbc.Col(c.submission_tiles(sent, month, reporting.due_date(month, cfg["reporting.due_day"]),
                                               f"{P}-reporting", _this_week(scope, engine)), lg=3))
    if scope.sees_assets:
        counts = queries.warning_counts(engine, scope, month)
        by_level = counts.groupby("level")["count"].sum().to_dict() if not counts.empty else {}
        badges = [html.A([html.Div(f"{by_level.get(level, 0):,}", className="alert-count"),
                          html.Div(f"{vocab.LEVELS[level]}预警")], href=f"/warnings?level={level}",
                         className=f"alert-tile tile-{level}") for level in vocab.SEVERE_FIRST]
        # three counts of up to five digits side by side: a quarter of a laptop's width cuts the third
        cols.append(dbc.Col(c.section("本月预警", html.Div(badges, className="alert-tiles")), lg=4))
    if scope.kind != "department":
        entries = queries.lists(engine, scope, month)
        blocks = []
        for key, zh in LISTS.items():
            members = entries[entries.list == key]
            names = "、".join(members["name"].head(6)) + ("等" if len(members) > 6 else "")
            blocks.append(html.Div([html.Span(f"{zh} {len(members)}", className=f"list-tag list-{key}"),
                                    html.Span(names or "无", className="list-names")], className="list-line"))
        cols.append(dbc.Col(c.section("本月名单", *blocks, extra=html.A("查看详情", href="/lists", className="ms-auto")),
                            lg=12 - sum(col.lg for col in cols)))
    return dbc.Row(cols, className="g-3") if cols else html.Div()
