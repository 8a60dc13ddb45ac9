"""报送 Reporting (reporting.md): who has sent the month's ledger - per department the units on time,
late and missing and the share on time beside the last months, drill to units, 本月无变化, 催报,
xlsx of what is shown - and the week's progress reports (周进度): a department fills in its own,
the finance bureau (a county: its region) reads every department's and sees who has not reported."""
from __future__ import annotations

import datetime as dt
import io
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.components import evidence
from dashboard.shell import guarded, in_address, permitted, register_page
from ledger import clock, filestore, reporting, workflow
from ledger.errors import UserError
from ledger.texts import NAME_CHARS, NOTE_CHARS
from ledger.vocab import CHANNELS, SUBMISSION_STATES, WEEKDAY_WORDS
from metrics.timeline import shift_month
from outputs import figures as fig
from outputs.phrasing import reporting_reminder
from outputs.phrasing import unreached as unreached_phrase
from outputs.workbooks import title_line
from outputs.xlsx import write_workbook

PATH = register_page(__name__, "/reporting")
P = "reporting"
in_address({"month": (f"{P}-month", "value"), "dept": (f"{P}-dept", "data"), "tab": (f"{P}-tabs", "active_tab"),
            "week": (f"{P}-week", "value")})
MONTHS_SHOWN = 13
WEEKS_SHOWN = 9
STATE_CLASSES = {"lvl-red": "params.value == '未报送'", "lvl-orange": "params.value == '逾期'"}
DEPT_COLUMNS = [
    c.link_column("dept_name", "主管部门", "href", flex=2, minWidth=180, tooltipField="dept_name"),
    {"field": "units", "headerName": "单位数", "width": 90, "type": "rightAligned"},
    {"field": "on_time", "headerName": "按期", "width": 80, "type": "rightAligned"},
    {"field": "late", "headerName": "逾期", "width": 80, "type": "rightAligned"},
    {"field": "missing", "headerName": "未报送", "width": 90, "type": "rightAligned",
     "cellClassRules": {"lvl-red": "params.value > 0"}},
    {"field": "pending", "headerName": "待报送", "width": 90, "type": "rightAligned"},
]
UNIT_COLUMNS = [
    {"field": "unit_code", "headerName": "单位编码", "width": 130},
    {"field": "unit_name", "headerName": "单位", "flex": 1, "minWidth": 200, "tooltipField": "unit_name"},
    {"field": "dept_name", "headerName": "主管部门", "width": 180, "tooltipField": "dept_name"},
    {"field": "status_zh", "headerName": "状态", "width": 100, "cellClassRules": STATE_CLASSES},
    {"field": "received", "headerName": "收到日期", "width": 120}, {"field": "channel_zh", "headerName": "方式", "width": 110},
    {"field": "sender", "headerName": "报送人", "width": 120}, {"field": "import_id", "headerName": "导入编号", "width": 100},
]


def _months(today: dt.date) -> list[str]:
    newest = reporting.reported_month(today)
    return [shift_month(newest, -i) for i in range(MONTHS_SHOWN)]


def _weeks(today: dt.date) -> list[str]:
    return [reporting.week_of(today - dt.timedelta(weeks=i)) for i in range(WEEKS_SHOWN)]


def layout(month: str | None = None, dept: str | None = None, tab: str | None = None, week: str | None = None,
           **_query):
    if not permitted(PATH):
        return c.not_found()
    scope, config = context.scope(), context.config()
    today = config.today()
    months, weeks = _months(today), _weeks(today)
    month = month if month in months else months[0]
    week = week if week in weeks else weeks[0]
    due = reporting.due_date(months[0], config["reporting.due_day"])
    monthly = html.Div([
        html.Div([c.dropdown(f"{P}-month", options=[{"label": f"{fig.month_text(m)}台账", "value": m}
                                                       for m in months], value=month, clearable=False,
                             className="month-select"),
                  html.Span(f"{fig.month_text(months[0])}台账应于{fig.date_text(due)}前报送；本月收到的台账记为上月的报送。",
                            className="page-note"),
                  html.Button("导出 Excel", id=f"{P}-export", className="btn btn-outline-primary btn-sm"),
                  dcc.Download(id=f"{P}-download")], className="page-head"),
        dcc.Store(id=f"{P}-dept", data=dept if isinstance(dept, str) and len(dept) <= 64 else None),
        dcc.Store(id=f"{P}-version", data=0),
        dcc.Loading(html.Div(id=f"{P}-body"), type="dot"),
        html.Div(_actions(scope), className="mt-2"),
    ])
    weekly = html.Div([
        html.Div([c.dropdown(f"{P}-week", options=[{"label": _week_label(w), "value": w} for w in weeks],
                             value=week, clearable=False, className="month-select"),
                  html.Span(f"每周进度应于{WEEKDAY_WORDS[config['reporting.weekly_due']]} 18:00 前报送；"
                            "截止后再次提交记为新版本（原版本保留）。", className="page-note")], className="page-head"),
        dcc.Loading(html.Div(id=f"{P}-weekly"), type="dot"),
    ])
    return html.Div([
        html.Div([html.H2("报送情况", className="page-title")], className="page-head"),
        dbc.Tabs([dbc.Tab(monthly, label="台账报送", tab_id="monthly"), dbc.Tab(weekly, label="周进度", tab_id="weekly")],
                 id=f"{P}-tabs", active_tab=tab if tab in ("monthly", "weekly") else "monthly"),
    ])


def _week_label(week: str) -> str:
    monday, sunday = reporting.week_days(week)
    return f"{week[:4]}年第{int(week[6:])}周（{monday.month}月{monday.day}日–{sunday.month}月{sunday.day}日）"


def _actions(scope):
    parts = []
    if scope.may("confirm"):
        parts.append(dbc.Button("所选单位本月无变化", id=f"{P}-confirm", color="primary", size="sm", outline=True,
                                className="me-2"))
    if scope.may("remind"):
        parts.append(dbc.Button("催报（向有未报送单位的部门发消息）", id=f"{P}-remind", color="warning", size="sm",
                                className="me-2"))
    return [*parts, html.Span(id=f"{P}-said")] if parts else []


def _frame(month: str) -> pd.DataFrame:
    scope, config = context.scope(), context.config()
    return queries.submissions(context.engine(), scope, month, config.today(), config["reporting.due_day"])


def _unit_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(status_zh=frame["status"].map(SUBMISSION_STATES),
                        received=[d.isoformat() if isinstance(d, dt.date) else "—" for d in frame["received_on"]],
                        channel_zh=[CHANNELS.get(ch, "—") if isinstance(ch, str) else "—" for ch in frame["channel"]],
                        sender=frame["sender"].fillna("—"),
                        import_id=[str(int(i)) if not pd.isna(i) else "—" for i in frame["import_id"]])


@callback(Output(f"{P}-body", "children"), Input(f"{P}-month", "value"), Input(f"{P}-dept", "data"),
          Input(f"{P}-version", "data"))
@guarded(PATH)
def render(month, dept, _version):
    scope, config = context.scope(), context.config()
    today = config.today()
    if month not in _months(today):
        return c.not_found()
    frame = _frame(month)
    if frame.empty:
        return c.empty("本范围内尚无单位")
    counts = frame["status"].value_counts()
    tiles = html.Div([html.Div([html.Div(f"{int(counts.get(key, 0)):,}", className="alert-count"),
                                html.Div(f"{SUBMISSION_STATES[key]}单位")],
                               # a warning colour only where there is something to warn of
                               className=f"alert-tile tile-{tone if counts.get(key, 0) or key == 'on_time' else 'quiet'}")
                      for key, tone in (("on_time", "ok"), ("late", "orange"), ("missing", "red"),
                                        ("pending", "yellow"))]
                     + [_share_tile(frame, counts, month, config)], className="alert-tiles mb-3")
    parts = [tiles]
    if scope.kind != "department":
        shares = reporting.shares(frame)
        history = queries.on_time_shares(context.engine(), scope, [shift_month(month, -i) for i in (1, 2, 3)], today,
                                         config["reporting.due_day"])
        recent = [shift_month(month, -i) for i in (3, 2, 1)]
        for m in recent:
            shares[m] = shares["dept_code"].map(history[m]) if m in getattr(history, "columns", []) else None
        shares = shares.assign(href=[f"/reporting?{_query(month, code)}" for code in shares["dept_code"]])
        shares = c.figure_texts(shares, {"on_time_share": "on_time_share", **{m: "on_time_share" for m in recent}})
        columns = DEPT_COLUMNS + [c.figure_column("on_time_share", _share_heading(counts), width=120)]
        columns += [c.figure_column(m, f"{fig.month_text(m)}按期率", width=150) for m in recent]
        shares = shares.sort_values(["missing", "late", "dept_code"], ascending=[False, False, True])
        parts.append(c.section(f"各部门{fig.month_text(month)}台账报送（点击部门查看其单位）",
                               c.grid(f"{P}-depts", shares, columns, height=c.grid_height(len(shares), 520, chrome=80))))
    shown = frame if scope.kind == "department" or not isinstance(dept, str) else frame[frame["dept_code"] == dept]
    if isinstance(dept, str) and shown.empty and scope.kind != "department":
        scope.refused("报送情况 部门", dept)
    title = "单位报送状态" + (f"：{shown['dept_name'].iloc[0]}" if isinstance(dept, str) and len(shown) else "")
    # ticks only for an account that has something to do with them (所选单位本月无变化), in the month
    # a confirmation reports, on the units that have sent nothing for it yet
    ticks = {"rowSelection": dict(c.TICK_SEVERAL, isRowSelectable={"function": "params.data.received === '—'"})} \
        if scope.may("confirm") and month == reporting.reported_month(today) else None
    parts.append(c.section(title, c.grid(f"{P}-units", _unit_rows(shown), c.seen_columns(UNIT_COLUMNS, scope),
                                         height=c.grid_height(len(shown), 420, chrome=80),
                                         options=ticks) if len(shown) else c.empty("—")))
    return html.Div(parts)


def _share_tile(frame: pd.DataFrame, counts: pd.Series, month: str, config) -> html.Div:
    """按期报送率; while units still have until the due day it is not a rate yet but how far the
    month has come, said so and not in the colour of a result (as the bulletin says no rate then)."""
    share = fig.text("on_time_share", counts.get("on_time", 0) / len(frame))
    if counts.get("pending", 0):
        due = reporting.due_date(month, config["reporting.due_day"])
        return html.Div([html.Div(share, className="alert-count"),
                         html.Div(f"已报送（{fig.date_text(due)}截止）")], className="alert-tile tile-quiet")
    return html.Div([html.Div(share, className="alert-count"), html.Div("按期报送率")], className="alert-tile tile-ok")


def _share_heading(counts: pd.Series) -> str:
    """The month's share column: 按期率 once every unit's state is known, 已报送占比 while some may
    still report on time (the share tile's word)."""
    return "已报送占比" if counts.get("pending", 0) else "按期率"


def _query(month: str, dept: str) -> str:
    return urlencode({"month": month, "dept": dept})


@callback(Output(f"{P}-said", "children"), Output(f"{P}-version", "data"),
          Input(f"{P}-confirm", "n_clicks"), Input(f"{P}-remind", "n_clicks"),
          State(f"{P}-units", "selectedRows"), State(f"{P}-month", "value"), State(f"{P}-version", "data"),
          prevent_initial_call=True)
@guarded(PATH)
def act(_confirm, _reminded, selected, month, version):
    """本月无变化 for the selected units, or 催报 to every department with units not reported."""
    step = ctx.triggered_id
    if step not in (f"{P}-confirm", f"{P}-remind"):
        return no_update, no_update
    scope, config = context.scope(), context.config()
    actor = workflow.Actor(context.current_username(), context.role(), context.address())
    try:
        with context.engine().execution_options(write=True).begin() as conn:
            if step == f"{P}-confirm":
                units = [r.get("unit_code") for r in (selected if isinstance(selected, list) else []) if isinstance(r, dict)]
                done_month, n, left = reporting.confirm(conn, actor, units, scope.units(), config.today())
                said = (f"已确认 {n:,} 个单位的{fig.month_text(done_month)}台账无变化（记为{fig.date_text(config.today())}报送）"
                        + (f"；另 {left:,} 个单位本月已报送，不再重复记录" if left else ""))
                tone = "success"
            else:
                said, tone = _remind(conn, actor, month, config)
    except UserError as exc:
        return evidence.said(exc), no_update
    return dbc.Alert(said, color=tone, className="py-1 mb-0 d-inline-block"), (version or 0) + 1


def _remind(conn, actor, month, config) -> tuple[str, str]:
    """催报: one message to each department with 未报送 units, naming them. (What was done, the
    alert's colour: a warning where no department could be told in the portal.)"""
    if not context.scope().may("remind"):
        raise workflow.WorkflowError("无权执行此操作", "not allowed for this account")
    frame = _frame(month)
    missing = frame[frame["status"] == "missing"]
    due = reporting.due_date(month, config["reporting.due_day"])
    if missing.empty:
        pending = int((frame["status"] == "pending").sum())
        if pending:  # before the due day no unit is 未报送 yet
            return (f"尚未到报送截止日（{fig.date_text(due)}），{pending:,} 个单位待报送；"
                    "截止日后仍未报送的单位可催报"), "success"
        return "本月没有未报送的单位，无需催报", "success"
    today = config.today()
    sent = reporting.remind(conn, missing, lambda units: reporting_reminder(month, due, today, units, late=True), month,
                            bool(config["mail.host"]), actor.username, "催报", actor.role, actor.address)
    reached = sum(1 for n in sent.values() if n)
    told = (f"已向 {reached:,} 个部门发送催报消息（{sent.total():,} 个账号），" if reached else "未发出催报消息：") + \
        f"涉及未报送单位 {len(missing):,} 个"
    # a department without an account is told some other way: named, as an interview's is
    unreached = missing[missing["dept_code"].map(sent) == 0].drop_duplicates("dept_code")["dept_name"].tolist()
    if unreached:
        told += f"；{unreached_phrase(unreached)}"
    return told, "success" if reached else "warning"


@callback(Output(f"{P}-download", "data"), Input(f"{P}-export", "n_clicks"), State(f"{P}-month", "value"),
          State(f"{P}-dept", "data"), prevent_initial_call=True)
@guarded(PATH)
def export(n_clicks, month, dept):
    """What the page shows, as xlsx: the departments' counts and the units' statuses."""
    if not n_clicks or month not in _months(context.config().today()):
        return no_update
    scope, config, engine = context.scope(), context.config(), context.engine()
    frame = _frame(month)
    if isinstance(dept, str) and scope.kind != "department":
        frame = frame[frame["dept_code"] == dept]
    units = _unit_rows(frame)[["unit_code", "unit_name", "dept_name", "status_zh", "received", "channel_zh", "sender",
                               "import_id"]]
    units.columns = ["单位编码", "单位", "主管部门", "状态", "收到日期", "方式", "报送人", "导入编号"]
    shares = reporting.shares(frame)
    heading = _share_heading(frame["status"].value_counts())
    summary = pd.DataFrame({"主管部门": shares["dept_name"], "单位数": shares["units"], "按期": shares["on_time"],
                            "逾期": shares["late"], "未报送": shares["missing"], "待报送": shares["pending"],
                            heading: shares["on_time_share"]})
    buffer = io.BytesIO()
    write_workbook(buffer, [("各部门", summary, {heading: fig.number_format("on_time_share")}), ("各单位", units)],
                   title_line(config, f"{fig.month_text(month)}台账", queries.scope_label(engine, scope), "报送情况",
                              frame["dept_name"].iloc[0] if isinstance(dept, str) and len(frame) else ""))
    context.audit("export", f"报送情况 {month}", detail=f"{len(units)} 个单位")
    return dcc.send_bytes(buffer.getvalue(), f"报送情况_{month}.xlsx")


# ---- 周进度 -------------------------------------------------------------------------------

@callback(Output(f"{P}-weekly", "children"), Input(f"{P}-week", "value"), Input(f"{P}-tabs", "active_tab"))
@guarded(PATH)
def weekly(week, tab):
    scope, config = context.scope(), context.config()
    if tab != "weekly":
        return no_update
    if week not in _weeks(config.today()):
        return c.not_found()
    if scope.kind == "department":
        return _own_week(scope.code, week)
    reports = queries.weekly(context.engine(), scope, week)
    done = reports[reports["version"].notna()]
    missing = reports[reports["version"].isna()]
    rows = [{"dept": r.dept_name, "signer": r.signer, "progress": r.progress, "problems": r.problems,
             "next_plan": r.next_plan, "when": fig.moment(r.submitted_at, config.zone, seconds=False) +
             ("（逾期更正）" if r.late else ""), "version": int(r.version)} for r in done.itertuples()]
    grid = c.grid(f"{P}-reports", pd.DataFrame(rows, columns=["dept", "signer", "progress", "problems", "next_plan",
                                                              "when", "version"]), [
        {"field": "dept", "headerName": "部门", "width": 170, "tooltipField": "dept"},
        {"field": "progress", "headerName": "本周进展", "flex": 2, "minWidth": 220, "wrapText": True, "autoHeight": True},
        {"field": "problems", "headerName": "存在问题", "flex": 1, "minWidth": 160, "wrapText": True, "autoHeight": True},
        {"field": "next_plan", "headerName": "下周计划", "flex": 1, "minWidth": 160, "wrapText": True, "autoHeight": True},
        {"field": "signer", "headerName": "负责人", "width": 100},
        {"field": "when", "headerName": "报送时间", "width": 170}, {"field": "version", "headerName": "版本", "width": 80},
    ], height="480px") if rows else c.empty("本周尚无部门报送")
    due = reporting.week_due(week, config["reporting.weekly_due"])
    # before the due time a department without a report still has time: 待报送, not 未报送
    waiting = clock.local_now(config.zone) < due
    return html.Div([
        c.section(f"已报送（{len(done):,} 个部门）", grid),
        c.section(f"待报送（{len(missing):,} 个部门，{fig.due_moment(due)} 截止）" if waiting else
                  f"未报送（{len(missing):,} 个部门）",
                  html.Div("、".join(missing["dept_name"]) or "无", className="missing-list")),
    ])


def _own_week(dept: str, week: str):
    """A department's own week: what it wrote (corrected until it is due), beside what the portal knows."""
    engine, config = context.engine(), context.config()
    reports = queries.weekly(engine, context.scope(), week)
    mine = reports[reports["dept_code"] == dept]
    latest = mine.iloc[0] if len(mine) and not pd.isna(mine.iloc[0]["version"]) else None
    facts = queries.week_facts(engine, context.scope(), dept, week, config.zone) or {}
    due = reporting.week_due(week, config["reporting.weekly_due"])
    local_now = clock.local_now(config.zone)
    state = ("本周尚未报送" if latest is None else
             f"已报送第 {int(latest['version'])} 版（{fig.moment(latest['submitted_at'], config.zone, seconds=False)}）")
    late = local_now > due

    def value(key):
        return latest[key] if latest is not None and isinstance(latest[key], str) else None
    form = html.Div([
        dbc.Textarea(id=f"{P}-progress", placeholder="本周进展（必填）", rows=3, maxLength=NOTE_CHARS,
                     value=value("progress"), className="mb-2"),
        dbc.Textarea(id=f"{P}-problems", placeholder="存在问题（必填，无则填“无”）", rows=2, maxLength=NOTE_CHARS,
                     value=value("problems"), className="mb-2"),
        dbc.Textarea(id=f"{P}-next", placeholder="下周计划（必填）", rows=2, maxLength=NOTE_CHARS,
                     value=value("next_plan"), className="mb-2"),
        dbc.Row([dbc.Col(dbc.Input(id=f"{P}-signer", placeholder="负责人（必填）", maxLength=NAME_CHARS,
                                   value=value("signer")), md=4),
                 dbc.Col(evidence.upload(f"{P}-files"), md=8)], className="g-2"),
        dbc.Button("提交本周进度" if not late else "提交更正（记为新版本）", id=f"{P}-save", color="primary",
                   size="sm", className="mt-2"),
        dcc.Store(id=f"{P}-week-of", data=week),
        html.Div(id=f"{P}-saved", className="mt-2"),
    ])
    known = html.Ul([html.Li(f"销号的预警：{facts.get('resolved', 0):,} 条"),
                     html.Li(f"销号的整改承诺：{facts.get('commitments', 0):,} 项"),
                     html.Li(f"完成的调剂：{facts.get('transfers', 0):,} 件")], className="small")
    note = (f"截止时间：{fig.date_text(due.date())} {due:%H:%M}。" +
            ("已过截止时间，再次提交将保存为新版本，原版本保留。" if late else "截止前可随时修改。"))
    return dbc.Row([dbc.Col(c.section(f"本周进度 · {state}", html.Div(note, className="small text-muted mb-2"), form),
                            lg=8),
                    dbc.Col(c.section("平台记录的本周情况", known), lg=4)], className="g-3")


@callback(Output(f"{P}-saved", "children"), Output(f"{P}-files", "contents"), Output(f"{P}-files", "filename"),
          Input(f"{P}-save", "n_clicks"), State(f"{P}-week-of", "data"), State(f"{P}-progress", "value"),
          State(f"{P}-problems", "value"), State(f"{P}-next", "value"), State(f"{P}-signer", "value"),
          State(f"{P}-files", "contents"), State(f"{P}-files", "filename"), prevent_initial_call=True)
@guarded(PATH)
def save_week(n, week, progress, problems, next_plan, signer, contents, names):
    scope, config = context.scope(), context.config()
    if not n or scope.kind != "department" or week not in _weeks(config.today()):
        return no_update, no_update, no_update
    actor = workflow.Actor(context.current_username(), context.role(), context.address())
    try:
        files = evidence.read(contents, names, config)[:1]  # one evidence file a week (reporting.md)
        with context.engine().execution_options(write=True).begin() as conn:
            kept = [(name, filestore.keep(conn, config, data, kind)) for name, data, kind in files]
            version, late = reporting.save_weekly(conn, actor, scope.code, week, {
                "progress": progress, "problems": problems, "next_plan": next_plan}, signer,
                clock.local_now(config.zone), config["reporting.weekly_due"], kept)
    except UserError as exc:
        return evidence.said(exc), no_update, no_update
    said = f"已保存第 {version} 版" + ("（截止后提交，记为更正版本）" if late else "（截止前可继续修改）")
    return dbc.Alert(said, color="success", className="py-1 mb-0"), None, None


@callback(Output(f"{P}-files-names", "children"), Input(f"{P}-files", "filename"))
@guarded(PATH)
def files_chosen(names):
    return evidence.chosen(names)
