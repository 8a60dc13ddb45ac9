"""审计日志 Audit log (admins): browse and filter; nobody can change it."""
from __future__ import annotations

import datetime as dt

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, callback, dcc, html

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, permitted
from ledger import audit
from ledger.vocab import ROLES
from metrics.rules import NAMES as RULE_NAMES

dash.register_page(__name__, path="/audit", name="审计日志", title="审计日志 · 国有资产盘活督导平台")
P = "audit"
LIMIT = 2000
COLUMNS = [
    {"field": "at", "headerName": "时间", "width": 165}, {"field": "actor", "headerName": "操作人", "width": 120},
    {"field": "role", "headerName": "角色", "width": 120}, {"field": "address", "headerName": "来源地址", "width": 120},
    {"field": "action_zh", "headerName": "操作", "width": 140}, {"field": "target", "headerName": "对象", "width": 220},
    {"field": "change", "headerName": "变更前 → 变更后", "flex": 1, "minWidth": 260, "tooltipField": "change"},
    {"field": "detail", "headerName": "说明", "width": 240, "tooltipField": "detail"},
]


def layout(**_query):
    if not permitted("/audit"):
        return c.not_found()
    return html.Div([
        html.Div([
            html.H2("审计日志", className="page-title"),
            dcc.Dropdown(id=f"{P}-action", options=[{"label": zh, "value": k} for k, zh in audit.ACTIONS.items()],
                         placeholder="全部操作", className="filter"),
            dcc.Input(id=f"{P}-actor", placeholder="操作人", debounce=True, className="form-control",
                      style={"width": "160px"}),
            html.Div(dcc.DatePickerRange(id=f"{P}-dates", display_format="YYYY-MM-DD", start_date_placeholder_text="开始日期",
                                         end_date_placeholder_text="结束日期", clearable=True), style={"width": "300px"}),
        ], className="page-head"),
        dcc.Loading(html.Div(id=f"{P}-body"), type="dot"),
    ])


def _role(role: str | None, actor: str, action: str) -> str:
    """The role an entry was written under; what acted without an account says what it was."""
    if role in ROLES:
        return ROLES[role]
    if action in ("login.failed", "login.limited"):
        return "未登录"
    if actor.startswith("cli:") or actor == "cli":
        return "服务器命令行"
    return {"system": "系统", "scheduler": "调度进程"}.get(actor, "—")


def _actor(actor: str) -> str:
    """Who, in words: an account's name, or what acted without one."""
    if actor.startswith("cli:") or actor == "cli":
        return f"命令行（{actor[4:] or '—'}）"
    return {"system": "系统", "scheduler": "定时任务", "?": "未知"}.get(actor, actor)


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


@callback(Output(f"{P}-body", "children"), Input(f"{P}-action", "value"), Input(f"{P}-actor", "value"),
          Input(f"{P}-dates", "start_date"), Input(f"{P}-dates", "end_date"))
@guarded("/audit")
def render(action, actor, start, end):
    found, check = queries.audit_log(context.engine(), context.scope(),
                                     action=action if action in audit.ACTIONS else None,
                                     actor=(actor or "").strip() or None, since=_date(start), until=_date(end),
                                     limit=LIMIT)
    rows = [{"at": f"{e.at:%Y-%m-%d %H:%M:%S}", "actor": _actor(e.actor),
             "role": _role(e.role, e.actor, e.action), "address": e.address or "—",
             "action_zh": audit.ACTIONS.get(e.action, e.action), "target": e.target,
             "change": audit.describe_change(e.before, e.after, e.action, RULE_NAMES), "detail": e.detail} for e in found]
    title = f"审计记录（{len(rows)} 条{'，仅显示最近 %d 条' % LIMIT if len(rows) == LIMIT else ''}）"
    if check.intact:
        note = dbc.Alert(f"审计链完整：{check.rows:,} 条记录逐条核验无误（链头 {(check.head or '—')[:16]}…）。"
                         "审计日志只能追加，数据库拒绝任何修改或删除。", color="success", className="py-2 mb-2",
                         id=f"{P}-chain")
    else:
        note = dbc.Alert(f"审计链在第 {check.broken_at} 条记录处断开：{check.reason_zh}。"
                         "请立即核查数据库访问记录。", color="danger", className="py-2 mb-2", id=f"{P}-chain")
    return c.section(title, note, c.grid(f"{P}-grid", pd.DataFrame(rows, columns=[col["field"] for col in COLUMNS]),
                                         COLUMNS, height="640px", options={"tooltipShowDelay": 300}))
