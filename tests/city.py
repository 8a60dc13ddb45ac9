"""A small city (two regions, four departments), two computed months, one account per role.

Built once per test session and put back before each test that asks for it (restoring its rows
takes a few milliseconds; importing and computing it takes half a second).
"""
from __future__ import annotations

import re

from dashboard import create_app
from ledger import accounts
from ledger.db import session_scope
from metrics.snapshot import compute_snapshot
from tests.factories import LedgerBuilder

PASSWORD = "correct-horse-1"
ACCOUNTS = [("leader", "leader", None), ("supervisor", "supervisor", None), ("admin", "admin", None),
            ("screen", "screen", None), ("county", "county", "990102"), ("dept", "department", "D1")]
# what the department account D1 must never see
FOREIGN = ["部门D2", "部门D3", "部门D4", "D2", "D3", "D4", "U3", "U4", "U5", "U6", "A3", "A4", "A5", "A6", "R4"]


def build_city(engine, config, folder):
    b = LedgerBuilder()
    b.unit("U1", dept="D1").unit("U2", dept="D1")
    b.unit("U3", dept="D2").unit("U4", dept="D3")
    b.unit("U5", dept="D4", region="990102").unit("U6", dept="D4", region="990102")
    for i, unit in enumerate(["U1", "U2", "U3", "U4", "U5", "U6"], start=1):
        b.asset(f"A{i}", unit=unit, status="闲置", status_since="2025-01-01", photo_count="0",
                original_value=f"{1000 * i}.00")
        b.asset(f"B{i}", unit=unit, original_value="5000.00")
        b.plan(f"T{i}", f"A{i}", "2025-02-01", "2025-08-01")
    # purchase requests (配置审核): D1 asks for two of what A1…A6 are, D4 for one
    b.request("R1", unit="U1", asset_name="测试资产", quantity="2", unit_price="3000.00")
    b.request("R4", unit="U5", asset_name="测试资产", quantity="1")
    b.load(engine, config, folder)
    for month in ("2026-09", "2026-10"):
        compute_snapshot(engine, month, config)
    return add_accounts(engine)


def add_accounts(engine, accounts_=ACCOUNTS):
    """One account per role, all with PASSWORD."""
    with session_scope(engine, write=True) as s:
        for username, role, scope_code in accounts_:
            accounts.add_user(s, username, role, PASSWORD, scope_code)
    return engine


def make_app(config):
    app = create_app(config.replace(auth__secret_key="test-secret-key-0123456789"))
    app.config["TESTING"] = True
    return app


def csrf(client) -> str:
    page = client.get("/login").get_data(as_text=True)
    return re.search(r'name="csrf" value="([^"]+)"', page).group(1)


def login(client, username, password=PASSWORD):
    return client.post("/login", data={"username": username, "password": password, "csrf": csrf(client)})


# the session's CSRF token (secrets.token_urlsafe(24): 32 characters) as a quoted value: a random
# token may hold "-A3_" or begin "A3-", which read as a foreign asset's code (one run in a hundred)
CSRF_VALUE = re.compile(r"""(["'])[A-Za-z0-9_-]{32}\1""")


def foreign_names(text: str) -> list[str]:
    """The other departments' departments, units, assets and requests `text` names, as whole tokens
    (plotly's template colours contain strings like "#C8D4E3")."""
    text = CSRF_VALUE.sub('""', text)
    return [name for name in FOREIGN if re.search(rf"(?<![0-9A-Za-z#]){name}(?![0-9A-Za-z])", text)]


def assert_no_foreign(text: str):
    """Fail if `text` names another department's department, unit, asset or request."""
    leaked = foreign_names(text)
    assert not leaked, f"leaked {leaked}"
