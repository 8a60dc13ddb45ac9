"""The warning list as a person reads it (ledger.warning_list's rows): level, rule and state in words,
the object named, the span; the list as a workbook, the same on the page's download and in the
file a job leaves in 消息; and what a department is told in 消息 of a step taken on its warnings."""
from __future__ import annotations

import datetime as dt
from collections import Counter

import pandas as pd
from sqlalchemy import Connection

from ledger import inbox, vocab
from ledger.config import Config
from ledger.warning_list import OVERDUE_STATE
from ledger.workflow import Actor, Moved
from metrics.rules import NAMES as RULE_NAMES
from outputs.figures import undefined
from outputs.phrasing import acknowledged_for, closed_off, resolved_off, sent_back
from outputs.workbooks import title_line
from outputs.xlsx import write_frame

OVERDUE = "逾期未确认"
# the state filter offers exactly the words the list shows
STATES = {**vocab.CASE_STATES, OVERDUE_STATE: OVERDUE}
EXPORT_ROWS = 200_000  # a workbook longer than this is cut, and its title says so
EXPORT_JOB = "export-warnings"  # the job (jobs.exports) that writes a long list's workbook into 消息


# the steps the bureau takes on a department's warnings (ledger.workflow's audit actions), and what
# the department is told of each: the message's kind and its words (count, note, plan date, who by
# -> title, body), and the list it leads to (预警, filtered to the state the step left them in)
TOLD = {
    "acknowledged": ("acknowledged", acknowledged_for, "acknowledged"),  # 确认 for it: the plan date now binds it
    "verified": ("verified", lambda count, note, *_: closed_off(count, note), "resolved"),
    "returned": ("returned", lambda count, note, *_: sent_back(count, note), "returned"),
    "resolved": ("verified", lambda count, note, *_: resolved_off(count, note), "resolved"),
}


def tell_departments(conn: Connection, actor: Actor, moved: Moved, note: str, email: bool) -> Counter[str]:
    """Each department whose warnings a step of the bureau's moved told in 消息 of its own, and how
    many; the accounts reached per department (0: it has none, to be told some other way). A
    department's own steps tell nobody."""
    reached: Counter[str] = Counter()
    if moved.action not in TOLD or actor.role == "department":
        return reached
    kind, words, state = TOLD[moved.action]
    by, here = vocab.ROLES.get(actor.role, "监管人员"), inbox.link("/warnings", state=state)
    for dept, count in moved.by_department.items():
        reached[dept] = inbox.notify_departments(conn, [dept], kind, *words(count, note, moved.fix_by, by), None, email,
                                                 here)
    return reached


def warning_words(frame: pd.DataFrame) -> pd.DataFrame:
    """Warning rows with their rule and level in Chinese and their span (days or months)."""
    return frame.assign(rule_zh=frame["rule"].map(RULE_NAMES), level_zh=frame["level"].map(vocab.LEVELS),
                        span=[("" if undefined(d) else f"{int(d)} 天") if undefined(m) else f"{int(m)} 个月"
                              for d, m in zip(frame["days"], frame["months"])])


def case_words(frame: pd.DataFrame) -> pd.DataFrame:
    """The list's rows with the words of warning_words and their case's: state, object, dates, note."""
    return warning_words(frame).assign(
        state_zh=[OVERDUE if late else vocab.CASE_STATES.get(s, "—") for s, late in zip(frame["state"], frame["overdue"])],
        object=[name if ref == code else f"{ref}（{name}）" if isinstance(name, str) else ref
                for ref, code, name in zip(frame["ref"], frame["asset_code"], frame["asset_name"])],
        opened_on=[d.isoformat() if isinstance(d, dt.date) else "—" for d in frame["opened_on"]],
        fix_by=[d.isoformat() if isinstance(d, dt.date) else "" for d in frame["fix_by"]],
        note=frame["note"].fillna(""),
    )


def filter_text(level: str | None, rule: str | None, state: str | None, region_name: str, dept_name: str,
                search: str | None) -> str:
    """The filters applied, as the workbook's title names them (a region and a department by name)."""
    words = [vocab.LEVELS.get(level or "", ""), RULE_NAMES.get(rule or "", ""), STATES.get(state or "", ""),
             region_name, dept_name, f"搜索“{search}”" if search else ""]
    return "，".join(w for w in words if w)


def write_export(frame: pd.DataFrame, total: int, target, config: Config, month_label: str, scope_label: str,
                 filters_text: str) -> int:
    """The list's rows (at most EXPORT_ROWS of the `total` that match) as an xlsx workbook under a
    title naming month, scope and filters; how many rows it holds."""
    shown = case_words(frame)
    table = pd.DataFrame({"等级": shown["level_zh"], "状态": shown["state_zh"], "规则": shown["rule_zh"],
                          "对象": shown["object"], "资产编号": shown["asset_code"], "单位": shown["unit_name"],
                          "主管部门": shown["dept_name"], "时长": shown["span"], "发生于": shown["opened_on"],
                          "计划整改": shown["fix_by"], "处理说明": shown["note"], "说明": shown["message"]})
    # a list longer than a workbook is meant to carry says so in its title: never silently partial
    what = f"预警清单 · 共 {total:,} 条" + (
        f"（导出前 {len(table):,} 条，请按区县或部门筛选后分别导出）" if total > len(table) else "")
    write_frame(table, target, sheet="预警清单", pages_wide=None,
                title=title_line(config, month_label, scope_label, what, filters_text))
    return len(table)
