"""One table says who may open which page and take which action (ledger.permissions); every page,
server callback and route of the portal is covered by it, and a role outside it gets nothing."""
from __future__ import annotations

import json
import re

import dash
import pytest
from sqlalchemy import func, select

from dashboard.auth import LANDING, PUBLIC_PATHS, PUBLIC_PREFIXES
from ledger import permissions
from ledger.models import AuditEntry
from ledger.vocab import ROLES
from tests.dashboard.callbacks import callbacks, payload

ROUTER = ".._pages_content.children..._pages_store.data.."  # Dash's: it answers with the page's layout
USERNAMES = {"leader": "leader", "supervisor": "supervisor", "admin": "admin", "screen": "screen",
             "county": "county", "department": "dept"}


def page_of(fn) -> str | None:
    """The page a callback is guarded by (dashboard.shell.guarded), through Dash's own wrappers."""
    while fn is not None:
        if hasattr(fn, "page"):
            return fn.page
        fn = getattr(fn, "__wrapped__", None)
    return None


def test_the_table_names_every_page_and_only_real_pages_and_roles(app):
    assert {p["path"] for p in dash.page_registry.values()} == set(permissions.PAGES)
    named = set().union(*permissions.PAGES.values(), *permissions.ACTIONS.values())
    assert named <= set(ROLES)


def test_every_server_callback_is_guarded_by_a_page_of_the_table(app):
    found = {key: page_of(spec["callback"]) for key, spec in callbacks(app) if key != ROUTER}
    assert len(found) >= 30
    assert {key: page for key, page in found.items() if page not in permissions.PAGES} == {}


@pytest.mark.parametrize("role", sorted(USERNAMES))
def test_a_role_asking_a_callback_of_a_page_it_may_not_open_gets_nothing_and_is_audited(app, as_user, engine, role):
    client = as_user(USERNAMES[role])
    foreign = [(key, spec) for key, spec in callbacks(app)
               if key != ROUTER and not permissions.may_open(role, page_of(spec["callback"]))]
    assert foreign or role == "supervisor"  # the supervisor may open every page but 我的得分, 任务 and 审计日志
    with engine.connect() as conn:
        before = conn.execute(select(func.count()).where(AuditEntry.action == "scope.refused")).scalar()
    for key, spec in foreign:
        response = client.post("/_dash-update-component", json=payload(key, spec, None, "2026-10"))
        assert response.status_code == 204, (role, key, response.get_data(as_text=True)[:200])
    with engine.connect() as conn:
        after = conn.execute(select(func.count()).where(AuditEntry.action == "scope.refused")).scalar()
    assert after - before == len(foreign)


def routed(client, path: str) -> str:
    """What Dash's router puts on the page for `path` (the browser asks it after every navigation), as text."""
    response = client.post("/_dash-update-component", json={
        "output": ROUTER, "outputs": [{"id": "_pages_content", "property": "children"},
                                      {"id": "_pages_store", "property": "data"}],
        "inputs": [{"id": "_pages_location", "property": "pathname", "value": path},
                   {"id": "_pages_location", "property": "search", "value": "?code=D1"}],
        "changedPropIds": ["_pages_location.pathname"]})
    assert response.status_code == 200, path
    return json.dumps(response.get_json()["response"]["_pages_content"], ensure_ascii=False)


@pytest.mark.parametrize("role", sorted(USERNAMES))
def test_a_role_opening_a_page_it_may_not_open_gets_not_found_and_is_audited(app, as_user, engine, role):
    client = as_user(USERNAMES[role])
    closed = [path for path in permissions.PAGES if not permissions.may_open(role, path)]
    for path in closed:
        assert "未找到" in routed(client, path), (role, path)
    with engine.connect() as conn:
        refused = set(conn.execute(select(AuditEntry.target).where(AuditEntry.action == "scope.refused")).scalars())
    assert {f"页面 {path}" for path in closed} <= refused


@pytest.mark.parametrize("role", ["supervisor", "department", "screen"])
def test_an_address_no_page_answers_says_so_in_chinese_with_the_way_back(app, as_user, role):
    shown = routed(as_user(USERNAMES[role]), "/no-such-page")
    assert "未找到" in shown and "返回首页" in shown and "Page not found" not in shown


@pytest.mark.parametrize("role", list(ROLES))
def test_the_first_page_in_a_roles_top_bar_is_the_one_it_lands_on(role):
    """A department lands on 我的得分: the bar begins with it, not with the pages after it."""
    shown = [page.path for page in permissions.REGISTRY if page.menu and permissions.may_open(role, page.path)]
    assert shown[0] == LANDING.get(role, "/")


def test_every_route_but_the_login_and_static_files_needs_an_account(app):
    client = app.test_client()
    public, asked, open_ = set(), 0, []
    for rule in app.url_map.iter_rules():
        path = re.sub(r"<[^>]+>", "x", rule.rule)
        if path.startswith(PUBLIC_PREFIXES):  # static files: the browser needs them before a login
            public.add(path.split("/")[1])
            continue
        response = client.open(path, method="GET" if "GET" in rule.methods else "POST")
        asked += 1
        if response.status_code not in (302, 401, 403, 405):
            open_.append(path)
    assert asked >= 10 and public <= {"assets", "_dash-component-suites"}
    assert set(open_) <= PUBLIC_PATHS, open_
