"""Date arithmetic of metrics.md: snapshot dates, 12-month windows, months_between."""
from __future__ import annotations

import calendar
import datetime as dt
import re

_MONTH = re.compile(r"([0-9]{4})-([0-9]{2})")  # ASCII digits only: \d takes ２０２６ too


def as_date(value) -> dt.date:
    """A date from the database: SQLite hands back ISO text, PostgreSQL a date."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(value)


def last_day(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def is_last_day(d: dt.date) -> bool:
    return d.day == calendar.monthrange(d.year, d.month)[1]


def parse_month(text: str) -> str:
    """Validate a 'YYYY-MM' month; raise ValueError with a clear bilingual message."""
    match = _MONTH.fullmatch(text) if isinstance(text, str) else None
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueError(f"月份格式应为 YYYY-MM：{text!r} / month must be YYYY-MM: {text!r}")
    return text


def snapshot_date(month: str) -> dt.date:
    """The snapshot date D of a month: its last day."""
    year, mon = map(int, parse_month(month).split("-"))
    return last_day(year, mon)


def data_date(month: str, computed_on: dt.date) -> dt.date:
    """The day a month's snapshot data reach: its snapshot date, or for a month computed while still
    in progress the day it was computed (`computed_on`, where the deployment is: ledger.clock.local_date);
    what people are told, never a day still to come."""
    return min(snapshot_date(month), computed_on)


def shift_month(month: str, delta: int) -> str:
    year, mon = map(int, parse_month(month).split("-"))
    index = year * 12 + (mon - 1) + delta
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def months_range(first: str, last: str) -> list[str]:
    out = [parse_month(first)]
    parse_month(last)
    while out[-1] < last:
        out.append(shift_month(out[-1], 1))
    return [m for m in out if m <= last]


def year_before(d: dt.date) -> dt.date:
    """Same day a year earlier; Feb 29 -> Feb 28."""
    if d.month == 2 and d.day == 29:
        return dt.date(d.year - 1, 2, 28)
    return d.replace(year=d.year - 1)


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole months from start to end (metrics.md): Jan 31 -> Feb 28 is 1, Jan 15 -> Feb 14 is 0."""
    k = 1 if end.day < start.day and not is_last_day(end) else 0
    return (end.year - start.year) * 12 + (end.month - start.month) - k
