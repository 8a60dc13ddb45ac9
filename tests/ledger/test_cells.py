import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ledger.importer.cells import DECIMAL_CODE, CellError, clean, code_hint, parse_bool, parse_date, parse_int, parse_money

fens = st.integers(min_value=0, max_value=10**13)
dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))


@given(fens, st.sampled_from(["plain", "commas", "yen", "padded", "float"]))
def test_money_spellings_parse_to_the_fen(fen, spelling):
    yuan = f"{fen // 100}.{fen % 100:02d}"
    text = {"plain": yuan, "commas": f"{fen // 100:,}.{fen % 100:02d}", "yen": "￥" + yuan,
            "padded": f"\u3000 {yuan} ", "float": float(yuan)}[spelling]
    value = clean(text) if isinstance(text, str) else text
    if spelling == "float" and fen >= 2**53 // 100:
        return  # beyond a double's exact range a spreadsheet cannot hold the fen either
    assert parse_money(value) == fen


@given(st.integers(0, 10**11), st.integers(0, 10**11), st.sampled_from(["-", "+"]))
def test_an_amount_excel_worked_out_reads_as_excel_shows_it(first, second, operation):
    """原值 − 累计折旧 in a formula cell, amounts up to a billion yuan: Excel's binary result
    (5826.86 − 5242.80 = 584.0599999999995) shows, and is, 584.06."""
    high, low = max(first, second), min(first, second)
    value = high / 100 - low / 100 if operation == "-" else high / 100 + low / 100
    assert parse_money(value) == (high - low if operation == "-" else high + low)


@given(st.integers(0, 10**6), st.integers(1, 10**6))
def test_a_count_a_formula_worked_out_is_that_count(count, price_fen):
    """数量 = 金额 ÷ 单价 in a formula cell: 2.9999999999999996 is 3; 3.5 is still refused."""
    assert parse_int(count * (price_fen / 100) / (price_fen / 100)) == count
    with pytest.raises(CellError):
        parse_int(count + 0.5)


def test_an_amount_with_a_third_decimal_is_still_refused():
    for value in (1234.567, 1234.56001, 0.005, 0.0001):
        with pytest.raises(CellError, match="两位小数"):
            parse_money(value)


@given(dates, st.sampled_from([int, float, str]))
def test_a_date_that_lost_its_format_is_named_as_the_day_it_was(date, form):
    """A date column pasted as values shows Excel's serial (45366): refused, saying which day it was."""
    serial = (date - dt.date(1899, 12, 30)).days
    with pytest.raises(CellError, match=f"像是 Excel 的日期序号（即 {date.isoformat()}）"):
        parse_date(form(serial))


@given(dates, st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}/{m}/{d}", "{y}.{m}.{d}", "{y}{m:02d}{d:02d}"]))
def test_date_spellings_parse(date, pattern):
    assert parse_date(pattern.format(y=date.year, m=date.month, d=date.day)) == date


@given(dates, st.sampled_from(["{y}-{m:02d}-{d:02d} 00:00:00", "{y}/{m}/{d} {h}:{mi:02d}", "{y}-{m:02d}-{d:02d}T{h:02d}:{mi:02d}:00.000",
                               "{y}年{m}月{d}日", "{y}年{m:02d}月{d:02d}日"]),
       st.integers(0, 23), st.integers(0, 59))
def test_a_date_with_its_time_or_in_words_is_refused_saying_how_to_write_it(date, pattern, hour, minute):
    """import.md takes four spellings; a database export's 2024-03-15 00:00:00 and 2024年3月15日 are
    still refused, the message giving the day as it should be written."""
    text = pattern.format(y=date.year, m=date.month, d=date.day, h=hour, mi=minute)
    with pytest.raises(CellError) as refused:
        parse_date(text)
    assert f"{'应只写日期' if ':' in text else '应写作'} {date.isoformat()}" in refused.value.zh


@given(st.text(max_size=12))
def test_date_parsing_never_crashes_on_text(text):
    try:
        parse_date(text)
    except CellError:
        pass


@pytest.mark.parametrize("text", ["1,23.45", "12.3.4", "1e5", "--1", "12,34", "￥", "NaN"])
def test_malformed_money_is_refused(text):
    with pytest.raises(CellError):
        parse_money(text)


@pytest.mark.parametrize("text, value", [("是", True), ("否", False), ("Y", True), ("n", False),
                                         ("TRUE", True), ("false", False), ("1", True), ("0", False), (1, True)])
def test_yes_no_spellings(text, value):
    assert parse_bool(text) is value


def test_excel_date_cells_are_dates():
    assert parse_date(dt.datetime(2024, 3, 15, 0, 0)) == dt.date(2024, 3, 15)
    assert parse_date(20240315) == dt.date(2024, 3, 15)
    with pytest.raises(CellError):
        parse_date(45366)  # an unformatted serial number is not a date the spec accepts


@pytest.mark.parametrize("value", ["99999999999999999999999", 1e20, "1000000000000", 10**12])
def test_amounts_of_a_trillion_yuan_or_more_are_refused_not_overflowed(value):
    with pytest.raises(CellError, match="金额过大"):
        parse_money(value)
    assert parse_money("999999999999.99") == 99999999999999


@pytest.mark.parametrize("value", [1e20, "1000000000", 10**10])
def test_counts_beyond_an_integer_column_are_refused(value):
    with pytest.raises(CellError, match="数值过大"):
        parse_int(value)


@pytest.mark.parametrize("value", ["²", "-1", "3.5", True])
def test_counts_that_are_not_whole_numbers_are_refused(value):
    with pytest.raises(CellError, match="非负整数"):
        parse_int(value)


@given(st.text(st.characters(min_codepoint=0x21, max_codepoint=0x7E), min_size=1, max_size=14),
       st.integers(0, 10**15), st.integers(1, 3))
def test_a_code_that_names_nothing_is_told_the_code_it_looks_like(code, number, zeros):
    """Typed in full width (any printable ASCII shifted to U+FF01–FF5E) or written as a decimal by a
    script: the hint gives the code back; a code as it should be gets none."""
    wide = "".join(chr(ord(ch) + 0xFEE0) for ch in code)
    assert code_hint(wide)[0] == f"；其中含全角字符，应为半角：{code}"
    assert code_hint(f"{number}." + "0" * zeros)[0] == f"；像是数字编码被写成了小数，应为 {number}"
    if not DECIMAL_CODE.fullmatch(code):
        assert code_hint(code) == ("", "")
