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
