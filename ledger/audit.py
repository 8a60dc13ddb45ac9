"""The append-only audit log: who did what, when, from where, with before and after.

The database refuses to change or delete a row (migrations 0004, 0009). A database owner can
still drop those guards; the rows are therefore chained: each stores the SHA-256 of its content
and of the previous row's hash, so an edited, removed or inserted row breaks the chain from
there on (`panhuo audit verify`), unless the whole chain after it is rewritten too — which the
head hash printed by verify and kept elsewhere (the monthly minutes) shows.
"""
from __future__ import annotations

import datetime as dt
import functools
import getpass
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from ledger import clock, vocab
from ledger.locks import transaction_lock
from ledger.models import AuditEntry

ACTIONS = {
    "login": "登录", "login.failed": "登录失败", "login.limited": "登录受限", "logout": "退出",
    "scope.refused": "越权或不存在的访问", "import": "数据导入", "import.failed": "导入失败",
    "import.interrupted": "导入中断", "import.undo": "撤销导入",
    "snapshot.compute": "计算快照", "snapshot.reopen": "重开已关账月份", "month.close": "月份关账",
    "job.request": "手动触发任务", "export": "导出",
    "user.add": "新增账号", "user.disable": "停用账号", "user.enable": "启用账号", "user.password": "修改密码", "user.password.refused": "修改密码被拒（当前密码错误）",
    "user.token": "签发令牌", "user.token.revoke": "撤销令牌", "user.email": "设置邮箱", "user.scope": "变更角色或范围",
    "request.add": "录入配置需求", "request.decide": "配置审核决定", "request.withdraw": "撤回审核决定",
    "transfer.done": "调剂完成",
    "warning.acknowledged": "确认预警", "warning.resolved": "销号预警", "warning.submitted": "报送预警整改材料",
    "warning.verified": "核验销号预警", "warning.returned": "退回预警整改材料",
    "interview.schedule": "安排约谈", "interview.record": "记录约谈结果",
    "commitment.answer": "反馈整改情况", "commitment.complete": "确认整改完成",
    "commitment.submit": "报送整改完成材料", "commitment.verify": "核验销号整改承诺", "commitment.return": "退回整改材料",
    "evidence.upload": "上传佐证材料", "evidence.download": "下载佐证材料",
    "delivery.run": "送达文书", "message.read": "阅读文书", "paper.download": "下载送达文书", "reminder.send": "催报",
    "submission.confirm": "确认本月无变化", "weekly.report": "报送周进度",
}
# the fields of before/after as a reader sees them (audit page); a field not named here shows its key
FIELDS = {
    "rows": "各表行数", "row_counts": "行数", "sha256": "文件摘要", "computed_at": "计算时间", "state": "状态",
    "states": "原状态", "cases": "预警", "fix_by": "计划整改日期", "status": "状态", "outcome": "约谈结果",
    "commitments": "整改承诺", "month": "月份", "dept": "部门", "on": "日期", "place": "地点", "topics": "议题",
    "evidence": "整改情况", "done_on": "完成日期", "decision": "决定", "kind": "决定", "assets": "资产",
    "approved_qty": "批准数量", "flags": "审核标记", "note": "说明", "revoked": "撤销令牌数", "refused": "被拒次数",
    "role": "角色", "scope": "范围", "moved": "已调剂", "by_listing": "经公物仓", "kpis": "指标行",
    "warnings": "预警行", "lists": "名单行", "units": "单位", "requests": "配置需求", "plans": "盘活台账",
    "leases": "出租出借", "income": "收入", "listings": "公物仓", "status_changes": "状态变动",
    "reopen": "重开", "request": "配置需求", "quantity": "数量",
    "candidate_count": "候选资产数", "review_date": "审核日", "decided_by": "原审核人", "released": "释放资产",
    "return_reason": "退回理由", "week": "周次", "version": "版本", "late": "逾期", "run": "任务编号",
    "departments": "部门", "kinds": "文书", "resend": "重新发送", "papers": "新拟文书", "inbox": "站内送达",
    "sent": "邮件已发", "failed": "邮件失败", "unknown": "邮件状态不明", "email": "邮箱", "disabled": "停用",
}


# the stored values an action's before/after hold, in Chinese (by the action's prefix)
VALUES = {"warning": vocab.CASE_STATES, "commitment": vocab.COMMITMENT_STATES,
          "interview": {**vocab.INTERVIEW_STATES, **vocab.LIST_REASONS},
          "request": {**vocab.DECISION_KINDS, **vocab.FLAG_NAMES, **{v: k for k, v in vocab.CATEGORIES.items()}},
          "transfer": vocab.TRANSFER_STATES, "delivery": vocab.PAPER_KINDS, "user": vocab.ROLES}


@functools.cache
def _field_names() -> dict[str, str]:
    """FIELDS, and a ledger column (a purchase request filed on the page) by its import.md name."""
    from ledger.importer.schema import TABLES  # here, not above: the importer writes to this log

    return {**{c.key: c.zh for table in TABLES for c in table.columns}, **FIELDS}


def describe_change(before: dict | None, after: dict | None, action: str = "", rules: dict[str, str] | None = None) -> str:
    """before/after as a reader reads it: 「字段：旧 → 新」, field by field; a warning named
    "rule:ref" reads as its rule's name and its object (`rules`: rule id -> name)."""
    words = VALUES.get(action.split(".")[0], {})
    rules = rules or {}
    fields = _field_names()

    def text(value, key: str = "") -> str:
        if isinstance(value, dict):
            return "，".join(f"{fields.get(k, words.get(k, k))} {text(v, k)}" for k, v in value.items())
        if isinstance(value, list):
            return "、".join(text(v) for v in value) or "无"
        if value is None:
            return "—"
        if isinstance(value, bool):
            return "是" if value else "否"
        if isinstance(value, int):
            return str(value) if key.endswith("year") else f"{value:,}"  # a year is not a count
        rule, colon, ref = str(value).partition(":")
        return f"{rules[rule]} {ref}" if colon and rule in rules else words.get(str(value), str(value))

    before, after = before or {}, after or {}
    parts = []
    for key in [*before, *(k for k in after if k not in before)]:
        label = fields.get(key, key)
        if key in before and key in after:
            parts.append(f"{label}：{text(before[key], key)} → {text(after[key], key)}")
        elif key in after:
            parts.append(f"{label}：{text(after[key], key)}")
        else:
            parts.append(f"{label}：{'' if label.startswith('原') else '原为 '}{text(before[key], key)}")
    return "；".join(parts)


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
