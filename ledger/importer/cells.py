"""Cell parsing: every spelling of dates, money, yes/no and codes that import.md accepts."""
from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Callable

from ledger.errors import UserError
from ledger.importer.schema import Column


class CellError(UserError):
    """A cell that cannot be read; `zh` and `en` say why."""


MAX_FEN = 10**14  # amounts under 1 万亿元: far above any asset, far below what a BIGINT holds
MAX_INT = 999_999_999  # counts (photos) fit an INTEGER column on every database
SPACES = " \t\r\n\u3000\u00a0\ufeff"
_DATE_SEP = re.compile(r"^(\d{4})([-/.])(\d{1,2})\2(\d{1,2})$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_MONEY = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$|^\.\d+$")
TRUE_WORDS = ("是", "y", "yes", "true", "1")
FALSE_WORDS = ("否", "n", "no", "false", "0")


# Excel's error values: what a cell shows when its formula gave no result (a VLOOKUP that found
# nothing, a reference to a deleted column), each with what a user would check first
EXCEL_ERRORS = {"#N/A": "查找不到值，如 VLOOKUP 未找到", "#REF!": "引用的单元格已被删除",
                "#VALUE!": "参与计算的值类型不对", "#DIV/0!": "除数为零", "#NAME?": "公式中的函数或名称无法识别",
                "#NUM!": "数值无效", "#NULL!": "引用的区域没有交集", "#SPILL!": "结果溢出区域被占用",
                "#CALC!": "计算出错", "#GETTING_DATA": "数据尚未取回"}


class ExcelError:
    """A workbook cell holding one of Excel's error values (calamine reads it as an empty cell)."""
    __slots__ = ("code",)

    def __init__(self, code: str):
        self.code = code

    def __str__(self) -> str:
        return self.code

    def __repr__(self) -> str:
        return f"ExcelError({self.code!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExcelError) and other.code == self.code

    def __hash__(self) -> int:
        return hash(("ExcelError", self.code))


def excel_error(value: object) -> str | None:
    """The error value a cell holds: a workbook's error cell, or its text in a CSV Excel saved."""
    if isinstance(value, ExcelError):
        return value.code
    return value if type(value) is str and value in EXCEL_ERRORS else None


def excel_error_problem(code: str) -> CellError:
    why = EXCEL_ERRORS.get(code)
    # the problem names the cell and its value (#N/A) beside this: said once, short enough for a grid
    return CellError(f"Excel 错误值，公式没有得出结果{f'（{why}）' if why else ''}：请改正公式或填入正确的值",
                     f"the cell holds Excel's error value {code}: its formula gave no result; "
                     "correct the formula or enter the value")


def clean(value: object) -> object:
    """Strip ASCII and full-width spaces from text; '' becomes None."""
    if isinstance(value, str):
        value = value.strip(SPACES)
        return value or None
    return value


def cell_text(text: str) -> str | None:
    """A text cell as the importer reads it: spaces stripped, and a value an export wrote as ="0012"
    (so that Excel keeps its leading zeros) unwrapped; None when nothing is left."""
    text = text.strip(SPACES)
    if len(text) >= 3 and text.startswith('="') and text.endswith('"'):
        text = text[2:-1].strip(SPACES)
    return text or None


def parse_date(value: object) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(text, str):
        match = _DATE_SEP.match(text) or _DATE_COMPACT.match(text)
        if match:
            parts = match.groups()
            year, month, day = (int(parts[0]), int(parts[-2]), int(parts[-1]))
            try:
                return dt.date(year, month, day)
            except ValueError:
                raise CellError("日期不存在", "no such date") from None
    if (day := _excel_serial(value)) is not None:
        serial = (day - EXCEL_EPOCH).days
        raise CellError(f"日期格式无法识别：{serial} 像是 Excel 的日期序号（即 {day.isoformat()}），"
                        "单元格失去了日期格式；请把该列设为日期格式后重新导出",
                        f"unrecognised date: {serial} looks like an Excel date serial ({day.isoformat()}) "
                        "that lost its date format; format the column as dates and export it again")
    if isinstance(text, str) and (said := _said_otherwise(text)) is not None:
        raise CellError(*said)
    raise CellError("日期格式无法识别（应为 2024-03-15、2024/3/15、2024.3.15 或 20240315）",
                    "unrecognised date (use 2024-03-15, 2024/3/15, 2024.3.15 or 20240315)")


# two spellings import.md does not take but systems and people write: a date with its time, as a
# database's export gives it (2024-03-15 00:00:00), and 2024年3月15日
_WITH_TIME = re.compile(r"^(\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_IN_WORDS = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")


def _said_otherwise(text: str) -> tuple[str, str] | None:
    """(zh, en) saying how to write a date written with its time or in words; None for anything
    else, or a day that does not exist."""
    try:
        if match := _WITH_TIME.match(text):
            day = parse_date(match.group(1)).isoformat()
            return (f"日期格式无法识别：日期带有时间，应只写日期 {day}（在 Excel 中把该列设为日期格式，或删去时间）",
                    f"unrecognised date: it carries a time; write the date only, {day}")
        if match := _IN_WORDS.match(text):
            day = dt.date(*map(int, match.groups())).isoformat()
            return (f"日期格式无法识别：应写作 {day}（或 2024/3/15、2024.3.15、20240315 的写法）",
                    f"unrecognised date: write {day} (or as 2024/3/15, 2024.3.15, 20240315)")
    except (CellError, ValueError):  # no such day: the plain message
        return None
    return None


EXCEL_EPOCH = dt.date(1899, 12, 30)  # day 0 of Excel's (1900) date system, its leap day of 1900 included


def _excel_serial(value: object) -> dt.date | None:
    """The day a whole number in a date column stands for when it is an Excel date serial that lost
    its format (45366 is 2024-03-15): from 1950 to 2099, where a ledger's dates are."""
    if isinstance(value, str) and value.isascii() and value.isdecimal():  # a CSV of such a sheet
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not float(value).is_integer():
        return None
    if not 0 < value < 100_000:
        return None
    day = EXCEL_EPOCH + dt.timedelta(days=int(value))
    return day if 1950 <= day.year <= 2099 else None


# what binary arithmetic on amounts of up to some 4 billion yuan errs by, in yuan: a formula's result
# within it of a fen is that fen; a third decimal (0.001) is a thousand times more
FEN_NOISE = 1e-6


def money_text(value: float) -> str:
    """A number cell of money as text: the fen it is, where a formula worked out in binary left it a
    hair off (原值 − 累计折旧 = 5826.86 − 5242.80 = 584.0599999999995 is 584.06, as Excel shows it);
    else the shortest text that round-trips (12345.67, not 12345.6699999…)."""
    fen = round(value * 100)
    return f"{fen / 100:.2f}" if abs(value - fen / 100) < FEN_NOISE else repr(value)


def parse_money(value: object) -> int:
    """Yuan with at most 2 decimals -> integer fen."""
    if isinstance(value, bool):
        raise CellError("金额格式无法识别", "not an amount")
    if isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, float):
        amount = Decimal(money_text(value))
    else:
        text = str(value)
        for symbol in ("￥", "¥"):
            text = text.replace(symbol, "")
        text = text.strip(SPACES)
        negative = text.startswith("-")
        if negative:
            raise CellError("金额不能为负数", "amount must not be negative")
        if not _MONEY.match(text):
            raise CellError("金额格式无法识别（如 12345.67、12,345.67、￥12345.67）",
                            "not an amount (e.g. 12345.67, 12,345.67, ￥12345.67)")
        try:
            amount = Decimal(text.replace(",", ""))
        except InvalidOperation:
            raise CellError("金额格式无法识别", "not an amount") from None
    if amount < 0:
        raise CellError("金额不能为负数", "amount must not be negative")
    fen = amount * 100
    if fen != fen.to_integral_value():
        raise CellError("金额最多保留两位小数", "amount has more than 2 decimals")
    if fen >= MAX_FEN:
        raise CellError("金额过大（应小于 1 万亿元）", "amount too large (must be under 10^12 yuan)")
    return int(fen)


# a form's tick and cross for yes and no: not import.md's words, but a message can say which they stand for
TICKS, CROSSES = ("√", "✓", "✔", "☑", "对"), ("×", "✗", "✘", "☒", "x", "错")


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = str(int(value)) if isinstance(value, (int, float)) and float(value).is_integer() else str(value)
    text = text.lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    meant = "是" if text in TICKS else "否" if text in CROSSES else None
    hint = f"；「{value}」请写作「{meant}」" if meant else ""
    raise CellError(f"是/否 无法识别（是/否、Y/N、true/false、1/0）{hint}",
                    "not a yes/no value (是/否, Y/N, true/false, 1/0)" + (f"; write {meant} for {value}" if meant else ""))


def parse_int(value: object) -> int:
    if isinstance(value, bool):
        raise CellError("应为非负整数", "must be a whole number ≥ 0")
    # a count a formula worked out in binary (金额 ÷ 单价 = 2.9999999999999996) is the whole number it shows
    if isinstance(value, float) and math.isfinite(value) and abs(value - round(value)) < 1e-9:
        value = round(value)
    if isinstance(value, str) and value.isdecimal():
        value = int(value)
    if not isinstance(value, int) or value < 0:
        raise CellError("应为非负整数", "must be a whole number ≥ 0")
    if value > MAX_INT:
        raise CellError(f"数值过大（应不超过 {MAX_INT:,}）", f"number too large (at most {MAX_INT:,})")
    return value


# Excel keeps 15 significant digits of a number: a longer code typed into a number cell has its
# later digits turned to 0, and Excel shows (and saves to CSV) such a number as 3.71500E+17. Either
# way the code's digits are gone; taken as they are, next month's corrected file would hold other assets.
EXCEL_DIGITS = 15
SCIENTIFIC = re.compile(r"[0-9]([.][0-9]+)?[Ee][+][0-9]{1,3}")  # the same in DuckDB's RE2, for the fast pass
AS_TEXT = "请在 Excel 中把该列设为文本、重新录入或从系统重新导出"


def code_text(text: str) -> str:
    """A code cell's text, refused where it is Excel's scientific notation of a long number."""
    if SCIENTIFIC.fullmatch(text):
        raise CellError(f"编码是科学计数法：Excel 把长数字编码改写了，其后各位已丢失；{AS_TEXT}",
                        "a code in scientific notation: Excel rewrote a long numeric code and its digits are lost; "
                        "set the column to text and export it again")
    return text


# ASCII typed in a Chinese input method's full-width mode (全角: ３７１５００, ＺＣ０００１): another
# code to the database, the same to a reader's eye
FULL_WIDTH = re.compile("[\uff01-\uff5e]")
# a numeric code a program wrote as a decimal (371500001001.0: a column read as numbers and written
# back, as scripts and some systems' exports do)
DECIMAL_CODE = re.compile(r"([0-9]+)[.]0+")


def code_hint(value: object) -> tuple[str, str]:
    """(zh, en) to add to the message on a code refused for naming nothing or being malformed, saying
    the code it looks like: typed in full width, or a number written with .0; empty otherwise."""
    if type(value) is not str:
        return "", ""
    if FULL_WIDTH.search(value):
        half = FULL_WIDTH.sub(lambda m: chr(ord(m.group()) - 0xFEE0), value)
        return f"；其中含全角字符，应为半角：{half}", f"; it holds full-width characters: {half} in half width"
    if match := DECIMAL_CODE.fullmatch(value):
        return (f"；像是数字编码被写成了小数，应为 {match.group(1)}",
                f"; a numeric code written as a decimal: {match.group(1)}")
    return "", ""


def parse_code(value: object) -> tuple[str, bool]:
    """A code as text; the flag says it came from a numeric cell (leading zeros may be lost)."""
    if isinstance(value, bool):
        raise CellError("编码应为文本", "a code must be text")
    if isinstance(value, (int, float)) and abs(value) >= 10 ** EXCEL_DIGITS:
        raise CellError(f"编码是 16 位以上的数字单元格：Excel 只保留 {EXCEL_DIGITS} 位有效数字，其后各位已变为 0；{AS_TEXT}",
                        f"a code of 16 or more digits held as a number: Excel keeps {EXCEL_DIGITS} significant "
                        "digits and the rest became 0; set the column to text and export it again")
    if isinstance(value, float) and value.is_integer():
        return str(int(value)), True
    if isinstance(value, (int, float)):
        return str(value), True
    if isinstance(value, (dt.date, dt.datetime)):
        raise CellError("编码应为文本，不能是日期", "a code must be text, not a date")
    return str(value), False


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_PLAIN_MONEY = re.compile(r"^(\d+)(?:\.(\d{1,2}))?$")


def _date_text(value: object) -> str:
    """A date as ISO text: validated, and cheap for cells already written 2024-03-15."""
    if type(value) is str and _ISO_DATE.match(value):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            raise CellError("日期不存在", "no such date") from None
        return value
    return parse_date(value).isoformat()


def _money_fen(value: object) -> int:
    if type(value) is str:
        match = _PLAIN_MONEY.match(value)
        if match and len(match.group(1)) <= 12:  # longer: parse_money says it is too large
            whole, frac = match.groups()
            return int(whole) * 100 + (int(frac.ljust(2, "0")) if frac else 0)
    return parse_money(value)


def _text(value: object) -> str:
    if type(value) is str:
        return value
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


# characters no spreadsheet may hold (openpyxl refuses them): removed on import, with a note
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
CONTROL_SQL = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"  # the same class in DuckDB's RE2 syntax


def _bounded(parse: Callable[[object], tuple[object, bool]], limit: int) -> Callable[[object], tuple[object, bool]]:
    def parse_bounded(value: object) -> tuple[object, bool]:
        text, from_number = parse(value)
        if len(text) > limit:
            raise CellError(f"内容过长（{len(text):,} 个字符，最多 {limit} 个）",
                            f"too long ({len(text):,} characters, at most {limit})")
        return text, from_number
    return parse_bounded


def make_parser(column: Column) -> Callable[[object], tuple[object, bool]]:
    """The parser of one column: cleaned, non-empty cell -> (value, read from a numeric code cell).

    Dates come out as ISO text: they compare correctly as text and load into a DATE column as is.
    """
    kind = column.kind
    if kind == "code":
        return _bounded(lambda v: (code_text(v), False) if type(v) is str else parse_code(v), column.max_chars)
    if kind == "text":
        return _bounded(lambda v: (_text(v), False), column.max_chars)
    if kind == "date":
        return lambda v: (_date_text(v), False)
    if kind == "money":
        return lambda v: (_money_fen(v), False)
    if kind == "int":
        return lambda v: (parse_int(v), False)
    if kind == "bool":
        return lambda v: (parse_bool(v), False)
    if kind == "enum":
        choices = column.choices
        shown = "、".join(k for k in choices if not k.isascii())

        def parse_enum(value: object) -> tuple[str, bool]:
            text = str(value)
            key = choices.get(text) or choices.get(text.lower())
            if key is None:
                raise CellError(f"取值无效，应为：{shown}", f"invalid value, expected one of: {shown}")
            return key, False
        return parse_enum
    raise AssertionError(kind)
