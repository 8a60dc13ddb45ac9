"""Reads of 报送 (reporting.md): each unit's status for a month, the departments' on-time shares, the
weekly progress reports. Every function takes the caller's Scope."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from sqlalchemy import Engine, select

from dashboard.scope import Scope
from ledger import reporting
from ledger.models import Department


def submissions(engine: Engine, scope: Scope, month: str, today: dt.date, due_day: int) -> pd.DataFrame:
    """Every unit the scope covers with its status for `month` (ledger.reporting.statuses)."""
    if not scope.sees_assets:
        return pd.DataFrame(columns=["month", *reporting.EXPORT[1:], "dept_name"])
    with engine.connect() as conn:
        return reporting.statuses(conn, month, scope.units(), today, due_day)


def on_time_shares(engine: Engine, scope: Scope, months: list[str], today: dt.date, due_day: int) -> pd.DataFrame:
    """dept_code x month -> the share of its units on time (the last months beside the chosen one)."""
    frames = []
    for month in months:
        shares = reporting.shares(submissions(engine, scope, month, today, due_day))
        frames.append(shares.assign(month=month)[["dept_code", "month", "on_time_share"]])
    if not frames:
        return pd.DataFrame()
    return pd.concat(frames).pivot_table(index="dept_code", columns="month", values="on_time_share", aggfunc="first")


def weekly(engine: Engine, scope: Scope, week: str) -> pd.DataFrame:
    """Every department the scope covers with its newest report of `week` (none: 未报)."""
    if not scope.sees_assets:
        return pd.DataFrame()
    with engine.connect() as conn:
        return reporting.weekly_reports(conn, week, scope.owns(Department))


def week_facts(engine: Engine, scope: Scope, dept: str, week: str, zone: str) -> dict[str, int] | None:
    """What the portal knows of a department's week (ledger.reporting.week_facts); None outside the scope."""
    with engine.connect() as conn:
        mine = scope.sees_assets and conn.execute(select(Department.code).where(
            Department.code == dept, scope.owns(Department))).first() is not None
        if not mine:
            scope.refused("周进度", dept)
            return None
        return reporting.week_facts(conn, dept, week, zone)
