"""The words of the generated documents (documents.md): every figure as the portal shows it, every
change as 上升/下降/持平 with its magnitude, every undefined figure as 无 with its reason, every list
reason as a sentence. Pure: no database, no files.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from ledger.vocab import LEVELS
from metrics.rules import NAMES as RULE_NAMES

# Why an indicator is undefined (metrics.md: its denominator is zero).
UNDEFINED_BECAUSE = {
    "idle_rate": "无在册资产", "overdue_idle_rate": "无在册资产", "due_completion_rate": "本月无到期盘活台账",
    "completion_rate": "无盘活台账", "remit_rate": "近12个月无盘活收入", "data_quality_rate": "无待盘活资产",
    "listing_rate": "无闲置资产", "avg_months_idle": "无闲置资产", "max_months_idle": "无闲置资产",
}


def undefined(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or str(x) in ("<NA>", "NaT")


def pct_text(rate: float) -> str:
    """A rate as the portal shows it: a percent with two decimals."""
    return f"{rate * 100:.2f}%"


def score_text(score: float) -> str:
    return f"{score:.1f}"


def wan_text(yuan: float) -> str:
    """Money in 万元 with one decimal, as the portal shows it."""
    return f"{yuan / 10_000:,.1f}万元"


def count_text(n) -> str:
    return f"{int(n):,}"


def date_text(day: dt.date) -> str:
    """A date in Arabic numerals, as official documents write it: 2026年11月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def month_text(month: str) -> str:
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def rate(key: str, value) -> str:
    """A rate, or 无 with the reason it is undefined."""
    if undefined(value):
        return f"无（{UNDEFINED_BECAUSE.get(key, '无可计算数据')}）"
    return pct_text(value)


def _shown_difference(now: str, before: str) -> Decimal:
    """The difference of two figures as shown, so a sentence never contradicts its own numbers."""
    def number(text: str) -> Decimal:
        return Decimal(text.replace(",", "").rstrip("%").removesuffix("万元"))
    return number(now) - number(before)


def change(kind: str, now, before) -> str:
    """较上月上升 1.20 个百分点 / 下降 3.5 分 / 持平 / 增加 12 项 …; never a signed number.

    kind: rate (percentage points), score (分), count (项), money (万元).
    """
    if undefined(now) or undefined(before):
        return "上月无可比数据" if not undefined(now) else "无法与上月比较"
    shown = {"rate": pct_text, "score": score_text, "count": count_text, "money": wan_text}[kind]
    diff = _shown_difference(shown(now), shown(before))
    if diff == 0:
        return "与上月持平"
    up, down, unit = {"rate": ("上升", "下降", "个百分点"), "score": ("上升", "下降", "分"),
                      "count": ("增加", "减少", "项"), "money": ("增加", "减少", "万元")}[kind]
    digits = {"rate": 2, "score": 1, "count": 0, "money": 1}[kind]
    size = f"{abs(diff):,.{digits}f}"
    return f"较上月{up if diff > 0 else down}{size}{unit}"


def figure_with_change(label: str, kind: str, key: str, now, before) -> str:
    """闲置率 4.12%，较上月下降 0.30 个百分点; an undefined figure: 闲置率无（无在册资产）."""
    if kind == "rate" and undefined(now):
        return f"{label}{rate(key, now)}"
    value = {"rate": pct_text, "score": lambda v: f"{score_text(v)}分", "count": lambda v: f"{count_text(v)}项",
             "money": wan_text}[kind](now)
    return f"{label}{value}，{change(kind, now, before)}"


def ranking_phrase(entries: list[tuple[str, float]], unit: str = "分") -> str:
    """Names with their scores in order: 甲局（92.3分）、乙局（88.0分）."""
    return "、".join(f"{name}（{score_text(score)}{unit}）" for name, score in entries)


def top_and_bottom(entries: list[tuple[str, float]], what: str, size: int = 5) -> str:
    """The first five and the last five of a ranking; a ranking of ten or fewer is named whole."""
    n = len(entries)
    if n == 0:
        return f"本月无参与排名的{what}。"
    if n <= 2 * size:
        return f"参与排名的{what}共{n}个，综合得分由高到低依次为：{ranking_phrase(entries)}。"
    return (f"参与排名的{what}共{n}个。综合得分前五名依次为：{ranking_phrase(entries[:size])}；"
            f"后五名依次为：{ranking_phrase(entries[-size:])}。")


def reason_sentence(reason: dict, figures: dict | None = None) -> str:
    """One list reason (metrics.lists) as a sentence with its figures.

    figures: the member's KPI row (score), to say what a bottom rank was scored at.
    """
    rule = reason.get("rule")
    if rule == "bottom":
        score = (figures or {}).get("score")
        scored = "" if undefined(score) else f"综合得分{score_text(score)}分，"
        peers = (figures or {}).get("peers", "参评对象")
        return (f"{scored}在{peers}中排名第{reason['rank']}位（共{reason['peer_size']}个），"
                f"位列末位{reason['k']}名，列入通报名单。")
    if rule == "notice_twice":
        return "连续两个月被通报。"
    if rule == "red_warnings":
        return f"本月红色预警{reason['count']}条，达到约谈标准。"
    if rule == "overdue_idle":
        return f"超期闲置率{pct_text(reason['rate'])}，达到约谈标准。"
    if rule == "interview_three_months":
        return "连续三个月被列入约谈名单，启动问责程序。"
    if rule == "idle_rate":
        return f"闲置率{pct_text(reason['rate'])}，达到预算约束标准，暂停或压减新增资产配置预算。"
    # a reason this module does not know yet: its own text, never a raw key
    return str(reason.get("text", "")).rstrip("。") + "。"


def reasons_paragraph(reasons: list[dict], figures: dict | None = None) -> str:
    return "".join(reason_sentence(r, figures) for r in reasons)


def accountability_paragraph(names: list[str]) -> str:
    if not names:
        return "本月无列入问责名单的单位。"
    return f"以下{len(names)}个单位连续三个月被列入约谈名单，依规启动问责程序：{'、'.join(names)}。"


def budget_paragraph(members: list[tuple[str, list[dict]]]) -> str:
    """预算约束: each member with its idle rate, the threshold said once."""
    if not members:
        return "本月无列入预算约束名单的单位。"
    named = []
    for name, reasons in members:
        rates = [r["rate"] for r in reasons if r.get("rule") == "idle_rate"]
        named.append(f"{name}（闲置率{pct_text(rates[0])}）" if rates else name)
    return (f"以下{len(members)}个单位闲置率达到预算约束标准，暂停或压减其新增资产配置预算：" + "、".join(named) + "。")


def level_count(levels: list[str]) -> str:
    """12条，其中红色3条 — or just 12条 when none is red."""
    reds = sum(1 for level in levels if level == "red")
    return f"{len(levels)}条" + (f"，其中红色{reds}条" if reds else "")


def level_name(key: str) -> str:
    return LEVELS[key]


def rule_name(key: str) -> str:
    return RULE_NAMES[key]


def months_or_days(days, months) -> str:
    """How long a warning has run: 14个月, 35天, or empty."""
    if not undefined(months):
        return f"{int(months)}个月"
    if not undefined(days):
        return f"{int(days)}天"
    return ""
