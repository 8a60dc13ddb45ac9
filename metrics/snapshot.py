"""Compute one month's snapshot on the engine and swap it in atomically.

The ledger is read once, in one read transaction, into DuckDB; every figure, score, rank,
warning and list is computed there; the result is written back in one short transaction
that replaces the month's previous snapshot. A failure anywhere leaves that snapshot exactly
as it was, and the ledger's write lock is held only while the result is written.
"""
from __future__ import annotations

import contextlib
import datetime as dt
from typing import Callable

import pyarrow as pa
from sqlalchemy import Connection, Engine, delete, insert

from ledger import clock
from ledger.bulk import write_arrow
from ledger.config import Config
from ledger.models import KpiRow, ListEntry, Snapshot, WarningRow
from metrics import engine as analytic
from metrics.figures import KPI_COLUMNS, compute_kpis, prepare
from metrics.lists import compute_lists
from metrics.rules import evaluate
from metrics.timeline import parse_month, shift_month, snapshot_date

WARNING_COLUMNS = ["rule", "ref", "level", "asset_code", "unit_code", "dept_code", "region_code",
                   "days", "months", "first_seen", "message"]


def _rows(duck, month: str, table: str, columns: list[str]) -> pa.Table:
    """A DuckDB table's rows with their month, dates as ISO text (both databases read it fastest)."""
    select = ", ".join(f"CAST({c} AS VARCHAR) AS {c}" if c == "first_seen" else c for c in columns)
    return duck.sql(f"SELECT '{parse_month(month)}' AS month, {select} FROM {table}").to_arrow_table()


def compute_snapshot(engine: Engine, month: str, config: Config,
                     before_commit: Callable[[Connection, dict], None] | None = None,
                     ledger: analytic.LoadedLedger | None = None) -> dict:
    """Compute `month` (YYYY-MM) from the ledger as it stands and store it; returns row counts.

    `before_commit(conn, counts)` runs inside the writing transaction (the audit entry goes
    there, so it is written exactly when the snapshot is). `ledger`: the ledger as already read
    (several months in a row); by default it is read now.
    """
    d = snapshot_date(month)
    with contextlib.ExitStack() as stack:
        if ledger is None:
            ledger = stack.enter_context(analytic.LoadedLedger(engine, config))
        ledger.read_history({"prev": shift_month(month, -1), "prev2": shift_month(month, -2)})
        duck = ledger.duck
        prepare(duck, d)
        compute_kpis(duck, d, config)
        evaluate(duck, d, config)
        entries = compute_lists(duck, config)
        kpis = _rows(duck, month, "kpis", KPI_COLUMNS)
        warnings = _rows(duck, month, "warnings", WARNING_COLUMNS)
    counts = {"kpis": kpis.num_rows, "warnings": warnings.num_rows, "lists": len(entries)}
    with engine.connect().execution_options(write=True) as conn, conn.begin():
        _replace(conn, month, d, counts, kpis, warnings, entries)
        if before_commit is not None:
            before_commit(conn, counts)
    return counts


def _replace(conn: Connection, month: str, d: dt.date, counts: dict, kpis: pa.Table, warnings: pa.Table,
             entries: list[dict]) -> None:
    for table in (ListEntry, WarningRow, KpiRow, Snapshot):
        conn.execute(delete(table).where(table.month == month))
    conn.execute(insert(Snapshot).values(month=month, snapshot_date=d, computed_at=clock.now(precise=True),
                                         row_counts=counts))
    write_arrow(conn, "kpi_rows", ["month", *KPI_COLUMNS], kpis)
    write_arrow(conn, "warning_rows", ["month", *WARNING_COLUMNS], warnings)
    if entries:
        conn.execute(insert(ListEntry), [dict(e, month=month) for e in entries])
