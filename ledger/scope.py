"""A data scope as a value that builds SQL filters (roles.md): everything, a region, a department,
the meeting screen's aggregates, or nothing. `dashboard.scope.scope_for` is the one place that
turns an account into one; the CLI, which speaks for the finance bureau, uses `Scope("all")`.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import and_, false, or_, true
from sqlalchemy.sql import ColumnElement

from ledger import permissions
from ledger.models import Department, KpiRow, ListEntry, Unit, WarningRow

log = logging.getLogger("panhuo.scope")
# called with (scope, what, value) on every out-of-scope ask; the portal audits them
REFUSAL_HOOKS: list[Callable[["Scope", str, object], None]] = []


@dataclass(frozen=True)
class Scope:
    kind: str  # all | region | department | screen | none
    code: str | None = None
    username: str = ""
    role: str | None = None  # the account's role (ledger.vocab.ROLES); None: the CLI, no account

    def may(self, action: str) -> bool:
        """Whether the account may take the workflow `action` (ledger.permissions)."""
        return permissions.may(self.role, action)

    def may_open(self, path: str) -> bool:
        """Whether the account may use the page at `path` (ledger.permissions)."""
        return permissions.may_open(self.role, path)

    @property
    def sees_assets(self) -> bool:
        """Asset-level rows (assets, warnings, unit figures): not for the meeting screen."""
        return self.kind in ("all", "region", "department")

    def kpis(self) -> ColumnElement[bool]:
        if self.kind == "all":
            return true()
        if self.kind == "screen":
            return KpiRow.level.in_(("city", "region", "department"))
        if self.kind == "region":
            return or_(and_(KpiRow.level == "region", KpiRow.code == self.code),
                       and_(KpiRow.level.in_(("department", "unit")), KpiRow.region_code == self.code))
        if self.kind == "department":
            return or_(and_(KpiRow.level == "department", KpiRow.code == self.code),
                       and_(KpiRow.level == "unit", KpiRow.dept_code == self.code))
        return false()

    def warnings(self) -> ColumnElement[bool]:
        if self.kind == "all":
            return true()
        if self.kind == "region":
            return WarningRow.region_code == self.code
        if self.kind == "department":
            return WarningRow.dept_code == self.code
        return false()

    def warning_totals(self) -> ColumnElement[bool]:
        """Warnings counted, never listed: the meeting screen sees totals per region and level."""
        return true() if self.kind == "screen" else self.warnings()

    def lists(self) -> ColumnElement[bool]:
        if self.kind in ("all", "screen"):
            return true()
        if self.kind == "region":
            return ListEntry.region_code == self.code
        if self.kind == "department":
            return and_(ListEntry.level == "department", ListEntry.code == self.code)
        return false()

    def units(self) -> ColumnElement[bool]:
        """Filter on Unit (joined to Department) for asset and unit queries."""
        if self.kind == "all":
            return true()
        if self.kind == "region":
            return Department.region_code == self.code
        if self.kind == "department":
            return Unit.dept_code == self.code
        return false()

    def owns(self, model) -> ColumnElement[bool]:
        """Workflow rows (warning cases, interviews, commitments): by their department and region."""
        if self.kind == "all":
            return true()
        if self.kind == "region":
            return model.region_code == self.code
        if self.kind == "department":
            # a department row is keyed by its own code
            return (model.dept_code if hasattr(model, "dept_code") else model.code) == self.code
        return false()

    def workflow_totals(self, model) -> ColumnElement[bool]:
        """Workflow rows counted, never listed: the meeting screen sees the city's totals."""
        return true() if self.kind == "screen" else self.owns(model)

    def refused(self, what: str, value: object) -> None:
        """Record an out-of-scope ask; the caller answers exactly as for something that does not exist.

        A full scope has nothing outside it: what it does not find does not exist.
        """
        if self.kind == "all":
            return
        log.warning("out-of-scope request by %s (%s %s): %s=%r", self.username or "?", self.kind, self.code, what, value)
        for hook in REFUSAL_HOOKS:
            hook(self, what, value)


NOTHING = Scope("none")


def scope_of_account(user) -> Scope:
    """The data scope of an account (roles.md); dashboard.scope.scope_for adds the session checks."""
    role, code, name = user.role, user.scope_code, user.username
    if getattr(user, "disabled", False):
        return Scope("none", None, name)
    if role in permissions.CITY_WIDE:
        return Scope("all", None, name, role)
    if role == "screen":
        return Scope("screen", None, name, role)
    if role == "county" and code:
        return Scope("region", code, name, role)
    if role == "department" and code:
        return Scope("department", code, name, role)
    return Scope("none", None, name)  # a county or department account without its code
