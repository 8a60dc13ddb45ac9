"""账号管理: the admin adds, disables, enables, resets, re-scopes accounts on the page; each change
is audited without the password; nobody else can touch an account through it."""
import json
import re

from sqlalchemy import select

from ledger.models import AuditEntry, User
from tests.city import login
from tests.dashboard.callbacks import call, grids

CHANGE = [("accounts-done", "children"), ("accounts-version", "data")]
BUTTONS = ("disable", "enable", "reset", "save-email", "save-scope")


def add(client, name, role, scope=None, email=None):
    _, response = call(client, [("accounts-added", "children"), ("accounts-version", "data"), ("accounts-new-name", "value")],
                       [("accounts-add", "n_clicks", 1)],
                       [("accounts-new-name", "value", name), ("accounts-new-role", "value", role),
                        ("accounts-new-scope", "value", scope), ("accounts-new-email", "value", email),
                        ("accounts-version", "data", 0)])
    return json.dumps(response, ensure_ascii=False)


def change(client, button, name, email=None, role=None, scope=None):
    _, response = call(client, CHANGE, [(f"accounts-{b}", "n_clicks", 1) for b in BUTTONS],
                       [("accounts-grid", "selectedRows", [{"username": name}]), ("accounts-email", "value", email),
                        ("accounts-role", "value", role), ("accounts-scope", "value", scope),
                        ("accounts-version", "data", 0)], changed=f"accounts-{button}.n_clicks")
    return json.dumps(response, ensure_ascii=False)


def shown_password(said: str) -> str:
    return re.search(r"（只显示这一次）：(\S+?)\"", said).group(1)


def can_login(app, name, password) -> bool:
    return login(app.test_client(), name, password).status_code == 302


def test_the_admin_manages_an_account_from_first_password_to_another_scope(app, as_user, engine):
    admin = as_user("admin")
    assert "主管部门账号需要有效的部门编码" in add(admin, "d2user", "department")  # no scope: refused, named
    said = add(admin, "d2user", "department", "D2", "d2@example.cn")
    assert "已新增 d2user（主管部门）" in said
    first = shown_password(said)
    assert can_login(app, "d2user", first)
    _, response = call(admin, [("accounts-list", "children")], [("accounts-version", "data", 1)])
    (grid,) = grids(response)
    row = next(r for r in grid["rowData"] if r["username"] == "d2user")
    assert (row["role_zh"], row["scope_zh"], row["email"], row["state"]) == ("主管部门", "部门D2（D2）", "d2@example.cn", "启用")

    assert "已停用 d2user" in change(admin, "disable", "d2user")
    assert not can_login(app, "d2user", first)
    assert "已启用 d2user" in change(admin, "enable", "d2user")
    said = change(admin, "reset", "d2user")
    second = shown_password(said)
    assert second != first and can_login(app, "d2user", second) and not can_login(app, "d2user", first)
    assert "已保存 d2user 的邮箱" in change(admin, "save-email", "d2user", email="")
    assert "不是有效的电子邮箱地址" in change(admin, "save-email", "d2user", email="not-an-address")
    # to a county: the department code left in the scope box does not count, the region must be chosen
    assert "县区账号需要有效的区划编码" in change(admin, "save-scope", "d2user", role="county", scope="D2")
    assert "已变更 d2user 的角色和范围" in change(admin, "save-scope", "d2user", role="county", scope="990102")
    assert "已变更" in change(admin, "save-scope", "d2user", role="leader", scope="990102")  # a leader takes none
    assert "不能停用或变更当前登录账号自己的角色" in change(admin, "disable", "admin")
    with engine.connect() as conn:
        user = conn.execute(select(User).where(User.username == "d2user")).one()
        entries = conn.execute(select(AuditEntry.actor, AuditEntry.action, AuditEntry.before, AuditEntry.after)
                               .where(AuditEntry.target == "d2user", AuditEntry.action.like("user.%"))
                               .order_by(AuditEntry.id)).all()
    assert (user.role, user.scope_code, user.email) == ("leader", None, None)
    assert [e.action for e in entries] == ["user.add", "user.disable", "user.enable", "user.password", "user.email",
                                           "user.scope", "user.scope"]
    assert {e.actor for e in entries} == {"admin"}
    assert entries[1].before == {"disabled": False} and entries[1].after == {"disabled": True}
    assert entries[-1].before == {"role": "county", "scope": "990102"}
    log = json.dumps([tuple(e) for e in entries], ensure_ascii=False, default=str)
    assert first not in log and second not in log  # never a password


def test_no_one_but_the_admin_reads_or_changes_accounts(app, as_user, engine):
    for name in ("supervisor", "leader", "county", "dept"):
        client = as_user(name)
        said = change(client, "disable", "admin")
        assert "已停用" not in said
        assert "已新增" not in add(client, f"x-{name}", "admin")
        _, listed = call(client, [("accounts-list", "children")], [("accounts-version", "data", 1)])
        assert "admin" not in json.dumps(listed)
    with engine.connect() as conn:
        assert conn.execute(select(User.disabled).where(User.username == "admin")).scalar() is False
        assert conn.execute(select(User).where(User.username.like("x-%"))).all() == []


def password(client, current, new, again=None):
    _, response = call(client, [("password-said", "children"), ("password-away", "href")],
                       [("password-save", "n_clicks", 1)],
                       [("password-current", "value", current), ("password-new", "value", new),
                        ("password-again", "value", new if again is None else again)])
    return response


def test_an_account_changes_its_own_password_and_logs_in_again(app, as_user, engine):
    from tests.city import PASSWORD
    dept = as_user("dept")
    assert "两次输入的新密码不一致" in json.dumps(password(dept, PASSWORD, "new-secret-1", "new-secret-2"), ensure_ascii=False)
    assert "当前密码不正确" in json.dumps(password(dept, "wrong-password", "new-secret-1"), ensure_ascii=False)
    assert "密码至少 8 位" in json.dumps(password(dept, PASSWORD, "short"), ensure_ascii=False)
    done = password(dept, PASSWORD, "new-secret-1")
    assert done["password-away"]["href"] == "/login"
    assert dept.get("/password").status_code == 302  # this session has ended with the change
    assert can_login(app, "dept", "new-secret-1") and not can_login(app, "dept", PASSWORD)
    with engine.connect() as conn:
        actions = conn.execute(select(AuditEntry.actor, AuditEntry.action).where(AuditEntry.target == "dept")
                               .order_by(AuditEntry.id)).all()
    assert ("dept", "user.password.refused") in actions and ("dept", "user.password") in actions
    assert as_user("screen").get("/password").status_code in (200, 404)  # the wall has no password page
    _, response = call(as_user("screen"), [("password-said", "children"), ("password-away", "href")],
                       [("password-save", "n_clicks", 1)],
                       [("password-current", "value", "x"), ("password-new", "value", "y" * 9),
                        ("password-again", "value", "y" * 9)])
    assert response == {}
