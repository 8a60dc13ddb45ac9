"""Import: every error kind names sheet, row, column and value and writes nothing."""
from __future__ import annotations

import datetime as dt

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from ledger.importer import import_path
from ledger.models import Asset, ImportRecord, Listing, Plan, StatusChange, Unit
from tests.factories import LedgerBuilder
from tests.helpers import as_xls, schema


def base() -> LedgerBuilder:
    b = LedgerBuilder().unit("U1").unit("U2")
    b.asset("A1", unit="U1").asset("A2", unit="U2")
    return b


def count(engine, model) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


def failing(engine, config, folder, builder):
    """Import `builder` on top of a loaded ledger; assert it fails and changed nothing."""
    base().load(engine, config, folder / "first")
    before = [count(engine, m) for m in (Unit, Asset, StatusChange, Plan)]
    result = import_path(engine, builder.write(folder / "bad"), config)
    assert not result.ok
    assert [count(engine, m) for m in (Unit, Asset, StatusChange, Plan)] == before
    return [str(p) for p in result.problems]


def edit(table, index, **cells):
    b = base()
    b.tables[table][index].update(cells)
    return b


@pytest.mark.parametrize("builder, expected", [
    (edit("assets", 0, acquired_on="2024-13-01"), "资产卡片.csv 第2行 取得日期「2024-13-01」：日期不存在"),
    (edit("assets", 1, acquired_on="15/03/2024"), "资产卡片.csv 第3行 取得日期「15/03/2024」：日期格式无法识别"),
    (edit("assets", 1, acquired_on="2019-03-15 00:00:00"),  # as a database's export writes it
     "资产卡片.csv 第3行 取得日期「2019-03-15 00:00:00」：日期格式无法识别：日期带有时间，应只写日期 2019-03-15"),
    (edit("assets", 1, acquired_on="2019年3月15日"), "资产卡片.csv 第3行 取得日期「2019年3月15日」：日期格式无法识别：应写作 2019-03-15"),
    (edit("assets", 0, original_value="-5"), "资产卡片.csv 第2行 原值「-5」：金额不能为负数"),
    (edit("assets", 0, original_value="12.345"), "资产卡片.csv 第2行 原值「12.345」：金额最多保留两位小数"),
    (edit("assets", 0, original_value="十二元"), "资产卡片.csv 第2行 原值「十二元」：金额格式无法识别"),
    (edit("assets", 0, shared="也许"), "资产卡片.csv 第2行 是否共享共用「也许」：是/否 无法识别"),
    (edit("assets", 0, shared="√"), "资产卡片.csv 第2行 是否共享共用「√」：是/否 无法识别（是/否、Y/N、true/false、1/0）；「√」请写作「是」"),
    (edit("assets", 0, shared="×"), "资产卡片.csv 第2行 是否共享共用「×」：是/否 无法识别（是/否、Y/N、true/false、1/0）；「×」请写作「否」"),
    (edit("assets", 0, category="飞机"), "资产卡片.csv 第2行 资产分类「飞机」：取值无效"),
    (edit("assets", 0, status="坏了"), "资产卡片.csv 第2行 使用状况「坏了」：取值无效"),
    (edit("assets", 0, asset_name=""), "资产卡片.csv 第2行 资产名称：必填项为空"),
    (edit("assets", 0, photo_count="-1"), "资产卡片.csv 第2行 照片数「-1」：应为非负整数"),
    (edit("assets", 0, status_since="2019-12-31"), "资产卡片.csv 第2行 状况起始日期「2019-12-31」：早于取得日期"),
    (edit("assets", 1, asset_code="A1"), "资产卡片.csv 第3行 资产编号「A1」：与第 2 行重复"),
    (edit("assets", 1, unit_code="NOPE"), "资产卡片.csv 第3行 单位编码「NOPE」：单位编码不存在"),
    # typed in a Chinese input method's full-width mode: told what it is in half width
    (edit("assets", 1, unit_code="Ｕ２"),
     "资产卡片.csv 第3行 单位编码「Ｕ２」：单位编码不存在（本文件和已导入数据中都没有）；其中含全角字符，应为半角：U2"),
    (edit("units", 0, region_code="９９０１００"),
     "单位.csv 第2行 区划编码「９９０１００」：区划编码应为 6 位数字（GB/T 2260）；其中含全角字符，应为半角：990100"),
    # a numeric code a script wrote back as a decimal
    (edit("assets", 1, unit_code="371500001001.0"),
     "资产卡片.csv 第3行 单位编码「371500001001.0」：单位编码不存在（本文件和已导入数据中都没有）；像是数字编码被写成了小数，应为 371500001001"),
    (edit("units", 0, region_code="990100.0"),
     "单位.csv 第2行 区划编码「990100.0」：区划编码应为 6 位数字（GB/T 2260）；像是数字编码被写成了小数，应为 990100"),
    (edit("units", 0, region_code="9901"), "单位.csv 第2行 区划编码「9901」：区划编码应为 6 位数字"),
    (edit("units", 0, region_code="990100000000"),  # the statistics bureau's 12 digits: told which 6 to take
     "单位.csv 第2行 区划编码「990100000000」：区划编码应为 6 位数字（GB/T 2260）；12 位统计用区划代码请取前 6 位（990100）"),
    (edit("units", 1, dept_code="D1", region_code="990122"),
     "单位.csv 第3行 区划编码「990122」：主管部门 D1 的单位须属同一区划：第 2 行为 990100"),
    (edit("units", 1, dept_code="D9", region_code="990200"), "单位.csv 第3行 区划编码「990200」：不属于示范市（990100）或其所辖县区"),
    (base().change("A9", "2021-01-01", "闲置"), "状况变动.csv 第2行 资产编号「A9」：资产编号不存在"),
    (base().change("Ａ1", "2021-01-01", "闲置"), "状况变动.csv 第2行 资产编号「Ａ1」：资产编号不存在（本文件和已导入数据中都没有）；其中含全角字符，应为半角：A1"),
    (base().change("A1", "2019-01-01", "闲置"), "状况变动.csv 第2行 变动日期「2019-01-01」：早于资产取得日期"),
    (base().change("A1", "2021-01-01", "闲置").change("A1", "2021-01-01", "在用"),
     "状况变动.csv 第3行 变动日期「2021-01-01」：同一资产同一天只能有一条变动"),
    (base().plan("T1", "A1", "2021-01-01", "2020-01-01"), "盘活台账.csv 第2行 计划完成日期「2020-01-01」：早于列入日期"),
    (base().plan("T1", "A1", "2021-01-01", "2021-06-01").plan("T2", "A1", "2021-01-01", "2021-06-01"),
     "盘活台账.csv 第3行 资产编号「A1」：与第 2 行重复"),
    (base().lease("H1", "A1", "2021-01-01", "2020-12-31"), "出租合同.csv 第2行 到期日期「2020-12-31」：早于起租日期"),
    (base().income("S1", "A1", "2021-01-01", "0"), "收入.csv 第2行 到账金额「0」：到账金额应大于 0"),
    (base().income("S1", "A1", "2021-01-01", "10", "2021-01-02", "11"), "收入.csv 第2行 上缴金额「11」：上缴金额大于到账金额"),
    (base().income("S1", "A1", "2021-01-01", "10", "", "5"), "收入.csv 第2行 上缴日期：有上缴金额时必须填写上缴日期"),
    (base().listing("1", "A1", "2021-01-01", delisted_on="2021-02-01"), "公物仓.csv 第2行 出仓原因：填写出仓日期时必须填写出仓原因"),
    (edit("assets", 0, original_value="1000.00", net_value="1000.01"), "资产卡片.csv 第2行 净值「1000.01」：净值不能大于原值"),
    (edit("assets", 0, category_code="A02-01"), "资产卡片.csv 第2行 分类代码「A02-01」：分类代码只能由字母和数字组成"),
    (base().request("R1", unit_code="NOPE"), "配置需求.csv 第2行 单位编码「NOPE」：单位编码不存在"),
    (base().request("R1", budget_year="1999"), "配置需求.csv 第2行 预算年度「1999」：预算年度应在 2000–2100 之间"),
    (base().request("R1", quantity="0"), "配置需求.csv 第2行 数量「0」：数量应不小于 1"),
    (edit("assets", 1, acquired_on="2062-03-15", status_since="2062-03-15"),
     "资产卡片.csv 第3行 取得日期「2062-03-15」：晚于今天"),
    (base().income("S1", "A1", "2021-01-01", "10", "2062-01-02", "10"), "收入.csv 第2行 上缴日期「2062-01-02」：晚于今天"),
    (base().plan("T1", "A1", "0202-03-15", "2021-06-01"), "盘活台账.csv 第2行 列入日期「0202-03-15」：早于 1900 年"),
    (base().lease("H1", "A1", "1899-12-31", "2021-06-01"), "出租合同.csv 第2行 起租日期「1899-12-31」：早于 1900 年"),
    (base().request("R1", unit_price="0"), "配置需求.csv 第2行 单价「0」：单价应大于 0"),
    (base().request("R1", unit_price="-3"), "配置需求.csv 第2行 单价「-3」：金额不能为负数"),
    (base().request("R1", category="飞机"), "配置需求.csv 第2行 资产分类「飞机」：取值无效"),
    (base().request("R1", category_code="A 01"), "配置需求.csv 第2行 分类代码「A 01」：分类代码只能由字母和数字组成"),
    (base().request("R1", requested_on="明天"), "配置需求.csv 第2行 申报日期「明天」：日期格式无法识别"),
    (base().request("R1", asset_name=""), "配置需求.csv 第2行 资产名称：必填项为空"),
    (base().request("R1").request("R1"), "配置需求.csv 第3行 需求编号「R1」：与第 2 行重复"),
])
def test_each_error_kind_is_reported_and_nothing_is_written(engine, config, tmp_path, builder, expected):
    problems = failing(engine, config, tmp_path, builder)
    assert any(p.startswith(expected) for p in problems), problems


def test_a_long_sheet_with_empty_cells_of_columns_with_defaults_imports_them(engine, config, tmp_path):
    """Past SMALL rows a sheet takes the vectorised pass: 照片数 and 是否共享共用 left empty are
    stored as 0 and 否, as a short sheet's are (the pass staged NULL and the write crashed)."""
    from ledger.importer.columns import SMALL

    b = LedgerBuilder().unit("U1")
    for i in range(SMALL + 1):
        b.asset(f"A{i}", photo_count="" if i % 2 else "2", shared="" if i % 3 else "是")
    result = import_path(engine, b.write(tmp_path), config)
    assert result.ok, [str(p) for p in result.problems[:3]]
    with engine.connect() as conn:
        stored = {r.code: (r.photo_count, r.shared) for r in conn.execute(
            select(Asset.code, Asset.photo_count, Asset.shared).where(Asset.code.in_(["A0", "A1", "A2", "A3"])))}
    assert stored == {"A0": (2, True), "A1": (0, False), "A2": (2, False), "A3": (0, True)}


def test_a_plan_for_an_asset_that_already_has_one_is_refused(engine, config, tmp_path):
    first = base().plan("T1", "A1", "2021-01-01", "2021-06-01")
    first.load(engine, config, tmp_path / "first")
    second = base().plan("T2", "A1", "2021-01-01", "2021-06-01")
    result = import_path(engine, second.write(tmp_path / "second"), config)
    assert not result.ok
    assert "一资产一台账：该资产已有台账 T1" in str(result.problems[0])


def test_all_problems_are_reported_up_to_the_cap(engine, config, tmp_path):
    b = base()
    for i in range(300):
        b.asset(f"X{i}", acquired_on="bad")
    result = import_path(engine, b.write(tmp_path), config)
    assert result.problem_total == 300 and len(result.problems) == config["import.max_errors"]
    assert count(engine, Asset) == 0


def test_a_missing_column_and_a_missing_sheet(engine, config, tmp_path):
    folder = base().write(tmp_path)
    (folder / "单位.csv").unlink()
    text = (folder / "资产卡片.csv").read_text(encoding="utf-8-sig").replace("原值", "价值")
    (folder / "资产卡片.csv").write_text(text, encoding="utf-8-sig")
    problems = [str(p) for p in import_path(engine, folder, config).problems]
    assert "资产卡片.csv 第1行 原值：缺少必需列 / required column missing" in problems
    assert "单位：缺少必需的工作表 / required sheet missing" in problems


def test_failed_imports_are_recorded_and_good_ones_carry_counts_and_sha256(engine, config, tmp_path):
    import_path(engine, edit("assets", 0, acquired_on="x").write(tmp_path / "bad"), config)
    base().load(engine, config, tmp_path / "good")
    with engine.connect() as conn:
        records = conn.execute(select(ImportRecord.__table__).order_by(ImportRecord.id)).mappings().all()
    assert [r["result"] for r in records] == ["failed", "ok"]
    assert records[1]["row_counts"] == {"units": 2, "assets": 2}
    assert len(records[1]["sha256"]) == 64 and "取得日期" in records[0]["message"]


def test_an_import_stopped_by_an_internal_error_is_failed_in_the_history_at_once(engine, config, tmp_path,
                                                                                monkeypatch):
    """A fault of the portal's own half-way through the write: nothing written, the error raised
    for the page to show, and the history says 失败 with why (not 进行中 until the next import)."""
    from ledger.importer import load

    base().load(engine, config, tmp_path / "first")
    before = [count(engine, m) for m in (Unit, Asset)]

    def broken(*args):
        raise RuntimeError("disk went away")
    monkeypatch.setattr(load.allocation, "settle_transfers", broken)  # after the rows are written
    with pytest.raises(RuntimeError):
        import_path(engine, base().asset("A3", unit="U1").write(tmp_path / "second"), config)
    assert [count(engine, m) for m in (Unit, Asset)] == before
    with engine.connect() as conn:
        last = conn.execute(select(ImportRecord.result, ImportRecord.finished_at, ImportRecord.message)
                            .order_by(ImportRecord.id.desc())).first()
    assert last.result == "failed" and last.finished_at is not None
    assert "导入时平台内部出错（RuntimeError），未写入任何数据" in last.message


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "utf-8"])
def test_csv_encodings_are_detected(engine, config, tmp_path, encoding):
    b = base()
    b.tables["assets"][0]["location"] = "综合楼三层"
    result = import_path(engine, b.write(tmp_path, encoding=encoding), config)
    assert result.ok, result.problems
    with engine.connect() as conn:
        assert conn.execute(select(Asset.location).where(Asset.code == "A1")).scalar_one() == "综合楼三层"


def test_codes_keep_leading_zeros_in_csv_and_xlsx(engine, config, tmp_path):
    b = base()
    b.listing("00000007", "A1", "2021-01-01")
    b.load(engine, config, tmp_path / "csv")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "公物仓"
    ws.append(["入仓编号", "资产编号", "调剂共享模式", "入仓日期"])
    ws.append(["00000008", "A1", "共享", "2021-01-01"])
    ws.append([9, "A1", "共享", "2021-01-01"])  # a numeric cell: read as "9" with a note
    for table in ("单位", "资产卡片"):  # required sheets: reuse the CSV rows
        sheet = wb.create_sheet(table)
        for line in (tmp_path / "csv" / f"{table}.csv").read_text(encoding="utf-8-sig").splitlines():
            sheet.append(line.split(","))
    wb.save(tmp_path / "ledger.xlsx")
    result = import_path(engine, tmp_path / "ledger.xlsx", config)
    assert result.ok, [str(p) for p in result.problems]
    assert any("编码为数字单元格" in note for note in result.notes)
    with engine.connect() as conn:
        codes = set(conn.execute(select(Listing.listing_id)).scalars())
    assert codes == {"00000007", "00000008", "9"}


def test_reimport_is_an_upsert_and_never_deletes(engine, config, tmp_path):
    base().load(engine, config, tmp_path / "one")
    again = LedgerBuilder().unit("U1").asset("A1", unit="U1", original_value="2,500.50", asset_name="改名")
    again.load(engine, config, tmp_path / "two")
    with engine.connect() as conn:
        rows = dict(conn.execute(select(Asset.code, Asset.original_value)).all())
        name = conn.execute(select(Asset.name).where(Asset.code == "A1")).scalar_one()
    assert rows == {"A1": 250050, "A2": 100000} and name == "改名"


def test_english_headers_in_any_order_and_unknown_columns(engine, config, tmp_path):
    folder = tmp_path / "en"
    folder.mkdir()
    (folder / "units.csv").write_text(
        "region_name,unit_code,comment,dept_code,unit_name,dept_name,region_code\n"
        "清江市, 007 ,x,D1,单位,部门,990100\n", encoding="utf-8")
    (folder / "assets.csv").write_text(
        "asset_code,unit_code,asset_name,category,original_value,acquired_on,status,status_since\n"
        "A1,007,车,vehicle,￥1234.5,2024.3.15,idle,20240401\n", encoding="utf-8")
    result = import_path(engine, folder, config)
    assert result.ok, [str(p) for p in result.problems]
    assert any("comment" in n for n in result.notes)
    with engine.connect() as conn:
        asset = conn.execute(select(Asset.__table__)).mappings().one()
    assert (asset["unit_code"], asset["category"], asset["original_value"], asset["status"]) == \
        ("007", "vehicle", 123450, "idle")


def test_headings_as_the_budget_system_writes_them(engine, config, tmp_path):
    """Required columns marked with *, a sum with its unit in yuan, a heading wrapped over two lines;
    a sum in 万元 is not taken for one in yuan."""
    folder = base().write(tmp_path)
    cards = folder / "资产卡片.csv"
    text = cards.read_text(encoding="utf-8-sig")
    header, rest = text.split("\n", 1)
    marked = header.replace("资产编号", "*资产编号").replace("原值", "原值（元）").replace("取得日期", '"取得\n日期"')
    cards.write_text(marked + "\n" + rest, encoding="utf-8-sig")
    result = import_path(engine, folder, config)
    assert result.ok and result.counts["assets"] == 2, [str(p) for p in result.problems]
    cards.write_text(header.replace("原值", "原值（万元）") + "\n" + rest, encoding="utf-8-sig")
    problems = [str(p) for p in import_path(engine, folder, config).problems]
    assert problems == ["资产卡片.csv 第1行 原值：缺少必需列 / required column missing"]


def test_plans_can_swap_assets_in_one_import(engine, config, tmp_path):
    first = base().plan("T1", "A1", "2021-01-01", "2021-06-01").plan("T2", "A2", "2021-01-01", "2021-06-01")
    first.load(engine, config, tmp_path / "one")
    swapped = base().plan("T1", "A2", "2021-01-01", "2021-06-01").plan("T2", "A1", "2021-01-01", "2021-06-01")
    swapped.load(engine, config, tmp_path / "two")
    with engine.connect() as conn:
        assert dict(conn.execute(select(Plan.plan_id, Plan.asset_code)).all()) == {"T1": "A2", "T2": "A1"}


def test_a_large_load_keeps_every_index_and_foreign_key_and_writes_what_an_ordinary_one_does(
        engine, config, tmp_path, monkeypatch):
    """A large load drops the secondary indexes (and on PostgreSQL the foreign keys) and builds
    them again after; a first load into an empty table skips the upsert. The schema after it is
    the schema before, the database still refuses an asset nobody has, and a second large load
    replaces rows as an upsert does."""
    from sqlalchemy.exc import IntegrityError

    from ledger.importer import load

    tables = ["assets", "status_changes", "plans", "income", "leases", "listings", "requests"]
    before = schema(engine, tables)
    monkeypatch.setattr(load, "REBUILD_ROWS", 1)  # every load counts as large
    base().change("A1", "2021-01-01", "闲置").load(engine, config, tmp_path / "one")
    again = base().change("A1", "2021-01-01", "在用").change("A2", "2021-02-01", "闲置")
    again.tables["assets"][0]["asset_name"] = "改名"
    again.load(engine, config, tmp_path / "two")
    assert schema(engine, tables) == before
    with engine.connect() as conn:
        assert conn.execute(select(Asset.name).where(Asset.code == "A1")).scalar_one() == "改名"
        assert sorted(conn.execute(select(StatusChange.asset_code, StatusChange.status)).all()) == \
            [("A1", "in_use"), ("A2", "idle")]
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(StatusChange.__table__.insert().values(asset_code="NOBODY", changed_on=dt.date(2021, 1, 1),
                                                           status="idle"))


@pytest.mark.parametrize("city, inside, outside", [
    ("990100", ["990100", "990102", "990181"], ["990200", "990001", "980100"]),
    ("371500", ["371500", "371502", "371581"], ["371600", "370100"]),
    ("110000", ["110000", "110101", "110118"], ["120101", "130100"]),  # a municipality's districts: 1101xx
])
def test_a_citys_own_region_and_its_counties_codes_begin_with_its_prefix(city, inside, outside):
    from ledger.importer.stage import city_prefix

    assert [code.startswith(city_prefix(city)) for code in inside + outside] == [True] * len(inside) + [False] * len(outside)


def test_a_date_still_to_come_is_refused_where_only_the_past_can_stand(engine, config, tmp_path):
    """A plan falls due and a lease ends after today; a plan is not done, nor income received, tomorrow."""
    import datetime as dt

    today = config.today()
    tomorrow, next_year = (today + dt.timedelta(days=1)).isoformat(), f"{today.year + 1}-06-30"
    ahead = base().plan("T1", "A1", "2021-01-01", next_year).lease("H1", "A2", "2021-01-01", next_year, lessee="某公司",
                                                                     annual_rent="1000")
    assert import_path(engine, ahead.write(tmp_path / "ahead"), config).ok
    done = base().plan("T1", "A1", "2021-01-01", next_year, done_on=tomorrow).income("S1", "A1", tomorrow, "10")
    problems = failing(engine, config, tmp_path, done)
    assert sorted(problems) == [f"收入.csv 第2行 到账日期「{tomorrow}」：晚于今天（{today}）：尚未发生的日期 / "
                                f"after today ({today}): a date that has not come yet",
                                f"盘活台账.csv 第2行 实际完成日期「{tomorrow}」：晚于今天（{today}）：尚未发生的日期 / "
                                f"after today ({today}): a date that has not come yet"]


def titled(folder, above: list[list[str]], form: str):
    """The CSV files of `folder` with `above` (a title, a day …) on rows above each header: as CSV
    padded to the header's width (read whole by Arrow), CSV lines of one cell (read row by row),
    or one workbook."""
    files = sorted(folder.glob("*.csv"))
    if form == "xlsx":
        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for file in files:
            sheet = wb.create_sheet(file.stem)
            for line in above + [line.split(",") for line in file.read_text(encoding="utf-8-sig").splitlines()]:
                sheet.append(line)
        wb.save(folder / "ledger.xlsx")
        return folder / "ledger.xlsx"
    for file in files:
        lines = file.read_text(encoding="utf-8-sig").splitlines()
        width = len(lines[0].split(","))
        extra = [",".join(row + [""] * (width - len(row))) if form == "padded" else row[0] for row in above]
        file.write_text("\n".join(extra + lines) + "\n", encoding="utf-8-sig")
    return folder


@pytest.mark.parametrize("form", ["padded", "lines", "xlsx"])
def test_a_title_above_the_header_is_passed_over_and_rows_keep_their_numbers(engine, config, tmp_path, form):
    """Exports of the budget system carry their title and day above the header: the header is found
    below them, and a problem names the row as the user sees it in the file."""
    above = [["资产卡片信息导出"], ["导出日期：2026-11-30"]]
    bad = titled(edit("assets", 1, acquired_on="2021-13-01").write(tmp_path / "bad"), above, form)
    problems = [str(p) for p in import_path(engine, bad, config).problems]
    sheet = "资产卡片" if form == "xlsx" else "资产卡片.csv"
    assert problems == [f"{sheet} 第5行 取得日期「2021-13-01」：日期不存在 / no such date"]
    result = import_path(engine, titled(base().write(tmp_path / "good"), above, form), config)
    assert result.ok and result.counts == {"units": 2, "assets": 2}
    assert f"{sheet}：表头在第 3 行，其上方的 2 行（标题等）未导入 / header on row 3: the 2 row(s) above it were passed " \
        "over" in result.notes


@pytest.mark.parametrize("form", ["padded", "lines", "xlsx"])
def test_a_header_missing_a_column_below_a_title_is_named_as_the_header(engine, config, tmp_path, form):
    """No row names every required column: the missing one is said of the row naming most columns
    (the header the sender made), not of the title above it, on every reading path."""
    folder = base().write(tmp_path)
    text = (folder / "资产卡片.csv").read_text(encoding="utf-8-sig").replace("原值", "价值")
    (folder / "资产卡片.csv").write_text(text, encoding="utf-8-sig")
    problems = [str(p) for p in import_path(engine, titled(folder, [["资产卡片信息导出"]], form), config).problems]
    sheet = "资产卡片" if form == "xlsx" else "资产卡片.csv"
    assert problems == [f"{sheet} 第2行 原值：缺少必需列 / required column missing"]


@pytest.mark.parametrize("titles, found", [(9, True), (10, False)])
def test_the_header_is_looked_for_in_the_first_ten_rows(engine, config, tmp_path, titles, found):
    folder = titled(base().write(tmp_path), [[f"第{i + 1}行说明"] for i in range(titles)], "padded")
    result = import_path(engine, folder, config)
    assert result.ok is found
    if not found:
        assert "资产卡片.csv 第1行 资产编号：缺少必需列 / required column missing" in [str(p) for p in result.problems]


def test_a_workbook_starting_below_row_1_is_read_without_a_note(engine, config, tmp_path):
    """A sheet whose first used row is its second (row 1 left empty): nothing is passed over."""
    folder = edit("assets", 1, acquired_on="2021-13-01").write(tmp_path)
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for file in sorted(folder.glob("*.csv")):
        sheet = wb.create_sheet(file.stem)
        for number, line in enumerate(file.read_text(encoding="utf-8-sig").splitlines(), start=2):
            for column, value in enumerate(line.split(","), start=1):
                sheet.cell(number, column, value)
    wb.save(tmp_path / "ledger.xlsx")
    result = import_path(engine, tmp_path / "ledger.xlsx", config)
    assert [str(p) for p in result.problems] == ["资产卡片 第4行 取得日期「2021-13-01」：日期不存在 / no such date"]
    assert not any("表头在第" in note for note in result.notes)


@given(st.data())
def test_a_heading_names_its_column_however_the_export_decorates_it(data):
    from ledger.importer.schema import TABLES, column_for_header

    table = data.draw(st.sampled_from(TABLES))
    column = data.draw(st.sampled_from(table.columns))
    name = data.draw(st.sampled_from([column.zh, column.key, column.key.upper()]))
    spaces = st.text(" \u3000\n\t", max_size=2)
    mark = data.draw(st.sampled_from(["", "*", "＊"]))
    unit = data.draw(st.sampled_from(["", "（元）", "(元)", " ( 元 )"]))
    wrapped = data.draw(spaces) + mark + name[:1] + data.draw(spaces) + name[1:] + unit + data.draw(spaces)
    expected = column if not unit or column.kind == "money" else None
    assert column_for_header(table, wrapped) is expected
    assert column_for_header(table, name + "（万元）") is None


def test_a_workbook_is_read_by_what_it_holds_and_a_web_page_named_xls_is_refused(engine, config, tmp_path):
    """Older asset systems export .xls; some write a web page or text and name it .xls; a workbook
    may arrive renamed. calamine goes by the name: the importer by the content."""
    renamed = titled(base().write(tmp_path / "csv"), [], "xlsx").rename(tmp_path / "台账.xls")
    result = import_path(engine, renamed, config)
    assert result.ok, [str(p) for p in result.problems]
    assert count(engine, Asset) == 2
    page = tmp_path / "资产卡片.xls"
    page.write_text("<html><body><table><tr><td>资产编号</td></tr></table></body></html>", encoding="utf-8")
    result = import_path(engine, page, config)
    (problem,) = result.problems
    assert not result.ok and "不是 Excel 工作簿" in problem.zh and "另存为 .xlsx" in problem.zh
    wps = tmp_path / "台账.et"  # WPS Office's own spreadsheet, as many offices save by default
    wps.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    (problem,) = import_path(engine, wps, config).problems
    assert problem.zh.endswith("只接受 .xlsx（或 .xls）工作簿或 CSV 文件夹（WPS 表格文件请另存为 .xlsx 后再导入）")


@pytest.mark.parametrize("name", ["台账.xlsx", "台账.xls"])
def test_a_password_protected_workbook_is_refused_saying_so(engine, config, tmp_path, name):
    """Excel's 用密码进行加密 (an OLE container, however the file is named) is not a damaged file:
    the clerk is told to remove the password, and nothing is imported."""
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = titled(base().write(tmp_path / "csv"), [], "xlsx")
    with plain.open("rb") as source, (tmp_path / name).open("wb") as locked:
        OOXMLFile(source).encrypt("panhuo", locked)
    result = import_path(engine, tmp_path / name, config)
    (problem,) = result.problems
    assert not result.ok and problem.zh.startswith(f"{name}: 工作簿设有打开密码") and "取消密码" in problem.zh
    assert "password-protected" in problem.en
    assert count(engine, Asset) == 0


@pytest.mark.parametrize("form", ["padded", "short", "xlsx"])
def test_a_total_and_the_forms_foot_are_passed_over_with_a_note(engine, config, tmp_path, form):
    """Exports end with 合计 (sums of 原值, a count), may put 小计 under each unit and sign the form
    below (制表人, 审核人, 制表日期): not assets. A row naming an asset is never taken for one,
    though a remark says 合计 and a cell is missing."""
    folder = base().write(tmp_path)
    cards = folder / "资产卡片.csv"
    lines = cards.read_text(encoding="utf-8-sig").splitlines()
    width = len(lines[0].split(","))
    totals = [["小计", "U1", "", "", "1000.00"], ["合　计：", "", "", "", "2000.00", "", "", "", "", "2 项"],
              ["", "制表人：张三", "", "审核人：", "", "制表日期：2026-11-30"]]
    lines += [",".join(row + [""] * (width - len(row)) if form != "short" else row) for row in totals]
    cards.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    result = import_path(engine, titled(folder, [], "xlsx") if form == "xlsx" else folder, config)
    assert result.ok, [str(p) for p in result.problems]
    sheet = "资产卡片" if form == "xlsx" else "资产卡片.csv"
    assert f"{sheet}：第 4、5、6 行共 3 行为合计或表尾（制表人等）行，未导入 / 3 total or footer row(s) passed over" \
        in result.notes
    assert count(engine, Asset) == 2 and result.counts["assets"] == 2
    with engine.connect() as conn:  # the import's record says what it passed over, as the page did
        record = conn.execute(select(ImportRecord).where(ImportRecord.id == result.import_id)).one()
    assert record.result == "ok" and f"{sheet}：第 4、5、6 行共 3 行为合计或表尾（制表人等）行，未导入" in record.message
    lines.append("A3,U1,测试资产,通用设备,1000.00,,,在用,2020-01-01,合计," + "," * (width - 11))
    cards.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    problems = [str(p) for p in import_path(engine, folder, config).problems]
    assert problems == ["资产卡片.csv 第7行 取得日期：必填项为空 / required value missing"]


def test_an_excel_tables_total_row_is_passed_over(engine, config, tmp_path):
    """A ledger kept as an Excel table (插入 → 表格) with its total row on: Chinese Excel labels it 汇总."""
    source = titled(base().write(tmp_path), [], "xlsx")
    book = openpyxl.load_workbook(source)
    sheet = book["资产卡片"]
    value = [c.value for c in sheet[1]].index("原值") + 1
    sheet.cell(4, 1).value, sheet.cell(4, value).value = "汇总", 2000
    book.save(source)
    result = import_path(engine, source, config)
    assert result.ok, [str(p) for p in result.problems]
    assert "资产卡片：第 4 行为合计或表尾（制表人等）行，未导入 / 1 total or footer row(s) passed over" in result.notes


def test_a_tab_separated_export_is_told_to_be_saved_as_csv(engine, config, tmp_path):
    """Excel's "Unicode text" (UTF-16, columns separated by tabs) named .csv: one line saying so,
    not every required column missing."""
    folder = base().write(tmp_path)
    cards = folder / "资产卡片.csv"
    text = cards.read_text(encoding="utf-8-sig").replace(",", "\t")
    cards.write_bytes(text.encode("utf-16"))
    problems = [p.zh for p in import_path(engine, folder, config).problems]
    assert len(problems) == 1 and problems[0].startswith("各列以制表符分隔") and "CSV UTF-8（逗号分隔）" in problems[0]
    assert count(engine, Asset) == 0


@pytest.mark.parametrize("form", ["padded", "lines", "xlsx"])
def test_a_header_over_two_rows_is_read_as_one(engine, config, tmp_path, form):
    """A form's header over two rows: a heading merged down both (资产编号), a group's name above its
    columns (价值（元）over 原值, 净值), under a title; on every reading path."""
    folder = base().write(tmp_path)
    cards = folder / "资产卡片.csv"
    header, *rows = cards.read_text(encoding="utf-8-sig").splitlines()
    lower = header.split(",")
    grouped = {"原值": "价值（元）", "净值": "", "使用状况": "使用情况", "状况起始日期": ""}
    upper = [grouped.get(name, name) for name in lower]
    lower = [name if name in grouped else "" for name in lower]
    title = ["资产卡片信息导出"] + ([""] * (len(lower) - 1) if form != "lines" else [])  # one cell: read row by row
    lines = [title, upper, lower]
    if form == "xlsx":
        cards.write_text("\n".join(",".join(row) for row in lines[1:]) + "\n" + "\n".join(rows) + "\n", encoding="utf-8-sig")
        source = titled(folder, [title], "xlsx")
    else:
        cards.write_text("\n".join([*(",".join(row) for row in lines), *rows]) + "\n", encoding="utf-8-sig")
        source = folder
    result = import_path(engine, source, config)
    assert result.ok, [str(p) for p in result.problems]
    sheet = "资产卡片" if form == "xlsx" else "资产卡片.csv"
    assert (f"{sheet}：表头在第 2–3 行（两行合并读取），其上方的 1 行（标题等）未导入 / "
            "header on rows 2-3 (read as one): the 1 row(s) above it were passed over") in result.notes
    with engine.connect() as conn:
        assert conn.execute(select(func.sum(Asset.original_value))).scalar() == 200_000  # fen: 原值 read under its group


@pytest.mark.parametrize("form", ["padded", "xlsx"])
def test_a_sheet_named_otherwise_is_known_by_its_header(engine, config, tmp_path, form):
    """Exports name their sheets and files as they like (Sheet1, 资产卡片导出20261130.csv): a sheet
    whose header names every required column of one table is read as it, with a note; a second
    sheet of the same table is refused, not chosen between."""
    folder = base().write(tmp_path / "csv")
    (folder / "资产卡片.csv").rename(folder / "资产卡片导出20261130.csv")
    (folder / "单位.csv").rename(folder / "Sheet1.csv")
    source = titled(folder, [["资产卡片信息导出"]], form)
    result = import_path(engine, source, config)
    assert result.ok, [str(p) for p in result.problems]
    suffix = "" if form == "xlsx" else ".csv"
    assert f"资产卡片导出20261130{suffix}：按表头识别为「资产卡片」 / taken for assets by its header" in result.notes
    assert f"Sheet1{suffix}：按表头识别为「单位」 / taken for units by its header" in result.notes
    assert count(engine, Asset) == 2 and result.counts == {"units": 2, "assets": 2}
    if form == "xlsx":
        return
    (folder / "资产卡片.csv").write_bytes((folder / "资产卡片导出20261130.csv").read_bytes())
    problems = [str(p) for p in import_path(engine, folder, config).problems]
    assert problems == ["资产卡片导出20261130.csv：与「资产卡片.csv」是同一张表，请删除其一 / "
                        "same table as '资产卡片.csv': remove one"]


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_a_long_code_excel_rewrote_is_refused_naming_its_cell(engine, config, tmp_path, form):
    """Excel keeps 15 significant digits: an 18-digit 资产编号 typed into a number cell loses its
    last digits, and its CSV says 3.71500E+17. Taken, next month's corrected file would add other
    assets; refused, the unit is told how to keep the column as text."""
    code = "371500001001000123"
    folder = LedgerBuilder().unit("U1").asset(code, unit="U1").asset("A2", unit="U1").write(tmp_path)
    cards = folder / "资产卡片.csv"
    written = code if form == "xlsx" else "3.71500E+17"  # as Excel saves the number to CSV
    cards.write_text(cards.read_text(encoding="utf-8-sig").replace(code, written), encoding="utf-8-sig")
    source = folder
    if form == "xlsx":
        source = titled(folder, [], "xlsx")
        book = openpyxl.load_workbook(source)
        book["资产卡片"]["A2"].value = int(code)  # a number cell, as Excel keeps what is typed into one
        book.save(source)
    result = import_path(engine, source, config)
    (problem,) = result.problems
    assert (problem.sheet, problem.row, problem.column) == ("资产卡片" if form == "xlsx" else "资产卡片.csv", 2, "资产编号")
    said = "编码是 16 位以上的数字单元格：Excel 只保留 15 位有效数字" if form == "xlsx" else "编码是科学计数法"
    assert problem.zh.startswith(said) and "把该列设为文本" in problem.zh
    assert not result.ok and count(engine, Asset) == 0


@pytest.mark.parametrize("kind", ["xlsx", pytest.param("xls", marks=pytest.mark.slow)])
def test_a_units_code_merged_down_its_assets_rows_is_read_on_each(engine, config, tmp_path, kind):
    """A ledger kept by hand groups assets under their unit, its code merged down over their rows:
    Excel shows it on each row, calamine gives it to the first only. Each row takes it, with a note;
    a merged title above the header is not a row."""
    folder = base().write(tmp_path / "csv")
    cards = folder / "资产卡片.csv"
    lines = cards.read_text(encoding="utf-8-sig").splitlines()
    lines.append(lines[1].replace("A1", "A3", 1))  # a second asset of U1, under A1's row
    lines[1:] = sorted(lines[1:], key=lambda line: line.split(",")[1])  # by unit: A1, A3 (U1), A2 (U2)
    cards.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    source = titled(folder, [["资产卡片（按单位）"]], "xlsx")
    book = openpyxl.load_workbook(source)
    sheet = book["资产卡片"]
    sheet.merge_cells("A1:H1")  # the title across the columns
    unit = [c.value for c in sheet[2]].index("单位编码") + 1
    assert [sheet.cell(r, unit).value for r in (3, 4, 5)] == ["U1", "U1", "U2"]
    sheet.cell(4, unit).value = None
    letter = openpyxl.utils.get_column_letter(unit)
    sheet.merge_cells(f"{letter}3:{letter}4")
    book.save(source)
    if kind == "xls":
        source = as_xls(source, tmp_path)
    result = import_path(engine, source, config)
    assert result.ok, [str(p) for p in result.problems]
    with engine.connect() as conn:
        assert dict(conn.execute(select(Asset.code, Asset.unit_code)).all()) == {"A1": "U1", "A3": "U1", "A2": "U2"}
    assert "资产卡片：第 3–4 行的单位编码为合并单元格，已按其值逐行读取 / 1 merged cell(s) read as their value on each row they cover" \
        in result.notes


def test_codes_an_export_wrapped_to_keep_their_zeros_are_read_as_the_codes(engine, config, tmp_path):
    """Web systems write ="0012" in a CSV so that Excel keeps a code's leading zeros: the code is 0012."""
    folder = LedgerBuilder().unit("0012").asset("0000345", unit="0012").write(tmp_path)
    for name in ("单位.csv", "资产卡片.csv"):
        file = folder / name
        text = file.read_text(encoding="utf-8-sig")
        file.write_text(text.replace(",0012,", ',="0012",').replace("0000345,", '="0000345",')
                        .replace("\n0012,", '\n="0012",'), encoding="utf-8-sig")
    assert '="0012"' in (folder / "单位.csv").read_text(encoding="utf-8-sig")
    result = import_path(engine, folder, config)
    assert result.ok, [str(p) for p in result.problems]
    with engine.connect() as conn:
        assert conn.execute(select(Asset.code, Asset.unit_code)).all() == [("0000345", "0012")]
    assert not any("数字单元格" in note for note in result.notes)


def _with_errors(source, cells: dict[str, str]):
    """The workbook `source` with Excel's error values in the 资产卡片 cells named by heading
    (`{"单位编码": "#N/A"}`, on its first row of data), and a helper column of them the import ignores."""
    book = openpyxl.load_workbook(source)
    sheet = book["资产卡片"]
    headings = [c.value for c in sheet[1]]
    for heading, code in cells.items():
        sheet.cell(2, headings.index(heading) + 1).value = code  # openpyxl writes it as an error cell
    sheet.cell(1, len(headings) + 1).value = "核对"
    sheet.cell(3, len(headings) + 1).value = "#REF!"
    book.save(source)
    return source


def test_excel_error_values_in_a_workbook_are_refused_naming_their_cells(engine, config, tmp_path):
    """A VLOOKUP that found no unit shows #N/A, a formula over a deleted column #REF!: calamine read
    such cells as empty (必填项为空 for a required one, an empty 净值 taken for an optional one).
    Each is refused with what Excel shows; one in a column the import ignores is left alone."""
    source = _with_errors(titled(base().write(tmp_path), [], "xlsx"), {"单位编码": "#N/A", "净值": "#VALUE!"})
    result = import_path(engine, source, config)
    assert not result.ok and count(engine, Asset) == 0
    assert [(p.sheet, p.row, p.column, p.value) for p in result.problems] == [
        ("资产卡片", 2, "单位编码", "#N/A"), ("资产卡片", 2, "净值", "#VALUE!")]
    assert str(result.problems[0]).split(" / ")[0] == ("资产卡片 第2行 单位编码「#N/A」：Excel 错误值，公式没有得出结果（查找不到值，如 VLOOKUP "
                                       "未找到）：请改正公式或填入正确的值")


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["xlsx", "xls"])
def test_error_values_excel_computed_are_found_in_a_workbook_as_saved(engine, config, tmp_path, kind):
    """The same, on a workbook whose formulas a spreadsheet program computed and saved (LibreOffice:
    the formula and its cached error value in the cell, as Excel writes them), as .xlsx and as the
    Excel 97–2003 .xls older asset systems export."""
    import subprocess

    source = titled(base().write(tmp_path / "csv"), [], "xlsx")
    book = openpyxl.load_workbook(source)
    sheet = book["资产卡片"]
    headings = [c.value for c in sheet[1]]
    sheet.cell(2, headings.index("单位编码") + 1).value = '=VLOOKUP("无此单位",单位!A:B,1,FALSE)'
    sheet.cell(3, headings.index("存放地点") + 1).value = "=1/0"
    book.save(source)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", kind,
                    "--outdir", str(tmp_path / "saved"), str(source)], check=True, capture_output=True, timeout=180)
    result = import_path(engine, tmp_path / "saved" / f"{source.stem}.{kind}", config)
    assert [(p.row, p.column, p.value) for p in result.problems] == [(2, "单位编码", "#N/A"), (3, "存放地点", "#DIV/0!")]
    assert not result.ok and count(engine, Asset) == 0


def test_a_hidden_sheet_is_read_and_a_hidden_copy_of_a_table_is_named_as_hidden(engine, config, tmp_path):
    """A sheet hidden from view (Excel's 隐藏) is part of the file: read as its table with a note; a
    hidden copy of a table (last month's 资产卡片 kept out of sight) is refused as a second sheet of
    the same table, saying it is hidden and how to show it, for the sender cannot see it."""
    source = titled(base().write(tmp_path / "csv"), [], "xlsx")
    book = openpyxl.load_workbook(source)
    book["单位"].sheet_state = "hidden"
    book.save(source)
    result = import_path(engine, source, config)
    assert result.ok, [str(p) for p in result.problems]
    assert "单位：隐藏的工作表，已作为「单位」导入 / a hidden sheet, read as units" in result.notes

    copy = book.copy_worksheet(book["资产卡片"])
    copy.title, copy.sheet_state = "资产卡片(上月)", "hidden"
    book.save(source)
    result = import_path(engine, source, config)
    assert not result.ok
    assert [(p.sheet, p.zh) for p in result.problems] == [
        ("资产卡片(上月)", "与「资产卡片」是同一张表，请删除其一（「资产卡片(上月)」是隐藏的工作表：右键单击工作表标签，选「取消隐藏」）")]


def test_a_formula_filled_down_past_the_last_row_is_passed_over(engine, config, tmp_path):
    """单位编码 looked up by a formula filled down past the ledger's rows shows #N/A on the empty rows
    below it: those rows hold nothing of an asset and are passed over as blank, with a note (before
    error cells were read, calamine's empty cells made them blank too)."""
    source = titled(base().write(tmp_path), [], "xlsx")
    book = openpyxl.load_workbook(source)
    sheet = book["资产卡片"]
    unit = [c.value for c in sheet[1]].index("单位编码") + 1
    for row in (4, 5, 6):
        sheet.cell(row, unit).value = "#N/A"
    book.save(source)
    result = import_path(engine, source, config)
    assert result.ok, [str(p) for p in result.problems]
    assert count(engine, Asset) == 2
    assert ("资产卡片：第 4、5、6 行共 3 行只有公式错误值（如 #N/A），按空行跳过 / 3 row(s) of nothing but error values "
            "passed over") in result.notes
