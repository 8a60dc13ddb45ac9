"""The meeting pack, the printable report and the import page, per role: scoped, titled, safe."""
from __future__ import annotations

import base64
import datetime as dt
import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from ledger.models import Asset, ImportRecord, ListEntry, Region
from tests.dashboard.callbacks import call, components, grids, layout_as, page
from tests.factories import LedgerBuilder
from tests.helpers import libreoffice_text


def pack(client, month="2026-10"):
    status, response = call(client, [("lists-download", "data")], [("lists-pack", "n_clicks", 1)],
                            [("lists-month", "value", month)])
    if status != 200 or "lists-download" not in response:
        return None
    return openpyxl.load_workbook(io.BytesIO(base64.b64decode(response["lists-download"]["data"]["content"])))


def test_the_meeting_pack_holds_the_callers_scope_with_a_title_on_every_sheet(app, as_user, engine):
    book = pack(as_user("leader"))
    assert book.sheetnames[:5] == ["汇总", "县区排名", "部门排名", "约谈问责名单", "预警汇总"]
    with engine.connect() as conn:  # a sheet of its own for each department on a list this month, and only those
        listed = {f"{code} {name}" for code, name in conn.execute(select(ListEntry.code, ListEntry.name).where(
            ListEntry.month == "2026-10", ListEntry.level == "department"))}
    assert listed and set(book.sheetnames[5:]) == listed
    for sheet in book.worksheets:
        assert "2026年10月（进行中）" in sheet["A1"].value and "范围：全市" in sheet["A1"].value
    header = [c.value for c in book["部门排名"][2]]
    ranking = list(book["部门排名"].iter_rows(min_row=3, values_only=True))
    score = header.index("综合得分")
    assert all(isinstance(row[score], (int, float)) for row in ranking)  # scores stay numbers …
    assert book["部门排名"].cell(row=3, column=score + 1).number_format == "0.0"  # … shown to one decimal
    idle = header.index("闲置率") + 1
    assert book["部门排名"].cell(row=3, column=idle).number_format == "0.00%"  # 闲置率 shows as a percentage
    assert book["部门排名"].cell(row=3, column=header.index("资产原值（元）") + 1).number_format == "#,##0.00"
    county = pack(as_user("county"))
    assert all(s[:2] in ("汇总", "县区", "部门", "约谈", "预警", "D4") for s in county.sheetnames)
    assert "990102" in county["汇总"]["A1"].value
    names = {row[header.index("名称")] for row in county["部门排名"].iter_rows(min_row=3, values_only=True)}
    assert names == {"部门D4"}


def test_department_and_screen_accounts_get_no_meeting_pack(app, as_user):
    assert pack(as_user("dept")) is None
    assert pack(as_user("screen")) is None


def test_a_name_that_looks_like_a_formula_is_written_as_text(engine, config, tmp_path, as_user):
    from jobs.runner import compute_month
    LedgerBuilder().unit("X1", dept="DX", dept_name="=HYPERLINK(\"http://evil\",\"点我\")").asset("XA", unit="X1") \
        .load(engine, config, tmp_path / "evil")
    compute_month(engine, config, "2026-10", "test")
    book = pack(as_user("leader"))
    cells = [c for row in book["部门排名"].iter_rows(min_row=3) for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" and c.value.startswith("'=") for c in cells)


def test_the_printable_report_is_scoped(app):
    leader = layout_as(app, "leader", page("report").layout, month="2026-10")
    assert "县区排名" in leader and "市直部门排名" in leader and "部门D1" in leader
    county = layout_as(app, "county", page("report").layout, month="2026-10")
    assert "部门D4" in county and "部门D1" not in county and "本县区部门排名" in county
    assert "未找到" in layout_as(app, "dept", page("report").layout, month="2026-10")
    assert "未找到" in layout_as(app, "leader", page("report").layout, month="2030-01")


def upload(client, files: dict[str, bytes], name="台账.zip"):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file_name, data in files.items():
            archive.writestr(file_name, data)
    contents = "data:application/zip;base64," + base64.b64encode(buffer.getvalue()).decode()
    return call(client, [("import-result", "children")], [("import-upload", "contents", contents)],
                [("import-upload", "filename", name)])


def ledger_files(builder, tmp_path) -> dict[str, bytes]:
    folder = builder.write(tmp_path / "upload")
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def assets(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Asset)).scalar_one()


def test_a_supervisor_imports_a_zip_of_csv_files(app, as_user, engine, tmp_path):
    before = assets(engine)
    files = ledger_files(LedgerBuilder().unit("U9").asset("Z1", unit="U9"), tmp_path)
    # what an export carries beside the tables: a 序号 column, a sheet of notes; the page names them
    files["资产卡片.csv"] = b"\xef\xbb\xbf" + b"\n".join(
        ("序号," if i == 0 else f"{i},").encode() + line for i, line in enumerate(files["资产卡片.csv"][3:].splitlines()))
    files["填表说明.csv"] = "说明\n本表由系统导出\n".encode()
    status, response = upload(as_user("supervisor"), files)
    said = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入成功" in said and "单位 1 行，资产卡片 1 行" in said
    assert "资产卡片.csv：忽略未知列：序号" in said and "忽略未知工作表：填表说明.csv" in said
    assert assets(engine) == before + 1
    with engine.connect() as conn:
        record = conn.execute(select(ImportRecord).order_by(ImportRecord.id.desc())).first()
    assert (record.username, record.file_name, record.result) == ("supervisor", "台账.zip", "ok")


def workbook_of(files: dict[str, bytes]) -> bytes:
    """The CSV files as one workbook, a sheet each."""
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, data in files.items():
        sheet = book.create_sheet(name.removesuffix(".csv"))
        for line in data.decode("utf-8-sig").splitlines():
            sheet.append(line.split(","))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_sent_zipped_imports_and_two_are_refused(app, as_user, engine, tmp_path):
    """A workbook zipped to go by mail imports as itself; a zip of two, or of a workbook and CSV
    files, is refused, naming them."""
    before = assets(engine)
    book = workbook_of(ledger_files(LedgerBuilder().unit("U9").asset("Z7", unit="U9"), tmp_path))
    _, response = upload(as_user("supervisor"), {"资产台账.xlsx": book})
    said = json.dumps(response, ensure_ascii=False)
    assert "导入成功" in said and "单位 1 行，资产卡片 1 行" in said and assets(engine) == before + 1
    _, response = upload(as_user("supervisor"), {"一月.xlsx": book, "二月.xlsx": book})
    said = json.dumps(response, ensure_ascii=False)
    assert "导入失败" in said and "包含 2 个工作簿（一月.xlsx、二月.xlsx），请逐个上传" in said
    _, response = upload(as_user("supervisor"), {"资产台账.xlsx": book, "单位.csv": "单位编码\nU9\n".encode()})
    assert "既有 CSV 文件又有工作簿（资产台账.xlsx），请只打包其中一种" in json.dumps(response, ensure_ascii=False)
    assert assets(engine) == before + 1


def test_a_zip_made_on_a_mac_imports_without_its_finders_files(app, as_user, engine, tmp_path):
    """The Finder's 压缩 adds __MACOSX/._单位.csv (resource forks, binary) and .DS_Store beside the
    files: the ledger imports as if they were not there."""
    before = assets(engine)
    files = ledger_files(LedgerBuilder().unit("U9").asset("Z9", unit="U9"), tmp_path)
    fork = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        \x00\x02\x00\x00\x00\x09"
    members = {f"台账/{name}": data for name, data in files.items()}
    members |= {f"__MACOSX/台账/._{name}": fork for name in files} | {"台账/.DS_Store": b"\x00\x00\x00\x01Bud1"}
    _, response = upload(as_user("supervisor"), members)
    said = json.dumps(response, ensure_ascii=False)
    assert "导入成功" in said and "单位 1 行，资产卡片 1 行" in said and "._" not in said
    assert assets(engine) == before + 1


@pytest.mark.skipif(shutil.which("zip") is None, reason="Info-ZIP's zip is installed by .ci/run")
def test_a_zip_with_a_password_is_refused_saying_so(app, as_user, engine, tmp_path):
    """Offices zip ledgers with a password to mail them (7-Zip, WinRAR): the page says so, rather
    than failing on zipfile's "password required"; nothing is imported."""
    import subprocess

    before = assets(engine)
    folder = LedgerBuilder().unit("U9").asset("Z8", unit="U9").write(tmp_path / "csv")
    subprocess.run(["zip", "-q", "-j", "-P", "secret", str(tmp_path / "台账.zip"), *map(str, sorted(folder.iterdir()))],
                   check=True)
    data = (tmp_path / "台账.zip").read_bytes()
    contents = "data:application/zip;base64," + base64.b64encode(data).decode()
    status, response = call(as_user("supervisor"), [("import-result", "children")], [("import-upload", "contents", contents)],
                            [("import-upload", "filename", "台账.zip")])
    said = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入失败，未写入任何数据：台账.zip: 压缩包设有密码（其中 单位.csv 已加密）" in said
    assert assets(engine) == before


def test_an_internal_fault_during_an_upload_is_said_and_changes_nothing(app, as_user, engine, tmp_path, monkeypatch,
                                                                          caplog):
    """The portal's own fault half-way through an import: the page says so (not a silent spinner
    that stops), the details go to the log, nothing is written and the history says 失败."""
    from ledger.importer import load
    from ledger.models import ImportRecord

    def broken(*args):
        raise RuntimeError("disk went away")
    monkeypatch.setattr(load.allocation, "settle_transfers", broken)
    before = assets(engine)
    status, response = upload(as_user("supervisor"), ledger_files(LedgerBuilder().unit("U9").asset("Z9", unit="U9"),
                                                                  tmp_path))
    said = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入失败，未写入任何数据：平台内部出错" in said and "disk went away" not in said
    assert assets(engine) == before and "disk went away" in caplog.text
    with engine.connect() as conn:
        assert conn.execute(select(ImportRecord.result).order_by(ImportRecord.id.desc())).first()[0] == "failed"


class _WindowsName(zipfile.ZipInfo):
    """A member named as a Chinese Windows zips it: in GBK, without the flag that says UTF-8."""

    def _encodeFilenameFlags(self):
        return self.filename.encode("gb18030"), self.flag_bits & ~0x800


def test_a_zip_made_on_a_chinese_windows_keeps_its_sheet_names(app, as_user, engine, tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for file_name, data in ledger_files(LedgerBuilder().unit("U8").asset("Z8", unit="U8"), tmp_path).items():
            archive.writestr(_WindowsName(f"台账/{file_name}"), data)
    assert zipfile.ZipFile(buffer).namelist()[0] != "台账/单位.csv"  # what zipfile reads without help
    contents = "data:application/zip;base64," + base64.b64encode(buffer.getvalue()).decode()
    status, response = call(as_user("supervisor"), [("import-result", "children")],
                            [("import-upload", "contents", contents)], [("import-upload", "filename", "台账.zip")])
    said = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入成功" in said and "单位 1 行，资产卡片 1 行" in said


def test_the_template_names_every_sheet_and_its_example_never_imports(app, as_user, engine):
    """The template sent back as it is names its example rows and adds nothing (no 示例市 in the
    rankings); with the example's codes replaced by real ones, the same workbook imports."""
    from ledger.importer.template import EXAMPLE

    status, response = call(as_user("supervisor"), [("import-template-file", "data")], [("import-template", "n_clicks", 1)])
    assert status == 200
    data = base64.b64decode(response["import-template-file"]["data"]["content"])
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["说明", "单位", "资产卡片", "状况变动", "盘活台账", "出租合同", "收入", "公物仓", "配置需求"]
    assert [c.value for c in book["资产卡片"][1]][:4] == ["资产编号", "单位编码", "资产名称", "资产分类"]
    assert book["资产卡片"]["A1"].fill.fgColor.rgb.endswith("FDE9D9")  # required: marked
    before = assets(engine)

    def send(workbook: bytes):
        contents = ("data:application/vnd.openxmlformats-officedocument.spreadsheetml.sheet;base64,"
                    + base64.b64encode(workbook).decode())
        _, response = call(as_user("supervisor"), [("import-result", "children")], [("import-upload", "contents", contents)],
                           [("import-upload", "filename", "资产台账导入模板.xlsx")])
        return json.dumps(response, ensure_ascii=False), response

    said, response = send(data)
    assert "导入失败" in said and assets(engine) == before
    (problems,) = grids(response)
    assert {(p["sheet"], p["row"], p["zh"]) for p in problems["rowData"]} == {
        (sheet, 2, "这是导入模板的示例行，请替换为本单位数据或删除后再导入") for sheet in book.sheetnames[1:]}
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Region).where(Region.name == "示例市")).scalar() == 0
    # the same rows with codes of a real unit's own, in the city (990100): they import
    real = {value: value[:-1] + "7" for table in EXAMPLE.values() for key, value in table.items()
            if key.endswith(("_code", "_id")) and key not in ("region_code", "dept_code", "category_code") and value}
    real[EXAMPLE["units"]["region_code"]] = "990100"
    for sheet in book.worksheets[1:]:
        for cell in sheet[2]:
            cell.value = real.get(cell.value, cell.value)
    edited = io.BytesIO()
    book.save(edited)
    said, _ = send(edited.getvalue())
    assert "导入成功" in said and "配置需求 1 行" in said and "忽略" not in said
    assert assets(engine) == before + 1


def test_a_county_upload_outside_its_region_is_listed_and_changes_nothing(app, as_user, engine, tmp_path):
    before = assets(engine)
    files = ledger_files(LedgerBuilder().unit("U9", dept="D9", region="990100").asset("Z1", unit="U9"), tmp_path)
    status, response = upload(as_user("county"), files)
    text = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入失败" in text and "不在本账号范围内" in text and "990100" in text
    assert assets(engine) == before


def test_a_department_imports_its_own_units_only_and_a_bad_file_is_named(app, as_user, engine, tmp_path):
    before = assets(engine)
    foreign = LedgerBuilder().unit("U1", dept="D1").asset("Z1", unit="U1").asset("Z3", unit="U3")
    _, response = upload(as_user("dept"), ledger_files(foreign, tmp_path / "foreign"))
    text = json.dumps(response, ensure_ascii=False)
    assert "导入失败" in text and "U3" in text and "不在本账号范围内" in text and assets(engine) == before
    own = LedgerBuilder().unit("U1", dept="D1").asset("Z1", unit="U1")
    _, response = upload(as_user("dept"), ledger_files(own, tmp_path / "own"))
    text = json.dumps(response, ensure_ascii=False)
    assert "导入成功" in text and "已记为 1 个单位" in text and assets(engine) == before + 1
    _, response = upload(as_user("supervisor"), {}, name="台账.pdf")
    said = json.dumps(response, ensure_ascii=False)
    assert "台账.pdf: 只接受 .xlsx（或 .xls）工作簿、.csv 文件或 CSV 文件的 .zip 包" in said and "另存为" not in said
    _, response = upload(as_user("supervisor"), {}, name="台账.et")  # WPS Office's own format
    assert "只接受 .xlsx（或 .xls）工作簿、.csv 文件或 CSV 文件的 .zip 包（WPS 表格文件请另存为 .xlsx 后再导入）" \
        in json.dumps(response, ensure_ascii=False)
    # a web page a system calls an Excel export: said so, not "cannot open workbook: Cfb error"
    page = "data:application/vnd.ms-excel;base64," + base64.b64encode("<html><table><tr><td>资产编号".encode()).decode()
    _, response = call(as_user("dept"), [("import-result", "children")], [("import-upload", "contents", page)],
                       [("import-upload", "filename", "资产卡片.xls")])
    text = json.dumps(response, ensure_ascii=False)
    assert "导入失败" in text and "资产卡片.xls: 不是 Excel 工作簿" in text and assets(engine) == before + 1
    assert not grids(response)  # one message for the whole file, said whole rather than cut in a grid's cell
    # the history: the foreign file read and written nowhere, the own file's rows written
    _, response = call(as_user("dept"), [("import-history", "children")], [("import-result", "children", None)])
    rows = {row["id"]: row for row in grids(response)[0]["rowData"]}
    foreign_row, own_row, page_row = (rows[i] for i in sorted(rows)[-3:])
    assert foreign_row["result"] == "失败" and foreign_row["rows"] == "未写入（读到 单位 1 行，资产卡片 2 行）"
    assert own_row["result"] == "成功" and own_row["rows"] == "单位 1 行，资产卡片 1 行"
    assert page_row["result"] == "失败" and page_row["rows"] == "未写入"
    # 说明 says what failed, not only how many problems there were
    assert page_row["message"].startswith("1 个问题：资产卡片.xls: 不是 Excel 工作簿")
    assert foreign_row["message"] == "1 个问题：资产卡片.csv 第3行 单位编码「U3」：不在本账号范围内"


def test_a_file_of_another_departments_says_so_first_and_counts_every_sheet(app, as_user, engine, tmp_path):
    """Another department's file with 250 bad amounts: its unit heads the list the page shows, and
    the alert counts the problems of each sheet, the 50 the list leaves out among them."""
    other = LedgerBuilder().unit("U3", dept="D2")
    for i in range(250):
        other.asset(f"Z{i}", unit="U3", original_value="一千元")
    _, response = upload(as_user("dept"), ledger_files(other, tmp_path))
    (problems,) = grids(response)
    said = json.dumps(response, ensure_ascii=False)
    assert "导入失败：发现 252 个问题（单位.csv 2，资产卡片.csv 250），未写入任何数据。下表列出前 200 个。" in said
    assert [(p["sheet"], p["column"], p["zh"]) for p in problems["rowData"][:2]] == [
        ("单位.csv", "主管部门编码", "不在本账号范围内"), ("单位.csv", "单位编码", "不在本账号范围内")]
    _, response = call(as_user("dept"), [("import-history", "children")], [("import-result", "children", None)])
    latest = max(grids(response)[0]["rowData"], key=lambda row: row["id"])
    assert latest["message"].startswith("252 个问题：单位.csv 第2行 主管部门编码「D2」：不在本账号范围内；")
    assert latest["message"].endswith("等") and latest["message"].count("；") == 4  # the first five, and more
    # the list as a workbook, for whoever corrects the ledger: to the accounts that see the record only
    assert latest["problems"] == "下载" and f"/imports/{latest['id']}/problems.xlsx" in said
    download = as_user("dept").get(latest["problems_href"])
    assert download.status_code == 200 and "attachment" in download.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(download.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith(f"导入问题清单 · 台账.zip（#{latest['id']}，dept 于 ")
    assert rows[0][0].endswith("共 252 个问题，列出前 200 个，未写入任何数据")
    assert rows[1] == ("工作表", "行", "列", "值", "问题") and len(rows) == 2 + 200
    assert rows[2] == ("单位.csv", 2, "主管部门编码", "D2", "不在本账号范围内")
    assert rows[4][:4] == ("资产卡片.csv", 2, "原值", "一千元") and isinstance(rows[4][1], int)
    assert as_user("supervisor").get(latest["problems_href"]).status_code == 200
    assert as_user("county").get(latest["problems_href"]).status_code == 404  # D1 is not the county's
    assert as_user("leader").get(latest["problems_href"]).status_code == 404  # no import page, no import records


def test_the_meeting_pack_prints_landscape_one_page_wide(app, as_user):
    sheet = pack(as_user("leader"))["部门排名"]
    assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.fitToWidth == 1
    assert sheet.print_title_rows == "$1:$2"  # the title line and the header repeat on every page


def test_the_upload_is_bounded_and_a_refused_one_is_recorded(app, as_user, engine, tmp_path):
    from ledger.models import AuditEntry

    status, response = upload(as_user("supervisor"), {f"{i}.csv": b"x" for i in range(70)})
    text = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入失败" in text and "上限 64 个" in text
    with engine.connect() as conn:
        record = conn.execute(select(ImportRecord).order_by(ImportRecord.id.desc())).first()
        roles = conn.execute(select(AuditEntry.role).where(AuditEntry.action == "import.failed")).scalars().all()
    assert record.result == "failed" and "上限 64 个" in record.message and record.username == "supervisor"
    assert roles == ["supervisor"]


def overdue_export(client, month="2026-10", band=None, min_value=None, region=None):
    _, response = call(client, [("overdue-download", "data")], [("overdue-export", "n_clicks", 1)],
                       [("overdue-month", "value", month), ("overdue-region", "value", region),
                        ("overdue-category", "value", None), ("overdue-band", "value", band),
                        ("overdue-min-value", "value", min_value)])
    return base64.b64decode(response["overdue-download"]["data"]["content"])


def test_an_export_title_names_the_filters_applied_and_the_time_to_the_second(app, as_user):
    import re
    book = openpyxl.load_workbook(io.BytesIO(overdue_export(as_user("supervisor"), band="12-23", min_value=1500)))
    title = book.active["A1"].value
    assert "筛选：闲置 12–23 个月，原值不低于 1,500.00 元" in title
    assert re.search(r"生成于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$", title)
    # a region by its name, in the title and in every row (its code beside it)
    sheet = openpyxl.load_workbook(io.BytesIO(overdue_export(as_user("supervisor"), region="990102"))).active
    assert "筛选：区划990102 ·" in sheet["A1"].value
    head = [cell.value for cell in sheet[2]]
    rows = [dict(zip(head, (cell.value for cell in row))) for row in sheet.iter_rows(min_row=3)]
    assert rows and {(r["区划"], r["区划编码"]) for r in rows} == {("区划990102", "990102")}


def test_every_sheet_has_its_header_frozen_and_filtered(app, as_user):
    book = openpyxl.load_workbook(io.BytesIO(overdue_export(as_user("supervisor"))))
    sheet = book.active
    assert sheet.freeze_panes == "A3" and sheet.auto_filter.ref.startswith("A2:")
    for sheet in pack(as_user("leader")).worksheets:
        assert sheet.auto_filter.ref and sheet.auto_filter.ref.startswith(("A1:", "A2:")), sheet.title


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
def test_the_meeting_pack_and_the_overdue_list_open_in_libreoffice(app, as_user, tmp_path):
    files = {"meeting-pack": tmp_path / "meeting-pack.xlsx", "overdue": tmp_path / "overdue.xlsx",
             "import-problems": tmp_path / "import-problems.xlsx"}
    pack(as_user("leader")).save(files["meeting-pack"])
    files["overdue"].write_bytes(overdue_export(as_user("supervisor")))
    bad = LedgerBuilder().unit("U1", dept="D1").asset("Z1", unit="U1", original_value="一千元")
    _, response = upload(as_user("dept"), ledger_files(bad, tmp_path))
    (href,) = {node["href"] for node in components(response, lambda node: str(node.get("href", "")).startswith("/imports/"))}
    files["import-problems"].write_bytes(as_user("dept").get(href).data)
    texts = {name: libreoffice_text(source, tmp_path, picture=name) for name, source in files.items()}
    assert all("2026年10月" in text for name, text in texts.items() if name != "import-problems")
    assert "部门D1" in texts["meeting-pack"]
    assert "导入问题清单 · 台账.zip" in texts["import-problems"] and "资产卡片.csv 2 原值 一千元" in texts["import-problems"]


def test_a_short_import_history_leaves_no_empty_box(app, as_user):
    """The history's grid is as tall as its rows (a few imports: a few rows' height), up to a cap."""
    _, response = call(as_user("supervisor"), [("import-history", "children")], [("import-result", "children", None)])
    (grid,) = grids(response)
    rows, height = len(grid["rowData"]), int(grid["style"]["height"].removesuffix("px"))
    assert rows < 8 and height == 90 + 34 * max(rows, 3) < 360


@pytest.mark.parametrize("today, said", [
    (dt.date(2026, 12, 5), "本月导入的台账记为2026年11月的报送，应于2026年12月5日前（含当日）完成，之后导入记为逾期。"),
    (dt.date(2026, 12, 7), "本月导入的台账记为2026年11月的报送；报送期限2026年12月5日已过，尚未报送的单位本次导入记为逾期"),
])
def test_the_import_page_says_what_an_import_today_counts_as(app, monkeypatch, today, said):
    """On the due day a file is 按期 (reporting.md); after it, 逾期 for a unit that has not reported."""
    from ledger import clock

    monkeypatch.setattr(clock, "today", lambda zone: today)
    assert said in layout_as(app, "dept", page("data_import").layout)


def test_a_lone_problem_of_a_sheet_names_the_sheet_in_the_alert(app, as_user, engine, tmp_path):
    """A second sheet of a table (a copy renamed 单位(备份)) is the file's one problem: the alert says
    it whole and names the sheet it is about, which the problem's words alone do not."""
    folder = LedgerBuilder().unit("U9").asset("Z8", unit="U9").write(tmp_path / "csv")
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name in ("单位", "资产卡片", "单位(备份)"):
        sheet = book.create_sheet(name)
        source = "单位" if name.startswith("单位") else name
        for line in (folder / f"{source}.csv").read_text(encoding="utf-8-sig").splitlines():
            sheet.append(line.split(","))
    data = io.BytesIO()
    book.save(data)
    contents = "data:application/octet-stream;base64," + base64.b64encode(data.getvalue()).decode()
    before = assets(engine)
    status, response = call(as_user("supervisor"), [("import-result", "children")], [("import-upload", "contents", contents)],
                            [("import-upload", "filename", "台账.xlsx")])
    said = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入失败，未写入任何数据：单位(备份)：与「单位」是同一张表，请删除其一" in said
    assert assets(engine) == before


def chosen(client, files: dict[str, bytes]):
    """Several files chosen or dropped at once, as the drop zone sends them (lists of each)."""
    contents = ["data:text/csv;base64," + base64.b64encode(data).decode() for data in files.values()]
    return call(client, [("import-result", "children")], [("import-upload", "contents", contents)],
                [("import-upload", "filename", list(files))])


def test_a_ledgers_csv_files_chosen_together_import_as_one(app, as_user, engine, tmp_path):
    """单位.csv and 资产卡片.csv dropped together (not zipped) are one ledger, as their zip is; a
    workbook beside them is refused, saying to send one workbook or .zip at a time."""
    before = assets(engine)
    files = ledger_files(LedgerBuilder().unit("U9").asset("Z3", unit="U9"), tmp_path)
    status, response = chosen(as_user("supervisor"), files)
    said = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入成功" in said and "单位 1 行，资产卡片 1 行" in said
    assert assets(engine) == before + 1
    with engine.connect() as conn:
        record = conn.execute(select(ImportRecord).order_by(ImportRecord.id.desc()).limit(1)).one()
    assert record.result == "ok" and set(record.file_name.split("、")) == set(files)

    status, response = chosen(as_user("supervisor"), {**files, "台账.xlsx": b"PK\x03\x04"})
    said = json.dumps(response, ensure_ascii=False)
    assert "导入失败，未写入任何数据" in said and "一次只能上传一个工作簿或 .zip 包" in said
    assert assets(engine) == before + 1


def test_files_dropped_together_are_written_by_their_own_names_only(app, as_user, engine, tmp_path):
    """A crafted request naming a dropped file "../../…csv" cannot write beside the upload's folder:
    the file is read under its own name, inside it."""
    import tempfile
    import uuid

    before = assets(engine)
    files = ledger_files(LedgerBuilder().unit("U9").asset("Z4", unit="U9"), tmp_path)
    stray = f"越界{uuid.uuid4().hex}.csv"
    crafted = {(f"../../{stray}" if name == "单位.csv" else name): data for name, data in files.items()}
    status, response = chosen(as_user("supervisor"), crafted)
    assert status == 200 and not (Path(tempfile.gettempdir()) / stray).exists()
    assert "导入成功" in json.dumps(response, ensure_ascii=False) and assets(engine) == before + 1


def test_more_csv_files_at_once_than_a_zip_may_hold_are_refused_by_count(app, as_user, engine):
    """Files dropped together are bounded as a zip of them is ([import] max_members): 65 at once are
    refused by their count, named as the history names them (the first and how many)."""
    before = assets(engine)
    files = {f"表{i:02d}.csv": "单位编码,单位名称\n".encode() for i in range(65)}
    status, response = chosen(as_user("supervisor"), files)
    said = json.dumps(response, ensure_ascii=False)
    assert status == 200 and "导入失败，未写入任何数据：表00.csv 等 65 个文件: 一次选了 65 个文件，上限 64 个" in said
    assert assets(engine) == before
    status, response = chosen(as_user("supervisor"), dict(list(files.items())[:64]))
    assert "一次选了" not in json.dumps(response, ensure_ascii=False)
