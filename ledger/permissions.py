"""Who may open which page and take which action (roles.md): the one table the portal's pages,
callbacks and downloads and the workflow's actions all read.

What rows a permitted caller then sees is its scope (ledger.scope); this says only whether it may
ask at all.
"""
from __future__ import annotations

# roles whose data scope is the whole city (dashboard.scope); counties see a region, departments their own
CITY_WIDE = frozenset({"leader", "supervisor", "admin"})
_READERS = frozenset({"leader", "supervisor", "admin", "county"})
_EVERYONE_WITH_ASSETS = _READERS | {"department"}

# page path -> roles that may open it (its layout, its callbacks, its downloads)
PAGES: dict[str, frozenset[str]] = {
    "/": _READERS,
    "/rankings": _READERS,
    "/overdue": _EVERYONE_WITH_ASSETS,
    "/warnings": _EVERYONE_WITH_ASSETS,
    "/lists": _READERS,
    "/report": _READERS,  # the printable 月度督导报告 of the lists
    "/interviews": _EVERYONE_WITH_ASSETS,
    "/allocation": _EVERYONE_WITH_ASSETS,
    "/my-score": frozenset({"department"}),
    "/import": frozenset({"supervisor", "county"}),  # admins import with the CLI
    "/jobs": frozenset({"admin"}),
    "/audit": frozenset({"admin"}),
    "/screen": frozenset({"leader", "supervisor", "admin", "screen"}),
    # reached by drilling down, not from the navigation
    "/department": _EVERYONE_WITH_ASSETS,
    "/unit": _EVERYONE_WITH_ASSETS,
    "/asset": _EVERYONE_WITH_ASSETS,
    "/history": _EVERYONE_WITH_ASSETS,
}

# workflow action -> roles that may take it (supervisors and counties change warnings and
# interviews and decide purchase requests; departments write rectification notes on their own)
ACTIONS: dict[str, frozenset[str]] = {
    "acknowledge": frozenset({"department", "supervisor", "county"}),
    "resolve": frozenset({"supervisor", "county"}),
    "schedule": frozenset({"supervisor", "county"}),
    "record": frozenset({"supervisor", "county"}),
    "answer": frozenset({"department", "supervisor", "county"}),
    "complete": frozenset({"supervisor", "county"}),
    "request": frozenset({"supervisor", "county"}),
    "decide": frozenset({"supervisor", "county"}),
}

def may_open(role: str | None, path: str) -> bool:
    """Whether `role` may use the page at `path`; a page not in the table is nobody's."""
    return role in PAGES.get(path, ())


def may(role: str | None, action: str) -> bool:
    """Whether `role` may take the workflow `action`; an action not in the table is nobody's."""
    return role in ACTIONS.get(action, ())
