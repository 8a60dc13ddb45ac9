"""约谈整改 Interviews: schedule from the month's interview list (topics pre-filled from the list
reasons), record the outcome and commitments, and follow each commitment to 销号 - the department
reports it kept with evidence, a supervisor (or the county in its region) checks the files and
closes it off or sends it back; asset-naming commitments are also checked against later snapshots.
Notices the departments have left unread too long are listed (逾期未读)."""
from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
import pandas as pd
from dash import ALL, Input, Output, Patch, State, callback, ctx, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.components import evidence
from dashboard.shell import guarded, month_in_address, permitted, register_page
from ledger import clock, filestore, inbox, vocab, workflow
from ledger.errors import UserError
from ledger.models import Commitment, Interview
from ledger.texts import NAME_CHARS, NOTE_CHARS, checked_date
from outputs import documents
from outputs import figures as fig
from outputs.phrasing import commitment_closed_off, commitment_sent_back, interview_arranged, reason_text

PATH = register_page(__name__, "/interviews")
P = "interviews"
month_in_address(f"{P}-month")
COLUMNS = [
    {"field": "id", "headerName": "编号", "width": 80}, {"field": "dept", "headerName": "部门", "width": 170},
    {"field": "text", "headerName": "整改承诺", "flex": 1, "minWidth": 220, "tooltipField": "text", "wrapText": True,
     "autoHeight": True},
    {"field": "owner", "headerName": "责任人", "width": 100}, {"field": "deadline", "headerName": "期限", "width": 110},
    {"field": "status_zh", "headerName": "状态", "width": 130,
     "cellClassRules": {"lvl-red": "params.value && params.value.includes('逾期')"}},
    {"field": "evidence", "headerName": "部门报送", "width": 200, "tooltipField": "evidence"},
    {"field": "returned", "headerName": "退回理由", "width": 160, "tooltipField": "returned"},
    {"field": "check", "headerName": "快照核验", "width": 200, "tooltipField": "check"},
]


def _actor() -> workflow.Actor:
    return workflow.Actor(context.current_username(), context.role(), context.address())


def layout(month: str | None = None, **_query):
    if not permitted(PATH):
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
                 dbc.Col(c.dropdown(f"{P}-dept", placeholder="约谈名单上的部门"), md=3),
                 dbc.Col(c.date_single(f"{P}-date", "约谈日期"),
                         width="auto"),
                 dbc.Col(dbc.Input(id=f"{P}-attendees", placeholder="参加人员"), md=2),
                 dbc.Col(dbc.Input(id=f"{P}-place", placeholder="约谈地点", maxLength=200), md=2),
                 dbc.Col(dbc.Button("安排约谈", id=f"{P}-schedule", color="primary", size="sm"), width="auto"),
             ], className="g-2 align-items-center"), html.Div(id=f"{P}-topics", className="mt-2 small"),
                 html.Div(id=f"{P}-scheduled", className="mt-2"),
                 # a day or place set by mistake, or moved at the leaders' wish, before the interview is held
                 dbc.Row([
                     dbc.Col(html.Span("改期", className="small text-muted"), width="auto"),
                     dbc.Col(c.dropdown(f"{P}-moved", placeholder="已安排、尚未约谈的约谈"), md=3),
                     dbc.Col(c.date_single(f"{P}-moved-date", "新的约谈日期"), width="auto"),
                     dbc.Col(dbc.Input(id=f"{P}-moved-place", placeholder="新的地点（不填则不变）", maxLength=200), md=2),
                     dbc.Col(dbc.Button("改期并通知部门", id=f"{P}-move", color="secondary", size="sm", outline=True),
                             width="auto"),
                 ], className="g-2 align-items-center mt-1"),
                 html.Div(id=f"{P}-moved-said", className="mt-2")), style=None if scope.may("schedule") else hidden),
             html.Div(c.section("记录约谈结果与整改承诺", dbc.Row([
                 dbc.Col(c.dropdown(f"{P}-interview", placeholder="待记录的约谈"), md=4),
                 dbc.Col(dbc.Textarea(id=f"{P}-outcome", placeholder="约谈结果", rows=3, maxLength=NOTE_CHARS), md=8),
             ], className="g-2"),
                 html.Div("整改承诺（每项须有内容、责任人和期限；涉及资产编号可选，多个用逗号分隔）",
                          className="small text-muted mt-2"),
                 html.Div([_commitment_row(i) for i in range(FORM_ROWS)], id=f"{P}-items"),
                 dbc.Button("再加一项", id=f"{P}-more", color="secondary", size="sm", outline=True,
                            className="mt-1 me-2"),
                 dbc.Button("保存结果", id=f"{P}-record", color="primary", size="sm", className="mt-1"),
                 html.Div(id=f"{P}-recorded", className="mt-2")), style=None if scope.may("record") else hidden),
             c.section("约谈通知书（Word）", dbc.Row([
                 dbc.Col(c.month_select(f"{P}-notice-month", months, chosen), width="auto"),
                 dbc.Col(c.dropdown(f"{P}-notice-dept", placeholder="约谈名单上的部门"), md=3),
                 dbc.Col([dbc.Button("下载通知书", id=f"{P}-notice", color="primary", size="sm", outline=True,
                                     className="me-2"),
                          dbc.Button("下载本月全部（zip）", id=f"{P}-notices", color="primary", size="sm", outline=True)],
                         width="auto"),
                 dbc.Col(html.Div(id=f"{P}-notice-said", className="small"), width="auto"),
                 dcc.Download(id=f"{P}-notice-download"),
             ], className="g-2 align-items-center")),
             c.section("整改承诺：报送、核验与销号", html.Div([dbc.Row([
                 dbc.Col(c.dropdown(f"{P}-commitment", placeholder="选择承诺"), md=4),
                 # one box: what the department did, or why a supervisor sends it back
                 dbc.Col(dbc.Textarea(id=f"{P}-evidence", rows=2, maxLength=NOTE_CHARS,
                                      placeholder="整改情况（报送时必填）" if scope.may("submit") else "退回理由（退回时必填）"),
                         md=5),
                 dbc.Col(evidence.upload(f"{P}-files"), md=3, style=None if scope.may("submit") else hidden),
             ], className="g-2 align-items-start"), html.Div([
                 dbc.Button("报送整改完成（附佐证材料）", id=f"{P}-submit", color="primary", size="sm", className="me-2",
                            style=None if scope.may("submit") else hidden),
                 dbc.Button("核验销号", id=f"{P}-verify", color="success", size="sm", className="me-2",
                            style=None if scope.may("verify") else hidden),
                 dbc.Button("退回", id=f"{P}-return", color="warning", size="sm", className="me-2",
                            style=None if scope.may("verify") else hidden),
                 html.Span("部门上传材料报送后为“待核验”；监管人员或县区财政核验后销号，或写明理由退回。",
                           className="small text-muted")], className="mt-2"),
                 html.Div(id=f"{P}-chosen", className="mt-2"), html.Div(id=f"{P}-answered", className="mt-2")],
                 style=None if scope.may("submit") or scope.may("verify") else hidden),
                 html.Div(id=f"{P}-body", className="mt-2")),
             html.Div(id=f"{P}-unread")]
    return html.Div(parts)


@callback(Output(f"{P}-dept", "options"), Input(f"{P}-month", "value"))
@guarded(PATH)
def listed_departments(month):
    scope = context.scope()
    if not context.scope().may("schedule") or not isinstance(month, str):
        return []
    rows = queries.interview_list(context.engine(), scope, month)
    return [{"label": r.name, "value": r.code} for r in rows]


@callback(Output(f"{P}-notice-dept", "options"), Output(f"{P}-notice-dept", "value"),
          Input(f"{P}-notice-month", "value"))
@guarded(PATH)
def notice_departments(month):
    """The departments of the month's interview list the caller sees (a department: itself, if
    listed, and chosen already: it has no other to choose)."""
    if not isinstance(month, str):
        return [], None
    scope = context.scope()
    listed = queries.interview_departments(context.engine(), scope, month)
    own = listed[0][0] if scope.kind == "department" and listed else None
    return [{"label": name, "value": code} for code, name in listed], own


@callback(Output(f"{P}-notice-download", "data"), Output(f"{P}-notice-said", "children"),
          Input(f"{P}-notice", "n_clicks"), Input(f"{P}-notices", "n_clicks"), State(f"{P}-notice-month", "value"),
          State(f"{P}-notice-dept", "value"), prevent_initial_call=True)
@guarded(PATH)
def interview_notice(_one, _all, month, dept):
    """One department's 约谈通知书, or the month's every notice in the caller's scope as one .zip."""
    scope, engine, config = context.scope(), context.engine(), context.config()
    if ctx.triggered_id not in (f"{P}-notice", f"{P}-notices") \
            or month not in queries.months(engine, scope):
        return no_update, no_update
    if ctx.triggered_id == f"{P}-notice":
        if not isinstance(dept, str):
            return no_update, "请选择部门"
        made = queries.notice(engine, scope, "interview", month, dept, config)
        if made is None:
            return no_update, "该部门不在本月约谈名单上"
        context.audit("export", f"约谈通知书 {month} {dept}", detail=made[0])
        return dcc.send_bytes(made[1], made[0]), None
    made = queries.notices(engine, scope, "interview", month, config)
    if not made:
        return no_update, "本月约谈名单为空"
    context.audit("export", f"约谈通知书 {month}（全部，zip）", detail=f"{len(made)} 份")
    return dcc.send_bytes(documents.zipped(made), f"约谈通知书_{month}.zip"), f"共 {len(made):,} 份"


@callback(Output(f"{P}-topics", "children"), Input(f"{P}-dept", "value"), State(f"{P}-month", "value"))
@guarded(PATH)
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
@guarded(PATH)
def schedule(n, month, dept, date, attendees, place, version):
    if not n:
        return no_update, no_update
    try:
        if not isinstance(dept, str) or not isinstance(month, str):
            raise workflow.WorkflowError("请选择约谈名单上的部门", "choose a department of the list")
        today = context.config().today()
        on = checked_date(date, "约谈日期", today - dt.timedelta(days=366), today + dt.timedelta(days=366))
        with context.engine().execution_options(write=True).begin() as conn:
            new_id = workflow.schedule_interview(conn, _actor(), month, dept, on, attendees, context.scope().lists(),
                                                 place=place)
            told = _tell_department(conn, new_id)
    except UserError as exc:
        return evidence.said(exc), no_update
    return dbc.Alert(f"已安排约谈 #{new_id}{told}", color="success", className="py-1 mb-0"), (version or 0) + 1


@callback(Output(f"{P}-moved-said", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Input(f"{P}-move", "n_clicks"), State(f"{P}-moved", "value"), State(f"{P}-moved-date", "date"),
          State(f"{P}-moved-place", "value"), State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded(PATH)
def move(n, interview_id, date, place, version):
    """改期: a scheduled interview to another day or place, and the department told."""
    if not n:
        return no_update, no_update
    try:
        if not isinstance(interview_id, int) or isinstance(interview_id, bool):
            raise workflow.WorkflowError("请选择要改期的约谈", "choose the interview to move")
        today = context.config().today()
        on = checked_date(date, "新的约谈日期", today - dt.timedelta(days=366), today + dt.timedelta(days=366))
        with context.engine().execution_options(write=True).begin() as conn:
            was = workflow.reschedule_interview(conn, _actor(), interview_id, context.scope().owns(Interview), on, place)
            told = _tell_department(conn, interview_id, moved_from=(was.scheduled_on, was.place))
    except UserError as exc:
        return evidence.said(exc), no_update
    return dbc.Alert(f"约谈 #{interview_id} 已改期{told}", color="success", className="py-1 mb-0"), (version or 0) + 1


def _tell_department(conn, interview_id: int, moved_from: tuple | None = None) -> str:
    """The department's accounts told in 消息 (by e-mail too where it is set up) when and where its
    interview is: the notice sent at the month's close leaves them blank. What to say of it."""
    held = workflow.interview_row(conn, interview_id)
    title, body = interview_arranged(held.month, held.scheduled_on, held.place, held.attendees, held.topics, moved_from)
    told = inbox.notify_departments(conn, [held.dept_code], "scheduled", title, body, held.month,
                                    bool(context.config()["mail.host"]), inbox.link(PATH, month=held.month))
    return f"，已通知该部门（{told:,} 个账号）" if told else "；该部门尚无账号，请另行通知"


FORM_ROWS = 3


def _commitment_row(i: int) -> dbc.Row:
    """One commitment's fields: what, who answers for it, by when, the assets it names."""
    def field(kind):
        return {"type": f"{P}-item-{kind}", "index": i}
    return dbc.Row([
        dbc.Col(dbc.Input(id=field("text"), placeholder=f"第{i + 1}项：整改内容", size="sm", maxLength=NOTE_CHARS), md=5),
        dbc.Col(dbc.Input(id=field("owner"), placeholder="责任人", size="sm", maxLength=NAME_CHARS), md=2),
        dbc.Col(c.date_single(field("deadline"), "期限"), md=2),
        dbc.Col(dbc.Input(id=field("assets"), placeholder="涉及资产编号（可选）", size="sm", maxLength=NAME_CHARS), md=3),
    ], className="g-2 mb-1 commitment-row")


MAX_ROWS = 20


@callback(Output(f"{P}-items", "children"), Input(f"{P}-more", "n_clicks"), prevent_initial_call=True)
@guarded(PATH)
def more_rows(n):
    """One more empty row; the rows already typed into stay as they are (a patch, not a new form)."""
    if not isinstance(n, int) or isinstance(n, bool) or not 0 < n <= MAX_ROWS - FORM_ROWS:
        return no_update
    rows = Patch()
    rows.append(_commitment_row(FORM_ROWS + n - 1))
    return rows


def commitments_of(texts, owners, deadlines, assets) -> list[dict]:
    """The filled-in rows of the form (a row left empty is no commitment)."""
    out = []
    for text, owner, deadline, codes in zip(texts or [], owners or [], deadlines or [], assets or []):
        if not any(isinstance(v, str) and v.strip() for v in (text, owner, deadline, codes)):
            continue
        out.append({"text": text, "owner": owner, "deadline": deadline,
                    "asset_codes": [a.strip() for a in (codes or "").replace("，", ",").split(",") if a.strip()]
                    if isinstance(codes, str) else []})
    return out


@callback(Output(f"{P}-recorded", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Output(f"{P}-items", "children", allow_duplicate=True), Output(f"{P}-more", "n_clicks"),
          Output(f"{P}-outcome", "value"),
          Input(f"{P}-record", "n_clicks"), State(f"{P}-interview", "value"), State(f"{P}-outcome", "value"),
          State({"type": f"{P}-item-text", "index": ALL}, "value"),
          State({"type": f"{P}-item-owner", "index": ALL}, "value"),
          State({"type": f"{P}-item-deadline", "index": ALL}, "date"),
          State({"type": f"{P}-item-assets", "index": ALL}, "value"),
          State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded(PATH)
def record(n, interview_id, outcome, texts, owners, deadlines, assets, version):
    if not n:
        return no_update, no_update, no_update, no_update, no_update
    try:
        _actor().require("record")
        if not isinstance(interview_id, int):
            raise workflow.WorkflowError("请选择约谈", "choose an interview")
        items = commitments_of(texts, owners, deadlines, assets)
        with context.engine().execution_options(write=True).begin() as conn:
            ids = workflow.record_outcome(conn, _actor(), interview_id, context.scope().owns(Interview), outcome, items)
    except UserError as exc:
        return evidence.said(exc), no_update, no_update, no_update, no_update
    # an empty form again: what was saved is in the list below, and cannot be saved twice
    return (dbc.Alert(f"已保存，整改承诺 {len(ids):,} 项", color="success", className="py-1 mb-0"), (version or 0) + 1,
            [_commitment_row(i) for i in range(FORM_ROWS)], 0, "")


@callback(Output(f"{P}-answered", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Output(f"{P}-files", "contents"), Output(f"{P}-files", "filename"),
          Input(f"{P}-submit", "n_clicks"), Input(f"{P}-verify", "n_clicks"), Input(f"{P}-return", "n_clicks"),
          State(f"{P}-commitment", "value"), State(f"{P}-evidence", "value"), State(f"{P}-files", "contents"),
          State(f"{P}-files", "filename"), State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded(PATH)
def follow_up(_submit, _verify, _return, commitment_id, note, contents, names, version):
    """The department reports a commitment kept with evidence; a supervisor closes it off or sends it back."""
    step = ctx.triggered_id.removeprefix(f"{P}-") if isinstance(ctx.triggered_id, str) else None
    if step not in ("submit", "verify", "return"):
        return no_update, no_update, no_update, no_update
    config = context.config()
    try:
        if not isinstance(commitment_id, int) or isinstance(commitment_id, bool):
            raise workflow.WorkflowError("请选择承诺", "choose a commitment")
        _actor().require("submit" if step == "submit" else "verify")  # before any file is read or kept
        files = evidence.read(contents, names, config) if step == "submit" else []
        where = context.scope().owns(Commitment)
        with context.engine().execution_options(write=True).begin() as conn:
            if step == "submit":
                kept = [(name, filestore.keep(conn, config, data, kind)) for name, data, kind in files]
                workflow.submit_commitment(conn, _actor(), commitment_id, where, note, kept)
                said = "已报送，待监管人员核验"
            elif step == "verify":
                kept = workflow.verify_commitment(conn, _actor(), commitment_id, where, config.today())
                title, body = commitment_closed_off(commitment_id, kept.text)
                inbox.notify_departments(conn, [kept.dept_code], "verified", title, body, None, bool(config["mail.host"]),
                                         PATH)
                said = "已核验销号，并通知该部门"
            else:
                dept = workflow.return_commitment(conn, _actor(), commitment_id, where, note)
                inbox.notify_departments(conn, [dept], "returned", *commitment_sent_back(commitment_id, note), None,
                                         bool(config["mail.host"]), PATH)
                said = "已退回，并通知该部门"
    except UserError as exc:
        return evidence.said(exc), no_update, no_update, no_update
    return dbc.Alert(said, color="success", className="py-1 mb-0"), (version or 0) + 1, None, None


@callback(Output(f"{P}-chosen", "children"), Input(f"{P}-commitment", "value"), Input(f"{P}-version", "data"))
@guarded(PATH)
def chosen_commitment(commitment_id, _version):
    """The chosen commitment's evidence and where it stands."""
    if not isinstance(commitment_id, int) or isinstance(commitment_id, bool):
        return None
    found = queries.evidence_of(context.engine(), context.scope(), "commitment", [commitment_id])
    return html.Div([html.Div("佐证材料：", className="small fw-semibold"),
                     evidence.links(found.get(commitment_id, []), context.config().zone)])


@callback(Output(f"{P}-files-names", "children"), Input(f"{P}-files", "filename"))
@guarded(PATH)
def files_chosen(names):
    return evidence.chosen(names)


@callback(Output(f"{P}-unread", "children"), Input(f"{P}-version", "data"))
@guarded(PATH)
def unread(_version):
    """逾期未读: notices a department has not read within [delivery] read_within_days."""
    config = context.config()
    days = config["delivery.read_within_days"]
    found = queries.overdue_unread(context.engine(), context.scope(), clock.now(), days)
    if not found:
        return None
    rows = pd.DataFrame([{"dept": r.dept_name, "title": r.title, "user": r.username,
                          "sent": fig.moment(r.created_at, config.zone, seconds=False)} for r in found])
    return c.section(f"逾期未读的通知书（送达超过 {days} 天未读，{len(rows):,} 份）", c.grid(f"{P}-unread-grid", rows, [
        {"field": "dept", "headerName": "部门", "width": 200, "tooltipField": "dept"},
        {"field": "title", "headerName": "文书", "flex": 1, "minWidth": 240, "tooltipField": "title"},
        {"field": "user", "headerName": "未读账号", "width": 140}, {"field": "sent", "headerName": "送达时间", "width": 150},
    ], height=c.grid_height(len(rows), 360)))


def _arrangement_read(accounts: dict | None, zone: str) -> html.Div:
    """Whether the department has read the day and place it was sent (约谈安排), account by account."""
    if not accounts:
        return html.Div("约谈安排：未通知到部门账号（该部门尚无账号，或安排早于站内通知）", className="small text-muted")
    said = [f"{name} 已读（{fig.moment(read, zone, seconds=False)}）" if read else f"{name} 未读"
            for name, (_, read) in sorted(accounts.items())]
    unread = any(read is None for _, read in accounts.values())
    return html.Div("约谈安排：" + "；".join(said), className="small text-danger" if unread else "small text-success")


@callback(Output(f"{P}-body", "children"), Output(f"{P}-interview", "options"), Output(f"{P}-commitment", "options"),
          Output(f"{P}-moved", "options"), Input(f"{P}-version", "data"))
@guarded(PATH)
def render(_version):
    scope, engine = context.scope(), context.engine()
    interviews, commitments, checks = queries.interviews(engine, scope)
    told = queries.arrangements(engine, scope)
    config = context.config()
    today = config.today()
    cards = [dbc.Card(dbc.CardBody([
        html.Div([html.Strong(f"#{i.id} {i.dept_name}"), html.Span(f"{fig.month_text(i.month)}约谈名单 · "
                                                                    f"{i.scheduled_on:%Y-%m-%d}", className="text-muted ms-2"),
                  dbc.Badge("已约谈" if i.status == "held" else "待约谈", color="success" if i.status == "held" else "warning",
                            className="ms-2")]),
        html.Div(f"参加人员：{i.attendees}" + (f" · 地点：{i.place}" if i.place else ""), className="small mt-1"),
        html.Div(["议题：", html.Ul([html.Li(reason_text(t)) for t in i.topics], className="mb-1")], className="small"),
        html.Div(f"结果：{i.outcome}", className="small") if i.outcome else None,
        _arrangement_read(told.get((i.dept_code, i.month)), config.zone) if i.status != "held" else None,
    ]), className="mb-2 interview-card") for i in interviews]
    rows = [{"id": m.id, "dept": m.dept_name, "text": m.text, "owner": m.owner, "deadline": m.deadline.isoformat(),
             "status_zh": vocab.COMMITMENT_STATES[m.status] + ("（逾期）" if m.status != "done" and m.deadline < today
                                                                else ""),
             "evidence": m.evidence or "", "returned": m.return_reason or "", "check": checks.get(m.id, "—")}
            for m in commitments]
    grid = c.grid(f"{P}-grid", pd.DataFrame(rows, columns=[col["field"] for col in COLUMNS]), COLUMNS, "360px") if rows else c.empty("暂无整改承诺")
    body = html.Div([html.H6(f"约谈（{len(interviews)}）", className="mt-2"), *(cards or [c.empty("暂无约谈")]),
                     html.H6(f"整改承诺（{len(rows)}）", className="mt-3"), grid])
    pending = [{"label": f"#{i.id} {i.dept_name} {i.scheduled_on:%m-%d}", "value": i.id} for i in interviews if i.status != "held"]
    # a department picks what it may report kept, a supervisor what waits for checking
    pickable = workflow.TO_CHECK if scope.may("verify") else workflow.OPEN_COMMITMENT
    open_ones = [{"label": f"#{m.id} {m.dept_name}：{m.text[:20]}（{vocab.COMMITMENT_STATES[m.status]}）", "value": m.id}
                 for m in commitments if m.status in pickable]
    return body, pending, open_ones, pending
