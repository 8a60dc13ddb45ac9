"""A CSV file read whole by Arrow gives the rows Python's csv module gives, numbered the same, or
is left to the row-by-row reader: whatever the bytes (property test)."""
from __future__ import annotations

import csv
import io
import struct

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.importer.cells import ExcelError
from ledger.importer.read import (
    SourceError,
    _csv_rows,
    _csv_sheet,
    _errors_in,
    _xls_error_cells,
    biff_errors,
    detect_encoding,
    error_cells,
    open_sheets,
)
from tests.helpers import as_xls, examples

# the characters that make CSV hard: separators, quotes, line breaks of three kinds, spaces, NUL,
# Chinese (two and three bytes in GB18030 and UTF-8)
TOKENS = ["a", "12", ",", '"', "\n", "\r\n", "\r", " ", "　", "清江", "\x00", "￥1,234.50", ""]
ENCODINGS = [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b"")]


def padded(rows) -> list[tuple[int, tuple]]:
    """Rows as the cell parser takes them: a row shorter than the header ends in empty cells (an
    empty line is a row of empty cells)."""
    rows = list(rows)
    width = len(rows[0][1]) if rows else 0
    return [(number, tuple(cells) + ("",) * (width - len(cells))) for number, cells in rows]


def rows_of(sheet) -> list[tuple[int, tuple]]:
    """(number, cells) of every row of a sheet as the importer reads it, by either path."""
    rows = list(sheet.rows)
    if sheet.columns is not None:
        data = sheet.columns.to_pylist()
        rows += [(number, tuple(row.values())) for number, row in enumerate(data, start=2)]
    return padded(rows)


def reference(path) -> list[tuple[int, tuple]] | str:
    try:
        return padded(_csv_rows(path, detect_encoding(path)))
    except SourceError as exc:
        return exc.zh


def read_both(path) -> tuple[object, object, bool]:
    try:
        sheet = _csv_sheet(path)
        return rows_of(sheet), reference(path), sheet.columns is not None
    except SourceError as exc:
        return exc.zh, reference(path), False


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.lists(st.sampled_from(TOKENS), max_size=12).map("".join), min_size=1, max_size=6),
       st.sampled_from(ENCODINGS))
def test_any_bytes_read_the_same_by_arrow_or_row_by_row(tmp_path_factory, lines, encoding):
    name, bom = encoding
    path = tmp_path_factory.mktemp("csv") / "资产卡片.csv"
    path.write_bytes(bom + "\n".join(lines).encode(name))
    fast, slow, _ = read_both(path)
    assert fast == slow


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.lists(st.lists(st.sampled_from(TOKENS), max_size=5).map("".join), min_size=3, max_size=3),
                min_size=1, max_size=8),
       st.sampled_from(ENCODINGS))
def test_a_well_formed_file_is_read_by_arrow_and_numbered_as_the_user_counts(tmp_path_factory, rows, encoding):
    """Quoted separators, quotes and line breaks inside cells, empty lines: Arrow takes the file
    and every row keeps the number csv.reader gives it (a blank line is a row the user counts)."""
    name, bom = encoding
    buffer = io.StringIO()
    csv.writer(buffer).writerows([("资产编号", "单位编码", "资产名称"), *rows])
    text = buffer.getvalue()
    if "\x00" in text or "\r" in text.replace("\r\n", ""):
        return  # a lone CR or a NUL: the file is not what csv.writer would give a user
    path = tmp_path_factory.mktemp("csv") / "资产卡片.csv"
    path.write_bytes(bom + text.encode(name))
    fast, slow, by_arrow = read_both(path)
    assert fast == slow
    assert by_arrow


def test_a_row_wider_or_narrower_than_the_header_is_read_row_by_row(tmp_path):
    path = tmp_path / "资产卡片.csv"
    path.write_text("资产编号,单位编码\nA1,U1\nA2\nA3,U1,extra\n", encoding="utf-8")
    sheet = _csv_sheet(path)
    assert sheet.columns is None
    assert list(sheet.rows) == [(1, ("资产编号", "单位编码")), (2, ("A1", "U1")), (3, ("A2",)), (4, ("A3", "U1", "extra"))]


# one cell of a sheet's XML: as Excel writes it (s before t, a formula before the value), as
# other writers do (t first, single quotes, a namespace prefix), and cells that are not errors
CELL_FORMS = [
    ('<c r="{ref}" s="3" t="e"><f>VLOOKUP(A{row},单位!A:B,2,FALSE)</f><v>{code}</v></c>', True),
    ("<c t='e' r='{ref}'><v>{code}</v></c>", True),
    ('<x:c r="{ref}" t="e"><x:v>{code}</x:v></x:c>', True),
    ('<c r="{ref}" t="inlineStr"><is><t>row> t="e" {code}</t></is></c>', False),  # text that looks like one
    ('<c r="{ref}" s="1"/>', False),
    ('<c r="{ref}"><v>12.5</v></c>', False),
]


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.lists(st.tuples(st.sampled_from(range(len(CELL_FORMS))), st.sampled_from(["#N/A", "#REF!", "#DIV/0!"])),
                         max_size=5), max_size=8),
       st.integers(1, 300))
def test_error_cells_are_found_wherever_the_xml_is_cut_into_parts(rows, chunk_size):
    """The scan for error cells reads a sheet's XML in parts and cuts them after a row's end: it finds
    every error cell, and only those, whatever the part's size."""
    xml, expected = ['<worksheet><sheetData>'], {}
    for number, cells in enumerate(rows, start=1):
        xml.append(f'<row r="{number}" spans="1:5">')
        for column, (form, code) in enumerate(cells):
            text, is_error = CELL_FORMS[form]
            ref = "ABCDE"[column] + str(number)
            xml.append(text.format(ref=ref, row=number, code=code))
            if is_error:
                expected.setdefault(number, []).append((column, code))
        xml.append("</row>")
    xml.append("</sheetData></worksheet>")
    stream = io.BytesIO("".join(xml).encode())
    assert _errors_in(stream, chunk_size) == expected


def test_a_workbooks_error_cells_are_read_as_excel_errors_where_they_stand(tmp_path):
    """calamine reads an error cell as empty: the workbook's own XML says which it is, on a sheet whose
    first used column is C as on one whose sheet is not the first."""
    book = openpyxl.Workbook()
    first = book.active
    first.title = "说明"
    first["A1"] = "#N/A"
    first["A1"].data_type = "s"  # text in a cell, not an error cell: stays text
    sheet = book.create_sheet("资产卡片")
    sheet["C2"], sheet["D2"], sheet["C3"], sheet["D3"] = "资产编号", "单位编码", "A1", "#N/A"
    sheet["E3"] = "#DIV/0!"
    book.save(tmp_path / "book.xlsx")
    assert error_cells(tmp_path / "book.xlsx") == {"资产卡片": {3: [(3, "#N/A"), (4, "#DIV/0!")]}}
    sheets = {raw.name: list(raw.rows) for raw in open_sheets(tmp_path / "book.xlsx")}
    assert sheets["说明"] == [(1, ("#N/A",))]
    assert sheets["资产卡片"] == [(1, (None, None, "", "", "")), (2, (None, None, "资产编号", "单位编码", "")),
                                  (3, (None, None, "A1", ExcelError("#N/A"), ExcelError("#DIV/0!")))]


def test_a_sheet_left_unread_is_not_scanned_for_error_cells(tmp_path, monkeypatch):
    """The error scan reads a sheet's XML only when its rows are read: a 填表说明 sheet the import
    skips (or any sheet it ignores by name) costs nothing however large it is."""
    import ledger.importer.read as read

    book = openpyxl.Workbook()
    book.active.title = "填表说明"
    book.active["A1"] = "#N/A"
    book.create_sheet("资产卡片")["A1"] = "资产编号"
    book.save(tmp_path / "book.xlsx")
    scanned = []
    scan = read.error_cells
    monkeypatch.setattr(read, "error_cells", lambda path, only=None: scanned.append(only) or scan(path, only))
    read_rows = {}
    for raw in open_sheets(tmp_path / "book.xlsx"):  # as the import reads them: the notes sheet skipped
        if raw.name != "填表说明":
            read_rows[raw.name] = list(raw.rows)
    assert read_rows == {"资产卡片": [(1, ("资产编号",))]} and scanned == ["资产卡片"]


def _record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _bof(kind: int) -> bytes:  # BIFF8, of a workbook's globals (5), a worksheet (0x10) or a chart (0x20)
    return _record(0x0809, struct.pack("<HHHHII", 0x0600, kind, 0, 0, 0, 0))


# an .xls cell as its record: (record, error value it holds or None)
def _biff_cell(form: int, row: int, column: int, code: int) -> bytes:
    place = struct.pack("<HHH", row, column, 15)
    return [
        _record(0x0205, place + bytes([code, 1])),  # BOOLERR holding an error
        _record(0x0205, place + bytes([1, 0])),  # BOOLERR holding TRUE
        _record(0x0006, place + bytes([2, 0, code, 0, 0, 0, 0xFF, 0xFF]) + bytes(6)),  # a formula's error
        _record(0x0006, place + struct.pack("<d", 12.5) + bytes(6)),  # a formula's number
        _record(0x0006, place + bytes([0, 0, 0, 0, 0, 0, 0xFF, 0xFF]) + bytes(6)),  # a formula's text
        _record(0x027E, place + struct.pack("<i", 0x2A << 2 | 2)),  # RK: the number 42, bytes like an error's
        # the bytes of an error record inside a text cell's record (LABEL): not a record of its own
        _record(0x0204, place + struct.pack("<H", 14) + b"\x00" + b"\x05\x02\x08\x00abcdefg\x01x"),
    ][form]


BIFF_CODES = {0x2A: "#N/A", 0x17: "#REF!", 0x07: "#DIV/0!", 0x0F: "#VALUE!"}


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(st.lists(st.tuples(st.integers(0, 6), st.integers(0, 300), st.integers(0, 20),
                                   st.sampled_from(sorted(BIFF_CODES))), max_size=6),
                min_size=1, max_size=3),
       st.booleans())
def test_an_xls_workbooks_error_cells_are_found_on_their_sheets(sheets, chart):
    """An Excel 97–2003 workbook's error cells (a BOOLERR record with its error flag, a FORMULA whose
    cached result is an error) are found on the sheet holding them, and no other cell: not a formula's
    number or text, not TRUE, not a text holding the bytes of an error record, not a chart's."""
    names = ["资产卡片", "Sheet2", "隐藏的表"][:len(sheets)]
    bodies, expected = [], {}
    for name, cells in zip(names, sheets):
        body = [_bof(0x10)]
        for index, (form, row, column, code) in enumerate(cells):
            body.append(_biff_cell(form, row, column, code))
            if form in (0, 2):
                expected.setdefault(name, {}).setdefault(row + 1, []).append((column, BIFF_CODES[code]))
            if chart and index == 0:  # a chart inside the sheet: its own BOF … EOF, its cells not the sheet's
                body += [_bof(0x20), _biff_cell(0, 7, 7, 0x2A), _record(0x000A, b"")]
        bodies.append(b"".join(body) + _record(0x000A, b""))
    def boundsheet(offset: int, name: str) -> bytes:
        wide = not name.isascii()
        text = name.encode("utf-16-le" if wide else "latin-1")
        return _record(0x0085, struct.pack("<IBBBB", offset, 0, 0, len(name), wide) + text)
    sizes = [len(boundsheet(0, name)) for name in names]
    offset = len(_bof(5)) + sum(sizes) + len(_record(0x000A, b""))
    globals_ = [_bof(5)]
    for name, body in zip(names, bodies):
        globals_.append(boundsheet(offset, name))
        offset += len(body)
    stream = b"".join(globals_) + _record(0x000A, b"") + b"".join(bodies)
    assert biff_errors(stream) == expected


@pytest.mark.slow
def test_an_xls_workbooks_error_cells_are_read_as_excel_errors(tmp_path):
    """calamine reads an .xls's error cell as empty too: the workbook's records say which it is."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "资产卡片"
    sheet.append(["资产编号", "单位编码", "净值"])
    sheet.append(["A1", '=VLOOKUP("无此单位",B3:B4,1,FALSE)', "=1/0"])
    sheet.append(["A2", "U1", 12.5])
    book.save(tmp_path / "book.xlsx")
    xls = as_xls(tmp_path / "book.xlsx", tmp_path)
    assert _xls_error_cells(xls) == {"资产卡片": {2: [(1, "#N/A"), (2, "#DIV/0!")]}}
    assert [list(raw.rows) for raw in open_sheets(xls)] == [[
        (1, ("资产编号", "单位编码", "净值")), (2, ("A1", ExcelError("#N/A"), ExcelError("#DIV/0!"))), (3, ("A2", "U1", 12.5))]]
