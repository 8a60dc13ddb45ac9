"""The append-only audit log: who did what, when, from where, with before and after.

The database refuses to change or delete a row (migrations 0004, 0009). A database owner can
still drop those guards; the rows are therefore chained: each stores the SHA-256 of its content
and of the previous row's hash, so an edited, removed or inserted row breaks the chain from
there on (`panhuo audit verify`), unless the whole chain after it is rewritten too — which the
head hash printed by verify and kept elsewhere (the monthly minutes) shows.
"""
from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from ledger import clock
from ledger.locks import transaction_lock
from ledger.models import AuditEntry

ACTIONS = {
    "login": "登录", "login.failed": "登录失败", "login.limited": "登录受限", "logout": "退出",
    "scope.refused": "越权或不存在的访问", "import": "数据导入", "import.failed": "导入失败", "import.problems": "下载问题清单",
    "import.interrupted": "导入中断",
    "snapshot.compute": "计算快照", "snapshot.reopen": "重开已关账月份", "month.close": "月份关账",
    "job.request": "手动触发任务", "export": "导出",
    "user.add": "新增账号", "user.disable": "停用账号", "user.enable": "启用账号", "user.password": "修改密码", "user.password.refused": "修改密码被拒（当前密码错误）",
    "user.token": "签发令牌", "user.token.revoke": "撤销令牌", "user.email": "设置邮箱", "user.scope": "变更角色或范围",
    "request.add": "录入配置需求", "request.decide": "配置审核决定", "request.withdraw": "撤回审核决定",
    "transfer.done": "调剂完成",
    "warning.acknowledged": "确认预警", "warning.resolved": "销号预警", "warning.submitted": "报送预警整改材料",
    "warning.verified": "核验销号预警", "warning.returned": "退回预警整改材料",
    "interview.schedule": "安排约谈", "interview.reschedule": "约谈改期", "interview.record": "记录约谈结果",
    "commitment.answer": "反馈整改情况", "commitment.complete": "确认整改完成",
    "commitment.submit": "报送整改完成材料", "commitment.verify": "核验销号整改承诺", "commitment.return": "退回整改材料",
    "evidence.upload": "上传佐证材料", "evidence.download": "下载佐证材料",
    "delivery.run": "送达文书", "message.read": "阅读文书", "paper.download": "下载送达文书", "reminder.send": "催报",
    "submission.confirm": "确认本月无变化", "weekly.report": "报送周进度",
}
def cli_actor() -> str:
    """The actor of a command run from a shell: the operating-system account."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry in some containers
        return "cli"


CONTENT = ("at", "actor", "role", "address", "action", "target", "before", "after", "detail")


def chain_hash(previous: str | None, row: dict) -> str:
    """SHA-256 of the previous row's hash and this row's content, in one canonical JSON text."""
    content = {key: row[key] for key in CONTENT}
    content["at"] = content["at"].isoformat(sep=" ")
    text_ = json.dumps([previous, content], ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text_.encode()).hexdigest()


def record(db: Connection | Session, actor: str, action: str, target: str | None = None, *,
           before: dict | None = None, after: dict | None = None, detail: str | None = None,
           role: str | None = None, address: str | None = None) -> None:
    """Append one entry in the caller's transaction, so it commits or rolls back with the change."""
    values: dict[str, Any] = dict(
        at=clock.now(), actor=actor[:100], role=role and role[:16],
        address=address and address[:64], action=action[:64], target=target and target[:200],
        # as the database will hand them back: tuples are lists, keys are texts
        before=None if before is None else json.loads(json.dumps(before)),
        after=None if after is None else json.loads(json.dumps(after)), detail=detail)
    transaction_lock(db, "audit-chain")  # one writer extends the chain at a time: chain order is commit order
    previous = db.execute(select(AuditEntry.row_hash).order_by(AuditEntry.id.desc()).limit(1)).scalar()
    db.execute(insert(AuditEntry).values(**values, prev_hash=previous, row_hash=chain_hash(previous, values)))


@dataclass
class ChainCheck:
    rows: int  # rows checked
    head: str | None  # the newest row's hash: keep it elsewhere to show a rewrite of the whole chain
    broken_at: int | None = None  # the id of the first row that does not fit the chain
    reason_zh: str | None = None  # why it does not fit, for the portal
    reason_en: str | None = None  # and for the command line

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(db: Connection | Session, batch: int = 5000) -> ChainCheck:
    """Walk the log in id order and check each row's links and hash; stop at the first break."""
    previous, rows, last_id = None, 0, 0
    while True:
        found = db.execute(select(*AuditEntry.__table__.columns).where(AuditEntry.id > last_id)
                           .order_by(AuditEntry.id).limit(batch)).all()
        if not found:
            return ChainCheck(rows, previous)
        for entry in found:
            if entry.prev_hash != previous:
                return ChainCheck(rows, previous, entry.id, "与上一条记录的链接不符（此前的记录被删除、插入或改写）",
                                  "does not link to the row before it (a row before was removed, inserted or rewritten)")
            if entry.row_hash != chain_hash(previous, {key: getattr(entry, key) for key in CONTENT}):
                return ChainCheck(rows, previous, entry.id, "内容与其哈希不符（记录被改写）",
                                  "its content does not match its hash (the row was rewritten)")
            previous, rows, last_id = entry.row_hash, rows + 1, entry.id


def _filtered(query, zone: str, action: str | None, actor: str | None, since: dt.date | None, until: dt.date | None):
    if action:
        query = query.where(AuditEntry.action == action)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    if since:
        query = query.where(AuditEntry.at >= clock.start_of(since, zone))
    if until:
        query = query.where(AuditEntry.at < clock.start_of(until + dt.timedelta(days=1), zone))
    return query


def entries(db: Session, zone: str, *, action: str | None = None, actor: str | None = None,
            since: dt.date | None = None, until: dt.date | None = None, limit: int = 500, offset: int = 0):
    """Newest first, filtered; `since` and `until` are days where the deployment is (`zone`)."""
    query = _filtered(select(AuditEntry).order_by(AuditEntry.id.desc()), zone, action, actor, since, until)
    return db.execute(query.limit(limit).offset(offset)).scalars().all()


def count(db: Session, zone: str, *, action: str | None = None, actor: str | None = None,
          since: dt.date | None = None, until: dt.date | None = None) -> int:
    return db.scalar(_filtered(select(func.count()).select_from(AuditEntry), zone, action, actor, since, until))
