"""我的得分 My score: a department's own score, rank among N, sub-scores, trend, where the points went."""
from __future__ import annotations

from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html
from flask_login import current_user

from dashboard import components as c
from dashboard import context, queries
from dashboard.components.scores import costliest, score_breakdown
from dashboard.shell import guarded, month_in_address, page_frame, register_page
from ledger import clock, reporting, vocab
from ledger.models import SCORE_NAMES
from ledger.vocab import CaseState
from ledger.warning_list import OVERDUE_STATE
from metrics import attribution, whatif
from metrics.definitions import SCORED
from metrics.rules import BEHIND_SCORE, FIXED_BY
from metrics.timeline import shift_month, snapshot_date
from outputs import figures as fig

PATH = register_page(__name__, "/my-score")
P = "my-score"
month_in_address(f"{P}-month")


def layout(month: str | None = None, **_query):
    return page_frame(PATH, P, "我的得分", month=month)


@callback(Output(f"{P}-body", "children"), Input(f"{P}-month", "value"))
@guarded(PATH)
def render(month: str):
    scope, engine, config = context.scope(), context.engine(), context.config()
    if scope.kind != "department":
        return c.not_found()
    row = queries.kpi_row(engine, scope, month, "department", scope.code)
    if row is None:
        return c.not_found()
    history = queries.kpis(engine, scope, [shift_month(month, -i) for i in range(13)], level="department",
                           code=scope.code).sort_values("month")
    rank = fig.rank_text(row["rank"], row["peer_size"], "本月未参与排名（无在册资产）")
    change = row["rank_change"]
    move = "" if c.undefined(change) or change == 0 else \
        f"名次较上月{'上升' if change > 0 else '下降'} {abs(int(change))} 位"
    lost = attribution.lost_points(row, config)
    order = sorted((n for n in SCORE_NAMES if lost[n] >= 0.05), key=lambda n: -lost[n])
    warnings = queries.warnings(engine, scope, month)
    items = queries.point_items(engine, scope, month, scope.code)
    names = {i["asset_code"]: i["asset_name"] for i in items if isinstance(i.get("asset_name"), str)}
    fixes = []
    for name in order:
        behind = warnings[warnings.rule.isin(BEHIND_SCORE[name])].drop_duplicates("asset_code")
        fixes.append(html.Div([
            html.Div([html.Span(SCORED[name].label, className="fw-semibold"),
                      html.Span(f"失 {fig.phrase('score', lost[name])}", className="lost")],
                     className="fix-head"),
            html.Div(f"涉及资产 {len(behind):,} 项：" + "、".join(f"{code}（{names[code]}）" if code in names else code
                                                           for code in behind["asset_code"].head(8))
                     + ("等" if len(behind) > 8 else ""),
                     className="fix-body") if len(behind) else html.Div("无对应预警，按指标口径整改", className="fix-body"),
        ], className="fix-item"))
    bars = c.chart([{"type": "bar", "x": [SCORED[n].label for n in SCORE_NAMES],
                     "y": c.values([row[f"score_{n}"] for n in SCORE_NAMES]),
                     "text": [c.shown("score", row[f"score_{n}"]) for n in SCORE_NAMES], "textposition": "outside",
                     "hovertemplate": "%{x}：%{text}<extra></extra>",
                     "marker": {"color": ["#2e8b57" if row[f"score_{n}"] >= 80 else "#e0701b" if row[f"score_{n}"] >= 50
                                          else "#c8102e" for n in SCORE_NAMES]}}],
                   {"height": 260, "margin": {"l": 30, "r": 10, "t": 20, "b": 30},
                    "yaxis": {"range": [0, 110], "gridcolor": "#eef1f5"}, "plot_bgcolor": "white", "font": {"family": c.FONT}})
    return html.Div([
        # first what the department is and what waits on it, then where its points went
        dbc.Row([
            dbc.Col([c.kpi_card(row["name"], c.shown("score", row["score"]),
                                html.Div([c.delta("score", row["score"], _previous(history, month).get("score")),
                                          html.Div(move, className="delta muted")]), rank, id_=f"{P}-score"),
                     html.A("通报、约谈、整改履历 →", href=f"/history?code={row['code']}", className="small d-block mt-2")],
                    lg=4),
            dbc.Col(_to_answer(month), lg=4),
            dbc.Col(_reporting(month), lg=4),
        ], className="g-3 mb-3"),
        dbc.Row([dbc.Col(c.section("单项得分", bars), lg=6),
                 dbc.Col(score_breakdown(row, config), lg=6)], className="g-3 mb-3"),
        c.section("失分在哪里 · 优先整改", *(fixes or [c.empty("本月没有失分")])),
        costliest(row, items, month, config, f"{P}-costliest"),
        whatif_section(items, month),
        c.section("近13个月得分", c.trend(history, ["score"])),
        c.request_outcomes(queries.purchase_requests(context.engine(), context.scope(), dept=row["code"])),
    ])


def _reporting(month: str):
    """What the department has to send: its units' ledgers of the month, and this week's 周进度."""
    scope, config, engine = context.scope(), context.config(), context.engine()
    sent = queries.submissions(engine, scope, month, config.today(), config["reporting.due_day"])
    if sent.empty:
        return None
    return c.submission_tiles(sent, month, reporting.due_date(month, config["reporting.due_day"]), f"{P}-reporting",
                              _this_week())


def _to_answer(month: str) -> dbc.Card:
    """What waits on the department: an interview ahead; the month's warnings to acknowledge, to fix
    and report with evidence, sent back; its notices unread; its commitments not done — each a link
    to where it is answered."""
    scope, config, engine = context.scope(), context.config(), context.engine()
    today, days = config.today(), config["workflow.ack_days"]

    def warnings(state: str) -> int:
        return queries.case_counts(engine, scope, month, today, days, state=state)["total"]

    def link(text: str, state: str, **options) -> html.A:
        return html.A(text, href=f"/warnings?{urlencode({'month': month, 'state': state})}", **options)
    # an interview ahead first: a day and a place to keep (the notice leaves them blank; 约谈安排 says them)
    items = [html.Li(html.A(f"约谈：{fig.date_text(i.scheduled_on)}，{i.place or '地点另行通知'}（{fig.month_text(i.month)}"
                            "约谈名单），请按约谈通知书准备书面整改报告", href="/interviews", className="fw-semibold"))
             for i in queries.interviews_ahead(engine, scope, today)]
    if n := warnings(CaseState.OPEN):  # the overdue ones are of these, said inside the line, not added to it
        late = warnings(OVERDUE_STATE)
        items.append(html.Li([link(f"{n:,} 条预警待确认", CaseState.OPEN)] + ([
            "，其中 ", link(f"{late:,} 条橙色以上逾期未确认（超过 {days} 天）", OVERDUE_STATE, className="text-danger")]
            if late else [])))
    for state, words in ((CaseState.ACKNOWLEDGED, "条预警已确认，整改后报送佐证材料"),
                         (CaseState.RETURNED, "条预警被退回，需重新报送")):
        if n := warnings(state):
            items.append(html.Li(link(f"{n:,} {words}", state)))
    unread, late = queries.unread_notices(engine, current_user.id, clock.now(), config["delivery.read_within_days"])
    if unread:  # what a department must read in time (delivery.md: 逾期未读 is listed to its supervisor)
        items.append(html.Li(html.A(f"{unread:,} 份约谈、整改通知书未读" + (
            f"，其中 {late:,} 份逾期未读（超过 {config['delivery.read_within_days']} 天）" if late else ""),
            href="/inbox", className="text-danger" if late else None)))
    commitments = queries.commitment_totals(engine, scope, today)
    if commitments["open"]:
        items.append(html.Li(html.A(f"{commitments['open']:,} 项整改承诺未完成" + (
            f"，其中逾期 {commitments['overdue']:,} 项" if commitments["overdue"] else ""), href="/interviews")))
    return c.section("待办", html.Ul(items, className="mb-0 ps-3", id=f"{P}-to-answer") if items else
                     c.empty("本月没有待办事项"))


def _this_week() -> html.Div:
    """This week's 周进度: sent (which version), still to send (by when), or not sent in time; and
    until this week's is due, last week's if it never came (it may still be sent, late)."""
    scope, config = context.scope(), context.config()
    now, weekday = clock.local_now(config.zone), config["reporting.weekly_due"]
    week = reporting.week_of(now.date())
    version = _own_version(scope, week)
    due = reporting.week_due(week, weekday)
    if version:
        said, tone = f"本周进度已报送（第 {version} 版）", "text-success"
    elif now < due:  # as the 报送 page's 周进度 tab: 待报送 until it is due
        said, tone = f"本周进度待报送，应于{fig.due_moment(due)}前报送", "text-body"
    else:
        said, tone = f"本周进度未报送（{fig.due_moment(due)}截止）", "text-danger"
    lines = [html.A(f"{said} →", href=c.weekly_href(week), className=f"d-block {tone}")]
    if now < due and not _own_version(scope, last := reporting.reported_week(now, weekday)):
        lines.append(html.A(f"上周进度未报送（{fig.due_moment(reporting.week_due(last, weekday))}截止） →",
                            href=c.weekly_href(last), className="d-block mt-1 text-danger"))
    return html.Div(lines, className="small mt-2", id=f"{P}-weekly")


def _own_version(scope, week: str) -> int | None:
    """The newest version of the department's own 周进度 of `week`; None when it sent none."""
    reports = queries.weekly(context.engine(), scope, week)
    mine = reports[reports["dept_code"] == scope.code] if len(reports) else reports
    return int(mine.iloc[0]["version"]) if len(mine) and not pd.isna(mine.iloc[0]["version"]) else None


def _previous(history, month: str) -> dict:
    before = history[history.month == shift_month(month, -1)]
    return before.iloc[0].to_dict() if len(before) else {}


# ---- what-if: the score if some warned items were fixed (a simulation, nothing is written) ----

KINDS = FIXED_BY  # what a department may tick as a whole: every item of one kind of fix


def whatif_section(items: list[dict], month: str) -> dbc.Card:
    """Tick items (or a whole kind) and see the score, sub-scores and rank recomputed at once."""
    if not items:
        return c.section("模拟测算 · 如果整改这些问题", c.empty("本月没有待整改的预警事项，无需模拟"))
    kinds = [{"label": f"{vocab.FIX_ACTIONS[k]}（全部 {n:,} 项）", "value": k}
             for k, n in ((k, sum(1 for i in items if i["rule"] in rules)) for k, rules in KINDS.items()) if n]
    frame = pd.DataFrame([{"key": f"{i['rule']}|{i['ref']}", "action": RULE_ACTION[i["rule"]],
                           "asset": i["asset_code"], "name": i["asset_name"], "ref": i["ref"],
                           "value": (i["amount"] if i["rule"] == "remit_late" else i["value"]) or None}
                          for i in items], columns=["key", "action", "asset", "name", "ref", "value"])
    # an asset idle 6+ months carries two warnings (超期闲置, 闲置未列台账) but is one thing to fix
    frame = frame.drop_duplicates(["action", "ref"])
    grid = c.grid(f"{P}-whatif-grid", frame, [
        {"field": "action", "headerName": "整改事项", "width": 150}, {"field": "asset", "headerName": "资产编号", "width": 150},
        {"field": "name", "headerName": "资产名称", "flex": 1, "minWidth": 140},
        {"field": "ref", "headerName": "预警对象编号", "width": 150}, c.yuan_column("value", "涉及金额", width=140),
    ], height="320px", options={"rowSelection": {"mode": "multiRow"}}, getRowId="params.data.key")
    return c.section(
        "模拟测算 · 如果整改这些问题",
        dbc.Alert("这是模拟测算：按本月快照的口径，假设所选问题已整改，重新计算得分和排名；不修改任何数据，也不影响正式排名。",
                  color="info", className="py-2 small"),
        dcc.Store(id=f"{P}-whatif-month", data=month),
        dbc.Checklist(id=f"{P}-whatif-kinds", options=kinds, value=[], inline=True, className="mb-2"),
        html.Div("或在下表中勾选具体资产：", className="text-muted small mb-1"),
        grid,
        dcc.Loading(html.Div(id=f"{P}-whatif-result", className="mt-3")),
    )


RULE_ACTION = {rule: vocab.FIX_ACTIONS[kind] for kind, rules in KINDS.items() for rule in rules}


def _standing(result) -> html.Div:
    def rank_text(side):
        return fig.rank_text(side["rank"], side["peer_size"])
    before, after = result.before, result.after
    rows = [html.Tr([html.Td(SCORED[n].label), html.Td(c.shown("score", before[f"score_{n}"])),
                     html.Td(c.shown("score", after[f"score_{n}"])),
                     html.Td(fig.change("score", after[f"score_{n}"], before[f"score_{n}"]).arrow)]) for n in SCORE_NAMES]
    return html.Div([
        dbc.Row([
            dbc.Col(c.kpi_card("模拟综合得分", c.shown("score", after["score"]),
                               html.Div(f"较本月 {fig.change('score', after['score'], before['score']).arrow}",
                                        className="delta"), f"本月 {c.shown('score', before['score'])}",
                               id_=f"{P}-whatif-score"), md=4),
            dbc.Col(c.kpi_card("模拟排名", rank_text(after), None, f"本月 {rank_text(before)}", id_=f"{P}-whatif-rank"), md=4),
            dbc.Col(c.kpi_card("计入测算的问题", f"{result.fixed:,} 项", None, "同一资产的两条闲置预警按一项计"), md=4),
        ], className="g-3 mb-2"),
        dbc.Table([html.Thead(html.Tr([html.Th(h) for h in ("指标", "本月单项得分", "模拟单项得分", "变化")])),
                   html.Tbody(rows)], size="sm", className="score-table"),
    ])


@callback(Output(f"{P}-whatif-result", "children"),
          Input(f"{P}-whatif-kinds", "value"), Input(f"{P}-whatif-grid", "selectedRows"),
          State(f"{P}-whatif-month", "data"))
@guarded(PATH)
def simulate(kinds, selected, month):
    scope, engine, config = context.scope(), context.engine(), context.config()
    if scope.kind != "department" or not month:
        return c.not_found()
    row = queries.kpi_row(engine, scope, month, "department", scope.code)
    if row is None:
        return c.not_found()
    picked = {r.get("key") for r in selected or [] if isinstance(r, dict)}
    rules = {rule for kind in kinds or [] for rule in KINDS.get(kind, ())}
    # the items are read again here, within the scope: the browser only says which of them
    items = [i for i in queries.point_items(engine, scope, month, scope.code)
             if i["rule"] in rules or f"{i['rule']}|{i['ref']}" in picked]
    if not items:
        return c.empty("勾选上方的整改事项或下表中的资产，即可看到模拟得分和排名")
    result = whatif.simulate(row, queries.peer_standing(engine, scope, month, scope.code), items,
                             snapshot_date(month), config)
    return _standing(result)
