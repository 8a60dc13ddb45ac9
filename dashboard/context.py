"""What a page or callback needs from the request: the engine, the config and the caller's scope."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user

from dashboard.scope import Scope, scope_for


def engine():
    return current_app.extensions["panhuo.engine"]


def config():
    return current_app.extensions["panhuo.config"]


def scope() -> Scope:
    """The caller's scope, from the logged-in account only (never from callback inputs)."""
    return scope_for(current_user)


def role() -> str | None:
    return getattr(current_user, "role", None) if current_user.is_authenticated else None
