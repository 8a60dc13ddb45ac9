"""The three documents for the sample city's 2026-10: form (GB/T 9704), figures equal to the KPI
export, scope, templates checked at start-up, and (slow) opened by LibreOffice."""
from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
import zipfile

import pandas as pd
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from sqlalchemy import func, select

from jobs.runner import compute_month
from ledger import runs, workflow
from ledger.config import ConfigError
from ledger.importer import import_path
from ledger.models import Department, KpiRow, ListEntry, Region, Unit
from ledger.scope import Scope
from ledger.vocab import DOCUMENT_KINDS
from outputs import documents
from outputs import phrasing as say
from outputs.exports import snapshot_frame
from outputs.facts import DocumentError
from tests.expected import change_words, pct, points
from tests.helpers import SAMPLE, empty_all, libreoffice_text

pytestmark = pytest.mark.skipif(not SAMPLE.exists() and not os.environ.get("CI"), reason="../shared/samples not present")
TODAY = dt.date(2026, 11, 5)
MONTH = "2026-10"


@pytest.fixture(scope="module")
def sample(migrated_engine, base_config):
    """清江市 imported from the sample's CSV export, 2026-08..10 computed; one interview scheduled."""
    config = base_config.replace(org__city_name="清江市")
    engine = empty_all(migrated_engine)
    result = import_path(engine, SAMPLE / "export", config)
    assert result.ok, result
    for month in ("2026-08", "2026-09", MONTH):
        compute_month(engine, config, month, "test")
    with engine.connect() as conn:
        listed = list(conn.execute(select(ListEntry.code).where(
            ListEntry.month == MONTH, ListEntry.list == "interview", ListEntry.level == "department")
            .order_by(ListEntry.code)).scalars())
        # the KPI export, with where each row sits (region, peer group) for choosing rows
        placed = pd.DataFrame(conn.execute(select(KpiRow.level, KpiRow.code, KpiRow.region_code, KpiRow.peer_size)
                                           .where(KpiRow.month == MONTH)).fetchall(),
                              columns=["level", "code", "region_code", "peer_size"])
        kpis = snapshot_frame(conn, "kpis", MONTH, Scope("all")).merge(placed, on=["level", "code"])
        before = snapshot_frame(conn, "kpis", "2026-09", Scope("all"))
        warnings = snapshot_frame(conn, "warnings", MONTH, Scope("all"))
        lists = snapshot_frame(conn, "lists", MONTH, Scope("all"))
    with engine.begin() as conn:
        workflow.schedule_interview(conn, workflow.Actor("supervisor", "supervisor", "127.0.0.1"), MONTH, listed[0],
                                    dt.date(2026, 11, 25), "李四", Scope("all").lists(), place="市财政局三楼会议室")
    return {"engine": engine, "config": config, "listed": listed, "kpis": kpis, "before": before,
            "warnings": warnings, "lists": lists}


def make(sample, kind, scope=Scope("all"), code=None):
    with sample["engine"].connect() as conn:
        if kind == "bulletin":
            return documents.bulletin(conn, scope, MONTH, sample["config"], TODAY)
        return getattr(documents, kind)(conn, scope, MONTH, code, sample["config"], TODAY)


def text_of(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def city_row(frame, level="city"):
    return frame[frame.level == level].iloc[0]




@pytest.mark.parametrize("kind", ["bulletin", "interview", "rectify"])
def test_each_document_has_the_official_page_and_type(sample, kind):
    code = sample["listed"][0]
    _, data = make(sample, kind, code=code)
    doc = Document(io.BytesIO(data))
    section = doc.sections[0]
    # Word keeps lengths in twentieths of a point: within a tenth of a millimetre
    for side, mm in (("page_width", 210), ("page_height", 297), ("top_margin", 37), ("bottom_margin", 35),
                     ("left_margin", 28), ("right_margin", 26)):
        assert abs(getattr(section, side) - Mm(mm)) < Mm(0.1), side
    styles = doc.styles
    for name, font, size in (("Normal", "仿宋_GB2312", 16), ("公文标题", "方正小标宋简体", 22), ("一级标题", "黑体", 16),
                             ("二级标题", "楷体_GB2312", 16)):
        style = styles[name]
        assert style.font.size == Pt(size), name
        assert style.element.rPr.rFonts.get(qn("w:eastAsia")) == font, name
    assert styles["Normal"].paragraph_format.first_line_indent == Pt(32)  # two characters
    assert doc.paragraphs[0].style.name == "公文标题"
    # page numbers: — n — on odd pages right, even pages left
    assert doc.settings.odd_and_even_pages_header_footer
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert odd.text.startswith("— ") and odd.text.endswith(" —") and odd.alignment == 2 and even.alignment == 0
    assert "PAGE" in odd._p.xml
    # the official fonts are declared with fall-backs for machines without them
    font_table = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable")).blob.decode()
    assert 'w:name="仿宋_GB2312"' in font_table and "w:altName" in font_table
    # tables repeat their header row on every page
    for table in doc.tables:
        assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    text = text_of(data)
    for raw in ("nan", "NaN", "None", "{{", "{%", "null"):
        assert raw not in text, raw
    assert "清江市财政局" in text and "2026年11月5日" in text
    # 落款 never on a page of its own: the text's last line and the blank lines before it go with it
    paragraphs = doc.paragraphs
    signed = max(i for i, p in enumerate(paragraphs) if p.text == "清江市财政局")
    last_text = max(i for i, p in enumerate(paragraphs[:signed]) if p.text.strip())
    assert all(p.paragraph_format.keep_with_next for p in paragraphs[last_text:signed + 1])


def test_the_bulletin_states_the_citys_figures_as_the_kpi_export(sample):
    name, data = make(sample, "bulletin")
    assert name == "月度通报_2026-10_清江市.docx"
    doc = Document(io.BytesIO(data))
    assert doc.paragraphs[0].text == "关于2026年10月清江市国有资产盘活工作情况的通报"
    text = text_of(data)
    now, before = city_row(sample["kpis"]), city_row(sample["before"])
    assert f"资产数{int(now.asset_count):,}项" in text
    assert f"资产原值{now.base_value / 10000:,.1f}万元" in text
    for label, key in (("闲置率", "idle_rate"), ("超期闲置率", "overdue_idle_rate"), ("到期盘活完成率", "due_completion_rate"),
                       ("收入上缴率", "remit_rate"), ("数据质量率", "data_quality_rate")):
        assert f"{label}{pct(now[key])}，{change_words(now[key], before[key], 'rate')}" in text, label
    assert f"综合得分{points(now.score)}分，{change_words(now.score, before.score, 'score')}" in text
    # every department and county on the notice list is named in 三、通报事项, the others on their lists too
    for _, entry in sample["lists"].iterrows():
        assert entry["name"] in text, entry["name"]
    # 附件: every department in the ranking table, header repeated
    departments = sample["kpis"][sample["kpis"].level == "department"]
    annex = doc.tables[0]
    assert [c.text for c in annex.rows[0].cells][:3] == ["区划", "排名", "部门"]
    assert len(annex.rows) - 1 == len(departments)
    first = departments[(departments.region_code == "990100") & (departments["rank"] == 1)].iloc[0]
    assert [c.text for c in annex.rows[1].cells][1:4] == ["1", first["name"], points(first.score)]


def test_the_bulletins_reporting_paragraph_waits_for_the_due_day_then_names_who_is_behind(sample, monkeypatch):
    """On the due day nothing is late yet: who has sent, no share and no 附件2. A fortnight later every
    unit of the sample (its ledger received in November reports October) is 未报送: the paragraph
    names the first department and counts the rest, 附件2 lists each with its units (counted here
    from the ledger), and the ranking becomes 附件1."""
    _, data = make(sample, "bulletin")
    text = text_of(data)
    with sample["engine"].connect() as conn:
        units = dict(conn.execute(select(Unit.dept_code, func.count()).group_by(Unit.dept_code)).all())
        names = dict(conn.execute(select(Department.code, Department.name)).all())
        regions = dict(conn.execute(select(Department.code, Department.region_code)).all())
        region_names = dict(conn.execute(select(Region.code, Region.name)).all())
    total = sum(units.values())
    assert (f"报送情况：2026年10月台账应于2026年11月5日前报送，截至2026年11月5日，应报单位{total:,}个，"
            f"已按期报送0个，其余{total:,}个尚未到报送截止日。") in text
    assert "按期报送率" not in text and "附件2" not in text and "全部部门排名见附件。" in text
    assert len(Document(io.BytesIO(data)).tables) == 1

    monkeypatch.setattr(say, "NAMED_BEHIND", 1)
    later = dt.date(2026, 11, 20)
    with sample["engine"].connect() as conn:
        _, data = documents.bulletin(conn, Scope("all"), MONTH, sample["config"], later)
    text = text_of(data)
    assert (f"应报单位{total:,}个，按期报送0个，按期报送率0.00%；逾期报送0个，未报送{total:,}个。"
            f"未按期报送的部门共{len(units)}个，名单见附件2；") in text
    assert "全部部门排名见附件1。" in text and "附件：1．2026年10月（进行中）部门综合得分排名" in text
    annex = Document(io.BytesIO(data)).tables[1]
    assert [c.text for c in annex.rows[0].cells] == ["区划", "部门", "应报单位", "未报送", "逾期报送"]
    listed = {row.cells[1].text: [c.text for c in row.cells] for row in annex.rows[1:]}
    assert listed == {names[d]: [region_names[regions[d]], names[d], str(n), str(n), "0"] for d, n in units.items()}
    # a county's bulletin: its own region's departments only, in the paragraph and the annex
    with sample["engine"].connect() as conn:
        _, data = documents.bulletin(conn, Scope("region", "990102"), MONTH, sample["config"], later)
    own = sorted(names[d] for d in units if regions[d] == "990102")
    annex = Document(io.BytesIO(data)).tables[1]
    assert sorted(row.cells[1].text for row in annex.rows[1:]) == own
    assert [n for d, n in names.items() if regions[d] != "990102" and n in text_of(data)] == []


def test_a_month_not_yet_closed_is_marked_in_each_documents_text_and_a_closed_one_is_not(sample):
    """metrics.md: a month not closed is marked 进行中 wherever it is shown; the title keeps its form."""
    code = sample["listed"][0]
    for kind, said in (("bulletin", "现将2026年10月（进行中）清江市"), ("interview", "根据2026年10月（进行中）国有资产"),
                       ("rectify", "根据2026年10月（进行中）国有资产")):
        text = text_of(make(sample, kind, code=code)[1])
        assert said in text, kind
    assert "关于2026年10月清江市国有资产盘活工作情况的通报" in text_of(make(sample, "bulletin")[1])
    with sample["engine"].begin() as conn:
        runs.close_month(conn, "2026-09", "test")
    with sample["engine"].connect() as conn:
        _, data = documents.bulletin(conn, Scope("all"), "2026-09", sample["config"], TODAY)
    assert "现将2026年9月清江市" in text_of(data) and "进行中" not in text_of(data)


def test_a_county_gets_its_own_regions_bulletin_only(sample):
    name, data = make(sample, "bulletin", Scope("region", "990102"))
    text = text_of(data)
    region = sample["kpis"][(sample["kpis"].level == "region") & (sample["kpis"].code == "990102")].iloc[0]
    assert name.endswith("清江区.docx") and f"闲置率{pct(region.idle_rate)}" in text
    foreign = sample["kpis"][(sample["kpis"].level == "department") & (sample["kpis"].region_code != "990102")]
    assert [n for n in foreign["name"] if n in text] == []
    with pytest.raises(DocumentError):
        make(sample, "bulletin", Scope("department", sample["listed"][0]))


def test_an_interview_notice_names_the_scheduled_date_and_place_or_leaves_blanks(sample):
    scheduled, other = sample["listed"][0], sample["listed"][1]
    text = text_of(make(sample, "interview", code=scheduled)[1])
    assert "时间：2026年11月25日" in text and "地点：市财政局三楼会议室" in text
    row = sample["kpis"][(sample["kpis"].level == "department") & (sample["kpis"].code == scheduled)].iloc[0]
    assert text.splitlines()[2] == f"{row['name']}："
    reasons = sample["lists"][(sample["lists"].list == "interview") & (sample["lists"].code == scheduled)].iloc[0]
    if "超期闲置率" in reasons["reasons"]:
        assert f"超期闲置率{pct(row.overdue_idle_rate)}，达到约谈标准。" in text
    blank = text_of(make(sample, "interview", code=other)[1])
    assert "时间：    年  月  日" in blank and "2026年11月25日" not in blank
    not_listed = sample["kpis"][(sample["kpis"].level == "department") & ~sample["kpis"].code.isin(sample["listed"])]
    assert make(sample, "interview", code=not_listed.iloc[0].code) is None


def test_a_rectification_notice_states_score_rank_and_open_warnings(sample):
    code = sample["listed"][0]
    row = sample["kpis"][(sample["kpis"].level == "department") & (sample["kpis"].code == code)].iloc[0]
    data = make(sample, "rectify", code=code)[1]
    text = text_of(data)
    assert f"综合得分{points(row.score)}分" in text and f"排名第{int(row['rank'])}位（共{int(row.peer_size)}个）" in text
    mine = sample["warnings"][(sample["warnings"].dept_code == code) & sample["warnings"].level.isin(["orange", "red"])]
    assert f"橙色及以上预警{len(mine)}条" in text
    doc = Document(io.BytesIO(data))
    indicators = doc.tables[0]
    assert [c.text for c in indicators.rows[0].cells] == ["指标", "本月", "目标", "单项得分", "权重", "失分"]
    assert [r.cells[1].text for r in indicators.rows[1:]][0] == pct(row.idle_rate)
    listed_assets = {r.cells[0].text for t in doc.tables[1:] for r in t.rows[1:]}
    assert listed_assets and listed_assets <= set(mine.asset_code)
    assert "2026年12月5日前完成" in text  # [documents] rectify_days = 30 after the date of the notice


def test_a_department_gets_nothing_of_another_department(sample):
    mine, theirs = sample["listed"][0], sample["listed"][1]
    scope = Scope("department", mine)
    assert make(sample, "rectify", scope, theirs) is None
    assert make(sample, "interview", scope, theirs) is None
    assert make(sample, "rectify", scope, mine) is not None
    with sample["engine"].connect() as conn:
        assert all(name.endswith(".docx") and theirs not in name for name, _ in
                   documents.each(conn, scope, "interview", MONTH, sample["config"], TODAY))


def test_ledger_text_is_written_as_text(sample):
    from outputs import facts

    with sample["engine"].connect() as conn:
        context = facts.interview(conn, Scope("all"), MONTH, sample["listed"][0], sample["config"], TODAY)
    context["addressee"] = '甲&乙<局>"{{ x }}"\x01\x0b'
    text = text_of(documents.render(sample["config"], "interview", context))
    assert '甲&乙<局>"{{ x }}"：' in text


def test_a_broken_template_is_refused_with_its_name_and_the_problem(sample, tmp_path):
    config = sample["config"].replace(documents__template_dir=str(tmp_path))
    for kind in DOCUMENT_KINDS:
        shutil.copy(documents.SHIPPED / f"{kind}.docx", tmp_path / f"{kind}.docx")
    documents.check_templates(config)
    broken = Document(str(tmp_path / "rectify.docx"))
    broken.add_paragraph("{{ 整改期限 }}")
    broken.save(str(tmp_path / "rectify.docx"))
    with pytest.raises(ConfigError, match="rectify.docx.*整改期限"):
        documents.check_templates(config)
    broken.add_paragraph("{% for x in %}")
    broken.save(str(tmp_path / "rectify.docx"))
    with pytest.raises(ConfigError, match="rectify.docx.*语法错误"):
        documents.check_templates(config)
    (tmp_path / "interview.docx").write_text("not a word file")
    with pytest.raises(ConfigError, match="interview.docx"):
        documents.check_templates(config)
    (tmp_path / "interview.docx").unlink()
    with pytest.raises(ConfigError, match="interview.docx"):
        documents.check_templates(config)


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler-utils are installed by .ci/run")
def test_libreoffice_opens_each_document_and_lays_out_the_figures(sample, tmp_path):
    code = sample["listed"][0]
    row = sample["kpis"][(sample["kpis"].level == "department") & (sample["kpis"].code == code)].iloc[0]
    expected = {"bulletin": f"{pct(city_row(sample['kpis']).idle_rate)}", "interview": "2026 年 11 月 25 日",
                "rectify": points(row.score)}
    for kind, needle in expected.items():
        _, data = make(sample, kind, code=code)
        source = tmp_path / f"{kind}.docx"
        source.write_bytes(data)
        flat = libreoffice_text(source, tmp_path, picture=kind)
        info = subprocess.run(["pdfinfo", str(tmp_path / f"{kind}.pdf")], capture_output=True, text=True,
                              check=True).stdout
        pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
        assert pages >= 1
        assert needle.replace(" ", "") in flat.replace(" ", ""), kind
        assert "— 1 —" in flat or "—1—" in flat.replace(" ", "")


@pytest.mark.slow
def test_the_command_line_writes_each_document_and_audits_it(sample, tmp_path):
    from click.testing import CliRunner

    from jobs.cli import main
    from ledger.models import AuditEntry

    env = {"PANHUO_DATABASE_URL": sample["config"].database_url, "PANHUO_ORG_CITY_REGION_CODE": "990100",
           "PANHUO_ORG_CITY_NAME": "清江市"}
    run = lambda *args: CliRunner().invoke(main, ["document", *args], env=env)  # noqa: E731
    result = run("bulletin", "--month", MONTH, "--out", str(tmp_path / "通报.docx"))
    assert result.exit_code == 0, result.output
    assert Document(str(tmp_path / "通报.docx")).paragraphs[0].text.endswith("清江市国有资产盘活工作情况的通报")
    result = run("interview", "--month", MONTH, "--out", str(tmp_path / "notices"))
    assert result.exit_code == 0 and len(list((tmp_path / "notices").glob("*.docx"))) == len(sample["listed"])
    result = run("rectify", "--month", MONTH, "--code", "NOPE", "--out", str(tmp_path / "x.docx"))
    assert result.exit_code == 1 and "NOPE" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.docx").exists()
    result = run("interview", "--month", MONTH, "--out", str(tmp_path / "one.docx"))
    assert result.exit_code == 1 and "请给出文件夹或 .zip" in result.output
    with sample["engine"].connect() as conn:
        targets = set(conn.execute(select(AuditEntry.target).where(AuditEntry.action == "export")).scalars())
    assert {f"月度通报 {MONTH}", f"约谈通知书 {MONTH}"} <= targets


def test_two_departments_whose_names_differ_only_in_a_space_get_two_files():
    """清江市教育局 and "清江市 教育局": their codes keep the names apart; and should two documents
    ever share a name, the zip and the folder still hold every one of them."""
    from outputs.documents import distinct, file_name, zipped
    names = [file_name("interview", "2026-10", "清江市教育局", "D01"), file_name("interview", "2026-10", "清江市 教育局", "D02")]
    assert names[0] != names[1] and names[1] == "约谈通知书_2026-10_D02_清江市教育局.docx"
    same = [("a.docx", b"1"), ("a.docx", b"2"), ("a.docx", b"3")]
    assert [n for n, _ in distinct(same)] == ["a.docx", "a（2）.docx", "a（3）.docx"]
    with zipfile.ZipFile(io.BytesIO(zipped(same))) as archive:
        assert [archive.read(n) for n in archive.namelist()] == [b"1", b"2", b"3"]
