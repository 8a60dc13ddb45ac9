"""The append-only audit log: who did what, when, from where, with before and after."""
from __future__ import annotations

import datetime as dt
import getpass
from typing import Any

from sqlalchemy import Connection, insert, select
from sqlalchemy.orm import Session

from ledger.models import AuditEntry

ACTIONS = {
    "login": "登录", "login.failed": "登录失败", "logout": "退出",
    "scope.refused": "越权或不存在的访问", "import": "数据导入", "import.failed": "导入失败",
    "snapshot.compute": "计算快照", "snapshot.reopen": "重开已关账月份", "month.close": "月份关账",
    "job.request": "手动触发任务", "export": "导出",
    "user.add": "新增账号", "user.disable": "停用账号", "user.password": "修改密码", "user.token": "签发令牌",
    "user.token.revoke": "撤销令牌",
    "request.add": "录入配置需求", "request.decide": "配置审核决定", "request.withdraw": "撤回审核决定",
    "transfer.done": "调剂完成",
}


def cli_actor() -> str:
    """The actor of a command run from a shell: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry in some containers
        return "cli"


def record(db: Connection | Session, actor: str, action: str, target: str | None = None, *,
           before: dict | None = None, after: dict | None = None, detail: str | None = None,
           role: str | None = None, address: str | None = None) -> None:
    """Append one entry in the caller's transaction, so it commits or rolls back with the change."""
    values: dict[str, Any] = dict(at=dt.datetime.now().replace(microsecond=0), actor=actor[:100], role=role,
                                  address=address, action=action, target=target and target[:200],
                                  before=before, after=after, detail=detail)
    db.execute(insert(AuditEntry).values(**values))


def entries(db: Session, *, action: str | None = None, actor: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None, limit: int = 500, offset: int = 0):
    """Newest first, filtered."""
    query = select(AuditEntry).order_by(AuditEntry.id.desc())
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if since:
        query = query.where(AuditEntry.at >= dt.datetime.combine(since, dt.time()))
    if until:
        query = query.where(AuditEntry.at < dt.datetime.combine(until + dt.timedelta(days=1), dt.time()))
    return db.execute(query.limit(limit).offset(offset)).scalars().all()
