"""Login, logout, sessions that can be revoked, API tokens, rate limits; every route needs a login."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
from urllib.parse import urlencode, urlparse

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    g,
    jsonify,
    redirect,
    render_template_string,
    request,
    session,
)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy.exc import OperationalError

from dashboard.context import audit, config, engine
from ledger import accounts, logins
from ledger.db import session_scope
from ledger.models import User
from ledger.vocab import ROLES, SITE

log = logging.getLogger("panhuo.auth")
bp = Blueprint("auth", __name__)

BUSY = "系统正在计算，请稍后再试"
PUBLIC_PATHS = {"/login", "/screen/login", "/favicon.ico"}
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/")  # static files only
# no page of the portal may be framed by another site (clickjacking); the kiosk opens it directly
SECURITY_HEADERS = {"X-Frame-Options": "DENY", "Content-Security-Policy": "frame-ancestors 'none'",
                    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}
API_PREFIX = "/api/v1/"
SCREEN_SESSION = dt.timedelta(days=365)
LANDING = {"department": "/my-score", "screen": "/screen"}


class Account(UserMixin):
    """The logged-in account as Flask-Login sees it: a detached copy of the row."""

    def __init__(self, user: User):
        self.id = user.id
        self.username = user.username
        self.role = user.role
        self.scope_code = user.scope_code
        self.disabled = user.disabled
        self.session_version = user.session_version

    def get_id(self) -> str:
        # the version makes cookies issued before a logout, password change or disable useless
        return f"{self.id}:{self.session_version}"

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)


def _load_user(key: str) -> Account | None:
    try:
        user_id, version = (int(part) for part in key.split(":"))
    except ValueError:
        return None
    with session_scope(engine()) as s:
        user = s.get(User, user_id)
        if user is None or user.disabled or user.session_version != version:
            return None
        return Account(user)


def _load_from_token() -> Account | None:
    """A bearer token reads the API and nothing else: it never acts (callbacks, forms, uploads)."""
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not _token_may_read():
        return None
    with session_scope(engine()) as s:
        user = accounts.user_for_token(s, header[7:].strip())
        return Account(user) if user else None


def _token_may_read() -> bool:
    return request.method in ("GET", "HEAD") and request.path.startswith(API_PREFIX)


def _client_address() -> str:
    return request.remote_addr or "?"


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site: never an absolute URL to somewhere else."""
    if not target:
        return None
    parsed = urlparse(target)
    # a backslash is a slash to browsers: "/\\evil.example" would leave the site
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    return target


def csrf_token() -> str:
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(24)
    return session["csrf"]


def _check_csrf() -> None:
    sent = request.form.get("csrf", "")
    if not sent or not secrets.compare_digest(sent, session.get("csrf", "")):
        abort(400)


LOGIN_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>登录 · {{ city }}{{ site }}</title>
<link rel="stylesheet" href="/assets/vendor/bootstrap.min.css"><link rel="stylesheet" href="/assets/panhuo.css">
</head><body class="login-body">
<main class="login-card">
  <div class="login-brand"><span class="brand-mark">盘</span><div><div class="login-title">{{ site }}</div>
  <div class="login-sub">{{ city }}财政局 · 行政事业性国有资产管理</div></div></div>
  {% if error %}<div class="alert alert-danger py-2" role="alert">{{ error }}</div>{% endif %}
  <form method="post" action="/login">
    <input type="hidden" name="csrf" value="{{ csrf }}"><input type="hidden" name="next" value="{{ next or '' }}">
    <label class="form-label" for="username">用户名</label>
    <input class="form-control mb-3" id="username" name="username" autocomplete="username" required
           value="{{ username or '' }}"{% if not username %} autofocus{% endif %}>
    <label class="form-label" for="password">密码</label>
    <input class="form-control mb-4" id="password" name="password" type="password" autocomplete="current-password" required
          {% if username %} autofocus{% endif %}>
    <button class="btn btn-primary w-100" type="submit">登录</button>
  </form>
</main></body></html>"""


def _login_page(error: str | None, next_page: str | None, **values) -> str:
    return render_template_string(LOGIN_PAGE, error=error, csrf=csrf_token(), next=next_page, site=SITE,
                                  city=config()["org.city_name"], **values)


@bp.get("/login")
def login_form():
    return _login_page(None, request.args.get("next"))


@bp.post("/login")
def login_submit():
    _check_csrf()
    username = request.form.get("username", "").strip()
    password = request.form.get("password", "")
    address = _client_address()
    account = None
    try:
        attempt = logins.begin(engine(), username, address, trusted=_known_device(username))
        error = attempt.refused
        if error:
            log.warning("login refused: %s from %s", username, address)
        else:
            with session_scope(engine()) as s:
                user = accounts.verify_login(s, username, password)
                account = Account(user) if user else None
            if account is None:
                logins.fail(engine(), attempt)
                log.warning("failed login: %s from %s", username, address)
                audit("login.failed", username, actor=username or "?",
                      detail="用户名或密码错误")
                error = "用户名或密码错误"
            else:
                logins.succeed(engine(), attempt, username, address)
                audit("login", username, actor=username, role=account.role)
    except OperationalError:
        # a database busy past its timeout (a long computation on SQLite): the login failed, and says why
        log.exception("login of %s failed: database busy", username)
        account, error = None, BUSY
    if account is None:
        # the name typed stays (escaped) and the password goes: a typo is mended in the password alone
        page = _login_page(error, request.form.get("next"), username=username[:200])
        return page, 503 if error == BUSY else 401
    session.clear()  # a fresh session on login: no fixation
    login_user(account)
    log.info("login: %s from %s", username, address)
    response = redirect(_safe_next(request.form.get("next")) or LANDING.get(account.role, "/"))
    _remember_device(response, username)
    return response


KNOWN_DEVICE = "panhuo_device"
KNOWN_DEVICE_DAYS = 180
KNOWN_DEVICE_NAMES = 5  # accounts one browser is remembered for (a shared office computer)


def _device_signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="known-device")


def _known_names() -> list[str]:
    try:
        names = _device_signer().loads(request.cookies.get(KNOWN_DEVICE, ""))
    except BadSignature:
        return []
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def _known_device(username: str) -> bool:
    """Whether this browser has logged into `username` before (a cookie only this server can sign)."""
    return bool(username) and username in _known_names()


def _remember_device(response, username: str) -> None:
    names = [username, *[n for n in _known_names() if n != username]][:KNOWN_DEVICE_NAMES]
    response.set_cookie(KNOWN_DEVICE, _device_signer().dumps(names), max_age=KNOWN_DEVICE_DAYS * 86400,
                        httponly=True, samesite="Lax", secure=config()["auth.secure_cookies"])


@bp.get("/screen/login")
def screen_login():
    """A kiosk opens /screen/login?token=… once: the screen account's token becomes a long-lived
    session. Revoking the token (panhuo users token NAME --revoke) ends it."""
    token, address = request.args.get("token", ""), _client_address()
    account = None
    attempt = logins.begin(engine(), logins.SCREEN, address)
    if attempt.refused is None and token:
        with session_scope(engine()) as s:
            user = accounts.user_for_token(s, token)
            account = Account(user) if user is not None and user.role == "screen" else None
    if account is None:
        if attempt.refused is None:
            logins.fail(engine(), attempt)  # counted, and summed up in the audit log per address
        page = _login_page(attempt.refused or "大屏令牌无效或已撤销，请联系系统管理员", None)
        return page, 401
    logins.succeed(engine(), attempt, logins.SCREEN, address)
    session.clear()
    login_user(account, remember=True, duration=SCREEN_SESSION)
    audit("login", account.username, actor=account.username, role="screen", detail="大屏令牌")
    response = redirect("/screen")
    response.headers["Referrer-Policy"] = "no-referrer"  # the token never leaves in a Referer
    return response


@bp.post("/logout")
def logout():
    _check_csrf()
    if current_user.is_authenticated:
        with session_scope(engine(), write=True) as s:
            accounts.end_sessions(s, current_user.id)
            audit("logout", current_user.username, db=s)
    logout_user()
    session.clear()
    return redirect("/login")


def _is_public(path: str) -> bool:
    """Exact paths, or static files under their folders: never `/loginx` or `/login/../api/…`."""
    if "/.." in path or "/./" in path:
        return False
    return path in PUBLIC_PATHS or path.startswith(PUBLIC_PREFIXES)


def _cross_site() -> bool:
    """A POST sent from another site's page: its Origin (or Referer) names another host."""
    sent = request.headers.get("Origin") or request.headers.get("Referer")
    if request.method in ("GET", "HEAD", "OPTIONS") or not sent:
        return False
    return urlparse(sent).netloc != request.host


def _require_login():
    """Every route but /login and static files needs an account (pages, Dash callbacks, API)."""
    if _cross_site():
        log.warning("cross-site %s %s from %s refused", request.method, request.path, _client_address())
        return jsonify({"error": "forbidden", "message": "拒绝跨站请求 / cross-site request refused"}), 403
    path = request.path
    if _is_public(path):
        return None
    if current_user.is_authenticated:
        g.account = current_user
        if path == "/" and request.method == "GET" and current_user.role in LANDING:
            # the logo and / lead to the account's own page, with what was asked (?month=…) kept
            asked = request.query_string.decode("latin-1")
            return redirect(LANDING[current_user.role] + (f"?{asked}" if asked else ""))
        return None
    if path.startswith("/api/") or path.startswith("/_dash-") or request.method != "GET":
        return jsonify({"error": "unauthorized", "message": "需要登录 / login required"}), 401
    return redirect("/login?" + urlencode({"next": request.full_path.removesuffix("?")}))


def _security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


def init_app(app: Flask) -> None:
    manager = LoginManager()
    manager.user_loader(_load_user)
    manager.request_loader(lambda _request: _load_from_token())
    manager.session_protection = "strong"
    manager.init_app(app)
    app.register_blueprint(bp)
    app.before_request(_require_login)
    app.after_request(_security_headers)
