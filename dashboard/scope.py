"""The ONE place that turns an account into a data scope (roles.md).

Every query in dashboard.queries takes a Scope and applies its filters; nothing that
arrives from the browser can widen it. No role, or a role without its scope code,
sees nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import has_request_context
from sqlalchemy import and_, false, or_, true
from sqlalchemy.sql import ColumnElement

from ledger.models import Department, KpiRow, ListEntry, Unit, WarningRow

log = logging.getLogger("panhuo.scope")

FULL_ROLES = {"leader", "supervisor", "admin"}


@dataclass(frozen=True)
class Scope:
    kind: str  # all | region | department | screen | none
    code: str | None = None
    username: str = ""

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
        """Record an out-of-scope ask; the caller answers exactly as for something that does not exist."""
        log.warning("out-of-scope request by %s (%s %s): %s=%r", self.username or "?", self.kind, self.code, what, value)
        if has_request_context():
            from dashboard.context import audit  # context builds on this module

            audit("scope.refused", f"{what}={value}"[:200], detail=f"scope {self.kind} {self.code or ''}".strip())


NOTHING = Scope("none")


def scope_for(user) -> Scope:
    """The scope of a logged-in account (anything else: nothing)."""
    if user is None or not getattr(user, "is_authenticated", False) or getattr(user, "disabled", True):
        return NOTHING
    role, code, name = user.role, user.scope_code, user.username
    if role in FULL_ROLES:
        return Scope("all", None, name)
    if role == "screen":
        return Scope("screen", None, name)
    if role == "county" and code:
        return Scope("region", code, name)
    if role == "department" and code:
        return Scope("department", code, name)
    return Scope("none", None, name)
