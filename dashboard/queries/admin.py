"""Reads for the administrator's pages and the import page: the audit log and its chain, the jobs
and closed months, the import records. Every function takes a Scope and answers nothing to a
scope whose role may not open the page the read is for (ledger.permissions)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from dashboard.scope import Scope
from ledger import audit, runs
from ledger.db import session_scope
from ledger.models import ImportRecord, MonthClose, User


def audit_log(engine: Engine, scope: Scope, *, action: str | None, actor: str | None, since: dt.date | None,
              until: dt.date | None, limit: int) -> tuple[list, audit.ChainCheck | None]:
    """The newest audit entries matching the filters, and the whole chain's check."""
    if not scope.may_open("/audit"):
        return [], None
    with session_scope(engine) as s:
        found = audit.entries(s, action=action, actor=actor, since=since, until=until, limit=limit)
        s.expunge_all()
        return found, audit.verify(s)


def jobs(engine: Engine, scope: Scope, limit: int = 200) -> tuple[list, list, list]:
    """The scheduler's jobs with their next run, the newest runs, the closed months (newest first)."""
    if not scope.may_open("/jobs"):
        return [], [], []
    with engine.connect() as conn:
        closed = conn.execute(select(MonthClose).order_by(MonthClose.month.desc())).all()
    return runs.schedule(engine), runs.recent(engine, limit), closed


def month_closed(engine: Engine, scope: Scope, month: str) -> bool:
    if not scope.may_open("/jobs"):
        return False
    with engine.connect() as conn:
        return runs.is_closed(conn, month)


def imports(engine: Engine, scope: Scope, limit: int = 200) -> list:
    """Import records, newest first: all of them for the finance bureau, a county's own accounts' for a county."""
    if not scope.may_open("/import"):
        return []
    query = select(ImportRecord).order_by(ImportRecord.id.desc()).limit(limit)
    if scope.kind != "all":
        query = query.where(ImportRecord.username.in_(select(User.username).where(
            User.role == "county", User.scope_code == scope.code)))
    with engine.connect() as conn:
        return conn.execute(query).all()
