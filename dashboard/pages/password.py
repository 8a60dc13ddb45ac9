"""修改密码 Change one's own password: the current one, the new one twice. Every session of the
account ends with it (ledger.accounts.set_password), this one too: the next page is the login."""
from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Input, Output, State, callback, dcc, html, no_update

from dashboard import components as c
from dashboard import context
from dashboard.shell import guarded, permitted, register_page
from ledger import accounts
from ledger.db import session_scope
from ledger.errors import UserError

PATH = register_page(__name__, "/password")
P = "password"


def layout(**_query):
    if not permitted(PATH):
        return c.not_found()
    def field(key, label):
        return dbc.Input(id=f"{P}-{key}", type="password", placeholder=label, maxLength=200, className="mb-2",
                         autoComplete="current-password" if key == "current" else "new-password")
    return html.Div([
        html.Div([html.H2("修改密码", className="page-title")], className="page-head"),
        c.section(f"账号 {context.current_username()}", html.Div([
            field("current", "当前密码"), field("new", f"新密码（至少 {accounts.MIN_PASSWORD} 位）"),
            field("again", "再次输入新密码"),
            dbc.Button("修改密码", id=f"{P}-save", color="primary", size="sm"),
            html.Div("修改后本账号在所有设备上的登录都将失效，请用新密码重新登录。", className="small text-muted mt-2"),
            html.Div(id=f"{P}-said", className="mt-2"), dcc.Location(id=f"{P}-away", refresh=True),
        ], style={"maxWidth": "420px"})),
    ])


@callback(Output(f"{P}-said", "children"), Output(f"{P}-away", "href"), Input(f"{P}-save", "n_clicks"),
          State(f"{P}-current", "value"), State(f"{P}-new", "value"), State(f"{P}-again", "value"),
          prevent_initial_call=True)
@guarded(PATH)
def save(n_clicks, current, new, again):
    if not n_clicks:
        return no_update, no_update
    texts = [v if isinstance(v, str) else "" for v in (current, new, again)]
    current, new, again = texts
    if new != again:
        return dbc.Alert("两次输入的新密码不一致", color="warning", className="py-1 mb-0"), no_update
    username = context.current_username()
    with session_scope(context.engine()) as s:
        known = accounts.verify_login(s, username, current) is not None
    if not known:
        context.audit("user.password.refused", username)
        return dbc.Alert("当前密码不正确", color="danger", className="py-1 mb-0"), no_update
    if new == current:
        return dbc.Alert("新密码不能与当前密码相同", color="warning", className="py-1 mb-0"), no_update
    try:
        with session_scope(context.engine(), write=True) as s:
            accounts.administer(s, accounts.Administrator(username, context.role(), context.address()), "password",
                                username, password=new)
    except UserError as exc:
        return dbc.Alert(exc.zh, color="danger", className="py-1 mb-0"), no_update
    return dbc.Alert("密码已修改，请重新登录", color="success", className="py-1 mb-0"), "/login"
