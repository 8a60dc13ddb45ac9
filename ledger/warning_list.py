"""The warning list (预警): a month's warnings in a scope, narrowed by filters and a search, the most
pressing first, each with the state of its case and its asset, unit and department names. The page
reads it a block at a time (dashboard.queries, cached); a long list's workbook is written from it by
a job (jobs.exports)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Connection, and_, case, func, or_, select

from ledger import workflow
from ledger.models import Asset, Department, Unit, WarningCase, WarningRow, holds
from ledger.scope import Scope

OVERDUE_STATE = "overdue"  # the state filter's "逾期未确认": open orange and red warnings past the acknowledgement days
FILTERS = ("level", "rule", "state", "region", "dept", "search")
WARNING_COLUMNS = ["rule", "level", "ref", "asset_code", "unit_code", "dept_code", "region_code", "days", "months",
                   "first_seen", "message"]
PAGE_COLUMNS = [*WARNING_COLUMNS, "case_id", "state", "opened_on", "fix_by", "note", "overdue", "asset_name",
                "unit_name", "dept_name"]


def synced_month(conn: Connection) -> str | None:
    """The month the cases were last synchronised with (the newest computed when it was computed)."""
    return conn.execute(select(func.max(WarningCase.last_month))).scalar()


def _matching(scope: Scope, month: str, synced: bool, today: dt.date, ack_days: int, level=None, rule=None,
              state=None, region=None, dept=None, search=None):
    """The month's warnings the filters keep, as (select without columns, the table that answers
    for them, the overdue condition). For the month the cases were last synchronised with
    (`synced`), the cases alone answer (no join over every warning of the city); other months join
    the two tables."""
    overdue = workflow.overdue_condition(today, ack_days)
    source = WarningCase if synced else WarningRow
    if synced:
        base = select().select_from(WarningCase).where(WarningCase.last_month == month, scope.owns(WarningCase))
    else:
        base = (select().select_from(WarningRow)
                .outerjoin(WarningCase, and_(WarningCase.rule == WarningRow.rule, WarningCase.ref == WarningRow.ref))
                .where(WarningRow.month == month, scope.warnings()))
    for column, value in ((source.level, level), (source.rule, rule), (source.region_code, region),
                          (source.dept_code, dept)):
        if value:
            base = base.where(column == value)
    if state == OVERDUE_STATE:
        base = base.where(overdue)
    elif state:
        base = base.where(WarningCase.state == state)
    if search:
        # the names live on the cards: join them only when asked to search them, from the scope's
        # warnings (a text as common as the city's code prefix is on every card; matching the cards,
        # units and departments apiece first made a county's list three times slower)
        base = (base.join(Asset, Asset.code == source.asset_code).join(Unit, Unit.code == Asset.unit_code)
                .join(Department, Department.code == source.dept_code)
                .where(or_(*[holds(column, search) for column in
                             (Asset.code, Asset.name, Unit.code, Unit.name, Department.code, Department.name)])))
    return base, source, overdue


def counts(conn: Connection, scope: Scope, month: str, synced: bool, today: dt.date, ack_days: int,
           **filters) -> dict:
    """How many of the month's warnings the filters match: by level, overdue and in total (one scan
    for every tile; the list's pages share it)."""
    base, source, overdue = _matching(scope, month, synced, today, ack_days, **filters)
    found = {"overdue": 0, "total": 0}
    for lvl, late, n in conn.execute(base.add_columns(source.level, overdue, func.count())
                                     .group_by(source.level, overdue)):
        found[lvl] = found.get(lvl, 0) + n
        found["total"] += n
        found["overdue"] += n if late else 0
    return found


def rows(conn: Connection, scope: Scope, month: str, synced: bool, today: dt.date, ack_days: int, *,
         start: int = 0, end: int | None = 100, **filters) -> pd.DataFrame:
    """Rows [start, end) of the month's warnings the filters match, the most pressing first
    (overdue, then by level, rule and object), with the state of their case and their asset, unit
    and department names."""
    if end is not None and end <= start:
        return pd.DataFrame(columns=PAGE_COLUMNS).astype({"overdue": bool})
    base, source, overdue = _matching(scope, month, synced, today, ack_days, **filters)
    severity = case((source.level == "red", 0), (source.level == "orange", 1), else_=2)
    page = (base.add_columns(source.rule.label("rule"), source.ref.label("ref"), overdue.label("late"),
                             severity.label("sev"))
            .order_by(overdue.desc(), severity, source.rule, source.ref).offset(start))
    top = (page if end is None else page.limit(end - start)).subquery()
    query = (select(*[getattr(WarningRow, c) for c in WARNING_COLUMNS], WarningCase.id.label("case_id"),
                    WarningCase.state, WarningCase.opened_on, WarningCase.fix_by, WarningCase.note, top.c.late,
                    Asset.name.label("asset_name"), Unit.name.label("unit_name"), Department.name.label("dept_name"))
             .select_from(top)
             .join(WarningRow, and_(WarningRow.month == month, WarningRow.rule == top.c.rule,
                                    WarningRow.ref == top.c.ref))
             .outerjoin(WarningCase, and_(WarningCase.rule == top.c.rule, WarningCase.ref == top.c.ref))
             .outerjoin(Asset, Asset.code == WarningRow.asset_code)
             .outerjoin(Unit, Unit.code == WarningRow.unit_code)
             .outerjoin(Department, Department.code == WarningRow.dept_code)
             .order_by(top.c.late.desc(), top.c.sev, top.c.rule, top.c.ref))
    frame = pd.DataFrame(conn.execute(query).fetchall(), columns=PAGE_COLUMNS)
    frame["overdue"] = frame["overdue"].fillna(False).astype(bool)
    return frame
