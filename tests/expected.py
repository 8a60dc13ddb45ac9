"""Compare exported snapshots with the sample's expected/ files: counts exactly, money to
the fen, rates and scores to 1e-9, empty cells as undefined."""
from __future__ import annotations

import csv
import math
from pathlib import Path

KEYS = {"kpis": ("month", "level", "code"), "warnings": ("month", "rule", "ref"),
        "lists": ("month", "list", "level", "code")}


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def _same(expected: str, actual: str) -> bool:
    if expected == "" or actual == "":
        return expected == actual
    try:
        e, a = float(expected), float(actual)
    except ValueError:
        return expected == actual
    return math.isclose(e, a, rel_tol=0, abs_tol=1e-9) or math.isclose(e, a, rel_tol=1e-12)


def differences(kind: str, expected: list[dict], actual: list[dict], limit: int = 30) -> list[str]:
    """Human-readable differences, empty when the files agree on every expected column."""
    key = KEYS[kind]
    got = {tuple(r[k] for k in key): r for r in actual}
    want = {tuple(r[k] for k in key): r for r in expected}
    out = [f"missing {k}" for k in want.keys() - got.keys()] + [f"unexpected {k}" for k in got.keys() - want.keys()]
    for k in want.keys() & got.keys():
        for column, value in want[k].items():
            if column not in got[k]:
                out.append(f"column {column} missing")
            elif not _same(value, got[k][column]):
                out.append(f"{k} {column}: expected {value!r}, got {got[k][column]!r}")
    return sorted(out)[:limit]


# ---- figures as metrics.md's "Showing a figure" says a person reads them (written out here on
# their own, so the tests check outputs.figures rather than repeat it) -------------------------

def half_up(value, digits: int, scale: int | str = 1):
    from decimal import ROUND_HALF_UP, Decimal
    return (Decimal(repr(float(value))) * Decimal(str(scale))).quantize(Decimal(1).scaleb(-digits), ROUND_HALF_UP)


def pct(rate) -> str:
    """12.35%"""
    return f"{half_up(rate, 2, 100)}%"


def points(score) -> str:
    """87.6"""
    return f"{half_up(score, 1)}"


def wan(yuan) -> str:
    """1,234.5万元"""
    return f"{half_up(yuan, 1, '0.0001'):,}万元"


def change_words(now, before, kind: str) -> str:
    """较上月上升0.37个百分点 · 较上月下降0.8分 · 与上月持平: the unrounded difference, rounded once."""
    from decimal import Decimal
    if now is None:
        return "本月无此项"
    if before is None:
        return "上月无可比数据"
    digits, scale, unit = {"rate": (2, 100, "个百分点"), "score": (1, 1, "分")}[kind]
    size = half_up(Decimal(repr(float(now))) - Decimal(repr(float(before))), digits, scale)
    return "与上月持平" if size == 0 else f"较上月{'上升' if size > 0 else '下降'}{abs(size)}{unit}"


def arrow(now, before, kind: str) -> str:
    """↑0.37个百分点 · ↓0.8分 · — (as a page or the screen shows a change)."""
    words = change_words(now, before, kind)
    if not words.startswith(("较上月", "与上月持平")):
        return words
    return "—" if words == "与上月持平" else ("↑" if "上升" in words else "↓") + words[5:]
