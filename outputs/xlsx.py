"""Writing exports: a frame or a set of sheets to CSV or xlsx, atomically, with a title line, text
kept as text and the formats finance reports use. What goes in them is read elsewhere
(outputs.exports, outputs.workbooks, dashboard.queries)."""
from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ledger.errors import UserError
from outputs.files import atomic_path

PAGE_CHARS = 260  # column-width units one A4 landscape page prints readably (about 7 pt)

class ExportError(UserError):
    pass


CELL_CHARS = 32_767  # what one Excel cell holds
CUT = "…（以下内容超出单元格上限，已截断）"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may read as the start of a formula


def safe_text(value):
    """Formula injection: text starting with = + - @ is written as text, numbers stay numbers;
    characters no spreadsheet may hold (a NUL, other controls) are dropped; text longer than a cell
    holds is cut with a marker saying so, never silently."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value[:1] in FORMULA_STARTS:
            value = "'" + value
        if len(value) > CELL_CHARS:
            value = value[:CELL_CHARS - len(CUT)] + CUT
    return value


# the cells safe_text changes, from the same two sets (a pattern both Python and Arrow read)
NEEDS_ESCAPE = "^[" + "".join(f"\\x{ord(c):02x}" for c in FORMULA_STARTS) + "]|" + ILLEGAL_CHARACTERS_RE.pattern


def _escaped(frame: pd.DataFrame) -> pd.DataFrame:
    """safe_text on every text cell. A column of text is searched whole first (pandas' Arrow
    strings), so only the few cells it changes go through it one by one (a city's warning list:
    1.6 million cells)."""
    safe = frame.copy()
    for column in safe.columns:
        values = safe[column]
        if str(values.dtype) in ("str", "string"):
            change = (values.str.contains(NEEDS_ESCAPE, regex=True, na=False).to_numpy(dtype=bool, na_value=False)
                      | (values.str.len() > CELL_CHARS).to_numpy(dtype=bool, na_value=False))
            if change.any():
                safe.loc[change, column] = values[change].map(safe_text)
        elif values.dtype == object:  # text beside numbers or dates: cell by cell, each kept as it is
            safe[column] = pd.Series([safe_text(v) for v in values], index=values.index, dtype=object)
    return safe


def write_frame(frame: pd.DataFrame, target, sheet: str = "data", title: str | None = None,
                formats: dict[str, str] | None = None, pages_wide: int | None = 1) -> None:
    """Write .csv (UTF-8 with BOM, so Excel reads the Chinese) or .xlsx by the file's suffix.

    `target`: a path, or a binary buffer (written as xlsx). `title`: an xlsx line above the
    table saying what it is (month, scope, when it was made).
    """
    suffix = Path(target).suffix.lower() if isinstance(target, (str, Path)) else ".xlsx"
    if suffix == ".csv":
        with atomic_path(target) as temporary:
            _escaped(frame).to_csv(temporary, index=False, encoding="utf-8-sig")
    elif suffix == ".xlsx":
        write_workbook(target, [(sheet, frame)], title, formats, pages_wide)
    else:
        raise ExportError(f"只支持 .csv 或 .xlsx / output must be .csv or .xlsx: {Path(target).name}")


# a sheet: its name, its table and, optionally, an Excel number format per column heading (one
# format for the column, or one per row where a column holds figures of several kinds)
Sheet = tuple[pd.DataFrame, dict[str, str | list[str | None]]]


def _width(value) -> float:
    """Columns a value needs: a Chinese character is about two digits wide; a number shows with its
    separators and decimals."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 1
    if isinstance(value, (int, float)):
        return len(f"{value:,.2f}")
    text = str(value)
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


HEADER_FONT = Font(bold=True)
HEADER_BORDER = Border(*(Side(style="thin"),) * 4)
HEADER_ALIGN = Alignment(horizontal="center", vertical="top")


def _cells(column: pd.Series) -> list:
    """A column's values as cells take them: missing ones empty, numbers, text, dates and times as they are."""
    values = column.astype(object)
    return values.where(column.notna(), None).tolist()


def write_workbook(target, sheets: list[tuple], title: str | None = None,
                   formats: dict[str, str] | None = None, pages_wide: int | None = 1) -> None:
    """One xlsx workbook, a sheet per (name, frame[, formats]), each under the same title line;
    header row frozen and filtered, columns fitted to their content, printable on A4 landscape with
    the title and header on every page.

    Text cells are escaped against formula injection; numbers stay numbers. `formats`: an
    Excel number format per column heading for every sheet (a sheet's own formats come first).
    Written row by row (openpyxl's write-only mode): a city's 136,000 warnings in seconds.
    """
    if isinstance(target, (str, Path)):  # a file is written whole or not at all
        with atomic_path(target) as temporary, temporary.open("wb") as out:
            write_workbook(out, sheets, title, formats, pages_wide)
        return
    formats = formats or {}
    title = title and ILLEGAL_CHARACTERS_RE.sub("", title)
    book = Workbook(write_only=True)
    for name, frame, *own in sheets:
        shown = {**formats, **(own[0] if own else {})}
        sheet = book.create_sheet(ILLEGAL_CHARACTERS_RE.sub("", name)[:31])
        header = 2 if title else 1
        # what a sheet is laid out with goes in before its first row
        sheet.freeze_panes = f"A{header + 1}"
        if len(frame.columns):  # a filter on every column, as a reader would set it
            sheet.auto_filter.ref = f"A{header}:{get_column_letter(len(frame.columns))}{header + max(len(frame), 1)}"
        total = 0
        for index, column in enumerate(frame.columns, start=1):
            longest = max([_width(column)] + [_width(v) for v in frame[column].head(200)])
            sheet.column_dimensions[get_column_letter(index)].width = width = min(60, 4 + 1.1 * longest)
            total += width
        # printable as it opens: A4 landscape, the title and header on every page, `pages_wide`
        # pages wide (None: as many as keep the text readable, PAGE_CHARS a page, the first
        # columns repeated on each)
        wide = pages_wide or max(1, math.ceil(total / PAGE_CHARS))
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
        sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = wide, 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_title_rows = "1:2" if title else "1:1"
        if wide > 1:
            sheet.print_title_cols = "A:C"
        if title:
            sheet.append([title])
        heading = []
        for column in frame.columns:
            cell = WriteOnlyCell(sheet, safe_text(str(column)))
            cell.font, cell.border, cell.alignment = HEADER_FONT, HEADER_BORDER, HEADER_ALIGN
            heading.append(cell)
        sheet.append(heading)
        safe = _escaped(frame)
        columns = [_cells(safe[column]) for column in safe.columns]
        # a column's number format: one for all its rows, or one per row (None: the row's own)
        formatted = {i: (shown[c] if isinstance(shown[c], list) else [shown[c]] * len(frame))
                     for i, c in enumerate(frame.columns) if c in shown}
        for row, values in enumerate(zip(*columns)):
            if formatted:
                values = list(values)
                for i, each in formatted.items():
                    if each[row]:  # the data only: no styled empty rows
                        values[i] = WriteOnlyCell(sheet, values[i])
                        values[i].number_format = each[row]
            sheet.append(values)
    book.save(target)
