"""Accounts: create, change password, disable, API tokens, verify a login. Passwords are scrypt hashes."""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from ledger import audit, clock
from ledger.errors import UserError
from ledger.models import ApiToken, Department, Region, User
from ledger.vocab import ROLES

MIN_PASSWORD = 8
# scrypt with the parameters Werkzeug recommends (n=2**15, r=8, p=1: 0.07-0.1 s a hash); a dummy
# hash keeps the time of a login for an unknown user equal to that of a wrong password
HASH_METHOD = "scrypt"


@functools.cache
def _dummy_hash() -> str:
    """Made on the first login that names no account (scrypt takes 0.1 s: not at every start)."""
    return generate_password_hash("not a password", method=HASH_METHOD)


class AccountError(UserError):
    pass


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少 {MIN_PASSWORD} 位 / password must have at least {MIN_PASSWORD} characters")


def _check_scope(session: Session, role: str, scope_code: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"未知角色 / unknown role {role!r}: {', '.join(ROLES)}")
    if role == "department":
        if not scope_code or session.get(Department, scope_code) is None:
            raise AccountError(f"主管部门账号需要有效的部门编码 / a department account needs a known department code: {scope_code!r}")
    elif role == "county":
        if not scope_code or session.get(Region, scope_code) is None:
            raise AccountError(f"县区账号需要有效的区划编码 / a county account needs a known region code: {scope_code!r}")
    elif scope_code:
        raise AccountError(f"角色 {role} 不带范围编码 / role {role} takes no scope code")


EMAIL = re.compile(r"[^@\s<>\"'(),;:\\\[\]]+@[^@\s<>\"'(),;:\\\[\]]+\.[^@\s<>\"'(),;:\\\[\]]{2,}")
USERNAME = re.compile(r"[0-9A-Za-z_.\-\u4e00-\u9fff]{1,100}")


def check_email(email: str | None) -> str | None:
    """An e-mail address as the mail server takes it, or None for none."""
    if email is None or not email.strip():
        return None
    email = email.strip()
    if len(email) > 200 or not EMAIL.fullmatch(email):
        raise AccountError(f"「{email[:60]}」不是有效的电子邮箱地址", f"not an e-mail address: {email[:60]!r}")
    return email


def add_user(session: Session, username: str, role: str, password: str, scope_code: str | None = None,
             email: str | None = None) -> User:
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空 / username must not be empty")
    if not USERNAME.fullmatch(username):
        raise AccountError(f"用户名「{username[:40]}」只能由字母、数字、汉字和 _ . - 组成（至多 100 个字符）",
                           "a user name holds letters, digits, Chinese characters and _ . - only (100 at most)")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise AccountError(f"用户名已存在 / username already exists: {username}")
    _check_scope(session, role, scope_code)
    _check_password(password)
    user = User(username=username, password_hash=generate_password_hash(password, method=HASH_METHOD), role=role,
                scope_code=scope_code, disabled=False, session_version=1, created_at=clock.now(),
                email=check_email(email))
    session.add(user)
    session.flush()
    return user


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise AccountError(f"没有这个用户 / no such user: {username}")
    return user


def set_password(session: Session, username: str, password: str) -> None:
    _check_password(password)
    user = get_user(session, username)
    user.password_hash = generate_password_hash(password, method=HASH_METHOD)
    user.session_version += 1
    _revoke(session, user)


def _revoke(session: Session, user: User) -> int:
    tokens = list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked.is_(False))))
    for token in tokens:
        token.revoked = True
    return len(tokens)


def disable_user(session: Session, username: str) -> None:
    user = get_user(session, username)
    user.disabled = True
    user.session_version += 1
    _revoke(session, user)


def enable_user(session: Session, username: str) -> None:
    get_user(session, username).disabled = False


def set_email(session: Session, username: str, email: str | None) -> str | None:
    """The account's e-mail address (None: none); returns the address it had."""
    user = get_user(session, username)
    before, user.email = user.email, check_email(email)
    return before


def set_scope(session: Session, username: str, role: str, scope_code: str | None) -> None:
    """Another role or scope: the account's sessions end (what it may see has changed)."""
    user = get_user(session, username)
    _check_scope(session, role, scope_code)
    user.role, user.scope_code = role, scope_code
    user.session_version += 1


def end_sessions(session: Session, user_id: int) -> None:
    """Logout: every cookie issued to this account so far stops working."""
    user = session.get(User, user_id)
    if user is not None:
        user.session_version += 1


def verify_login(session: Session, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        check_password_hash(_dummy_hash(), password)
        return None
    if not check_password_hash(user.password_hash, password) or user.disabled:
        return None
    return user


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, username: str) -> str:
    """A new API token for the account; only its hash is stored, so it is shown once."""
    user = get_user(session, username)
    if user.disabled:
        raise AccountError(f"账号已停用 / account is disabled: {username}")
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), created_at=clock.now(), revoked=False))
    return token


def revoke_tokens(session: Session, username: str) -> int:
    """Revoke every API / screen token of the account and end the sessions opened with them."""
    user = get_user(session, username)
    user.session_version += 1
    return _revoke(session, user)


def user_for_token(session: Session, token: str) -> User | None:
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token), ApiToken.revoked.is_(False)))
    if row is None:
        return None
    user = session.get(User, row.user_id)
    return None if user is None or user.disabled else user


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


# ---- account administration (the CLI's `users` and the admin's 账号管理 page), each change audited ----

@dataclass(frozen=True)
class Administrator:
    """Who changes an account: a name for the audit log, and where from (the page's address)."""
    username: str
    role: str | None = None
    address: str | None = None


TEMPORARY_PASSWORD_BYTES = 9  # 12 characters of token_urlsafe: shown once, changed at first use


def temporary_password() -> str:
    return secrets.token_urlsafe(TEMPORARY_PASSWORD_BYTES)


def _state(user: User) -> dict:
    return {"role": user.role, "scope": user.scope_code, "email": user.email, "disabled": user.disabled}


def administer(session: Session, by: Administrator, action: str, username: str, *, role: str | None = None,
               scope_code: str | None = None, email: str | None = None, password: str | None = None) -> User:
    """Add an account, disable or enable it, set its password, e-mail, role and scope: one change,
    with its audit entry (before and after) in the same transaction. An administrator never
    disables or demotes the account it is using (it would lock itself out mid-change)."""
    if action in ("disable", "scope") and username == by.username:
        raise AccountError("不能停用或变更当前登录账号自己的角色", "an administrator cannot disable or demote itself")
    if action == "add":
        user = add_user(session, username, role or "", password or "", scope_code, email)
        before = None
    else:
        user = get_user(session, username)
        before = _state(user)
        if action == "disable":
            disable_user(session, username)
        elif action == "enable":
            enable_user(session, username)
        elif action == "password":
            set_password(session, username, password or "")
        elif action == "email":
            set_email(session, username, email)
        elif action == "scope":
            set_scope(session, username, role or "", scope_code or None)
        else:
            raise ValueError(action)
    after = _state(user)
    if before is not None:  # the log reads field by field: only what changed
        changed = [k for k in after if after[k] != before[k]]
        before, after = {k: before[k] for k in changed}, {k: after[k] for k in changed}
    # a password is never written to the log, only that it changed
    audit.record(session, by.username, f"user.{action}", username, role=by.role, address=by.address,
                 before=before or None, after=(after or None) if action != "password" else None)
    return user
