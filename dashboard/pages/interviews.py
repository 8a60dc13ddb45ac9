"""约谈整改 Interviews: schedule from the month's interview list (topics pre-filled from the list
reasons), record the outcome and commitments, track each commitment to done - the department
answers in the portal, and asset-naming commitments are checked against later snapshots."""
from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, month_in_address, permitted
from ledger import vocab, workflow
from ledger.models import Commitment, Interview
from outputs import documents, facts
from outputs import figures as fig
from outputs.phrasing import reason_text

dash.register_page(__name__, path="/interviews", name="约谈整改", title="约谈整改 · 国有资产盘活督导平台")
P = "interviews"
month_in_address(f"{P}-month")
COMMITMENT_FORMAT = "每行一项：整改内容 | 责任人 | 期限(YYYY-MM-DD) | 涉及资产编号(可选，逗号分隔)"
COLUMNS = [
    {"field": "id", "headerName": "编号", "width": 80}, {"field": "dept", "headerName": "部门", "width": 170},
    {"field": "text", "headerName": "整改承诺", "flex": 1, "minWidth": 220, "tooltipField": "text"},
    {"field": "owner", "headerName": "责任人", "width": 100}, {"field": "deadline", "headerName": "期限", "width": 110},
    {"field": "status_zh", "headerName": "状态", "width": 100, "cellClassRules": {"lvl-red": "params.value == '逾期'"}},
    {"field": "evidence", "headerName": "部门反馈", "width": 200, "tooltipField": "evidence"},
    {"field": "check", "headerName": "快照核验", "width": 210, "tooltipField": "check"},
]


def _actor() -> workflow.Actor:
    return workflow.Actor(context.current_username(), context.role(), context.address())


def layout(month: str | None = None, **_query):
    if not permitted("/interviews"):
        return c.not_found()
    engine, scope, config = context.engine(), context.scope(), context.config()
    months = queries.month_states(engine, scope, config.zone)
    chosen = queries.chosen_month(engine, scope, month, config.zone, config.today())
    hidden = {"display": "none"}
    # every form is in the page for every role (the callbacks write to them); the ones a role
    # may not use are hidden, and the workflow refuses them on the server anyway
    parts = [html.Div([html.H2("约谈整改", className="page-title")], className="page-head"),
             dcc.Store(id=f"{P}-version", data=0),
             html.Div(c.section("安排约谈（来自当月约谈名单）", dbc.Row([
                 dbc.Col(c.month_select(f"{P}-month", months, chosen), width="auto"),
                 dbc.Col(dcc.Dropdown(id=f"{P}-dept", placeholder="约谈名单上的部门"), md=3),
                 dbc.Col(c.date_single(f"{P}-date", "约谈日期"),
                         width="auto"),
                 dbc.Col(dbc.Input(id=f"{P}-attendees", placeholder="参加人员"), md=2),
                 dbc.Col(dbc.Input(id=f"{P}-place", placeholder="约谈地点", maxLength=200), md=2),
                 dbc.Col(dbc.Button("安排约谈", id=f"{P}-schedule", color="primary", size="sm"), width="auto"),
             ], className="g-2 align-items-center"), html.Div(id=f"{P}-topics", className="mt-2 small"),
                 html.Div(id=f"{P}-scheduled", className="mt-2")), style=None if context.scope().may("schedule") else hidden),
             html.Div(c.section("记录约谈结果与整改承诺", dbc.Row([
                 dbc.Col(dcc.Dropdown(id=f"{P}-interview", placeholder="待记录的约谈"), md=4),
                 dbc.Col(dbc.Textarea(id=f"{P}-outcome", placeholder="约谈结果", rows=3), md=8),
             ], className="g-2"), dbc.Textarea(id=f"{P}-commitments", placeholder=COMMITMENT_FORMAT, rows=3,
                                               className="mt-2"),
                 dbc.Button("保存结果", id=f"{P}-record", color="primary", size="sm", className="mt-2"),
                 html.Div(id=f"{P}-recorded", className="mt-2")), style=None if context.scope().may("record") else hidden),
             c.section("约谈通知书（Word）", dbc.Row([
                 dbc.Col(c.month_select(f"{P}-notice-month", months, chosen), width="auto"),
                 dbc.Col(dcc.Dropdown(id=f"{P}-notice-dept", placeholder="约谈名单上的部门"), md=3),
                 dbc.Col([dbc.Button("下载通知书", id=f"{P}-notice", color="primary", size="sm", outline=True,
                                     className="me-2"),
                          dbc.Button("下载本月全部（zip）", id=f"{P}-notices", color="primary", size="sm", outline=True)],
                         width="auto"),
                 dbc.Col(html.Div(id=f"{P}-notice-said", className="small"), width="auto"),
                 dcc.Download(id=f"{P}-notice-download"),
             ], className="g-2 align-items-center")),
             c.section("整改承诺跟踪", html.Div(dbc.Row([
                 dbc.Col(dcc.Dropdown(id=f"{P}-commitment", placeholder="选择承诺"), md=3),
                 dbc.Col(dbc.Textarea(id=f"{P}-evidence", placeholder="整改情况（部门反馈）", rows=2), md=5),
                 dbc.Col([dbc.Button("提交反馈", id=f"{P}-answer", color="primary", size="sm", className="me-2"),
                          dbc.Button("确认完成", id=f"{P}-complete", color="success", size="sm",
                                     style=None if context.scope().may("complete") else hidden)], width="auto"),
                 dbc.Col(html.Div(id=f"{P}-answered"), md=2),
             ], className="g-2 align-items-center"), style=None if context.scope().may("answer") else hidden),
                 html.Div(id=f"{P}-body", className="mt-2"))]
    return html.Div(parts)


@callback(Output(f"{P}-dept", "options"), Input(f"{P}-month", "value"))
@guarded("/interviews")
def listed_departments(month):
    scope = context.scope()
    if not context.scope().may("schedule") or not isinstance(month, str):
        return []
    rows = queries.interview_list(context.engine(), scope, month)
    return [{"label": r.name, "value": r.code} for r in rows]


@callback(Output(f"{P}-notice-dept", "options"), Input(f"{P}-notice-month", "value"))
@guarded("/interviews")
def notice_departments(month):
    """The departments of the month's interview list the caller sees (a department: itself, if listed)."""
    if not isinstance(month, str):
        return []
    with context.engine().connect() as conn:
        listed = facts.interview_departments(conn, context.scope(), month)
    return [{"label": name, "value": code} for code, name in listed]


@callback(Output(f"{P}-notice-download", "data"), Output(f"{P}-notice-said", "children"),
          Input(f"{P}-notice", "n_clicks"), Input(f"{P}-notices", "n_clicks"), State(f"{P}-notice-month", "value"),
          State(f"{P}-notice-dept", "value"), prevent_initial_call=True)
@guarded("/interviews")
def interview_notice(_one, _all, month, dept):
    """One department's 约谈通知书, or the month's every notice in the caller's scope as one .zip."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    if ctx.triggered_id not in (f"{P}-notice", f"{P}-notices") \
            or month not in queries.months(engine, scope):
        return no_update, no_update
    with engine.connect() as conn:
        if ctx.triggered_id == f"{P}-notice":
            if not isinstance(dept, str):
                return no_update, "请选择部门"
            made = documents.interview(conn, scope, month, dept, config, config.today())
            if made is None:
                return no_update, "该部门不在本月约谈名单上"
            context.audit("export", f"约谈通知书 {month} {dept}", detail=made[0])
            return dcc.send_bytes(made[1], made[0]), None
        made = documents.each(conn, scope, "interview", month, config, config.today())
    if not made:
        return no_update, "本月约谈名单为空"
    context.audit("export", f"约谈通知书 {month}（全部，zip）", detail=f"{len(made)} 份")
    return dcc.send_bytes(documents.zipped(made), f"约谈通知书_{month}.zip"), f"共 {len(made)} 份"


@callback(Output(f"{P}-topics", "children"), Input(f"{P}-dept", "value"), State(f"{P}-month", "value"))
@guarded("/interviews")
def topics(dept, month):
    if not dept or not isinstance(month, str) or not isinstance(dept, str):
        return None
    entries = queries.lists(context.engine(), context.scope(), month)
    mine = entries[(entries.list == "interview") & (entries.code == dept)]
    if mine.empty:
        return None
    return html.Div(["约谈议题（自动带出名单原因）：", html.Ul([html.Li(reason_text(r)) for r in mine.iloc[0]["reasons"]])])


@callback(Output(f"{P}-scheduled", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Input(f"{P}-schedule", "n_clicks"), State(f"{P}-month", "value"), State(f"{P}-dept", "value"),
          State(f"{P}-date", "date"), State(f"{P}-attendees", "value"), State(f"{P}-place", "value"),
          State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded("/interviews")
def schedule(n, month, dept, date, attendees, place, version):
    if not n:
        return no_update, no_update
    try:
        on = dt.date.fromisoformat(date) if isinstance(date, str) else None
    except ValueError:
        on = None
    try:
        if on is None or not isinstance(dept, str) or not isinstance(month, str):
            raise workflow.WorkflowError("请选择部门和约谈日期 / choose a department and a date")
        with context.engine().execution_options(write=True).begin() as conn:
            new_id = workflow.schedule_interview(conn, _actor(), month, dept, on, attendees if isinstance(attendees, str)
                                                 else "", context.scope().lists(),
                                                 place=place if isinstance(place, str) else None)
    except workflow.WorkflowError as exc:
        return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0"), no_update
    return dbc.Alert(f"已安排约谈 #{new_id}", color="success", className="py-1 mb-0"), (version or 0) + 1


def parse_commitments(text: str) -> list[dict]:
    """One commitment per line: 内容 | 责任人 | 期限 | 资产编号,…; a bad line is named."""
    out = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        parts = [p.strip() for p in line.replace("｜", "|").split("|")]
        if len(parts) < 3:
            raise workflow.WorkflowError(f"第{number}行：应为“{COMMITMENT_FORMAT[5:]}” / line {number}: text | owner | deadline")
        try:
            deadline = dt.date.fromisoformat(parts[2])
        except ValueError:
            raise workflow.WorkflowError(f"第{number}行 期限「{parts[2]}」：日期应为 YYYY-MM-DD / line {number}: bad date") from None
        assets = [a.strip() for a in (parts[3] if len(parts) > 3 else "").replace("，", ",").split(",") if a.strip()]
        out.append({"text": parts[0], "owner": parts[1], "deadline": deadline, "asset_codes": assets})
    return out


@callback(Output(f"{P}-recorded", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Input(f"{P}-record", "n_clicks"), State(f"{P}-interview", "value"), State(f"{P}-outcome", "value"),
          State(f"{P}-commitments", "value"), State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded("/interviews")
def record(n, interview_id, outcome, commitments, version):
    if not n:
        return no_update, no_update
    try:
        _actor().require("record")
        if not isinstance(interview_id, int):
            raise workflow.WorkflowError("请选择约谈 / choose an interview")
        items = parse_commitments(commitments if isinstance(commitments, str) else "")
        with context.engine().execution_options(write=True).begin() as conn:
            ids = workflow.record_outcome(conn, _actor(), interview_id, context.scope().owns(Interview),
                                          outcome if isinstance(outcome, str) else "", items)
    except workflow.WorkflowError as exc:
        return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0"), no_update
    return dbc.Alert(f"已保存，整改承诺 {len(ids)} 项", color="success", className="py-1 mb-0"), (version or 0) + 1


@callback(Output(f"{P}-answered", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Input(f"{P}-answer", "n_clicks"), Input(f"{P}-complete", "n_clicks"), State(f"{P}-commitment", "value"),
          State(f"{P}-evidence", "value"), State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded("/interviews")
def follow_up(_answer, _complete, commitment_id, evidence, version):
    if ctx.triggered_id not in (f"{P}-answer", f"{P}-complete"):
        return no_update, no_update
    try:
        if not isinstance(commitment_id, int):
            raise workflow.WorkflowError("请选择承诺 / choose a commitment")
        where = context.scope().owns(Commitment)
        with context.engine().execution_options(write=True).begin() as conn:
            if ctx.triggered_id == f"{P}-answer":
                workflow.answer(conn, _actor(), commitment_id, where, evidence if isinstance(evidence, str) else "")
            else:
                workflow.complete(conn, _actor(), commitment_id, where, context.config().today())
    except workflow.WorkflowError as exc:
        return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0"), no_update
    return dbc.Alert("已保存", color="success", className="py-1 mb-0"), (version or 0) + 1


@callback(Output(f"{P}-body", "children"), Output(f"{P}-interview", "options"), Output(f"{P}-commitment", "options"),
          Input(f"{P}-version", "data"))
@guarded("/interviews")
def render(_version):
    scope, engine = context.scope(), context.engine()
    interviews, commitments, checks = queries.interviews(engine, scope)
    today = context.config().today()
    cards = [dbc.Card(dbc.CardBody([
        html.Div([html.Strong(f"#{i.id} {i.dept_name}"), html.Span(f"{fig.month_text(i.month)}约谈名单 · "
                                                                    f"{i.scheduled_on:%Y-%m-%d}", className="text-muted ms-2"),
                  dbc.Badge("已约谈" if i.status == "held" else "待约谈", color="success" if i.status == "held" else "warning",
                            className="ms-2")]),
        html.Div(f"参加人员：{i.attendees}" + (f" · 地点：{i.place}" if i.place else ""), className="small mt-1"),
        html.Div(["议题：", html.Ul([html.Li(reason_text(t)) for t in i.topics], className="mb-1")], className="small"),
        html.Div(f"结果：{i.outcome}", className="small") if i.outcome else None,
    ]), className="mb-2 interview-card") for i in interviews]
    rows = [{"id": m.id, "dept": m.dept_name, "text": m.text, "owner": m.owner, "deadline": m.deadline.isoformat(),
             "status_zh": "逾期" if m.status != "done" and m.deadline < today else vocab.COMMITMENT_STATES[m.status],
             "evidence": m.evidence, "check": checks.get(m.id, "—")} for m in commitments]
    grid = c.grid(f"{P}-grid", pd.DataFrame(rows, columns=[col["field"] for col in COLUMNS]), COLUMNS, "360px",
                  options={"tooltipShowDelay": 300}) if rows else c.empty("暂无整改承诺")
    body = html.Div([html.H6(f"约谈（{len(interviews)}）", className="mt-2"), *(cards or [c.empty("暂无约谈")]),
                     html.H6(f"整改承诺（{len(rows)}）", className="mt-3"), grid])
    pending = [{"label": f"#{i.id} {i.dept_name} {i.scheduled_on:%m-%d}", "value": i.id} for i in interviews if i.status != "held"]
    open_ones = [{"label": f"#{m.id} {m.dept_name}：{m.text[:16]}", "value": m.id} for m in commitments if m.status != "done"]
    return body, pending, open_ones
