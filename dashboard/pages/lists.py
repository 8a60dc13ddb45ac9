"""约谈问责 Lists: notice, interview, accountability and budget-restriction lists with their reasons."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, clientside_callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, month_in_address, page_frame, register_page
from ledger import vocab
from ledger.vocab import LISTS
from outputs.phrasing import reasons_text

PATH = register_page(__name__, "/lists")
P = "lists"
month_in_address(f"{P}-month")


def layout(month: str | None = None, **_query):
    pack = [dbc.Button("下载会议材料（xlsx）", id=f"{P}-pack", color="primary", size="sm", outline=True),
            dbc.Button("下载月度通报（Word）", id=f"{P}-bulletin", color="primary", size="sm", outline=True),
            html.A("打印版报告", id=f"{P}-report", href="/report", className="btn btn-sm btn-outline-secondary"),
            dcc.Download(id=f"{P}-download"), dcc.Download(id=f"{P}-bulletin-download")]
    return page_frame(PATH, P, "约谈问责名单", controls=pack, month=month)


@callback(Output(f"{P}-report", "href"), Input(f"{P}-month", "value"))
@guarded(PATH)
def report_link(month):
    return f"/report?month={month}"


@callback(Output(f"{P}-download", "data"), Input(f"{P}-pack", "n_clicks"), State(f"{P}-month", "value"),
          prevent_initial_call=True)
@guarded(PATH)
def meeting_pack(n_clicks, month):
    """The month's meeting pack, filtered to the caller's scope like the page."""
    scope, engine = context.scope(), context.engine()
    if not n_clicks or month not in queries.months(engine, scope):
        return no_update
    made = queries.meeting_pack(engine, scope, month, context.config(), queries.scope_label(engine, scope))
    context.audit("export", f"月度督导会议材料 {month}")
    return dcc.send_bytes(made, f"月度督导会议材料_{month}.xlsx")


@callback(Output(f"{P}-bulletin-download", "data"), Input(f"{P}-bulletin", "n_clicks"),
          State(f"{P}-month", "value"), prevent_initial_call=True)
@guarded(PATH)
def bulletin(n_clicks, month):
    """The month's 月度通报 as a Word draft: the city's, or a county's own region's."""
    scope, engine = context.scope(), context.engine()
    if not n_clicks or month not in queries.months(engine, scope):
        return no_update
    made = queries.bulletin(engine, scope, month, context.config())
    context.audit("export", f"月度通报 {month}", detail=made[0])
    return dcc.send_bytes(made[1], made[0])


@callback(Output(f"{P}-body", "children"), Input(f"{P}-month", "value"))
@guarded(PATH)
def render(month: str):
    """The tabs with their counts; the open tab's table comes from `table` (one list at a time
    keeps a page of thousands of rows and reasons light)."""
    scope, engine = context.scope(), context.engine()
    if month not in queries.months(engine, scope):
        return c.not_found()
    entries = queries.lists(engine, scope, month)
    tabs = [dbc.Tab(label=f"{zh}（{int((entries.list == key).sum())}）", tab_id=key) for key, zh in LISTS.items()]
    return html.Div([dbc.Tabs(tabs, id=f"{P}-tabs", active_tab="interview"), html.Div(id=f"{P}-table", className="mt-2")])


COLUMNS = [
    {"field": "level", "headerName": "层级", "width": 90},
    c.link_column("name", "名称", "href", width=240),
    # the reasons and the follow-up share what is left: a long follow-up no longer wraps to three lines
    {"field": "reasons", "headerName": "列入原因", "flex": 1, "minWidth": 300, "wrapText": True, "autoHeight": True},
    {"field": "follow_up", "headerName": "跟进情况", "flex": 1, "minWidth": 280, "wrapText": True, "autoHeight": True},
    c.link_column("history", "履历", "history_href", width=90, sortable=False),
]


@callback(Output(f"{P}-table", "children"), Input(f"{P}-tabs", "active_tab"), State(f"{P}-month", "value"))
@guarded(PATH)
def table(which: str, month: str):
    """The open tab's list: sortable, searchable (names, reasons, follow-up)."""
    scope, engine = context.scope(), context.engine()
    if which not in LISTS or month not in queries.months(engine, scope):
        return c.not_found()
    entries = queries.lists(engine, scope, month)
    entries = entries[entries.list == which]
    if entries.empty:
        return c.empty("本月无")
    followed = queries.follow_up(engine, scope, context.config()["workflow.ack_days"], context.config().today())
    linked = [e["level"] == "department" and scope.sees_assets for _, e in entries.iterrows()]
    frame = pd.DataFrame({
        "level": [vocab.SCOPE_LEVELS.get(v, v) for v in entries["level"]], "name": list(entries["name"]),
        "href": [c.href("/department", code) if ok else None for code, ok in zip(entries["code"], linked)],
        "reasons": [reasons_text(reasons) for reasons in entries["reasons"]],
        "follow_up": ["；".join(followed.get(code, [])) if level == "department" else ""
                      for code, level in zip(entries["code"], entries["level"])],
        "history": ["履历" if ok else "" for ok in linked],
        "history_href": [c.href("/history", code) if ok else None for code, ok in zip(entries["code"], linked)]})
    search = dcc.Input(id=f"{P}-search", type="search", debounce=False, placeholder="搜索名称、原因或跟进情况",
                       className="form-control form-control-sm mb-2 list-search")
    return html.Div([search, c.grid(f"{P}-grid", frame, COLUMNS, height=f"{min(640, 80 + 60 * len(frame))}px")])


# the search filters the rows the browser already holds (the caller's own): no round trip
clientside_callback(
    """function (text) {
        try { dash_ag_grid.getApi("lists-grid").setGridOption("quickFilterText", text || ""); } catch (e) {}
        return window.dash_clientside.no_update;
    }""",
    Output(f"{P}-search", "title"), Input(f"{P}-search", "value"), prevent_initial_call=True)
