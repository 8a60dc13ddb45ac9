"""The frame around every page: brand, navigation for the caller's role, account menu."""
from __future__ import annotations

import dash
import dash_bootstrap_components as dbc
from dash import dcc, html
from flask_login import current_user

from dashboard.auth import csrf_token
from ledger.models import ROLES

# path, label, roles that see it in the navigation (and may open it)
NAV = [
    ("/", "总览", {"leader", "supervisor", "admin", "county"}),
    ("/rankings", "排名", {"leader", "supervisor", "admin", "county"}),
    ("/overdue", "超期闲置", {"leader", "supervisor", "admin", "county", "department"}),
    ("/warnings", "预警", {"leader", "supervisor", "admin", "county", "department"}),
    ("/lists", "约谈问责", {"leader", "supervisor", "admin", "county"}),
    ("/interviews", "约谈整改", {"leader", "supervisor", "admin", "county", "department"}),
    ("/allocation", "配置审核", {"leader", "supervisor", "admin", "county", "department"}),
    ("/my-score", "我的得分", {"department"}),
    ("/import", "数据导入", {"supervisor", "county"}),  # roles.md: imports are a supervisor's (admins run the CLI)
    ("/jobs", "任务", {"admin"}),
    ("/audit", "审计日志", {"admin"}),
    ("/screen", "大屏", {"leader", "supervisor", "admin", "screen"}),
]


def page_frame(path: str, prefix: str, title: str, controls=None, snapshot_only: bool = False, toolbar=None):
    """What most pages share: the role guard, a title, controls, the month selector, a loading body.

    `controls`: components, or a function of the available months returning them.
    `toolbar`: components between the title row and the body (kept when the body re-renders).
    """
    from dashboard import components as c
    from dashboard import context, queries

    if not permitted(path) or (snapshot_only and not context.scope().sees_assets):
        return c.not_found()
    months = queries.months(context.engine(), context.scope())
    if not months:
        return c.empty("尚无快照：请先导入台账并计算月度指标")
    extra = controls(months) if callable(controls) else list(controls or [])
    return html.Div([
        html.Div([html.H2(title, className="page-title", id=f"{prefix}-title"), *extra,
                  c.month_select(f"{prefix}-month", months, months[0])], className="page-head"),
        *(toolbar or []),
        dcc.Loading(html.Div(id=f"{prefix}-body"), type="dot"),
    ])


# pages reached by drilling down, not from the navigation
DRILL = {"/department": {"leader", "supervisor", "admin", "county", "department"},
         "/unit": {"leader", "supervisor", "admin", "county", "department"},
         "/asset": {"leader", "supervisor", "admin", "county", "department"},
         "/history": {"leader", "supervisor", "admin", "county", "department"}}


def allowed(path: str, role: str | None) -> bool:
    for nav_path, _, roles in NAV:
        if nav_path == path:
            return role in roles
    return role in DRILL.get(path, set())


def permitted(path: str) -> bool:
    """Whether the caller's role may use the page at `path` (its layout, callbacks and downloads);
    a refusal is written to the audit log, as every refusal is."""
    from dashboard import context

    if allowed(path, context.role()):
        return True
    context.audit("scope.refused", f"page={path}"[:200], detail=f"role {context.role()}")
    return False


def shell():
    if not current_user.is_authenticated:
        return html.Div()
    role = current_user.role
    links = [dbc.NavItem(dbc.NavLink(label, href=path, active="exact")) for path, label, roles in NAV if role in roles]
    scope = f" · {current_user.scope_code}" if current_user.scope_code else ""
    account = html.Form([
        html.Span(f"{current_user.username}（{ROLES.get(role, role)}{scope}）", className="account-name"),
        dcc.Input(type="hidden", name="csrf", value=csrf_token(), id="logout-csrf"),
        html.Button("退出", type="submit", className="btn btn-sm btn-outline-light ms-2", id="logout-button"),
    ], method="post", action="/logout", className="d-flex align-items-center")
    bar = dbc.Navbar(dbc.Container([
        html.A([html.Span("盘", className="brand-mark"), html.Span("国有资产盘活督导平台", className="brand-text")],
               href="/", className="navbar-brand d-flex align-items-center"),
        dbc.Nav(links, className="me-auto", navbar=True),
        account,
    ], fluid=True), color="#12355b", dark=True, className="app-bar")
    return html.Div([bar, dbc.Container(dash.page_container, fluid=True, className="page")])
