"""How an audit entry's before and after read on the audit page: 「字段：旧 → 新」 in the words the
pages use (an import's tables as the import page names them, a sum as 4,500.00元)."""
from __future__ import annotations

from ledger import vocab
from ledger.importer.schema import TABLES
from outputs import figures as fig
from outputs.phrasing import table_rows

# the fields of before/after as a reader sees them (audit page); a field not named here shows its key
FIELDS = {
    "rows": "各表行数", "row_counts": "行数", "sha256": "文件摘要", "computed_at": "计算时间", "state": "状态",
    "states": "原状态", "cases": "预警", "fix_by": "计划整改日期", "status": "状态", "outcome": "约谈结果",
    "commitments": "整改承诺", "month": "月份", "dept": "部门", "on": "日期", "place": "地点", "topics": "议题",
    "evidence": "整改情况", "done_on": "完成日期", "decision": "决定", "kind": "决定", "assets": "资产",
    "approved_qty": "批准数量", "flags": "审核标记", "note": "说明", "revoked": "撤销令牌数", "refused": "被拒次数",
    "role": "角色", "scope": "范围", "moved": "已调剂", "by_listing": "经公物仓", "kpis": "指标行",
    "warnings": "预警行", "lists": "名单行", "units": "单位", "requests": "配置需求",
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


# a field holding a count in some entries (an import's units recorded as 报送, a 催报's) and the
# things themselves in others (本月无变化's unit codes)
COUNTED = {"units": "单位数"}
# a sum of money stored as its text ("4500.00"), as pages write it
MONEY = frozenset(c.key for table in TABLES for c in table.columns if c.kind == "money")


# FIELDS, and a ledger column (a purchase request filed on the page) by its import.md name
FIELD_NAMES = {**{c.key: c.zh for table in TABLES for c in table.columns}, **FIELDS}


def describe_change(before: dict | None, after: dict | None, action: str = "", rules: dict[str, str] | None = None) -> str:
    """before/after as a reader reads it: 「字段：旧 → 新」, field by field; a warning named
    "rule:ref" reads as its rule's name and its object (`rules`: rule id -> name)."""
    words = VALUES.get(action.split(".")[0], {})
    rules = rules or {}

    def text(value, key: str = "") -> str:
        if key == "rows" and isinstance(value, dict):  # an import's rows per table
            return table_rows(value)
        if key in MONEY and value is not None:
            return fig.yuan(value)
        if isinstance(value, dict):
            return "，".join(f"{FIELD_NAMES.get(k, words.get(k, k))} {text(v, k)}" for k, v in value.items())
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
        value = after.get(key, before.get(key))
        label = COUNTED[key] if key in COUNTED and type(value) is int else FIELD_NAMES.get(key, key)
        if key in before and key in after:
            parts.append(f"{label}：{text(before[key], key)} → {text(after[key], key)}")
        elif key in after:
            parts.append(f"{label}：{text(after[key], key)}")
        else:
            parts.append(f"{label}：{'' if label.startswith('原') else '原为 '}{text(before[key], key)}")
    return "；".join(parts)
