"""A CSV file read whole by Arrow gives the rows Python's csv module gives, numbered the same, or
is left to the row-by-row reader: whatever the bytes (property test)."""
from __future__ import annotations

import csv
import io

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from ledger.importer.cells import ExcelError
from ledger.importer.read import SourceError, _csv_rows, _csv_sheet, _errors_in, detect_encoding, error_cells, open_sheets
from tests.helpers import examples

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
