"""Reads for the administrator's pages and the import page: the audit log and its chain, the jobs
and closed months, the import records. Every function takes a Scope and answers nothing to a
scope whose role may not open the page the read is for (ledger.permissions)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, func, select, true

from dashboard.scope import Scope
from ledger import audit, runs
from ledger.db import session_scope
from ledger.models import AuditEntry, Department, ImportRecord, MonthClose, Region, User


def audit_log(engine: Engine, scope: Scope, zone: str, *, action: str | None, actor: str | None,
              since: dt.date | None, until: dt.date | None, start: int = 0, end: int = 100) -> tuple[list, int]:
    """Audit entries [start, end) matching the filters, newest first, and how many match;
    `since`/`until`: days in the deployment's zone."""
    if not scope.may_open("/audit"):
        return [], 0
    with session_scope(engine) as s:
        found = audit.entries(s, zone, action=action, actor=actor, since=since, until=until, limit=end - start,
                              offset=start)
        total = audit.count(s, zone, action=action, actor=actor, since=since, until=until)
        s.expunge_all()
        return found, total


_checked: dict[str, audit.ChainCheck] = {}


def audit_chain(engine: Engine, scope: Scope) -> audit.ChainCheck | None:
    """The whole chain's check (ledger.audit.verify), walked again only when the log has grown."""
    if not scope.may_open("/audit"):
        return None
    with session_scope(engine) as s:
        head = s.scalar(select(func.max(AuditEntry.id)))
        key = f"{engine.url}|{head}"
        if key not in _checked:
            _checked.clear()
            _checked[key] = audit.verify(s)
        return _checked[key]


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


def _imports_seen(scope: Scope):
    """Which import records `scope` sees: all of them for the finance bureau; for a county those
    of its own and its departments' accounts, for a department its own accounts'."""
    if scope.kind == "region":
        return ImportRecord.username.in_(select(User.username).where(
            ((User.role == "county") & (User.scope_code == scope.code))
            | ((User.role == "department") & User.scope_code.in_(
                select(Department.code).where(Department.region_code == scope.code)))))
    if scope.kind != "all":
        return ImportRecord.username.in_(select(User.username).where(
            User.role == scope.kind, User.scope_code == scope.code))
    return true()


def imports(engine: Engine, scope: Scope, limit: int = 200) -> list:
    """Import records the scope sees (`_imports_seen`), newest first; of their problems only whether
    they are kept."""
    if not scope.may_open("/import"):
        return []
    columns = [c for c in ImportRecord.__table__.c if c.name != "problems"]
    query = (select(*columns, ImportRecord.problems.is_not(None).label("has_problems"))
             .where(_imports_seen(scope)).order_by(ImportRecord.id.desc()).limit(limit))
    with engine.connect() as conn:
        return conn.execute(query).all()


def import_problems(engine: Engine, scope: Scope, import_id: int):
    """A failed import the scope sees, with the problems it kept; None for any other."""
    if not scope.may_open("/import"):
        return None
    query = select(ImportRecord.id, ImportRecord.file_name, ImportRecord.started_at, ImportRecord.username,
                   ImportRecord.problems).where(ImportRecord.id == import_id, ImportRecord.problems.is_not(None),
                                                _imports_seen(scope))
    with engine.connect() as conn:
        return conn.execute(query).first()


def account_list(engine: Engine, scope: Scope) -> tuple[list, dict[str, str], dict[str, str]]:
    """(the accounts, department code -> name, region code -> name) for 账号管理; nothing to a
    role that may not open it."""
    if not scope.may_open("/accounts"):
        return [], {}, {}
    with engine.connect() as conn:
        users = conn.execute(select(User.id, User.username, User.role, User.scope_code, User.email, User.disabled,
                                    User.created_at).order_by(User.username)).all()
        departments = dict(conn.execute(select(Department.code, Department.name).order_by(Department.code)).all())
        regions = dict(conn.execute(select(Region.code, Region.name).order_by(Region.code)).all())
    return users, departments, regions
