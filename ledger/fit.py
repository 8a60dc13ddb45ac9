"""What a purchase request is matched on (allocation.md, "fits"): the asset's class code as a
prefix, letters compared case-insensitively, else the same category and the same name after
normalisation (spaces removed, full-width ASCII folded to half-width, Latin letters in
small case). The keys are stored with each asset card (import) so that one request's stock
is an index lookup; the SQL and the Python spelling of a key are tested to agree.
"""
from __future__ import annotations

import re


# full-width ASCII (！ … ～) folds onto half-width, and Latin capitals onto small letters: one
# character for one, so Python and DuckDB fold alike (their lower() differ beyond ASCII, e.g. İ)
def _fold(c: str) -> str:
    half = chr(ord(c) - 0xFEE0) if "\uff01" <= c <= "\uff5e" else c
    return half.lower() if "A" <= half <= "Z" else half


_FROM = "".join(chr(c) for c in range(0xFF01, 0xFF5F)) + "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_TO = "".join(_fold(c) for c in _FROM)
_FOLD = str.maketrans(_FROM, _TO)
# every character Python calls a space (ASCII, no-break, ideographic U+3000 ...), spelled out: the
# regular expressions of Python and of DuckDB disagree on what \s means
SPACES = "".join(chr(c) for c in range(0x10000) if chr(c).isspace())
_SPACES = re.compile(f"[{SPACES}]+")
CODE_PATTERN = "[A-Za-z0-9]+"


def name_key(name: str | None) -> str | None:
    if name is None:
        return None
    return _SPACES.sub("", name.translate(_FOLD))


def code_key(code: str | None) -> str | None:
    return None if code is None else code.upper()


def code_range(key: str) -> tuple[str, str]:
    """Keys starting with `key` as a range in byte order: [key, key + '~') (keys are letters and digits)."""
    return key, key + "~"


def name_key_sql(column: str) -> str:
    """name_key in DuckDB SQL."""
    return (f"regexp_replace(translate({column}, '{_FROM}', '{_TO.replace(chr(39), chr(39) * 2)}'), "
            f"'[{SPACES}]+', '', 'g')")


def code_key_sql(column: str) -> str:
    return f"upper({column})"
