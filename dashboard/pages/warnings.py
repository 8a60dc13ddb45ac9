"""预警 Warnings: filter by level, rule and state; counts; acknowledge (departments, supervisors)
and resolve (supervisors, counties) one or many at once."""
from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.components.warnings import LEVEL_CLASSES, warning_display
from dashboard.shell import guarded, month_in_address, page_frame
from ledger import vocab, workflow
from ledger.models import WarningCase
from metrics.rules import NAMES as RULE_NAMES

dash.register_page(__name__, path="/warnings", name="预警", title="预警 · 国有资产盘活督导平台")
P = "warnings"
month_in_address(f"{P}-month")
OVERDUE = "逾期未确认"
SHOWN = 500  # rows sent to the browser; the counts above the list cover all of them
COLUMNS = [
    {"field": "level_zh", "headerName": "等级", "width": 100, "cellClassRules": LEVEL_CLASSES},
    {"field": "state_zh", "headerName": "状态", "width": 110, "cellClassRules": {"lvl-red": f"params.value == '{OVERDUE}'"}},
    {"field": "rule_zh", "headerName": "规则", "width": 130}, {"field": "ref", "headerName": "对象", "width": 130},
    c.link_column("asset_code", "资产编号", "asset_href", width=130),
    {"field": "span", "headerName": "时长", "width": 90}, {"field": "opened_on", "headerName": "发生于", "width": 110},
    {"field": "fix_by", "headerName": "计划整改", "width": 110},
    {"field": "note", "headerName": "处理说明", "width": 200, "tooltipField": "note"},
    {"field": "message", "headerName": "说明", "flex": 1, "minWidth": 220},
]


def _toolbar():
    if not context.scope().may("acknowledge"):
        return []
    return [dbc.Card(dbc.CardBody(dbc.Row([
        dbc.Col(dbc.Textarea(id=f"{P}-note", placeholder="处理说明（必填）：已采取或将采取的整改措施", rows=2), md=5),
        dbc.Col(dcc.DatePickerSingle(id=f"{P}-fix-by", placeholder="计划整改日期", display_format="YYYY-MM-DD"), md=2),
        dbc.Col([dbc.Button("确认并计划整改", id=f"{P}-ack", color="primary", size="sm", className="me-2"),
                 dbc.Button("办结", id=f"{P}-resolve", color="success", size="sm",
                            style=None if context.scope().may("resolve") else {"display": "none"})], md=3),
        dbc.Col(html.Div(id=f"{P}-done"), md=2),
    ], className="g-2 align-items-center")), className="section mb-2 action-bar")]


def layout(level: str | None = None, month: str | None = None, **_query):
    return page_frame("/warnings", P, "预警", snapshot_only=True, toolbar=_toolbar(), controls=[
        dcc.Dropdown(id=f"{P}-level", options=[{"label": v, "value": k} for k, v in vocab.LEVELS.items()],
                     value=level if level in vocab.LEVELS else None, placeholder="全部等级", className="filter"),
        dcc.Dropdown(id=f"{P}-rule", options=[{"label": v, "value": k} for k, v in RULE_NAMES.items()],
                     placeholder="全部规则", className="filter"),
        dcc.Dropdown(id=f"{P}-state", options=[{"label": v, "value": k} for k, v in workflow.STATES.items()],
                     placeholder="全部状态", className="filter"),
        dcc.Store(id=f"{P}-version", data=0),
    ], month=month)


@callback(Output(f"{P}-body", "children"), Input(f"{P}-month", "value"), Input(f"{P}-level", "value"),
          Input(f"{P}-rule", "value"), Input(f"{P}-state", "value"), Input(f"{P}-version", "data"))
@guarded("/warnings")
def render(month: str, level: str | None, rule: str | None, state: str | None, _version):
    scope, engine = context.scope(), context.engine()
    if month not in queries.months(engine, scope) or not scope.sees_assets:
        return c.not_found()
    ack_days = context.config()["workflow.ack_days"]
    frame, counts = queries.warning_cases(engine, scope, month, dt.date.today(), ack_days, level=level, rule=rule,
                                          state=state if state in workflow.STATES else None, limit=SHOWN)
    tiles = html.Div([html.Div([html.Div(f"{counts.get(k, 0):,}", className="alert-count"), html.Div(f"{v}预警")],
                               className=f"alert-tile tile-{k}") for k, v in
                      (("red", "红色"), ("orange", "橙色"), ("yellow", "黄色"))]
                     + [html.Div([html.Div(f"{counts['overdue']:,}", className="alert-count"),
                                  html.Div(f"橙色以上逾期未确认（>{ack_days}天）")], className="alert-tile tile-overdue")],
                     className="alert-tiles mb-3")
    if frame.empty:
        return html.Div([tiles, c.section("预警清单", c.empty("没有符合条件的预警"))])
    total = counts["total"]
    shown = warning_display(frame).assign(
        state_zh=[OVERDUE if o else workflow.STATES.get(s, "—") for s, o in zip(frame["state"], frame["overdue"])])
    columns = [dict(COLUMNS[0], checkboxSelection=True, headerCheckboxSelection=True,
                    headerCheckboxSelectionFilteredOnly=True) if context.scope().may("acknowledge") else COLUMNS[0], *COLUMNS[1:]]
    grid = c.grid(f"{P}-grid", shown[["case_id", *[col["field"] for col in COLUMNS], "asset_href"]], columns, "620px", options={
        "pagination": True, "paginationPageSize": 100, "rowSelection": "multiple", "suppressRowClickSelection": True,
        "tooltipShowDelay": 300})
    title = f"预警清单（{total:,} 条" + (f"，显示最紧要的前 {SHOWN:,} 条，可按等级、规则、状态筛选）" if total > SHOWN else "）")
    return html.Div([tiles, c.section(title, grid)])


@callback(Output(f"{P}-done", "children"), Output(f"{P}-version", "data"),
          Input(f"{P}-ack", "n_clicks"), Input(f"{P}-resolve", "n_clicks"),
          State(f"{P}-grid", "selectedRows"), State(f"{P}-note", "value"), State(f"{P}-fix-by", "date"),
          State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded("/warnings")
def act(_ack, _resolve, selected, note, fix_by, version):
    """Acknowledge or resolve the selected warnings; the scope decides which of them may be touched."""
    if ctx.triggered_id not in (f"{P}-ack", f"{P}-resolve") or not isinstance(selected, list):
        return no_update, no_update
    ids = [r["case_id"] for r in selected if isinstance(r, dict) and isinstance(r.get("case_id"), int)]
    if not ids:
        return dbc.Alert("请先勾选预警", color="warning", className="py-1 mb-0"), no_update
    actor = workflow.Actor(context.current_username(), context.role(), context.address())
    where = context.scope().owns(WarningCase)
    try:
        when = dt.date.fromisoformat(fix_by) if isinstance(fix_by, str) and fix_by else None
    except ValueError:
        when = None
    try:
        with context.engine().execution_options(write=True).begin() as conn:
            if ctx.triggered_id == f"{P}-ack":
                done = workflow.acknowledge(conn, actor, ids, where, note if isinstance(note, str) else "", when)
                verb = "已确认"
            else:
                done = workflow.resolve(conn, actor, ids, where, note if isinstance(note, str) else "")
                verb = "已办结"
    except workflow.WorkflowError as exc:
        if isinstance(exc, workflow.OutOfScope):
            context.audit("scope.refused", f"warning cases={exc.ids}"[:200], detail=f"{ctx.triggered_id}")
        return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0"), no_update
    return dbc.Alert(f"{verb} {done} 条", color="success", className="py-1 mb-0"), (version or 0) + 1
