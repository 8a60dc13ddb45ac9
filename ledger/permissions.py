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
    # 报送: departments send their own units' ledgers, counties their region's (reporting.md); admins use the CLI
    "/import": frozenset({"supervisor", "county", "department"}),
    "/inbox": _EVERYONE_WITH_ASSETS,  # 消息: every account that papers reach (delivery.md)
    "/reporting": _EVERYONE_WITH_ASSETS,  # 报送情况 and 周进度 (reporting.md); leaders read
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
    # a department reports a commitment kept or a warning fixed with evidence (待核验); a supervisor,
    # or the county in its region, closes it off (销号) or sends it back (delivery.md); the one who
    # checks never also sends what is checked
    "submit": frozenset({"department"}),
    "verify": frozenset({"supervisor", "county"}),
    # 报送 (reporting.md): a unit's month confirmed unchanged, a department's weekly report, 催报
    "confirm": frozenset({"department", "supervisor", "county"}),
    "weekly": frozenset({"department"}),
    "remind": frozenset({"supervisor", "county"}),
    "import": frozenset({"supervisor", "admin", "county", "department"}),  # a ledger sent (the page or --as)
    "request": frozenset({"supervisor", "county"}),
    "decide": frozenset({"supervisor", "county"}),
}

def may_open(role: str | None, path: str) -> bool:
    """Whether `role` may use the page at `path`; a page not in the table is nobody's."""
    return role in PAGES.get(path, ())


def may(role: str | None, action: str) -> bool:
    """Whether `role` may take the workflow `action`; an action not in the table is nobody's."""
    return role in ACTIONS.get(action, ())
