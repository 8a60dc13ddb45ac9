"""账号管理 Accounts (admins): add an account, disable or enable it, reset its password, set its
e-mail, role and scope (roles.md); every change is audited (ledger.accounts.administer)."""
from __future__ import annotations

import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import components as c
from dashboard import context, queries
from dashboard.shell import guarded, permitted, register_page
from ledger import accounts, vocab
from ledger.db import session_scope
from ledger.errors import UserError
from outputs import figures as fig

PATH = register_page(__name__, "/accounts")
P = "accounts"
COLUMNS = [
    {"field": "username", "headerName": "用户名", "width": 160},
    {"field": "role_zh", "headerName": "角色", "width": 110},
    {"field": "scope_zh", "headerName": "范围", "flex": 1, "minWidth": 200},
    {"field": "email", "headerName": "电子邮箱", "width": 240},
    {"field": "state", "headerName": "状态", "width": 90, "cellClassRules": {"text-danger": "params.value == '已停用'"}},
    {"field": "created", "headerName": "创建时间", "width": 160},
]
SCOPED = {"department": "主管部门", "county": "县区"}  # the roles that need a scope, and what it is


def layout(**_query):
    if not permitted(PATH):
        return c.not_found()
    roles = [{"label": label, "value": key} for key, label in vocab.ROLES.items()]
    return html.Div([
        html.Div([html.H2("账号管理", className="page-title"),
                  html.Span("每项变更记入审计日志；停用、改密码、变更角色或范围后该账号的会话与令牌立即失效。",
                            className="page-note")], className="page-head"),
        dcc.Store(id=f"{P}-version", data=0),
        c.section("账号", html.Div(id=f"{P}-list")),
        dbc.Row([
            dbc.Col(c.section("所选账号", html.Div([
                html.Div(id=f"{P}-chosen", className="mb-2 small"),
                html.Div([dbc.Button("停用", id=f"{P}-disable", color="danger", size="sm", outline=True, className="me-2"),
                          dbc.Button("启用", id=f"{P}-enable", color="success", size="sm", outline=True, className="me-2"),
                          dbc.Button("重置密码", id=f"{P}-reset", color="warning", size="sm", outline=True)],
                         className="mb-2"),
                dbc.InputGroup([dbc.Input(id=f"{P}-email", placeholder="电子邮箱（留空即删除）", size="sm", maxLength=200),
                                dbc.Button("保存邮箱", id=f"{P}-save-email", color="primary", size="sm", outline=True)],
                               className="mb-2"),
                dbc.Row([dbc.Col(c.dropdown(f"{P}-role", options=roles, placeholder="角色", clearable=False), md=4),
                         dbc.Col(c.dropdown(f"{P}-scope", placeholder="范围（主管部门或县区）"), md=5),
                         dbc.Col(dbc.Button("变更角色和范围", id=f"{P}-save-scope", color="primary", size="sm",
                                            outline=True), md=3)], className="g-2 align-items-center"),
                html.Div(id=f"{P}-done", className="mt-2")])), lg=6),
            dbc.Col(c.section("新增账号", html.Div([
                dbc.Row([dbc.Col(dbc.Input(id=f"{P}-new-name", placeholder="用户名（必填）", size="sm", maxLength=100), md=6),
                         dbc.Col(dbc.Input(id=f"{P}-new-email", placeholder="电子邮箱（可选）", size="sm", maxLength=200),
                                 md=6)], className="g-2 mb-2"),
                dbc.Row([dbc.Col(c.dropdown(f"{P}-new-role", options=roles, placeholder="角色（必填）"), md=4),
                         dbc.Col(c.dropdown(f"{P}-new-scope", placeholder="范围（主管部门或县区）"), md=5),
                         dbc.Col(dbc.Button("新增", id=f"{P}-add", color="primary", size="sm"), md=3)],
                        className="g-2 align-items-center"),
                html.Div("新账号的初始密码由平台生成，只显示一次：请当面或电话告知本人。", className="small text-muted mt-2"),
                html.Div(id=f"{P}-added", className="mt-2")])), lg=6),
        ], className="g-3"),
    ])


def _scope_text(role: str, code: str | None, departments: dict, regions: dict) -> str:
    names = departments if role == "department" else regions if role == "county" else {}
    return f"{names.get(code, '')}（{code}）" if code else "全市" if role in ("leader", "supervisor", "admin") else "—"


@callback(Output(f"{P}-list", "children"), Input(f"{P}-version", "data"))
@guarded(PATH)
def listed(_version):
    users, departments, regions = queries.account_list(context.engine(), context.scope())
    zone = context.config().zone
    rows = pd.DataFrame([{"username": u.username, "role_zh": vocab.ROLES.get(u.role, u.role),
                          "scope_zh": _scope_text(u.role, u.scope_code, departments, regions),
                          "email": u.email or "—", "state": "已停用" if u.disabled else "启用",
                          "created": fig.moment(u.created_at, zone, seconds=False)} for u in users],
                        columns=[col["field"] for col in COLUMNS])
    return c.grid(f"{P}-grid", rows, COLUMNS, height=c.grid_height(len(rows), 520),
                  getRowId="params.data.username", options={"rowSelection": c.PICK_ONE})


def _scope_options(role) -> tuple[list[dict], bool]:
    """The scopes a role may take (its departments or its regions), and whether it takes none."""
    _, departments, regions = queries.account_list(context.engine(), context.scope())
    names = departments if role == "department" else regions if role == "county" else None
    if names is None:
        return [], True
    return [{"label": f"{name}（{code}）", "value": code} for code, name in names.items()], False


@callback(Output(f"{P}-new-scope", "options"), Output(f"{P}-new-scope", "disabled"), Output(f"{P}-new-scope", "value"),
          Input(f"{P}-new-role", "value"))
@guarded(PATH)
def new_scopes(role):
    options, disabled = _scope_options(role)
    return options, disabled, None


@callback(Output(f"{P}-scope", "options"), Output(f"{P}-scope", "disabled"), Input(f"{P}-role", "value"))
@guarded(PATH)
def scopes(role):
    return _scope_options(role)


@callback(Output(f"{P}-chosen", "children"), Output(f"{P}-email", "value"), Output(f"{P}-role", "value"),
          Output(f"{P}-scope", "value"), Input(f"{P}-grid", "selectedRows"), prevent_initial_call=True)
@guarded(PATH)
def chosen(selected):
    """The selected account's fields, ready to change."""
    name = c.first_selected(selected, "username")
    users, _, _ = queries.account_list(context.engine(), context.scope())
    user = next((u for u in users if u.username == name), None)
    if user is None:
        return "在上表点选一个账号", "", None, None
    return (f"{user.username} · {vocab.ROLES.get(user.role, user.role)} · {'已停用' if user.disabled else '启用'}",
            user.email or "", user.role, user.scope_code)


def _administrator() -> accounts.Administrator:
    return accounts.Administrator(context.current_username(), context.role(), context.address())


def _said(text: str, color: str = "success"):
    return dbc.Alert(text, color=color, className="py-1 mb-0")


@callback(Output(f"{P}-done", "children"), Output(f"{P}-version", "data"),
          Input(f"{P}-disable", "n_clicks"), Input(f"{P}-enable", "n_clicks"), Input(f"{P}-reset", "n_clicks"),
          Input(f"{P}-save-email", "n_clicks"), Input(f"{P}-save-scope", "n_clicks"),
          State(f"{P}-grid", "selectedRows"), State(f"{P}-email", "value"), State(f"{P}-role", "value"),
          State(f"{P}-scope", "value"), State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded(PATH)
def change(_disable, _enable, _reset, _email, _scope, selected, email, role, scope_code, version):
    step = ctx.triggered_id.removeprefix(f"{P}-") if isinstance(ctx.triggered_id, str) else None
    action = {"disable": "disable", "enable": "enable", "reset": "password", "save-email": "email",
              "save-scope": "scope"}.get(step)
    name = c.first_selected(selected, "username")
    if action is None:
        return no_update, no_update
    if not isinstance(name, str):
        return _said("请先在上表点选一个账号", "warning"), no_update
    password = accounts.temporary_password() if action == "password" else None
    try:
        with session_scope(context.engine(), write=True) as s:
            accounts.administer(s, _administrator(), action, name, role=role if isinstance(role, str) else None,
                                scope_code=scope_code if role in SCOPED and isinstance(scope_code, str) else None,
                                email=email if isinstance(email, str) else None, password=password)
    except UserError as exc:
        return _said(exc.zh, "danger"), no_update
    said = {"disable": f"已停用 {name}：会话与令牌已失效", "enable": f"已启用 {name}",
            "password": f"已重置 {name} 的密码。临时密码（只显示这一次）：{password}",
            "email": f"已保存 {name} 的邮箱", "scope": f"已变更 {name} 的角色和范围：其会话已失效"}[action]
    return _said(said), (version or 0) + 1


@callback(Output(f"{P}-added", "children"), Output(f"{P}-version", "data", allow_duplicate=True),
          Output(f"{P}-new-name", "value"), Input(f"{P}-add", "n_clicks"), State(f"{P}-new-name", "value"),
          State(f"{P}-new-role", "value"), State(f"{P}-new-scope", "value"), State(f"{P}-new-email", "value"),
          State(f"{P}-version", "data"), prevent_initial_call=True)
@guarded(PATH)
def add(n_clicks, name, role, scope_code, email, version):
    if not n_clicks:
        return no_update, no_update, no_update
    if not isinstance(name, str) or not name.strip():
        return _said("请填写用户名", "warning"), no_update, no_update
    if role not in vocab.ROLES:
        return _said("请选择角色", "warning"), no_update, no_update
    password = accounts.temporary_password()
    try:
        with session_scope(context.engine(), write=True) as s:
            accounts.administer(s, _administrator(), "add", name, role=role,
                                scope_code=scope_code if role in SCOPED and isinstance(scope_code, str) else None,
                                email=email if isinstance(email, str) else None, password=password)
    except UserError as exc:
        return _said(exc.zh, "danger"), no_update, no_update
    return (_said(f"已新增 {name.strip()}（{vocab.ROLES[role]}）。初始密码（只显示这一次）：{password}"),
            (version or 0) + 1, "")
