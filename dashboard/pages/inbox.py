"""消息 Inbox (delivery.md): the papers and notices that reached this account, newest first, unread or
read with the time; opening one (or downloading its file) records the reading. Supervisors also see,
paper by paper, who has read the month's papers (送达情况)."""
from __future__ import annotations

import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update
from flask_login import current_user

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, permitted, register_page, unread_badge
from ledger import clock, inbox, permissions
from ledger.vocab import EMAIL_STATES, MESSAGE_KINDS
from outputs import figures as fig

PATH = register_page(__name__, "/inbox")
P = "inbox"
SHOWN = 500  # an account receives a handful of papers a month: the newest 500 are years of them
COLUMNS = [
    {"field": "state", "headerName": "状态", "width": 190, "cellClassRules": {"unread": "params.value == '未读'"}},
    {"field": "kind", "headerName": "类别", "width": 110},
    {"field": "title", "headerName": "标题", "flex": 1, "minWidth": 260, "tooltipField": "title"},
    {"field": "sent", "headerName": "送达时间", "width": 150},
    {"field": "email", "headerName": "邮件", "width": 150, "tooltipField": "email_note"},
]


def _user_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def _state(read_at, zone: str) -> str:
    """A message's 状态: 未读, or 已读 and when."""
    return "未读" if read_at is None else f"已读 {fig.moment(read_at, zone, seconds=False)}"


def _tally(engine) -> tuple[int, str]:
    """The account's unread messages, and the sentence the page heads its list with."""
    _, total, unread = queries.inbox_page(engine, _user_id(), 0, 0)
    return unread, _counted(total, unread)


def _counted(total: int, unread: int) -> str:
    return f"共 {total:,} 条，未读 {unread:,} 条"


def _now_read(rows, read_at, zone: str, only: int | None = None) -> list[dict]:
    """The grid's rows as the browser holds them, with the unread ones (or only the one with id
    `only`) read at `read_at`: the rest stay as they were."""
    state = _state(read_at, zone)
    return [dict(r, state=state) if r.get("state") == "未读" and only in (None, r.get("id")) else r
            for r in (rows if isinstance(rows, list) else [])]


def _rows(found, zone: str) -> list[dict]:
    return [{"id": r.Message.id, "key": str(r.Message.id), "kind": MESSAGE_KINDS.get(r.Message.kind, r.Message.kind), "title": r.Message.title,
             "state": _state(r.Message.read_at, zone),
             "sent": fig.moment(r.Message.created_at, zone, seconds=False),
             "email": EMAIL_STATES[r.Message.email_state] if r.Message.email_to else "—",
             "email_note": r.Message.email_to or "", "file": r.file_name or ""} for r in found]


def layout(message: str | None = None, **_query):
    if not permitted(PATH):
        return c.not_found()
    engine, zone = context.engine(), context.config().zone
    found, total, unread = queries.inbox_page(engine, _user_id(), 0, SHOWN)
    rows = _rows(found, zone)
    opened = int(message) if isinstance(message, str) and message.isdigit() else None
    body = c.grid(f"{P}-grid", pd.DataFrame(rows, columns=[*[col["field"] for col in COLUMNS], "id", "key", "file", "email_note"]),
                  COLUMNS, height=c.grid_height(len(rows), 560, fewest=3),
                  getRowId="params.data.key", options={"rowSelection": c.PICK_ONE}, empty="暂无消息")
    return html.Div([
        html.Div([html.H2("消息", className="page-title"),
                  dcc.Input(id=f"{P}-search", type="search", debounce=False, placeholder="筛选：标题、类别，或输入“未读”",
                            className="form-control form-control-sm list-search inbox-search"),
                  html.Span(_counted(total, unread), className="page-note", id=f"{P}-counts"),
                  html.Button("全部标为已读", id=f"{P}-read-all", className="btn btn-outline-secondary btn-sm",
                              disabled=not unread)
                  if context.scope().may("read_all") else None],
                 className="page-head"),
        dcc.Store(id=f"{P}-asked", data=opened),
        c.section("收到的文书与通知（点击一条打开，打开或下载即记为已读）", body),
        html.Div(id=f"{P}-detail"),
        html.Div(id=f"{P}-sent") if context.scope().may("verify") or context.role() == "admin" else None,
    ])


@callback(Output(f"{P}-detail", "children"), Output(f"{P}-grid", "rowData"), Output(f"{P}-counts", "children"),
          Output("app-unread", "children", allow_duplicate=True), Output("app-unread", "className", allow_duplicate=True),
          Input(f"{P}-grid", "selectedRows"), Input(f"{P}-asked", "data"), State(f"{P}-grid", "rowData"),
          prevent_initial_call="initial_duplicate")
@guarded(PATH)
def open_message(selected, asked, rows):
    """Open the chosen message (from the list, or the one an e-mail's link names): its text and its
    file; the first opening is its reading."""
    picked = c.first_selected(selected, "id", default=asked)
    if not isinstance(picked, int) or isinstance(picked, bool):
        return None, no_update, no_update, no_update, no_update
    engine, zone = context.engine(), context.config().zone
    with engine.execution_options(write=True).begin() as conn:
        found = inbox.read(conn, _user_id(), picked, "打开", context.address())
    if found is None:  # not this account's: as if it did not exist
        context.scope().refused("消息", picked)
        return c.not_found(), no_update, no_update, no_update, no_update
    message, paper = found.Message, found.Paper
    rows = _now_read(rows, message.read_at or clock.now(), zone, only=picked)
    unread, counted = _tally(engine)
    detail = c.section(message.title, html.Div([
        html.Div(f"{MESSAGE_KINDS.get(message.kind, message.kind)} · 送达于 "
                 f"{fig.moment(message.created_at, zone, seconds=False)}", className="text-muted small mb-2"),
        html.Pre(message.body, className="message-body"),
        html.Div([
            html.A(f"{'下载文件' if paper.kind == 'export' else '下载文书'}：{paper.file_name}", href=f"/papers/{message.id}",
                   className="btn btn-sm btn-primary", id=f"{P}-download") if paper is not None else None,
            _go_to(message.link),
        ], className="d-flex gap-2"),
    ]))
    return detail, rows, counted, *unread_badge(unread)


@callback(Output(f"{P}-grid", "rowData", allow_duplicate=True), Output(f"{P}-counts", "children", allow_duplicate=True),
          Output("app-unread", "children", allow_duplicate=True), Output("app-unread", "className", allow_duplicate=True),
          Output(f"{P}-read-all", "disabled"),
          Input(f"{P}-read-all", "n_clicks"), State(f"{P}-grid", "rowData"), prevent_initial_call=True)
@guarded(PATH)
def read_all(clicks, rows):
    """全部标为已读 (the bureau's copies): every unread message of the account read now."""
    if not clicks:
        return (no_update,) * 5
    if not context.scope().may("read_all"):  # a department's reading is its proof of 送达: one by one
        context.scope().refused("全部标为已读", context.role())
        return (no_update,) * 5
    engine, zone = context.engine(), context.config().zone
    with engine.execution_options(write=True).begin() as conn:
        inbox.read_all(conn, _user_id(), context.address())
    unread, counted = _tally(engine)
    return _now_read(rows, clock.now(), zone), counted, *unread_badge(unread), not unread


def _go_to(link: str | None):
    """A button to the page the message is about, where the reader acts on it (a page this account
    may open: none for an account whose role has changed since)."""
    path = (link or "").split("?")[0]
    if not path or not context.scope().may_open(path):
        return None
    return html.A(f"前往{permissions.page(path).label}", href=link, className="btn btn-sm btn-outline-primary",
                  id=f"{P}-go")


@callback(Output(f"{P}-sent", "children"), Input(f"{P}-counts", "id"))
@guarded(PATH)
def sent(_):
    """送达情况 (the finance bureau): the papers sent lately, each with how many of its recipients have
    read it and who has not."""
    scope, zone = context.scope(), context.config().zone
    found = queries.paper_reading(context.engine(), scope)
    if not found:
        return None
    rows = [{"title": r["title"], "sent": fig.moment(r["sent"], zone, seconds=False),
             "read": f"{r['read']}/{r['recipients']}", "unread": "、".join(r["unread"]) or "—"} for r in found]
    return c.section("送达情况（最近送达的文书，谁尚未阅读）", c.grid(f"{P}-sent-grid", pd.DataFrame(rows), [
        {"field": "title", "headerName": "文书", "flex": 1, "minWidth": 260, "tooltipField": "title"},
        {"field": "sent", "headerName": "送达时间", "width": 150}, {"field": "read", "headerName": "已读/送达", "width": 110},
        {"field": "unread", "headerName": "未读账号", "flex": 1, "minWidth": 200, "tooltipField": "unread"},
    ], height=c.grid_height(len(rows), 360)))


# the rows the browser already holds (the account's own) filtered there: "未读" finds the unread, as
# a read one says 已读 and its time
clientside_callback(
    """function (text) {
        try { dash_ag_grid.getApi("inbox-grid").setGridOption("quickFilterText", text || ""); } catch (e) {}
        return window.dash_clientside.no_update;
    }""",
    Output(f"{P}-search", "title"), Input(f"{P}-search", "value"), prevent_initial_call=True)
