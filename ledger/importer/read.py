"""Read a workbook or a folder of CSV files as sheets of raw cell values, streamed."""
from __future__ import annotations

import codecs
import csv
import functools
import hashlib
import posixpath
import re
import struct
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import chain
from pathlib import Path
from typing import Callable, Iterator
from xml.etree import ElementTree

import olefile
import pyarrow as pa
import pyarrow.csv as pa_csv
from python_calamine import CalamineWorkbook, PasswordError, SheetVisibleEnum

from ledger.errors import UserError
from ledger.importer.cells import ExcelError


class SourceError(UserError):
    """The file as a whole cannot be read."""


@dataclass
class RawSheet:
    name: str  # as the user sees it: the sheet name or the CSV file name
    rows: Iterator[tuple[int, tuple]]  # (row number as the user sees it, cell values); row 1 = header
    text_only: bool = False  # every cell is text (CSV), none typed as in a workbook
    # a CSV file read whole by Arrow: the rows after the header as text columns by position (`rows`
    # then holds the header only); None where the rows come one by one
    columns: pa.Table | None = None
    first_row: int = 2  # the row number of `columns`' first row
    # a workbook's cells merged down over rows, each read on every row it covers: (first row, last
    # row, first column index, last column index), rows numbered and columns indexed as in `rows`
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: bool = False  # a workbook's sheet hidden from view (Excel's 隐藏): read all the same


def detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM), UTF-16 with its BOM, or GB18030, decided by whether the bytes
    decode as UTF-8."""
    with path.open("rb") as fh:
        head = fh.read(3)
        if head == codecs.BOM_UTF8:
            return "utf-8-sig"
        if head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):  # Excel's "Unicode text"
            return "utf-16"
        fh.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8"


# csv's own bound on one field (128 KB by default) would refuse a long cell naming neither its row
# nor its column: the whole file is bounded already ([import] max_upload_mb), so a cell may be as
# long as that, and the column's own length check names row, column and limit (rows.py)
CSV_FIELD_LIMIT = 1 << 30


def _csv_rows(path: Path, encoding: str) -> Iterator[tuple[int, tuple]]:
    csv.field_size_limit(CSV_FIELD_LIMIT)
    number = 0
    with path.open("r", encoding=encoding, newline="") as fh:
        try:
            for number, row in enumerate(csv.reader(fh), start=1):
                yield number, tuple(row)
        except UnicodeError as exc:
            raise SourceError(f"{path.name}: 无法识别文件编码（应为 UTF-8、UTF-16 或 GB18030）",
                              f"cannot decode file (expected UTF-8, UTF-16 or GB18030): {exc}") from None
        except csv.Error as exc:
            raise SourceError(f"{path.name} 第 {number + 1:,} 行：CSV 格式错误（{_csv_reason(str(exc))}）",
                              f"{path.name} row {number + 1}: malformed CSV: {exc}") from None


def _csv_reason(text: str) -> str:
    """csv's few complaints, in Chinese."""
    if "NUL" in text:
        return "含有 NUL 字符"
    if "field larger than field limit" in text:
        return "单元格过长"
    if "quote" in text or "EOF" in text:
        return "引号不成对"
    return text


def _csv_sheet(path: Path) -> RawSheet:
    """A CSV file as a sheet: read whole by Arrow's reader where it reads the file exactly as
    Python's csv module does, else row by row (the reference, whose messages name the row)."""
    encoding = detect_encoding(path)
    rows = _csv_rows(path, encoding)
    try:
        header = next(rows)
    except StopIteration:
        return RawSheet(path.name, iter(()), text_only=True)
    except SourceError:
        return RawSheet(path.name, _csv_rows(path, encoding), text_only=True)
    rows.close()
    columns = _csv_columns(path, encoding, header[1])
    if columns is None:
        return RawSheet(path.name, _csv_rows(path, encoding), text_only=True)
    return RawSheet(path.name, iter((header,)), text_only=True, columns=columns)


def _csv_columns(path: Path, encoding: str, header: tuple) -> pa.Table | None:
    """The rows after `header` as text columns c0, c1, … by position; None when a row is not as
    wide as the header or the file does not parse (the row-by-row reader keeps such rows as they
    are, or says what is wrong)."""
    uneven = []

    def refuse(row) -> str:
        uneven.append(row)
        return "skip"

    names = [f"c{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            path,
            read_options=pa_csv.ReadOptions(column_names=names, block_size=1 << 24,
                                            encoding="utf-8" if encoding == "utf-8-sig" else encoding),
            # a quoted line break stays in its cell and an empty line stays a row, as for csv.reader
            parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False,
                                              invalid_row_handler=refuse),
            convert_options=pa_csv.ConvertOptions(column_types={name: pa.string() for name in names},
                                                  strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, UnicodeError, ValueError):
        return None
    if uneven or table.num_rows == 0 or tuple(table.slice(0, 1).to_pylist()[0].values()) != header:
        return None
    return table.slice(1)


def _unreadable(workbook: str, sheet: str, exc: Exception) -> SourceError:
    """A sheet calamine cannot read (XML it refuses: an entity declared in it, a broken part), in one line."""
    reason = " ".join(str(exc).split())[:200]
    return SourceError(f"{workbook}：工作表「{sheet}」无法读取（文件内容损坏或含有不支持的 XML 结构）",
                       f"{workbook}: sheet {sheet!r} cannot be read: {type(exc).__name__}: {reason}")


def _xlsx_rows(workbook, file_name: str, name: str, merged: list,
               errors_of: Callable[[str], dict[int, list[tuple[int, str]]]]) -> Iterator[tuple[int, tuple]]:
    try:
        errors = errors_of(name)  # looked for only now: a sheet the import leaves unread is not scanned
        sheet = workbook.get_sheet_by_name(name)
        # calamine's range starts at the first used cell: its rows and columns numbered as the user
        # sees them. Its rows come from the sheet's first row, empty ones included, but its columns
        # from the first used one (dimastbk/python-calamine#177): the columns are padded, and the rows
        # numbered from 1 unless they come from the first used row (a calamine that skips them).
        first_row, first_column = sheet.start or (0, 0)
        pad = (None,) * first_column
        rows = iter(sheet.iter_rows())
        head = next(rows, None)
        if head is None:
            return
        number = 1 if first_row and all(cell in ("", None) for cell in head) else first_row + 1
        numbered = chain([(number, head)], enumerate(rows, start=number + 1))
        if errors:
            numbered = _with_errors(numbered, errors, first_column)
        # calamine gives a merged cell's value to its first cell only; a reader sees it on each row it
        # covers (a unit's code merged down over its assets' rows): so it is read
        down = [(top + 1, bottom + 1, left, right) for (top, left), (bottom, right) in sheet.merged_cell_ranges or ()
                if bottom > top]
        if not down:
            for number, row in numbered:
                yield number, pad + tuple(row)
            return
        merged.extend(sorted(down))
        yield from _merged_down(((number, pad + tuple(row)) for number, row in numbered), merged)
    except Exception as exc:  # calamine raises its own kinds (XmlError, …) for what it cannot parse
        raise _unreadable(file_name, name, exc) from None


def _with_errors(rows: Iterator[tuple[int, list]], errors: dict[int, list[tuple[int, str]]],
                 first_column: int) -> Iterator[tuple[int, list]]:
    """calamine's `rows` (from its `first_column`) with each error cell (`errors`: row number ->
    [(column index, error value)]) holding its ExcelError instead of the empty text calamine gives it."""
    for number, cells in rows:
        if number in errors:
            cells = list(cells)
            for column, code in errors[number]:
                at = column - first_column
                cells.extend([None] * (at + 1 - len(cells)))
                cells[at] = ExcelError(code)
        yield number, cells


# an error cell in a sheet's XML (SpreadsheetML, any namespace prefix): <c r="B5" s="3" t="e"><f>…</f><v>#N/A</v></c>
ERROR_MARK = re.compile(rb"t=[\"']e[\"']")  # one pass over a part: twice as fast as two `in` tests
_ERROR_CELL = re.compile(rb"<(?:\w+:)?c\s([^>]*?\bt=[\"']e[\"'][^>/]*)>(.*?)</(?:\w+:)?c>", re.S)
_CELL_REF = re.compile(rb"\br=[\"']([A-Z]{1,3})([0-9]+)[\"']")
_CELL_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
SCAN_CHUNK = 1 << 20
LONGEST_ROW = 64 << 20  # a row's XML longer than this is not a ledger's: the scan gives up


def _column_index(letters: bytes) -> int:
    index = 0
    for letter in letters:
        index = index * 26 + letter - 64
    return index - 1


def _sheet_parts(archive: zipfile.ZipFile) -> dict[str, str]:
    """Each sheet's name and the zip member holding its XML, as the workbook's relationships say."""
    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]
    package = ElementTree.fromstring(archive.read("_rels/.rels"))
    book = next(r.get("Target", "") for r in package if r.get("Type", "").endswith("/officeDocument")).lstrip("/")
    folder, name = posixpath.split(book)
    targets = {r.get("Id"): r.get("Target", "") for r in ElementTree.fromstring(
        archive.read(posixpath.join(folder, "_rels", name + ".rels")))}
    parts = {}
    for sheet in ElementTree.fromstring(archive.read(book)).iter():
        if local(sheet.tag) == "sheet":
            rid = next((v for k, v in sheet.attrib.items() if local(k) == "id"), None)
            target = targets.get(rid, "")
            parts[sheet.get("name")] = (target.lstrip("/") if target.startswith("/")
                                        else posixpath.normpath(posixpath.join(folder, target)))
    return parts


def _errors_in(stream, chunk_size: int = SCAN_CHUNK) -> dict[int, list[tuple[int, str]]]:
    """The error cells of one sheet's XML, by row number: the stream read in parts, a part split
    after a row's end, and only the parts holding an error cell's mark searched for them."""
    errors: dict[int, list[tuple[int, str]]] = defaultdict(list)
    rest = b""
    for chunk in chain(iter(lambda: stream.read(chunk_size), b""), [None]):
        text = rest + (chunk or b"")
        end = len(text) if chunk is None else text.rfind(b"row>") + 4
        if end < 4:
            if len(text) > LONGEST_ROW:
                return {}
            rest = text
            continue
        part, rest = text[:end], text[end:]
        if ERROR_MARK.search(part):
            for cell in _ERROR_CELL.finditer(part):
                where, value = _CELL_REF.search(cell.group(1)), _CELL_VALUE.search(cell.group(2))
                if where and value:
                    code = value.group(1).decode("utf-8", "replace").strip()
                    errors[int(where.group(2))].append((_column_index(where.group(1)), code))
    return dict(errors)


def error_cells(path: Path, only: str | None = None) -> dict[str, dict[int, list[tuple[int, str]]]]:
    """An .xlsx's cells holding an error value (#N/A, #REF!): sheet name -> row number -> [(column
    index, error value)], of every sheet or of the sheet named `only`. calamine reads them as empty
    cells, so a required one said 必填项为空 and an optional one was taken as empty; the sheets' XML
    is read for them (a few milliseconds a megabyte). Whatever of the package cannot be read here is
    calamine's to say: none found then."""
    try:
        with zipfile.ZipFile(path) as archive:
            found = {}
            for name, part in _sheet_parts(archive).items():
                if only is not None and name != only:
                    continue
                with archive.open(part) as stream:
                    if errors := _errors_in(stream):
                        found[name] = errors
            return found
    except Exception:  # a package calamine opened that this reading does not follow
        return {}


# Excel 97–2003 (.xls, BIFF8): the workbook stream's records. An error value is a BOOLERR record
# with its error flag set, or a FORMULA record whose cached result is an error (MS-XLS 2.4.24, 2.4.127)
BIFF_BOF, BIFF_EOF, BIFF_BOUNDSHEET, BIFF_BOOLERR, BIFF_FORMULA, BIFF_FILEPASS = 0x0809, 0x000A, 0x0085, 0x0205, 0x0006, 0x002F
BIFF_ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
               0x2A: "#N/A", 0x2B: "#GETTING_DATA"}
# bytes that may be such a record, wherever they stand: most workbooks hold none, and are spared
# walking their records one by one (a second for a large sheet) when none is found
_BIFF_ERROR_MARK = re.compile(rb"\x05\x02\x08\x00.{7}\x01|\x06\x00.{8}\x02.{5}\xff\xff", re.S)


def _boundsheets(stream: bytes) -> dict[int, str]:
    """A BIFF8 workbook stream's sheets: the offset of each sheet's BOF record -> its name."""
    sheets, at = {}, 0
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4:at + 4 + size]
        if kind == BIFF_EOF or kind == BIFF_FILEPASS:  # the globals end; an encrypted stream is calamine's to refuse
            break
        if kind == BIFF_BOUNDSHEET and size >= 8:
            offset, chars, wide = struct.unpack_from("<I", body)[0], body[6], body[7] & 1
            sheets[offset] = body[8:8 + chars * 2].decode("utf-16-le") if wide else body[8:8 + chars].decode("latin-1")
        at += 4 + size
    return sheets


def biff_errors(stream: bytes) -> dict[str, dict[int, list[tuple[int, str]]]]:
    """A BIFF8 workbook stream's error cells, as `error_cells` gives them (rows from 1, columns from 0)."""
    if stream[:2] != b"\x09\x08" or stream[4:6] != b"\x00\x06" or not _BIFF_ERROR_MARK.search(stream):
        return {}  # not BIFF8 (an Excel 95 workbook's are read as calamine reads them), or no error record
    sheets, found = _boundsheets(stream), defaultdict(lambda: defaultdict(list))
    within: list[str | None] = []  # the substreams open at this record: a sheet, or a chart inside it
    at = 0
    while at + 4 <= len(stream):
        kind, size = struct.unpack_from("<HH", stream, at)
        if kind == BIFF_BOF:
            within.append(sheets.get(at))
        elif kind == BIFF_EOF and within:
            within.pop()
        elif within and within[-1] is not None and size >= 8 and kind in (BIFF_BOOLERR, BIFF_FORMULA):
            row, column = struct.unpack_from("<HH", stream, at + 4)
            value = stream[at + 10:at + 18]
            code = (value[0] if kind == BIFF_BOOLERR and value[1] == 1 else
                    value[2] if kind == BIFF_FORMULA and value[0] == 2 and value[6:8] == b"\xff\xff" else None)
            if code is not None:
                found[within[-1]][row + 1].append((column, BIFF_ERRORS.get(code, "#VALUE!")))
        at += 4 + size
    return {name: dict(rows) for name, rows in found.items()}


def _xls_error_cells(path: Path) -> dict[str, dict[int, list[tuple[int, str]]]]:
    """An .xls's error cells, as `error_cells` gives an .xlsx's: calamine reads them as empty too."""
    try:
        with olefile.OleFileIO(str(path)) as container:
            if not container.exists("Workbook"):
                return {}
            with container.openstream("Workbook") as stream:
                return biff_errors(stream.read())
    except Exception:  # a container calamine opened that this reading does not follow
        return {}


def _merged_down(rows: Iterator[tuple[int, tuple]], merged: list[tuple[int, int, int, int]]) -> Iterator[tuple[int, tuple]]:
    """`rows` with each merged range's empty cells holding the value of its first cell (`merged`
    sorted by first row)."""
    coming, active = iter(merged), []
    following = next(coming, None)
    values: dict[tuple[int, int], object] = {}  # (first row, first column) -> the merged cell's value
    for number, cells in rows:
        while following is not None and following[0] <= number:
            active.append(following)
            following = next(coming, None)
        active = [m for m in active if m[1] >= number] if active else active
        if active:
            cells = list(cells)
            for top, _, left, right in active:
                if number == top:
                    values[top, left] = cells[left] if left < len(cells) else None
                value = values.get((top, left))
                for column in range(left, min(right + 1, len(cells))):
                    if (number, column) != (top, left) and cells[column] in ("", None):
                        cells[column] = value
            cells = tuple(cells)
        yield number, cells


WORKBOOKS = (".xlsx", ".xls")
# a workbook known by its first bytes, whatever its name says: an .xlsx is a zip, an .xls (Excel
# 97–2003, as older asset systems export) an OLE compound file
SIGNATURES = {b"PK\x03\x04": ".xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1": ".xls"}


# spreadsheets of other programs (WPS Office's own above all) that offices save ledgers as: said
# by name, with the way out
OTHER_SPREADSHEETS = {".et": "WPS 表格", ".ett": "WPS 表格模板", ".ods": "ODF 表格（LibreOffice、WPS）",
                      ".numbers": "Numbers 表格", ".xlsb": "Excel 二进制工作簿", ".xlsm": "Excel 启用宏的工作簿",
                      ".xltx": "Excel 模板"}


def save_as_hint(name: str) -> str:
    """For a file of another program: what it is and to save it as .xlsx (empty for anything else)."""
    what = OTHER_SPREADSHEETS.get(Path(name).suffix.lower())
    return f"（{what}文件请另存为 .xlsx 后再导入）" if what else ""


def workbook_kind(path: Path) -> str | None:
    """".xlsx" or ".xls" by the file's content; None for anything else."""
    with path.open("rb") as fh:
        head = fh.read(8)
    return next((kind for signature, kind in SIGNATURES.items() if head.startswith(signature)), None)


def _open_workbook(path: Path) -> tuple[CalamineWorkbook, str]:
    """The workbook and its kind by content (".xlsx" or ".xls")."""
    kind = workbook_kind(path)
    if kind is None:
        # many systems' "Excel" exports are a web page or tab-separated text named .xls
        raise SourceError(f"{path.name}: 不是 Excel 工作簿（可能是系统导出的网页或文本文件），请用 Excel 打开后另存为 .xlsx",
                          "not an Excel workbook (perhaps a web page or text file named so): "
                          "open it in Excel and save it as .xlsx")
    try:
        if kind == path.suffix.lower():
            return CalamineWorkbook.from_path(str(path)), kind
        with path.open("rb") as fh:  # named as the other kind: calamine goes by the name, so by content
            return CalamineWorkbook.from_filelike(fh), kind
    except Exception as exc:  # calamine raises several kinds for a damaged file
        if _password_protected(path, kind, exc):
            raise SourceError(f"{path.name}: 工作簿设有打开密码，无法读取：请在 Excel 中取消密码（文件 → 信息 → 保护工作簿 → "
                              "用密码进行加密，清空密码）并保存后再导入",
                              "the workbook is password-protected: remove its password in Excel, save it and "
                              "import it again") from None
        raise SourceError(f"{path.name}: 无法打开工作簿 / cannot open workbook: {exc}") from None


# Excel's "encrypt with password" wraps the .xlsx in an OLE container holding a stream of this name
# (MS-OFFCRYPTO); calamine tells so only of a file named .xlsx, so the container's directory is looked at
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")


def _password_protected(path: Path, kind: str, exc: Exception) -> bool:
    """Whether a workbook of `kind` (by content) failed to open with `exc` for its password."""
    if isinstance(exc, PasswordError):  # calamine's word for an encrypted .xls, or .xlsx named so
        return True
    return kind == ".xls" and ENCRYPTED_PACKAGE in path.read_bytes()  # a failed opening only


def open_sheets(path: Path) -> Iterator[RawSheet]:
    """The sheets of a workbook (.xlsx, or .xls as older systems export), or the .csv files of a folder."""
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
        if not files:
            raise SourceError(f"{path}: 文件夹中没有 CSV 文件 / no CSV files in folder")
        for file in files:
            yield _csv_sheet(file)
        return
    if not path.exists():
        raise SourceError(f"{path}: 文件不存在 / no such file")
    if path.suffix.lower() == ".csv":
        yield _csv_sheet(path)
        return
    if path.suffix.lower() not in WORKBOOKS:
        raise SourceError(f"{path}: 只接受 .xlsx（或 .xls）工作簿或 CSV 文件夹{save_as_hint(path.name)}",
                          "expected an .xlsx (or .xls) workbook or a folder of CSV files")
    workbook, kind = _open_workbook(path)
    if kind == ".xlsx":  # each sheet's XML scanned as the import reads that sheet
        def errors_of(name: str) -> dict[int, list[tuple[int, str]]]:
            return error_cells(path, only=name).get(name, {})
    else:  # an .xls's records are walked once, for every sheet, when the first sheet is read
        whole = functools.cache(lambda: _xls_error_cells(path))

        def errors_of(name: str) -> dict[int, list[tuple[int, str]]]:
            return whole().get(name, {})
    try:
        for sheet in workbook.sheets_metadata:
            name, merged = sheet.name, []
            yield RawSheet(name, _xlsx_rows(workbook, path.name, name, merged, errors_of), merged=merged,
                           hidden=sheet.visible != SheetVisibleEnum.Visible)
    finally:
        workbook.close()


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in path.iterdir() if p.is_file()) if path.is_dir() else [path]
    for file in files:
        if path.is_dir():
            digest.update(file.name.encode() + b"\0")
        with file.open("rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()
