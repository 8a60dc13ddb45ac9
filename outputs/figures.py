"""How a figure is shown (metrics.md, "Showing a figure: one voice"): the one place that turns a
figure - a value of an indicator, its change on the month before - into the text a person reads
and the number an xlsx cell holds. Pages, the meeting screen, tooltips, the documents, the
workbooks, messages and e-mail all call it, so they read character for character the same.

Values are rounded half up on their decimal representation, as Excel and a person round (a score
of 87.25 is 87.3 everywhere); a change is the difference of the unrounded values, rounded once.
Money is given in yuan. Pure: no database.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from ledger import clock
from ledger.vocab import WEEKDAY_WORDS
from metrics.definitions import FIGURES, Figure

DIGITS = {"rate": 2, "score": 1, "money": 1, "count": 0, "months": 0, "avg_months": 1, "rank": 0}
# how a kind's value is scaled for reading: a rate in percent, money (yuan) in 万元
SCALE = {"rate": Decimal(100), "money": Decimal("0.0001")}
SUFFIX = {"rate": "%", "money": "万元"}  # part of the value wherever it is shown
WORD = {"score": "分", "months": "个月", "avg_months": "个月"}  # added in sentences (a tile's title says it)
CHANGE_UNIT = {"rate": "个百分点", "score": "分", "money": "万元", "months": "个月", "avg_months": "个月", "rank": "名"}
UP_DOWN = {"count": ("增加", "减少"), "money": ("增加", "减少")}  # the rest rise and fall: 上升 / 下降
# an xlsx cell keeps the number (a rate as a fraction, money in yuan to the fen) and shows it so
XLSX = {"rate": "0.00%", "score": "0.0", "money": "#,##0.00", "count": "#,##0", "months": "#,##0",
        "avg_months": "0.0", "rank": "0"}
DASH = "—"  # an undefined figure in a table or a tile; 无 in a sentence


def figure(key: str) -> Figure:
    return FIGURES[key]


def undefined(value) -> bool:
    """None, NaN, pandas' NA and NaT: a figure that has no value."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    return str(value) in ("<NA>", "NaT", "nan")


def _decimal(value) -> Decimal:
    return Decimal(repr(float(value))) if not isinstance(value, (int, Decimal)) else Decimal(value)


def rounded(kind: str, value) -> Decimal:
    """The value as it is read (a rate in percent, money in 万元), rounded half up to its digits."""
    scaled = _decimal(value) * SCALE.get(kind, Decimal(1))
    return scaled.quantize(Decimal(1).scaleb(-DIGITS[kind]), rounding=ROUND_HALF_UP)


def _digits(kind: str, number: Decimal) -> str:
    text = f"{abs(number):,.{DIGITS[kind]}f}"
    return ("-" if number < 0 and number != 0 else "") + text


def text(key: str, value) -> str:
    """A figure in a table or a tile: 12.35% · 1,234.5万元 · 87.6 · 1,234; undefined: —."""
    fig = FIGURES[key]
    if undefined(value):
        return DASH
    return _digits(fig.kind, rounded(fig.kind, value)) + SUFFIX.get(fig.kind, "")


def phrase(key: str, value) -> str:
    """A figure in a sentence: 12.35% · 87.6分 · 1,234项; undefined: 无（its reason）."""
    fig = FIGURES[key]
    if undefined(value):
        return f"无（{fig.undefined_because}）"
    if fig.kind == "rank":
        return f"第{int(value)}名"
    return text(key, value) + (fig.unit if fig.kind == "count" else WORD.get(fig.kind, ""))


def labelled(key: str, value) -> str:
    """闲置率4.12% · 综合得分87.6分 · 闲置率无（无在册资产）."""
    return FIGURES[key].label + phrase(key, value)


@dataclass(frozen=True)
class Change:
    """A figure's change on the month before: the unrounded difference, rounded once."""
    key: str
    size: Decimal | None  # signed, in the figure's reading unit (percentage points, 分, 万元 …); None: no comparison
    reason: str = ""  # why there is no comparison

    @property
    def kind(self) -> str:
        return FIGURES[self.key].kind

    @property
    def flat(self) -> bool:
        return self.size is not None and self.size == 0

    @property
    def improved(self) -> bool | None:
        """True when the figure moved the better way, False the worse, None when neither applies."""
        better = FIGURES[self.key].better
        if self.size is None or self.size == 0 or better is None:
            return None
        return (self.size > 0) == (better == "higher")

    def _magnitude(self) -> str:
        kind = self.kind
        unit = FIGURES[self.key].unit if kind == "count" else CHANGE_UNIT[kind]
        return _digits(kind, abs(self.size)) + unit

    @property
    def words(self) -> str:
        """As a sentence says it: 上升0.37个百分点 · 下降0.8分 · 增加12项 · 持平; never a signed number."""
        if self.size is None:
            return self.reason
        if self.flat:
            return "持平"
        up, down = UP_DOWN.get(self.kind, ("上升", "下降"))
        return (up if self.size > 0 else down) + self._magnitude()

    @property
    def sentence(self) -> str:
        """较上月上升0.37个百分点 · 与上月持平 · 上月无可比数据."""
        if self.size is None:
            return self.reason
        return "与上月持平" if self.flat else f"较上月{self.words}"

    @property
    def arrow(self) -> str:
        """As a tile or a table shows it: ↑0.37个百分点 · ↓0.8分 · — (flat) · the reason when there is none."""
        if self.size is None:
            return self.reason
        if self.flat:
            return DASH
        return ("↑" if self.size > 0 else "↓") + self._magnitude()


def change(key: str, now, before) -> Change:
    """The change of figure `key` from `before` (the month before) to `now`."""
    if undefined(now):
        return Change(key, None, "本月无此项")
    if undefined(before):
        return Change(key, None, "上月无可比数据")
    kind = FIGURES[key].kind
    return Change(key, rounded(kind, _decimal(now) - _decimal(before)))


def yuan(amount) -> str:
    """An amount of one asset, request or payment, to the fen: 1,234.56元 (a figure of many sums
    up in 万元: text)."""
    if undefined(amount):
        return DASH
    return f"{_decimal(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,}元"


def rank_move(rank_change) -> str:
    """A rank's move on the month before: ▲2 (up two places), ▼1, ＝, or — where there was none."""
    if undefined(rank_change):
        return DASH
    moved = int(rank_change)
    return f"▲{moved}" if moved > 0 else f"▼{-moved}" if moved < 0 else "＝"


def rank_text(rank, peer_size, unranked: str = "未排名") -> str:
    """第 3 名 / 共 12 个 — or why there is no rank."""
    if undefined(rank):
        return unranked
    return f"第 {int(rank)} 名 / 共 {int(peer_size)} 个"


# ---- xlsx: the number a cell keeps and how it shows it ----------------------------------------

def number_format(key: str) -> str:
    return XLSX[FIGURES[key].kind]


def cell(key: str, value):
    """What an xlsx cell holds: the number itself (a rate as a fraction, money in yuan to the fen),
    None when undefined. The cell's format (number_format) shows it as the pages do."""
    if undefined(value):
        return None
    kind = FIGURES[key].kind
    if kind in ("count", "months", "rank"):
        return int(value)
    if kind == "money":
        return float(_decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return float(value)


# ---- dates, months, moments ------------------------------------------------------------------

def date_text(day: dt.date) -> str:
    """A date as official documents and notices write it: 2026年11月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def due_moment(due: dt.datetime) -> str:
    """A weekly report's due time (local): 2026年12月10日周四 18:00."""
    return f"{date_text(due.date())}{list(WEEKDAY_WORDS.values())[due.weekday()]} {due:%H:%M}"


def month_text(month: str) -> str:
    """2026年10月."""
    year, mon = month.split("-")
    return f"{int(year)}年{int(mon)}月"


def month_label(month: str, closed: bool, upto: dt.date | None = None) -> str:
    """A month as every page, file and screen names it: an unclosed one is marked 进行中, and one
    that has not ended yet says how far its data reach."""
    if closed:
        return month_text(month)
    reach = f"，数据截至{upto.month}月{upto.day}日" if upto is not None else ""
    return f"{month_text(month)}（进行中{reach}）"


def moment(value: dt.datetime | None, zone: str, seconds: bool = True) -> str:
    """A stored moment as a person reads it, in the deployment's zone: 2026-12-04 09:30:15."""
    if value is None:
        return DASH
    return clock.local(value, zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
