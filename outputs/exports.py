"""One snapshot's rows in the export contracts' columns (metrics.md, warnings.md, lists.md), money
in yuan: what `panhuo export`, the API and the pages' downloads hand out."""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select

from ledger.models import KPI_FIELDS, SCORE_NAMES, KpiRow, ListEntry, Snapshot, WarningRow
from ledger.scope import Scope
from outputs import figures
from outputs.phrasing import reasons_text
from outputs.xlsx import ExportError

KPI_EXPORT = ["level", "code", "name", "month", *[n for n, _ in KPI_FIELDS],
              *[f"score_{n}" for n in SCORE_NAMES], "score", "rank", "rank_change"]
WARNING_EXPORT = ["month", "rule", "level", "ref", "asset_code", "unit_code", "dept_code", "region_code",
                  "days", "months", "first_seen", "message"]
LIST_EXPORT = ["month", "list", "level", "code", "name", "reasons"]
KINDS = ("kpis", "warnings", "lists")
_MONEY = [n for n, kind in KPI_FIELDS if kind == "money"]
# how an xlsx export shows each figure column (the values stay numbers, unrounded): outputs.figures
FORMATS = {n: figures.number_format(n) for n in KPI_EXPORT if n in figures.FIGURES}
_INT = [n for n, kind in KPI_FIELDS if kind in ("count", "months")] + ["rank", "rank_change", "days", "months"]


def snapshot_frame(conn: Connection, kind: str, month: str, scope: Scope, *conditions) -> pd.DataFrame:
    """The rows of one snapshot within `scope`, in the export contract's columns (money in yuan).

    `conditions`: further SQL conditions on the snapshot table (a page's filters).
    """
    if kind not in KINDS:
        raise ExportError(f"未知导出类型 / unknown export kind: {kind} (kpis|warnings|lists)")
    if conn.execute(select(Snapshot.month).where(Snapshot.month == month)).first() is None:
        raise ExportError(f"{month} 尚无快照，请先运行 panhuo compute / no snapshot for {month}: run panhuo compute first")
    if kind == "kpis":
        table, columns, order, within = KpiRow, KPI_EXPORT, (KpiRow.level, KpiRow.code), scope.kpis()
    elif kind == "warnings":
        table, columns, order, within = WarningRow, WARNING_EXPORT, (WarningRow.rule, WarningRow.ref), scope.warnings()
    else:
        table, columns, order, within = ListEntry, LIST_EXPORT, (ListEntry.list, ListEntry.level, ListEntry.code), scope.lists()
    query = select(*[getattr(table, c) for c in columns]).where(table.month == month, within, *conditions).order_by(*order)
    frame = typed(pd.DataFrame(conn.execute(query).fetchall(), columns=columns))
    if kind == "lists":
        frame["reasons"] = frame["reasons"].map(reasons_text)
    return frame


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Money columns from fen to yuan, counts as nullable integers."""
    for column in frame.columns:
        if column in _MONEY:
            frame[column] = frame[column].map(lambda fen: None if pd.isna(fen) else fen / 100)
        elif column in _INT:
            frame[column] = frame[column].astype("Int64")
    return frame
