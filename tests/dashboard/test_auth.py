"""Login, logout, revoked sessions, tokens, rate limits, and every route behind a login."""
import re

import pytest

from dashboard import create_app
from ledger import accounts, clock
from ledger.config import ConfigError
from ledger.db import session_scope
from tests.city import PASSWORD, csrf, login
from tests.dashboard.callbacks import call

PROTECTED = ["/", "/rankings", "/warnings", "/lists", "/my-score", "/department?code=D1", "/api/v1/months",
             "/api/v1/kpis", "/api/v1/warnings", "/api/v1/lists", "/api/v1/openapi.json", "/_dash-layout",
             "/_dash-dependencies"]


@pytest.mark.parametrize("path", PROTECTED)
def test_anonymous_requests_are_refused(app, path):
    response = app.test_client().get(path)
    assert response.status_code in (302, 401)
    if response.status_code == 302:
        assert response.headers["Location"].startswith("/login")
    assert "部门D1" not in response.get_data(as_text=True)


def test_anonymous_callback_is_refused(app):
    response = app.test_client().post("/_dash-update-component", json={"output": "overview-body.children"})
    assert response.status_code == 401


def test_login_page_and_assets_are_public(app):
    client = app.test_client()
    assert client.get("/login").status_code == 200
    assert client.get("/assets/panhuo.css").status_code == 200


def test_department_account_lands_on_its_score_page(app):
    client = app.test_client()
    response = login(client, "dept")
    assert response.status_code == 302 and response.headers["Location"] == "/my-score"


def test_every_page_and_the_login_say_they_are_chinese(app):
    client = app.test_client()
    assert '<html lang="zh-CN">' in client.get("/login").get_data(as_text=True)
    login(client, "dept")
    for path in ("/my-score", "/warnings", "/no-such-page"):
        assert '<html lang="zh-CN">' in client.get(path).get_data(as_text=True), path


def test_wrong_password_and_unknown_user_look_the_same(app):
    client = app.test_client()
    wrong = login(client, "dept", "nope-nope-nope")
    unknown = login(client, "ghost", "nope-nope-nope")
    assert wrong.status_code == unknown.status_code == 401
    assert "用户名或密码错误" in wrong.get_data(as_text=True) and "用户名或密码错误" in unknown.get_data(as_text=True)


def test_a_failed_login_keeps_the_name_typed_and_asks_for_the_password_again(app):
    page = login(app.test_client(), 'dept"><script>x</script>', "nope-nope-nope").get_data(as_text=True)
    (name,) = re.findall(r'<input[^>]*id="username"[^>]*>', page)
    (password,) = re.findall(r'<input[^>]*id="password"[^>]*>', page)
    assert 'value="dept&#34;&gt;&lt;script&gt;x&lt;/script&gt;"' in name and "autofocus" not in name
    assert "value=" not in password and "autofocus" in password
    fresh = app.test_client().get("/login").get_data(as_text=True)
    assert "autofocus" in re.findall(r'<input[^>]*id="username"[^>]*>', fresh)[0]


def test_login_without_csrf_token_is_rejected(app):
    response = app.test_client().post("/login", data={"username": "dept", "password": PASSWORD})
    assert response.status_code == 400


def test_a_cookie_replayed_after_logout_is_refused(app):
    client = app.test_client()
    login(client, "leader")
    cookie = client.get_cookie("session").value
    assert client.get("/api/v1/months").status_code == 200
    assert client.post("/logout", data={"csrf": csrf(client)}).status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", cookie)
    assert replay.get("/api/v1/months").status_code == 401


def test_password_change_and_disable_end_sessions(app, city):
    client = app.test_client()
    login(client, "supervisor")
    assert client.get("/api/v1/months").status_code == 200
    with session_scope(city, write=True) as s:
        accounts.set_password(s, "supervisor", "another-password-2")
    assert client.get("/api/v1/months").status_code == 401
    login(client, "supervisor", "another-password-2")
    assert client.get("/api/v1/months").status_code == 200
    with session_scope(city, write=True) as s:
        accounts.disable_user(s, "supervisor")
    assert client.get("/api/v1/months").status_code == 401
    assert login(app.test_client(), "supervisor", "another-password-2").status_code == 401


def test_failed_logins_are_rate_limited_per_account(app):
    client = app.test_client()
    for _ in range(5):
        assert login(client, "county", "wrong-password").status_code == 401
    blocked = login(client, "county")  # the right password, but too many failures from this address
    assert blocked.status_code == 401 and "登录失败次数过多" in blocked.get_data(as_text=True)
    assert login(app.test_client(), "leader").status_code == 302  # other accounts unaffected
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "10.1.2.3"  # the county's own office is not locked out
    assert login(elsewhere, "county").status_code == 302


def test_a_login_while_the_database_is_busy_fails_with_a_reason(app):
    from unittest import mock

    from sqlalchemy.exc import OperationalError

    from ledger import logins

    with mock.patch.object(logins, "begin", side_effect=OperationalError("BEGIN", {}, Exception("database is locked"))):
        client = app.test_client()
        response = login(client, "leader")
    assert response.status_code == 503 and "正在计算" in response.get_data(as_text=True)
    assert client.get("/api/v1/months").status_code == 401  # no session came of it


def test_bearer_tokens_work_and_die_with_the_account(app, city):
    with session_scope(city, write=True) as s:
        token = accounts.issue_token(s, "dept")
    client = app.test_client()
    assert client.get("/api/v1/months", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.get("/api/v1/months", headers={"Authorization": "Bearer forged"}).status_code == 401
    with session_scope(city, write=True) as s:
        accounts.disable_user(s, "dept")
    assert client.get("/api/v1/months", headers={"Authorization": f"Bearer {token}"}).status_code == 401


def test_a_bearer_token_reads_the_api_and_acts_nowhere(app, city):
    with session_scope(city, write=True) as s:
        token = accounts.issue_token(s, "supervisor")

    def client():  # each request on its own, as curl would send it: no cookie carried over
        fresh = app.test_client()
        fresh.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return fresh

    assert client().get("/api/v1/warnings?month=2026-10").status_code == 200
    # the callback that resolves warnings, the layout, a page: as if no one had logged in
    status, _ = call(client(), [("warnings-done", "children"), ("warnings-version", "data")],
                     [("warnings-ack", "n_clicks", 0), ("warnings-resolve", "n_clicks", 1)],
                     [("warnings-grid", "selectedRows", [{"case_id": 1}]), ("warnings-note", "value", "已整改"),
                      ("warnings-fix-by", "date", None), ("warnings-version", "data", 0)],
                     changed="warnings-resolve.n_clicks")
    assert status == 401
    assert client().get("/_dash-layout").status_code == 401
    assert client().get("/warnings").status_code == 302


def test_a_password_change_revokes_the_accounts_tokens(app, city):
    with session_scope(city, write=True) as s:
        token = accounts.issue_token(s, "leader")
    auth = {"Authorization": f"Bearer {token}"}
    assert app.test_client().get("/api/v1/months", headers=auth).status_code == 200
    with session_scope(city, write=True) as s:
        accounts.set_password(s, "leader", "a-new-password-3")
    assert app.test_client().get("/api/v1/months", headers=auth).status_code == 401


@pytest.mark.parametrize("key", ["", "changeme", "short"])
def test_start_up_refuses_a_missing_or_weak_secret_key(config, key):
    with pytest.raises(ConfigError, match="secret_key"):
        create_app(config.replace(auth__secret_key=key))


def test_demo_generates_its_own_key(config):
    assert create_app(config, demo=True).secret_key


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example/", "javascript:alert(1)"])
def test_open_redirect_is_refused(app, target):
    client = app.test_client()
    response = client.post("/login", data={"username": "leader", "password": PASSWORD, "csrf": csrf(client),
                                           "next": target})
    assert response.headers["Location"] == "/"


def test_the_address_asked_for_survives_the_login_and_the_landing(app):
    """A link to a month (from an e-mail, a bookmark) leads there after logging in; a department
    sent from / to its own page keeps the month it asked for."""
    client = app.test_client()
    first = client.get("/rankings?month=2026-09")
    assert first.status_code == 302
    asked = first.headers["Location"]
    assert asked == "/login?next=%2Frankings%3Fmonth%3D2026-09"
    response = client.post("/login", data={"username": "leader", "password": PASSWORD, "csrf": csrf(client),
                                           "next": "/rankings?month=2026-09"})
    assert response.headers["Location"] == "/rankings?month=2026-09"
    dept = app.test_client()
    login(dept, "dept")
    assert dept.get("/?month=2026-09").headers["Location"] == "/my-score?month=2026-09"


@pytest.mark.parametrize("path", ["/loginx", "/login/../api/v1/kpis", "/screen/loginx", "/assets/../api/v1/kpis",
                                  "/favicon.icox"])
def test_only_the_login_paths_themselves_are_public(app, path):
    response = app.test_client().get(path)
    assert response.status_code in (302, 401, 404)
    assert "_dash-config" not in response.get_data(as_text=True)  # never the portal's shell


def test_no_page_can_be_framed_by_another_site(app):
    client = app.test_client()
    login(client, "leader")
    for path in ("/login", "/", "/api/v1/months"):
        headers = client.get(path).headers
        assert headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_a_post_from_another_sites_page_is_refused(app):
    client = app.test_client()
    token = csrf(client)
    form = {"username": "leader", "password": PASSWORD, "csrf": token}
    refused = client.post("/login", data=form, headers={"Origin": "https://evil.example"})
    assert refused.status_code == 403
    assert client.post("/login", data=form, headers={"Origin": "http://localhost"}).status_code == 302


def test_secure_cookies_are_sent_over_https_only(city, config, portal):  # portal: see conftest.portal
    from tests.city import make_app

    app = make_app(config.replace(auth__secure_cookies=True))
    client = app.test_client()
    response = client.get("/login", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"]
    plain = make_app(config).test_client().get("/login")
    assert "Secure" not in plain.headers["Set-Cookie"]


def test_attackers_on_many_addresses_slow_themselves_not_the_accounts_owner(app, monkeypatch):
    """Six addresses, each under its own limit, keep the county account in back-off; its owner's
    browser, which has logged in before, still gets in with the right password from a seventh
    address. A browser never seen before waits, as the attackers do."""
    # one moment throughout: the back-off after the tenth failure is 2 s, which a loaded machine
    # can take between the attackers and the last login (the forger was let in)
    moment = clock.now()
    monkeypatch.setattr(clock, "now", lambda precise=False: moment)
    owner = app.test_client()
    owner.environ_base["REMOTE_ADDR"] = "10.9.0.1"
    assert login(owner, "county").status_code == 302  # the office's browser, remembered from now on
    owner.post("/logout", data={"csrf": csrf(owner)})
    for n in range(6):
        attacker = app.test_client()
        attacker.environ_base["REMOTE_ADDR"] = f"203.0.113.{n}"
        for _ in range(4):
            assert login(attacker, "county", "guess-guess-guess").status_code == 401
    stranger = app.test_client()
    stranger.environ_base["REMOTE_ADDR"] = "10.9.0.7"
    refused = login(stranger, "county")
    assert refused.status_code == 401 and "该账号近期登录失败较多" in refused.get_data(as_text=True)
    owner.environ_base["REMOTE_ADDR"] = "10.9.0.7"  # the owner, from the same new address
    assert login(owner, "county").status_code == 302
    # a forged cookie is no browser of the owner's
    forger = app.test_client()
    forger.environ_base["REMOTE_ADDR"] = "10.9.0.8"
    forger.set_cookie("panhuo_device", "WyJjb3VudHkiXQ.forged")
    assert "该账号近期登录失败较多" in login(forger, "county").get_data(as_text=True)
