"""Turn a raw sheet into parsed rows, collecting every problem with sheet, row, column and value."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import chain, islice, zip_longest
from typing import Iterator

from ledger.fit import CODE_PATTERN
from ledger.importer.cells import (
    CONTROL,
    SPACES,
    CellError,
    cell_text,
    clean,
    code_hint,
    excel_error,
    excel_error_problem,
    make_parser,
)
from ledger.importer.read import RawSheet
from ledger.importer.schema import TABLES, Column, Table, column_for_header


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    value: str | None
    zh: str
    en: str

    @property
    def where(self) -> str:
        """Sheet, row, column and value as the problem lists write them: 资产卡片 第4行 原值「一千元」."""
        where = self.sheet
        if self.row is not None:
            where += f" 第{self.row}行"
        if self.column:
            where += f" {self.column}"
        if self.value is not None:
            where += f"「{self.value}」"
        return where

    @classmethod
    def file_unreadable(cls, file_name: str, error) -> Problem:
        """The one problem of a file that cannot be read as a whole (`error`, a SourceError, names it)."""
        return cls(file_name, None, None, None, error.zh, error.en)

    @property
    def of_the_file(self) -> bool:
        """A problem of the whole file (a password, a web page named .xls): its words name the file."""
        return self.row is None and self.zh.startswith(self.sheet)

    @property
    def said(self) -> tuple[str, str]:
        """(zh, en) as one sentence each: where, then what (a problem of the whole file as it is)."""
        return (self.zh, self.en) if self.of_the_file else (f"{self.where}：{self.zh}", f"{self.where}: {self.en}")

    def __str__(self) -> str:
        return f"{self.where}：{self.zh} / {self.en}"


@dataclass
class Problems:
    """Problems up to a cap; the total, and the count of each sheet, keep counting past it."""
    cap: int
    items: list[Problem] = field(default_factory=list)
    total: int = 0
    by_sheet: dict[str, int] = field(default_factory=dict)

    def add(self, problem: Problem) -> None:
        self.total += 1
        self.by_sheet[problem.sheet] = self.by_sheet.get(problem.sheet, 0) + 1
        if len(self.items) < self.cap:
            self.items.append(problem)

    def absorb(self, later: "Problems") -> None:
        """`later`'s problems after these ones, up to the cap."""
        self.items += later.items[:max(0, self.cap - len(self.items))]
        self.total += later.total
        for sheet, n in later.by_sheet.items():
            self.by_sheet[sheet] = self.by_sheet.get(sheet, 0) + n

    def __bool__(self) -> bool:
        return self.total > 0


def shown(value: object) -> str | None:
    if value is None:
        return None
    text = str(value)
    return text if len(text) <= 60 else text[:57] + "…"


_REGION_CODE = re.compile(r"[0-9]{6}")
_STATISTICS_CODE = re.compile(r"[0-9]{12}")
_CLASS_CODE = re.compile(f"^{CODE_PATTERN}$")
_CLASS_CODE_WORDS = ("分类代码只能由字母和数字组成", "a class code is letters and digits only")


def _row_rules(table: Table, row: dict) -> Iterator[tuple[str, str, str]]:
    """Rules that relate cells of one row: (column key, zh, en) for each one broken."""
    get = row.get
    if table.key == "units":
        if get("region_code") is not None and not _REGION_CODE.fullmatch(code := get("region_code")):
            # the statistics bureau's 12-digit codes (统计用区划代码) begin with the county's 6
            hint = f"；12 位统计用区划代码请取前 6 位（{code[:6]}）" if _STATISTICS_CODE.fullmatch(code) else ""
            looks, looks_en = code_hint(code)
            yield ("region_code", f"区划编码应为 6 位数字（GB/T 2260）{hint}{looks}",
                   f"region code must be 6 digits (GB/T 2260){looks_en}")
    elif table.key == "assets":
        if get("status_since") and get("acquired_on") and get("status_since") < get("acquired_on"):
            yield "status_since", f"早于取得日期 {get('acquired_on')}", f"before the acquisition date {get('acquired_on')}"
        if get("category_code") is not None and not _CLASS_CODE.match(get("category_code")):
            yield "category_code", *_CLASS_CODE_WORDS
        # 净值 is 原值 less its depreciation: one above it is a slip (or two columns swapped)
        if get("net_value") is not None and get("original_value") is not None and get("net_value") > get("original_value"):
            yield "net_value", "净值不能大于原值", "the net value cannot exceed the original value"
    elif table.key == "requests":
        if get("budget_year") is not None and not 2000 <= get("budget_year") <= 2100:
            yield "budget_year", "预算年度应在 2000–2100 之间", "budget year must be 2000–2100"
        if get("quantity") is not None and get("quantity") < 1:
            yield "quantity", "数量应不小于 1", "quantity must be at least 1"
        if get("unit_price") is not None and get("unit_price") <= 0:
            yield "unit_price", "单价应大于 0", "unit price must be greater than 0"
        if get("category_code") is not None and not _CLASS_CODE.match(get("category_code")):
            yield "category_code", *_CLASS_CODE_WORDS
    elif table.key == "plans":
        if get("due_on") and get("listed_on") and get("due_on") < get("listed_on"):
            yield "due_on", f"早于列入日期 {get('listed_on')}", f"before the listing date {get('listed_on')}"
        if get("done_on") and get("listed_on") and get("done_on") < get("listed_on"):
            yield "done_on", f"早于列入日期 {get('listed_on')}", f"before the listing date {get('listed_on')}"
    elif table.key == "leases":
        if get("end_on") and get("start_on") and get("end_on") < get("start_on"):
            yield "end_on", f"早于起租日期 {get('start_on')}", f"before the start date {get('start_on')}"
    elif table.key == "income":
        if get("amount") == 0:
            yield "amount", "到账金额应大于 0", "amount must be greater than 0"
        if get("remitted_on") and get("received_on") and get("remitted_on") < get("received_on"):
            yield "remitted_on", f"早于到账日期 {get('received_on')}", f"before the receipt date {get('received_on')}"
        if get("remitted_amount") is not None and get("amount") is not None and get("remitted_amount") > get("amount"):
            yield "remitted_amount", "上缴金额大于到账金额", "remitted more than received"
        if get("remitted_amount") and get("remitted_on") is None and "remitted_on" not in row.get("_bad", ()):
            yield "remitted_on", "有上缴金额时必须填写上缴日期", "a remitted amount needs a remittance date"
    elif table.key == "listings":
        if get("delisted_on") and get("listed_on") and get("delisted_on") < get("listed_on"):
            yield "delisted_on", f"早于入仓日期 {get('listed_on')}", f"before the listing date {get('listed_on')}"
        if get("delisted_on") and get("outcome") is None and "outcome" not in row.get("_bad", ()):
            yield "outcome", "填写出仓日期时必须填写出仓原因", "a delisting needs an outcome"


@dataclass
class ParsedSheet:
    table: Table
    raw: RawSheet  # its rows (or Arrow columns) now those after the header
    positions: list[tuple[int, Column]]  # (cell index, column) of the columns the sheet has
    parser: "RowParser"
    header_row: int = 1  # the number of the header's (last) row


# An export of the budget system may carry its title, the unit or the day on rows above the header:
# the header is the first of a sheet's first rows that names every required column (or two read as one).
HEADER_ROWS = 10


def _named(table: Table, cells: tuple) -> tuple[int, bool]:
    """How many of the table's columns `cells` name, and whether they name every required one."""
    named = {column.key for column in (column_for_header(table, clean(cell)) for cell in cells) if column}
    return len(named), all(column.key in named for column in table.columns if column.required)


def _header(table: Table, raw: RawSheet) -> tuple[int, tuple, int, bool] | None:
    """The header (its last row's number, cells, how many rows with something in them lie above it,
    whether it spans two rows): the first of the sheet's first HEADER_ROWS rows to name every
    required column, or two of them read as one (a heading merged over both rows, or a group's
    name above its columns' names: the lower row's cell where it has one). When none does, the row
    naming most columns (the first row read if none names any): the missing columns are said of the
    row the sender made the header, not of a title above it. None for an empty sheet."""
    first = next(raw.rows, None)
    if first is None:
        return None
    count, complete = _named(table, first[1])
    if complete:
        return (*first, 0, False)
    best, most = (*first, 0, False), count
    above = [first[1]]
    if raw.columns is not None:  # read whole: the rows after the first are Arrow's
        following = ((raw.first_row + i, tuple(row.values()))
                     for i, row in enumerate(raw.columns.slice(0, HEADER_ROWS - 1).to_pylist()))
    else:
        following = islice(raw.rows, HEADER_ROWS - 1)
    for number, cells in following:
        count, complete = _named(table, cells)
        found = (number, cells, _filled(above), False)
        if not complete:
            both = _both(above[-1], cells)
            if _named(table, both)[1]:
                found, complete = (number, both, _filled(above[:-1]), True), True
        if complete or count > most:
            best, most = found, count
        if complete:
            if raw.columns is not None:
                raw.columns, raw.first_row = raw.columns.slice(number - raw.first_row + 1), number + 1
            return best
        above.append(cells)
    return best


def _both(upper: tuple, lower: tuple) -> tuple:
    """Two header rows read as one: the lower row's cell where it has one."""
    return tuple(low if clean(low) is not None else up for up, low in zip_longest(upper, lower))


def table_by_header(raw: RawSheet) -> Table | None:
    """The one table whose every required column a sheet's first rows name (a row, or two read as
    one), for a sheet named otherwise than import.md says (Sheet1, 资产卡片导出20261130.csv); None
    when no table, or more than one, fits. The rows looked at stay to be read."""
    head = list(islice(raw.rows, 1 if raw.columns is not None else HEADER_ROWS))
    raw.rows = chain(head, raw.rows)
    rows = [cells for _, cells in head]
    if raw.columns is not None:
        rows += [tuple(row.values()) for row in raw.columns.slice(0, HEADER_ROWS - 1).to_pylist()]
    fitting = [table for table in TABLES
               if any(_named(table, cells)[1] for cells in [*rows, *map(_both, rows, rows[1:])])]
    return fitting[0] if len(fitting) == 1 else None


def _tab_separated(table: Table, header: tuple) -> bool:
    """A header read as one cell that names the table's columns when split at tabs."""
    filled = [cell for cell in header if clean(cell) is not None]
    return (len(filled) == 1 and type(filled[0]) is str and "\t" in filled[0].strip(SPACES)
            and _named(table, tuple(filled[0].split("\t")))[0] > 0)


def _filled(rows: list[tuple]) -> int:
    """How many of `rows` hold something (a title, a day), not only empty cells."""
    return sum(any(clean(cell) is not None for cell in cells) for cells in rows)


def parse_header(table: Table, raw: RawSheet, problems: Problems, notes: list[str]) -> ParsedSheet | None:
    """Read the header. None when it is unusable (every problem with it recorded)."""
    found = _header(table, raw)
    if found is None:
        problems.add(Problem(raw.name, 1, None, None, "工作表为空，缺少表头", "empty sheet: no header row"))
        return None
    row, header, passed, two_rows = found
    if raw.text_only and _tab_separated(table, header):
        problems.add(Problem(raw.name, row, None, None, "各列以制表符分隔（如 Excel 的“Unicode 文本”），应为逗号分隔的 CSV："
                                                       "请在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
                             "columns separated by tabs: save the file as comma-separated CSV"))
        return None
    if passed or two_rows:
        rows_zh, rows_en = ((f"第 {row - 1}–{row} 行（两行合并读取）", f"rows {row - 1}-{row} (read as one)")
                            if two_rows else (f"第 {row} 行", f"row {row}"))
        above_zh, above_en = ((f"，其上方的 {passed} 行（标题等）未导入", f": the {passed} row(s) above it were passed over")
                              if passed else ("", ""))
        notes.append(f"{raw.name}：表头在{rows_zh}{above_zh} / header on {rows_en}{above_en}")
    positions: list[tuple[int, Column]] = []
    seen: dict[str, int] = {}
    unknown = []
    for pos, heading in enumerate(header):
        heading = clean(heading)
        if heading is None:
            continue
        column = column_for_header(table, heading)
        if column is None:
            unknown.append(str(heading))
            continue
        if column.key in seen:
            problems.add(Problem(raw.name, row, str(heading), None, "列重复", "duplicate column"))
            continue
        seen[column.key] = pos
        positions.append((pos, column))
    if unknown:
        names = "、".join(unknown)
        notes.append(f"{raw.name}：忽略未知列：{names} / ignored unknown columns: {names}")
    missing = [c for c in table.columns if c.required and c.key not in seen]
    for column in missing:
        problems.add(Problem(raw.name, row, column.zh, None, "缺少必需列", "required column missing"))
    if missing:
        return None
    return ParsedSheet(table, raw, positions, RowParser(table, raw.name, positions, problems, notes), row)


# what an export writes below its rows, not rows of the ledger: a total (合计, 合　计：, 小计 per
# unit) and the form's foot (制表人：张三　审核人：李四　制表日期：2026-11-30)
TOTAL = re.compile(r"(合计|总计|小计|汇总)[:：]?")  # 汇总: the total row Chinese Excel gives a table (表格 → 汇总行)
FOOT = re.compile(r"(单位负责人|财务负责人|负责人|制表人|填表人|填报人|审核人|经办人|(制表|填报|打印|导出)(日期|时间))([:：].*)?")
NOT_IN_WORD = re.compile(r"[\s\u3000]")
SHOWN_TOTALS = 5


def _total_or_foot(cell: object) -> bool:
    """A cell of a total or of the form's foot."""
    if type(cell) is not str or (text := cell_text(cell)) is None:
        return False
    text = NOT_IN_WORD.sub("", text)
    return TOTAL.fullmatch(text) is not None or FOOT.fullmatch(text) is not None


def _numbers(rows: list[int]) -> str:
    """Row numbers as a note says them: 第 12、13 行等共 40 行."""
    n, shown = len(rows), "、".join(f"{number:,}" for number in rows[:SHOWN_TOTALS])
    return f"{shown} 行" + (f"{'等' if n > SHOWN_TOTALS else ''}共 {n:,} 行" if n > 1 else "")


class RowParser:
    """Cell by cell, with every spelling import.md accepts and a message for each problem."""

    def __init__(self, table: Table, sheet: str, positions: list[tuple[int, Column]], problems: Problems,
                 notes: list[str]):
        self.table, self.sheet, self.problems, self.notes = table, sheet, problems, notes
        self.absent = [c for c in table.columns if all(c.key != col.key for _, col in positions)]
        self.plan = [(pos, column, make_parser(column)) for pos, column in positions]
        self.width = max(pos for pos, _ in positions) + 1
        self.numeric_codes = 0
        self.controls = 0  # cells that held control characters
        self.totals: list[int] = []  # the rows passed over as totals or the form's foot
        self.error_rows: list[int] = []  # the rows passed over for holding nothing but error values

    def parse(self, number: int, cells: tuple) -> tuple[dict, bool] | None:
        """(values by key, row is good) of one raw row; None for a blank row."""
        if len(cells) < self.width:
            cells = (*cells, *([None] * (self.width - len(cells))))
        values = [cell_text(v) if type(v) is str else v for v in (cells[pos] for pos, _, _ in self.plan)]
        if any(type(v) is str and CONTROL.search(v) for v in values):
            values = [self._without_controls(number, column, v) for v, (_, column, _) in zip(values, self.plan)]
        if all(v is None for v in values):
            return None  # blank line, common at the end of spreadsheets
        if all(v is None or excel_error(v) is not None for v in values):
            # a formula filled down past the ledger's last row (a VLOOKUP of an empty cell shows #N/A):
            # nothing of an asset in it, so a blank line too, said in a note
            self.error_rows.append(number)
            return None
        if self._is_total_or_foot(cells, values):
            self.totals.append(number)
            return None
        problems, sheet = self.problems, self.sheet
        row: dict = {c.key: c.default for c in self.absent}
        bad: set[str] = set()
        typed = {column.key: value for value, (_, column, _) in zip(values, self.plan)}  # as the user typed it
        for value, (_, column, parse) in zip(values, self.plan):
            if value is None:
                if column.required:
                    problems.add(Problem(sheet, number, column.zh, None, "必填项为空", "required value missing"))
                    bad.add(column.key)
                row[column.key] = column.default
                continue
            try:
                if (code := excel_error(value)) is not None:
                    raise excel_error_problem(code)
                parsed, from_number = parse(value)
            except CellError as err:
                problems.add(Problem(sheet, number, column.zh, shown(value), err.zh, err.en))
                bad.add(column.key)
                row[column.key] = None
                continue
            if from_number:
                self.numeric_codes += 1
                if self.numeric_codes <= 20:
                    self.notes.append(f"{sheet} 第{number}行 {column.zh}「{parsed}」：编码为数字单元格，前导零可能已丢失 / "
                                      "code read from a numeric cell: leading zeros may be lost")
            row[column.key] = parsed
        row["_bad"] = bad
        for key, zh, en in _row_rules(self.table, row):
            column = self.table.column(key)
            problems.add(Problem(sheet, number, column.zh, shown(typed.get(key)), zh, en))
            bad.add(key)
        return row, not bad

    def _is_total_or_foot(self, cells: tuple, values: list) -> bool:
        """A total row or the form's foot: a cell says 合计 (总计, 小计) or 制表人：… (审核人, 制表日期 …),
        the row's key is empty or that word, and a required cell is empty. A row with every required
        cell filled is never one: the fast pass, which takes such rows without asking, and this
        parser agree."""
        by_key = {column.key: v for v, (_, column, _) in zip(values, self.plan)}
        return (any(v is None for v, (_, column, _) in zip(values, self.plan) if column.required)
                and all(by_key.get(key) is None or _total_or_foot(by_key[key]) for key in self.table.keys)
                and any(_total_or_foot(cell) for cell in cells))

    def _without_controls(self, number: int, column: Column, value: object) -> object:
        if type(value) is not str or not CONTROL.search(value):
            return value
        self.controls += 1
        if self.controls <= 20:
            self.notes.append(f"{self.sheet} 第{number}行 {column.zh}：已删除不可见的控制字符 / "
                              "control characters removed")
        return cell_text(CONTROL.sub("", value))

    def finish(self) -> None:
        if self.totals:
            self.notes.append(f"{self.sheet}：第 {_numbers(self.totals)}为合计或表尾（制表人等）行，未导入 / "
                              f"{len(self.totals)} total or footer row(s) passed over")
        if self.error_rows:
            self.notes.append(f"{self.sheet}：第 {_numbers(self.error_rows)}只有公式错误值（如 #N/A），按空行跳过 / "
                              f"{len(self.error_rows)} row(s) of nothing but error values passed over")
        if self.controls > 20:
            self.notes.append(f"{self.sheet}：另有 {self.controls - 20} 个单元格删除了控制字符 / "
                              f"control characters removed from {self.controls - 20} more cells")
        if self.numeric_codes > 20:
            self.notes.append(f"{self.sheet}：另有 {self.numeric_codes - 20} 个编码来自数字单元格 / "
                              f"{self.numeric_codes - 20} more codes read from numeric cells")
