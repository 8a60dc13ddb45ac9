"""审计日志 Audit log (admins): browse and filter, paged on the server, the filters in the address;
export what is shown; nobody can change it."""
from __future__ import annotations

import datetime as dt
import io

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, in_address, permitted, register_page
from ledger import audit, clock
from ledger.vocab import ROLES
from metrics.rules import NAMES as RULE_NAMES
from outputs import figures as fig
from outputs.audit_text import describe_change
from outputs.xlsx import write_frame

PATH = register_page(__name__, "/audit")
P = "audit"
SHOWN_CHARS = 600  # what a cell shows of a long note; the export and the tooltip hold the rest
EXPORT_ROWS = 100_000
FILTERS = [Input(f"{P}-action", "value"), Input(f"{P}-actor", "value"), Input(f"{P}-dates", "start_date"),
           Input(f"{P}-dates", "end_date")]
in_address({"action": (f"{P}-action", "value"), "actor": (f"{P}-actor", "value"),
            "since": (f"{P}-dates", "start_date"), "until": (f"{P}-dates", "end_date")})
COLUMNS = [
    {"field": "at", "headerName": "时间", "width": 165}, {"field": "actor", "headerName": "操作人", "width": 120},
    {"field": "role", "headerName": "角色", "width": 120}, {"field": "address", "headerName": "来源地址", "width": 120},
    {"field": "action_zh", "headerName": "操作", "width": 140},
    {"field": "target", "headerName": "对象", "width": 220, "tooltipField": "target"},
    {"field": "change", "headerName": "变更前 → 变更后", "flex": 1, "minWidth": 260, "tooltipField": "change"},
    {"field": "detail", "headerName": "说明", "width": 240, "tooltipField": "detail"},
]


def layout(action: str | None = None, actor: str | None = None, since: str | None = None, until: str | None = None,
           **_query):
    if not permitted(PATH):
        return c.not_found()
    return html.Div([
        html.Div([
            html.H2("审计日志", className="page-title"),
            c.dropdown(f"{P}-action", options=[{"label": zh, "value": k} for k, zh in audit.ACTIONS.items()],
                       value=action if action in audit.ACTIONS else None, placeholder="全部操作", className="filter"),
            dcc.Input(id=f"{P}-actor", placeholder="操作人", debounce=True, className="form-control",
                      value=actor[:100] if isinstance(actor, str) else None, maxLength=100, style={"width": "160px"}),
            html.Div(c.date_range(f"{P}-dates", _date(since), _date(until)), style={"width": "300px"}),
            html.Button("导出 Excel", id=f"{P}-export", className="btn btn-outline-primary btn-sm"),
            dcc.Download(id=f"{P}-download"),
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


def _filters(action, actor, start, end) -> dict:
    """Browser values become narrowing filters only."""
    return {"action": action if action in audit.ACTIONS else None,
            "actor": actor.strip()[:100] or None if isinstance(actor, str) else None,
            "since": _date(start), "until": _date(end)}


def _rows(found, zone: str, cut: int | None = SHOWN_CHARS) -> list[dict]:
    def shown(text):
        return text if cut is None or text is None or len(text) <= cut else text[:cut] + "…"
    return [{"at": fig.moment(e.at, zone), "actor": _actor(e.actor), "role": _role(e.role, e.actor, e.action),
             "address": e.address or "—", "action_zh": audit.ACTIONS.get(e.action, e.action), "target": e.target,
             "change": shown(describe_change(e.before, e.after, e.action, RULE_NAMES)), "detail": shown(e.detail)}
            for e in found]


@callback(Output(f"{P}-body", "children"), *FILTERS)
@guarded(PATH)
def render(action, actor, start, end):
    engine, scope, zone = context.engine(), context.scope(), context.config().zone
    _, total = queries.audit_log(engine, scope, zone, **_filters(action, actor, start, end), start=0, end=0)
    check = queries.audit_chain(engine, scope)
    if check.intact:
        note = dbc.Alert(f"审计链完整：{check.rows:,} 条记录逐条核验无误（链头 {(check.head or '—')[:16]}…）。"
                         "审计日志只能追加，数据库拒绝任何修改或删除。", color="success", className="py-2 mb-2",
                         id=f"{P}-chain")
    else:
        note = dbc.Alert(f"审计链在第 {check.broken_at} 条记录处断开：{check.reason_zh}。"
                         "请立即核查数据库访问记录。", color="danger", className="py-2 mb-2", id=f"{P}-chain")
    if not total:
        return c.section("审计记录（0 条）", note, c.empty("没有符合条件的记录"))
    grid = c.infinite_grid(f"{P}-grid", COLUMNS, total, "640px", sortable=False)
    return c.section(f"审计记录（{total:,} 条，最新的在前）", note, grid)


@callback(Output(f"{P}-grid", "getRowsResponse"), Input(f"{P}-grid", "getRowsRequest"),
          *[State(i.component_id, i.component_property) for i in FILTERS])
@guarded(PATH)
def rows(request, action, actor, start, end):
    block = c.row_block(request)
    if block is None:
        return c.NO_ROWS
    zone = context.config().zone
    found, total = queries.audit_log(context.engine(), context.scope(), zone, **_filters(action, actor, start, end),
                                     start=block[0], end=block[1])
    return {"rowData": _rows(found, zone), "rowCount": total}


@callback(Output(f"{P}-download", "data"), Input(f"{P}-export", "n_clicks"),
          *[State(i.component_id, i.component_property) for i in FILTERS], prevent_initial_call=True)
@guarded(PATH)
def export(n_clicks, action, actor, start, end):
    """What the page shows, as xlsx: the same filters, every matching entry (up to EXPORT_ROWS)."""
    if not n_clicks:
        return no_update
    config, filters = context.config(), _filters(action, actor, start, end)
    found, total = queries.audit_log(context.engine(), context.scope(), config.zone, **filters, start=0,
                                     end=EXPORT_ROWS)
    frame = pd.DataFrame(_rows(found, config.zone, cut=None), columns=[col["field"] for col in COLUMNS])
    frame = frame.rename(columns={col["field"]: col["headerName"] for col in COLUMNS})
    words = [audit.ACTIONS[filters["action"]] if filters["action"] else "", filters["actor"] or "",
             f"{filters['since'] or ''}–{filters['until'] or ''}" if filters["since"] or filters["until"] else ""]
    buffer = io.BytesIO()
    write_frame(frame, buffer, sheet="审计日志", pages_wide=None,
                title=f"{config['org.city_name']} · 审计日志 · 共 {total:,} 条" + (
                    f"（导出前 {EXPORT_ROWS:,} 条）" if total > EXPORT_ROWS else "")
                + (f" · 筛选：{'，'.join(w for w in words if w)}" if any(words) else "")
                + f" · 生成于 {fig.moment(clock.now(), config.zone)}")
    context.audit("export", "审计日志", detail=f"{len(frame)} 行")
    return dcc.send_bytes(buffer.getvalue(), "审计日志.xlsx")
