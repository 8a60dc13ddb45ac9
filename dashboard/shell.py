"""The frame around every page: brand, navigation for the caller's role, the search, account menu;
the page frame with its month; `guarded`, the permission check every server callback carries."""
from __future__ import annotations

import functools
import json
import logging
from urllib.parse import urlencode

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, callback, clientside_callback, ctx, dcc, html, set_props
from dash.exceptions import PreventUpdate
from flask_login import current_user

from dashboard.auth import BUSY, LANDING, csrf_token
from dashboard.scope import scope_for
from ledger import permissions, vocab
from ledger.db import is_busy
from ledger.permissions import may_open

log = logging.getLogger("panhuo.dashboard")
# what a callback that raised by a fault of the portal's own says instead of its answer (callback_failed)
FAILED = "操作未完成：平台内部出错，已记入系统日志。请刷新页面后重试；如仍出错，请联系系统管理员。"


def callback_failed(err: Exception) -> None:
    """Any callback that raised (Dash's on_error), where Dash would answer a 500 or 503 that the
    browser shows as nothing happening: the person told in a notice, a fault of the portal's own
    logged with its traceback. What the callback would have changed stays as it was."""
    if is_busy(err):  # SQLite past its busy timeout while an import or a computation writes: it passes
        header, said, icon, shown_ms = "请稍候", BUSY, "warning", 10_000
        log.info("callback %s: the database is busy", ctx.triggered_id)
    else:  # stays until closed
        header, said, icon, shown_ms = "出错了", FAILED, "danger", None
        log.error("callback %s failed", ctx.triggered_id, exc_info=err)
    set_props("app-error", {"children": dbc.Toast(said, header=header, icon=icon, dismissable=True, is_open=True,
                                                  duration=shown_ms)})


def register_page(module: str, path: str) -> str:
    """Register a page module's route under its name in the one registry (ledger.permissions);
    returns its path for the module's guards. (Dash imports from pages/ only the files that
    contain the text "register_page": hence this name.)"""
    page = permissions.page(path)
    dash.register_page(module, path=path, name=page.label, title=f"{page.title or page.label} · {vocab.SITE}")
    return path


def page_frame(path: str, prefix: str, title: str, controls=None, snapshot_only: bool = False, toolbar=None,
               month: str | None = None, footer=None):
    """What most pages share: the role guard, a title, controls, the month selector, a loading body.

    `controls`: components, or a function of the available months returning them.
    `toolbar`: components between the title row and the body (kept when the body re-renders);
    `footer`: components after the body.
    `month`: the month asked for in the address; otherwise the newest month that has ended.
    """
    from dashboard import components as c
    from dashboard import context, queries

    if not permitted(path) or (snapshot_only and not context.scope().sees_assets):
        return c.not_found()
    engine, scope, config = context.engine(), context.scope(), context.config()
    states = queries.month_states(engine, scope, config.zone)
    if not states:
        return c.empty("尚无快照：请先导入台账并计算月度指标")
    extra = controls(list(states)) if callable(controls) else list(controls or [])
    chosen = queries.chosen_month(engine, scope, month, config.zone, config.today())
    return html.Div([
        html.Div([html.H2(title, className="page-title", id=f"{prefix}-title"), *extra,
                  c.month_select(f"{prefix}-month", states, chosen)],
                 className="page-head"),
        *(toolbar or []),
        dcc.Loading(html.Div(id=f"{prefix}-body"), type="dot"),
        *(footer or []),
    ])


def in_address(fields: dict[str, tuple[str, str]]) -> None:
    """Register (at a page's import) that its controls' values live in the address (?name=value):
    choosing one puts it there, so a reload, Back and a copied link open the page as it was, and
    links to other pages carry the month (assets_static/month.js). `fields`: name -> (id, property).
    The page's layout(**query) reads them back as the controls' first values."""
    names = list(fields)
    clientside_callback(
        """
        function(...values) {
            const names = NAMES;
            const url = new URL(window.location.href);
            names.forEach((name, i) => {
                const value = values[i];
                const empty = value === null || value === undefined || value === "" ||
                              (Array.isArray(value) && value.length === 0);
                if (empty) { url.searchParams.delete(name); } else { url.searchParams.set(name, String(value)); }
            });
            const next = url.pathname + url.search + url.hash;
            if (next !== window.location.pathname + window.location.search + window.location.hash) {
                window.history.replaceState(window.history.state, "", next);
            }
        }
        """.replace("NAMES", json.dumps(names)),
        *[Input(component, prop) for component, prop in fields.values()],
    )


def month_in_address(dropdown_id: str) -> None:
    """The month chosen lives in the address (?month=)."""
    in_address({"month": (dropdown_id, "value")})


def permitted(path: str) -> bool:
    """Whether the caller's role may use the page at `path` (its layout, callbacks and downloads);
    a refusal is written to the audit log, as every refusal is."""
    from dashboard import context

    if context.scope().may_open(path):
        return True
    context.audit("scope.refused", f"页面 {path}"[:200], detail=f"角色 {vocab.ROLES.get(context.role(), context.role())}")
    return False


def guarded(path: str):
    """Put on every server callback of the page at `path`: it answers only callers who may open that
    page (ledger.permissions); anyone else changes nothing, and the refusal is audited."""
    def wrap(fn):
        @functools.wraps(fn)
        def answer(*args, **kwargs):
            if not permitted(path):
                raise PreventUpdate
            return fn(*args, **kwargs)
        answer.page = path
        return answer
    return wrap


SEARCH_MAX = 50


def search_box():
    """The top bar's search: an asset's code or name, a unit, a department -> its page (within the scope)."""
    return html.Div([
        dcc.Input(id="app-search", type="search", placeholder="搜索资产、单位、部门", debounce=0.3, maxLength=SEARCH_MAX,
                  autoComplete="off", className="form-control form-control-sm"),
        html.Div(id="app-search-results", className="search-results"),
    ], className="app-search me-3")


@callback(Output("app-search-results", "children"), Input("app-search", "value"), prevent_initial_call=True)
@guarded("/asset")  # it leads to the drill-down pages: whoever may open those may search
def search(text):
    from dashboard import context, queries

    text = text.strip()[:SEARCH_MAX] if isinstance(text, str) else ""
    if not text:
        return None
    found, whole = queries.find(context.engine(), context.scope(), text)
    # first, where a scrolled list would not hide it
    more = [] if whole else [html.Div("资产未全部搜索：请输入 3 个以上的字", className="search-empty")]
    if not found:
        return more or html.Div(f"没有找到「{text}」", className="search-empty")
    return more + [html.A([html.Span(item["kind"], className="search-kind"), html.Span(item["name"], className="search-name"),
                    html.Span(" ".join(x for x in (item["code"], item["where"]) if x), className="search-where")],
                   href=f"{item['path']}?{urlencode({'code': item['code']})}", className="search-item")
            for item in found]


def unread_badge(count: int) -> tuple[str, str]:
    """The badge beside 消息: its text and class (none when all is read)."""
    return ("", "") if not count else (f"{count}" if count < 100 else "99+", "unread-badge")


@callback(Output("app-unread", "children"), Output("app-unread", "className"), Input("app-unread-tick", "n_intervals"),
          prevent_initial_call=True)
@guarded("/inbox")
def unread(_n):
    """The number unread beside 消息, kept current while a page stays open."""
    from dashboard import context, queries

    count = queries.unread(context.engine(), current_user.id if current_user.is_authenticated else None)
    return unread_badge(count)


def shell():
    if not current_user.is_authenticated:
        return html.Div()
    role = current_user.role
    from dashboard import context, queries

    links = []
    for page in permissions.REGISTRY:
        if not page.menu or not may_open(role, page.path):
            continue
        label = page.label
        if page.path == "/inbox":  # 消息 with the number unread beside it
            text, kind = unread_badge(queries.unread(context.engine(), current_user.id))
            label = [label, html.Span(text, id="app-unread", className=kind)]
        links.append(dbc.NavItem(dbc.NavLink(label, href=page.path, active="exact")))
    # the region or department by its name, as its people call it (the code where the name is unknown)
    limited = queries.scope_name(context.engine(), scope_for(current_user)) or current_user.scope_code
    scope = f" · {limited}" if limited else ""
    who = f"{current_user.username}（{vocab.ROLES.get(role, role)}{scope}）"
    account = html.Form([
        html.A(who, className="account-name", href="/password", title="修改密码") if may_open(role, "/password")
        else html.Span(who, className="account-name"),
        dcc.Input(type="hidden", name="csrf", value=csrf_token(), id="logout-csrf"),
        html.Button("退出", type="submit", className="btn btn-sm btn-outline-light ms-2", id="logout-button"),
    ], method="post", action="/logout", className="d-flex align-items-center")
    bar = dbc.Navbar(dbc.Container([
        html.A([html.Span("盘", className="brand-mark"), html.Span(vocab.SITE, className="brand-text")],
               href=LANDING.get(role, "/"), className="navbar-brand d-flex align-items-center"),
        dbc.Nav(links, className="me-auto", navbar=True),
        search_box() if scope_for(current_user).sees_assets else None,
        account,
        dcc.Interval(id="app-unread-tick", interval=60_000) if may_open(role, "/inbox") else None,
    ], fluid=True), color="#12355b", dark=True, className="app-bar")
    return html.Div([bar, dbc.Container(dash.page_container, fluid=True, className="page"),
                     html.Div(id="app-error", className="app-error", role="alert")])
