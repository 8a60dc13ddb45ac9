"""The ONE place that turns an account into a data scope (roles.md).

Every query in dashboard.queries takes a Scope (ledger.scope: a value that builds SQL filters)
and applies its filters; nothing that arrives from the browser can widen it. No role, or a
role without its scope code, sees nothing.
"""
from __future__ import annotations

from flask import has_request_context

from ledger import vocab
from ledger.scope import NOTHING, REFUSAL_HOOKS, Scope, scope_of_account


def _audit_refusal(scope: Scope, what: str, value: object) -> None:
    if has_request_context():
        from dashboard.context import audit  # context builds on this module

        where = f"范围 {vocab.SCOPE_KINDS.get(scope.kind, scope.kind)} {scope.code or ''}".strip()
        audit("scope.refused", f"{what} {value}"[:200], detail=where)


REFUSAL_HOOKS.append(_audit_refusal)


def scope_for(user) -> Scope:
    """The scope of a logged-in account (anything else: nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "disabled", True):
        return NOTHING
    return scope_of_account(user)
