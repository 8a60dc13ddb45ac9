"""Snapshot exports (metrics.md / warnings.md export contracts) to CSV or xlsx."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from sqlalchemy import Connection, select

from ledger.errors import UserError
from ledger.files import atomic_path
from ledger.models import KPI_FIELDS, SCORE_NAMES, KpiRow, ListEntry, Snapshot, WarningRow
from ledger.scope import Scope

KPI_EXPORT = ["level", "code", "name", "month", *[n for n, _ in KPI_FIELDS],
              *[f"score_{n}" for n in SCORE_NAMES], "score", "rank", "rank_change"]
WARNING_EXPORT = ["month", "rule", "level", "ref", "asset_code", "unit_code", "dept_code", "region_code",
                  "days", "months", "first_seen", "message"]
LIST_EXPORT = ["month", "list", "level", "code", "name", "reasons"]
KINDS = ("kpis", "warnings", "lists")
_MONEY = [n for n, kind in KPI_FIELDS if kind == "money"]
_INT = [n for n, kind in KPI_FIELDS if kind in ("count", "months")] + ["rank", "rank_change", "days", "months"]


class ExportError(UserError):
    pass


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
        frame["reasons"] = frame["reasons"].map(lambda rs: "；".join(r["text"] for r in rs))
    return frame


def typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Money columns from fen to yuan, counts as nullable integers."""
    for column in frame.columns:
        if column in _MONEY:
            frame[column] = frame[column].map(lambda fen: None if pd.isna(fen) else fen / 100)
        elif column in _INT:
            frame[column] = frame[column].astype("Int64")
    return frame


def _safe_text(value):
    """Formula injection: text starting with = + - @ is written as text, numbers stay numbers;
    characters no spreadsheet may hold (a NUL, other controls) are dropped."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + value
    return value


def _escaped(frame: pd.DataFrame) -> pd.DataFrame:
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or str(safe[column].dtype) in ("str", "string"):
            safe[column] = safe[column].map(_safe_text)
    return safe


def write_frame(frame: pd.DataFrame, target, sheet: str = "data", title: str | None = None,
                formats: dict[str, str] | None = None) -> None:
    """Write .csv (UTF-8 with BOM, so Excel reads the Chinese) or .xlsx by the file's suffix.

    `target`: a path, or a binary buffer (written as xlsx). `title`: an xlsx line above the
    table saying what it is (month, scope, when it was made).
    """
    suffix = Path(target).suffix.lower() if isinstance(target, (str, Path)) else ".xlsx"
    if suffix == ".csv":
        with atomic_path(target) as temporary:
            _escaped(frame).to_csv(temporary, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        write_workbook(target, [(sheet, frame)], title, formats)
    else:
        raise ExportError(f"只支持 .csv 或 .xlsx / output must be .csv or .xlsx: {Path(target).name}")


def write_workbook(target, sheets: list[tuple[str, pd.DataFrame]], title: str | None = None,
                   formats: dict[str, str] | None = None) -> None:
    """One xlsx workbook, a sheet per frame, each under the same title line; header row frozen
    and filtered, columns fitted to their content, printable on A4.

    Text cells are escaped against formula injection; numbers stay numbers. `formats`: an
    Excel number format per column heading (percentages, money).
    """
    if isinstance(target, (str, Path)):  # a file is written whole or not at all
        with atomic_path(target) as temporary, temporary.open("wb") as out:
            write_workbook(out, sheets, title, formats)
        return
    formats = formats or {}
    title = title and ILLEGAL_CHARACTERS_RE.sub("", title)
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for name, frame in sheets:
            name = ILLEGAL_CHARACTERS_RE.sub("", name)[:31]
            _escaped(frame).to_excel(writer, index=False, sheet_name=name, startrow=1 if title else 0)
            sheet = writer.sheets[name]
            if title:
                sheet["A1"] = title
            header = 2 if title else 1
            sheet.freeze_panes = sheet.cell(row=header + 1, column=1)
            if len(frame.columns):  # a filter on every column, as a reader would set it
                last = f"{get_column_letter(len(frame.columns))}{header + max(len(frame), 1)}"  # no cell made
                sheet.auto_filter.ref = f"A{header}:{last}"
            # printable as it opens: A4 landscape, one page wide, the title and header on every page
            sheet.page_setup.orientation = "landscape"
            sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
            sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
            sheet.sheet_properties.pageSetUpPr.fitToPage = True
            sheet.print_title_rows = "1:2" if title else "1:1"
            for index, column in enumerate(frame.columns, start=1):
                longest = max([len(str(column))] + [len(str(v)) for v in frame[column].head(200)])
                letter = sheet.cell(row=1, column=index).column_letter
                sheet.column_dimensions[letter].width = min(60, 4 + 1.6 * longest)
                if column in formats:
                    for row in range(header + 1, header + 1 + len(frame)):  # the data only: no styled empty rows
                        sheet.cell(row=row, column=index).number_format = formats[column]
