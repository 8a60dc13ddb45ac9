"""The columnar parse agrees with the cell parser on every row: same values staged, same problems,
same notes, whatever the cells (property test), for CSV text and for typed workbook cells."""
from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ledger.importer import stage
from ledger.importer.cells import ExcelError
from ledger.importer.columns import stage_sheet
from ledger.importer.read import RawSheet
from ledger.importer.rows import Problems, parse_header
from ledger.importer.schema import ASSETS, INCOME, TABLES
from tests.helpers import examples

TEXT = ["", " ", "A-1", "　A2　", "0012", "清江市", "=1+1", "x" * 70, "合计", "合　计：", "小计", "汇总", "制表人：张三",  # a total, a foot
        '="0012"', '="A2"', ' ="　B7" ', '=""', '="', '="x"y"', '=" 合计"',  # as an export keeps Excel off its zeros
        "#N/A", " #REF! ", "#", "#N/A2", "＃N/A"]  # Excel's error values as a CSV saves them, and near misses
CELLS = {
    "code": TEXT + ["A1", "A1 ", "B7", "3.715E+17", "3.71500001001e+17", "1E+5", "3.7E17", "E+17"],  # Excel's long codes
    "text": TEXT,
    "date": ['="2024-03-15"', "2024-03-15", "2024/3/15", "2024.3.15", "20240315", "2024-02-30", "2024-13-01", "0000-01-01",
             "２０２４-03-15", "15/03/2024", " 2026-10-31 ", "", "2024/03/05", "2024.12.1", "2024/2/29", "2023/2/29",
             "20241301", "2024/3-15", "2024-3/15", "2024..3", "2024/003/15", "99991231", "00000101", "2024/12/31",
             "2024-03-15 00:00:00", "2024年3月15日"],
    "money": ['="1,234.50"', "0", "12", "12.5", "12.50", "12.505", "1,234.56", "￥12", "-1", "1e3", "9" * 16, "9" * 12, "1" + "0" * 12,
              ".5", "１２", "", "￥ 1,234.50", "¥12", "1,234", "12,34", "1,234.567", "12.500", " 1,000 ", "￥-5",
              "999,999,999,999.99", "1,000,000,000,000", "0012", "1,2345", ",123", "￥", "12.", "0.01"],
    "int": ["0", "3", "-1", "3.0", "１", "²", "999999999", "1000000000", "x", ""],
    "bool": ["是", "否", "Y", "n", "TRUE", "False", "1", "0", "maybe", "", "√", "×"],
    "enum": ["闲置", "idle", "IDLE", "在用", "出租收入", "lease", "处置收入", "调剂", "已调剂", "本地区", "bogus", ""],
}
# typed workbook cells, as python-calamine hands them over
TYPED = [None, 12.0, 12.5, 3, True, False, 0, 1, 20240315, 20240230, dt.date(2024, 3, 15),
         dt.datetime(2024, 3, 15, 8, 0), -5.0, 1e20, 0.1 + 0.2, 3.715000010010001e17, 999999999999999.0,
         ExcelError("#N/A"), ExcelError("#VALUE!")]


# spellings each kind takes, in the forms field exports use: a row of these is one the fast pass
# takes whole (most drawn rows of CELLS have a cell it leaves, and so never test what it stages)
GOOD = {"code": ["A1", "B7", "0012", '="0012"'], "text": ["车", " 院内 ", "清江市"],
        "date": ["2024-03-15", "2024/3/5", "2024.12.1", "20240315", '="2024-03-15"'],
        "money": ["12", "1,234.50", "￥ 1,234.50", "0", '="1,234.50"'], "int": ["0", "3", " 2 "],
        "bool": ["是", "否", "Y", "false"]}


# …and as a workbook's typed cells hold them (python-calamine's floats, ints, dates and booleans)
GOOD_TYPED = {"code": [12.0], "text": [], "date": [dt.date(2024, 3, 15), 20240315], "money": [12.0, 1234.5, 0.0],
              "int": [3.0, 0], "bool": [True, False, 1]}


def good_cell(column, typed: bool = False):
    spellings = list(column.choices) if column.kind == "enum" else GOOD[column.kind]
    spellings = spellings + (GOOD_TYPED.get(column.kind, []) if typed else [])
    return st.sampled_from(spellings + ([] if column.required else [""]))  # an optional one may be empty


def sheet_rows(table, draw_cell, typed: bool = False):
    header = [c.zh for c in table.columns]
    row = st.one_of(st.tuples(*[draw_cell(c) for c in table.columns]),
                    st.tuples(*[good_cell(c, typed) for c in table.columns]))
    return header, st.lists(row, min_size=1, max_size=12)


DUCK = duckdb.connect()


def parse(table, header, rows, fast: bool, arrow: bool = False, above: int = 0):
    """`arrow`: the rows handed over as a CSV file read whole by Arrow is (read.RawSheet.columns);
    `above`: so many title lines above the header, as an export of the budget system carries."""
    problems, notes = Problems(cap=10_000), []
    titles = [(f"第{i + 1}行：资产信息导出",) + ("",) * (len(header) - 1) for i in range(above)]
    lines = [*titles, tuple(header), *map(tuple, rows)]
    raw = RawSheet(table.zh, iter(enumerate(lines, start=1)))
    if arrow:
        cells = list(zip(*lines[1:])) if lines[1:] else [()] * len(header)
        raw = RawSheet(table.zh, iter([(1, lines[0])]), text_only=True,
                       columns=pa.table({f"c{i}": pa.array(column, pa.string()) for i, column in enumerate(cells)}))
    stage_sheet(DUCK, parse_header(table, raw, problems, notes), 3, fast=fast)
    staged = DUCK.execute(f"SELECT * FROM {stage.stage_name(table)} ORDER BY row_no").fetchall()
    return [str(p) for p in problems.items], notes, [tuple(r) for r in staged]


def agree(table, header, rows, arrow: bool = False, above: int = 0):
    reference = parse(table, header, rows, fast=False, above=above)
    assert parse(table, header, rows, fast=True, above=above) == reference
    if arrow:
        assert parse(table, header, rows, fast=True, arrow=True, above=above) == reference
        assert parse(table, header, rows, fast=False, arrow=True, above=above) == reference
    if above:  # the same rows staged as without the titles, each numbered as the file numbers it
        plain = parse(table, header, rows, fast=False)[2]
        assert [(row[0] - above, *row[1:]) for row in reference[2]] == plain


def text_cell(column):
    return st.sampled_from(CELLS[column.kind])


def workbook_cell(column):
    return st.one_of(st.sampled_from(CELLS[column.kind]), st.sampled_from(TYPED))


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_csv_text_parses_the_same_both_ways(data):
    above = data.draw(st.integers(0, 3))
    for table in TABLES:
        header, rows = sheet_rows(table, text_cell)
        agree(table, header, data.draw(rows), arrow=True, above=above)


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_workbook_cells_parse_the_same_both_ways(data):
    for table in (ASSETS, INCOME):
        header, rows = sheet_rows(table, workbook_cell, typed=True)
        agree(table, header, data.draw(rows))


def test_short_rows_blank_rows_and_absent_columns(tmp_path):
    header = ["资产编号", "单位编码", "资产名称", "资产分类", "原值", "取得日期", "使用状况", "状况起始日期"]
    rows = [("A1", "U1", "车", "车辆", "10", "2024-01-01", "闲置", "2024-02-01"),
            ("", "", "", "", "", "", "", ""),
            ("A2", "U1", "车"),
            ("A3", "U1", "车", "车辆", "10", "2024-01-01", "闲置", "2023-12-31")]
    fast = parse(ASSETS, header, rows, fast=True)
    assert fast == parse(ASSETS, header, rows, fast=False)
    problems, _, staged = fast
    assert [r[0] for r in staged] == [2, 4, 5]  # the blank row is skipped
    assert any("第5行 状况起始日期" in p for p in problems)  # before the acquisition date
    photo = [c.key for c in ASSETS.columns].index("photo_count") + 1
    assert staged[0][photo] == 0  # an absent column takes its default


def test_an_empty_cell_of_a_column_with_a_default_takes_it_in_both_passes():
    """照片数, 是否共享共用 and 上缴金额 left empty mean 0, 否 and 0: the cell parser said so and the
    vectorised pass staged NULL, which the ledger's NOT NULL columns refused (a crash, not a message).
    A cell that does not parse is still refused, not taken for the default."""
    header = ["资产编号", "单位编码", "资产名称", "资产分类", "原值", "取得日期", "使用状况", "状况起始日期", "照片数", "是否共享共用"]
    rows = [("A1", "U1", "车", "车辆", "10", "2024-01-01", "闲置", "2024-02-01", "", ""),
            ("A2", "U1", "车", "车辆", "10", "2024-01-01", "闲置", "2024-02-01", "x", "也许")]
    fast = parse(ASSETS, header, rows, fast=True)
    assert fast == parse(ASSETS, header, rows, fast=False)
    problems, _, staged = fast
    keys = [c.key for c in ASSETS.columns]
    photos, shared = keys.index("photo_count") + 1, keys.index("shared") + 1
    assert (staged[0][photos], staged[0][shared]) == (0, False)
    assert [p.split("：")[0] for p in problems] == ["资产卡片 第3行 照片数「x」", "资产卡片 第3行 是否共享共用「也许」"]
    header = [c.zh for c in INCOME.columns]
    row = ("S1", "A1", "出租收入", "2024-03-15", "1,234.50", "", "", "")
    assert parse(INCOME, header, [row], fast=True) == parse(INCOME, header, [row], fast=False)
    assert parse(INCOME, header, [row], fast=True)[2][0][-1] == 0


def test_every_accepted_spelling_is_read_by_the_vectorised_pass(monkeypatch):
    """A field export in the other spellings import.md accepts never falls back to the row-by-row
    parser: only a cell no spelling accepts does (and is reported from there)."""
    from ledger.importer import columns
    sent = []
    real = columns._slow
    monkeypatch.setattr(columns, "_slow", lambda parser, writer, number, cells: (sent.append(number),
                                                                                   real(parser, writer, number, cells)))
    header = ["资产编号", "单位编码", "资产名称", "资产分类", "原值", "净值", "取得日期", "使用状况", "状况起始日期", "是否共享共用"]
    messy = [("A1", "U1", "车", "车辆", "￥ 1,234.50", "1,000", "2021/3/5", "闲置", "20240315", "Y"),
             ("A2", "U1", "桌", "家具用具", "¥12", " 11.5 ", "2021.12.1", "在用", "2024/03/05", "是"),
             ("A3", "U1", "椅", "家具用具", "999,999,999,999.99", "0", "20210101", "idle", "2024.3.15", "false"),
             ("A4", "U1", "柜", "家具用具", "12.505", "", "2021-02-30", "闲置", "2024-01-01", "maybe")]
    problems, _, staged = parse(ASSETS, header, messy, fast=True)
    assert sent == [5]  # the fourth row only: three decimals, a day that does not exist, not a yes/no
    assert [r[1:] for r in staged[:3]] == [r[1:] for r in parse(ASSETS, header, messy[:3], fast=False)[2]]
    assert any("第5行" in p and "原值" in p for p in problems)


def test_excel_error_values_are_refused_by_both_passes_and_near_misses_taken():
    """Excel shows #N/A where a VLOOKUP found nothing and saves it so to CSV; in a workbook the cell
    is an error cell. Either way it is not an asset's name or place: each pass refuses it naming
    its cell, and a name that only looks like one (#N/A2, a lone #) is a name."""
    header = ["资产编号", "单位编码", "资产名称", "资产分类", "原值", "取得日期", "使用状况", "状况起始日期", "存放地点"]
    good = ("A1", "U1", "车", "车辆", "10", "2024-01-01", "闲置", "2024-02-01", "院内")
    rows = [good[:2] + ("#N/A",) + good[3:], good[:8] + (" #REF! ",), ("A3",) + good[1:2] + ("#N/A2",) + good[3:8] + ("#",),
            ("A4", ExcelError("#N/A")) + good[2:]]
    fast = parse(ASSETS, header, rows, fast=True)
    assert fast == parse(ASSETS, header, rows, fast=False)
    problems, _, staged = fast
    assert [p.split("：")[0] for p in problems] == ["资产卡片 第2行 资产名称「#N/A」", "资产卡片 第3行 存放地点「#REF!」",
                                                  "资产卡片 第5行 单位编码「#N/A」"]
    assert "资产卡片 第2行 资产名称「#N/A」：Excel 错误值，公式没有得出结果（查找不到值，如 VLOOKUP 未找到）" in problems[0]
    assert [(r[0], r[3]) for r in staged if r[0] == 4] == [(4, "#N/A2")]
