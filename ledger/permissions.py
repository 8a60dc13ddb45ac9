"""Who may open which page and take which action (roles.md): the one table the portal's pages,
callbacks and downloads and the workflow's actions all read.

What rows a permitted caller then sees is its scope (ledger.scope); this says only whether it may
ask at all.
"""
from __future__ import annotations

from dataclasses import dataclass

# roles whose data scope is the whole city (dashboard.scope); counties see a region, departments their own
CITY_WIDE = frozenset({"leader", "supervisor", "admin"})
_READERS = frozenset({"leader", "supervisor", "admin", "county"})
_EVERYONE_WITH_ASSETS = _READERS | {"department"}
_EVERYONE = _EVERYONE_WITH_ASSETS | {"screen"}

@dataclass(frozen=True)
class Page:
    """A page of the portal: its address, its name (menu and browser tab), who may open it (its
    layout, its callbacks, its downloads), and whether the top bar lists it."""
    path: str
    label: str
    roles: frozenset[str]
    menu: bool = True
    title: str | None = None  # the browser tab's, where it says more than the label


# the one registry of pages, in the top bar's order: dashboard.shell builds the menu from it,
# each page module registers its route from it, and may_open reads it
REGISTRY: tuple[Page, ...] = (
    Page("/", "总览", _READERS),
    Page("/rankings", "排名", _READERS),
    Page("/my-score", "我的得分", frozenset({"department"})),  # a department's first page, first in its bar
    Page("/overdue", "超期闲置", _EVERYONE_WITH_ASSETS),
    Page("/warnings", "预警", _EVERYONE_WITH_ASSETS),
    Page("/lists", "约谈问责", _READERS),
    Page("/interviews", "约谈整改", _EVERYONE_WITH_ASSETS),
    Page("/allocation", "配置审核", _EVERYONE_WITH_ASSETS),
    Page("/reporting", "报送", _EVERYONE_WITH_ASSETS, title="报送情况"),  # 报送情况 and 周进度 (reporting.md)
    # 报送: departments send their own units' ledgers, counties their region's (reporting.md); admins use the CLI
    Page("/import", "数据导入", frozenset({"supervisor", "county", "department"})),
    Page("/jobs", "任务", frozenset({"admin"})),
    Page("/audit", "审计日志", frozenset({"admin"})),
    Page("/accounts", "账号管理", frozenset({"admin"})),
    Page("/screen", "大屏", frozenset({"leader", "supervisor", "admin", "screen"}), title="月度调度会"),
    Page("/inbox", "消息", _EVERYONE_WITH_ASSETS),  # every account that papers reach (delivery.md)
    # reached by links, not from the menu
    Page("/report", "打印版报告", _READERS, menu=False, title="月度督导报告"),  # the printable report of the lists
    Page("/department", "部门", _EVERYONE_WITH_ASSETS, menu=False),
    Page("/unit", "单位", _EVERYONE_WITH_ASSETS, menu=False),
    Page("/asset", "资产", _EVERYONE_WITH_ASSETS, menu=False),
    Page("/history", "部门履历", _EVERYONE_WITH_ASSETS, menu=False),
    Page("/password", "修改密码", _EVERYONE_WITH_ASSETS, menu=False),  # from the account's name in the top bar
    Page("/404", "未找到", _EVERYONE, menu=False),  # what an address no page answers shows (it shows no data)
)
PAGES: dict[str, frozenset[str]] = {page.path: page.roles for page in REGISTRY}


def page(path: str) -> Page:
    return next(p for p in REGISTRY if p.path == path)


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
    # 全部标为已读: the bureau's own copies (a copy of each 约谈通知书, its own bulletin) marked read at
    # once; a department's or a county's reading stays one paper at a time, as it is the proof
    # that a paper reached its reader (送达, delivery.md)
    "read_all": frozenset({"leader", "supervisor", "admin"}),
}

def may_open(role: str | None, path: str) -> bool:
    """Whether `role` may use the page at `path`; a page not in the table is nobody's."""
    return role in PAGES.get(path, ())


def may(role: str | None, action: str) -> bool:
    """Whether `role` may take the workflow `action`; an action not in the table is nobody's."""
    return role in ACTIONS.get(action, ())
