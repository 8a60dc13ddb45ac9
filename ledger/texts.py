"""Every text a person types (roles.md): checked in one place before it is stored or searched for.
Notes and reasons hold at most 2,000 characters, names and search terms 200; characters a database
cannot store (NUL) and other control characters are refused with a message, never a 500; a date
must lie in a range a ledger can mean."""
from __future__ import annotations

import datetime as dt
import re

from ledger.errors import UserError

NOTE_CHARS = 2_000  # notes, reasons, outcomes, evidence, weekly reports
NAME_CHARS = 200  # names, places, attendees' line, search terms, file names
EARLIEST = dt.date(2000, 1, 1)  # no ledger of the portal's reaches further back
LATEST = dt.date(2099, 12, 31)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile("[\r\n\t]")


def has_control(text: str) -> bool:
    """Whether `text` holds a control character other than a line break or a tab (NUL included)."""
    return _CONTROL.search(text) is not None


class TextRefused(UserError):
    pass


def checked_text(value, what: str, limit: int = NOTE_CHARS, required: bool = True, lines: bool = True) -> str:
    """`value` stripped, or a TextRefused naming `what` and why. `lines`: line breaks may stand in it."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        if required:
            raise TextRefused(f"请填写{what}", f"{what} is required")
        return ""
    if _CONTROL.search(text) or (not lines and _LINE_BREAKS.search(text)):
        raise TextRefused(f"{what}含有无法保存的控制字符（如 NUL），请删除后重试", f"{what} holds control characters")
    if len(text) > limit:
        raise TextRefused(f"{what}过长：{len(text):,} 个字符，上限 {limit:,} 个", f"{what} is longer than {limit} characters")
    return text


def checked_name(value, what: str, required: bool = True) -> str:
    """A name, a place, a search term: one line of at most 200 characters."""
    return checked_text(value, what, NAME_CHARS, required, lines=False)


def checked_date(value, what: str, earliest: dt.date = EARLIEST, latest: dt.date = LATEST) -> dt.date:
    """A date typed or picked (ISO text or a date) inside [earliest, latest]."""
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(value) if isinstance(value, str) and len(value) == 10 else None
        except ValueError:
            day = None
    if day is None:
        raise TextRefused(f"请填写{what}（YYYY-MM-DD）", f"{what} must be a date YYYY-MM-DD")
    if not earliest <= day <= latest:
        raise TextRefused(f"{what} {day.isoformat()} 不在可接受的范围内（{earliest.isoformat()} 至 {latest.isoformat()}）",
                          f"{what} {day.isoformat()} is out of range")
    return day
