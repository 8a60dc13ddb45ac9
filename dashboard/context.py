"""What a page or callback needs from the request: the engine, the config and the caller's scope."""
from __future__ import annotations

from flask import current_app, request
from flask_login import current_user

from dashboard.scope import Scope, scope_for
from ledger import audit as ledger_audit


def engine():
    return current_app.extensions["panhuo.engine"]


def config():
    return current_app.extensions["panhuo.config"]


def scope() -> Scope:
    """The caller's scope, from the logged-in account only (never from callback inputs)."""
    return scope_for(current_user)


def role() -> str | None:
    return getattr(current_user, "role", None) if current_user.is_authenticated else None


def address() -> str:
    return request.remote_addr or "?"


def audit(action: str, target: str | None = None, *, actor: str | None = None, db=None, **fields) -> None:
    """Append an audit entry for the current request (who, role, address); in `db`'s transaction
    if given, else in one of its own."""
    who = actor or current_username()
    kwargs = {"role": role(), "address": address(), **fields}
    if db is not None:
        ledger_audit.record(db, who, action, target, **kwargs)
        return
    with engine().execution_options(write=True).begin() as conn:
        ledger_audit.record(conn, who, action, target, **kwargs)


def current_username() -> str:
    return current_user.username if current_user.is_authenticated else "anonymous"
