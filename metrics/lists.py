"""Accountability lists of warnings.md: 通报 notice, 约谈 interview, 问责 accountability, 预算约束 budget."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ledger.config import Config
from metrics.scores import undefined


@dataclass
class Entry:
    list: str
    level: str
    code: str
    name: str
    region_code: str | None
    reasons: list[dict] = field(default_factory=list)


def notice_size(n: int, share: float) -> int:
    """k = max(1, ceil(share·n)); rounded first so 0.1·30 is 3, not 3.0000000000000004 -> 4."""
    return max(1, math.ceil(round(share * n, 9)))


def _pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def compute_lists(rows: list[dict], red_counts: dict[tuple[str, str], int],
                  previous: dict[str, set[tuple[str, str, str]]], config: Config) -> list[Entry]:
    """Lists for one month.

    rows: ranked department and region rows (level, code, name, region_code, rank, peer_size,
    idle_rate, overdue_idle_rate). red_counts: {(level, code): red warnings}. previous:
    {"M-1": {(list, level, code)}, "M-2": {...}}; a month without a snapshot is an empty set.
    """
    share = config["lists.notice_share"]
    red_limit = config["lists.red_warning_limit"]
    overdue_limit = config["lists.overdue_idle_limit"]
    budget_limit = config["lists.budget_idle_limit"]
    last, before_last = previous.get("M-1", set()), previous.get("M-2", set())
    out: list[Entry] = []
    for row in rows:
        if row["rank"] is None:
            continue
        level, code, n, rank = row["level"], row["code"], row["peer_size"], row["rank"]

        def entry(name: str, reasons: list[dict]) -> None:
            out.append(Entry(name, level, code, row["name"], row["region_code"], reasons))

        k = notice_size(n, share)
        on_notice = n >= 3 and rank > n - k
        if on_notice:
            entry("notice", [{"rule": "bottom", "rank": rank, "peer_size": n, "k": k,
                              "text": f"综合得分排名第 {rank}/{n}，位列末位 {k} 名"}])
        interview = []
        if on_notice and ("notice", level, code) in last:
            interview.append({"rule": "notice_twice", "text": "连续两个月被通报"})
        reds = red_counts.get((level, code), 0)
        if reds >= red_limit:
            interview.append({"rule": "red_warnings", "count": reds,
                              "text": f"红色预警 {reds} 条（≥ {red_limit}）"})
        rate = row["overdue_idle_rate"]
        if not undefined(rate) and rate >= overdue_limit:
            interview.append({"rule": "overdue_idle", "rate": rate,
                              "text": f"超期闲置率 {_pct(rate)}（≥ {_pct(overdue_limit)}）"})
        if interview:
            entry("interview", interview)
            if ("interview", level, code) in last and ("interview", level, code) in before_last:
                entry("accountability", [{"rule": "interview_three_months", "text": "连续三个月被列入约谈名单"}])
        idle = row["idle_rate"]
        if not undefined(idle) and idle >= budget_limit:
            entry("budget_restriction", [{"rule": "idle_rate", "rate": idle,
                                          "text": f"闲置率 {_pct(idle)}（≥ {_pct(budget_limit)}），暂停或压减新增资产配置预算"}])
    return out
