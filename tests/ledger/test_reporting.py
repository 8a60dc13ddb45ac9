"""报送 (reporting.md): departments send their own units' parts of the month's ledger on their own days,
and every unit's status follows - 按期, 逾期, 未报送, 待报送 - in the export's exact columns; a part
with one foreign row is refused whole; confirmations, 催报 and the weekly report."""
from __future__ import annotations

import csv
import datetime as dt

import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from jobs.cli import main
from ledger import accounts, reporting
from ledger.config import WEEKDAYS
from ledger.db import session_scope
from ledger.models import AuditEntry, Department, Submission, WeeklyReport
from ledger.reporting import ReportingError
from ledger.scope import Scope
from ledger.texts import TextRefused
from ledger.workflow import Actor
from tests.factories import LedgerBuilder

PASSWORD = "correct-horse-1"


def city(engine, config, folder):
    """Three departments, five units; loaded by the finance bureau in September (it reports August)."""
    b = (LedgerBuilder().unit("U1", dept="D1").unit("U2", dept="D1").unit("U3", dept="D2").unit("U4", dept="D3")
         .unit("U5", dept="D4", region="990102"))
    for unit in ("U1", "U2", "U3", "U4", "U5"):
        b.asset(f"A{unit[1]}", unit=unit)
    b.load(engine, config, folder)
    with session_scope(engine, write=True) as s:
        for name, role, code in (("d1", "department", "D1"), ("d2", "department", "D2"), ("d3", "department", "D3"),
                                 ("qx", "county", "990102"), ("ops", "supervisor", None)):
            accounts.add_user(s, name, role, PASSWORD, code)
    return b


@pytest.fixture
def cli(config):
    def invoke(*args):
        env = {"PANHUO_DATABASE_URL": config.database_url, "PANHUO_ORG_CITY_REGION_CODE": "990100"}
        return CliRunner().invoke(main, list(args), env=env)
    return invoke


def part(folder, unit, dept, asset, region="990100"):
    return LedgerBuilder().unit(unit, dept=dept, region=region).asset(asset, unit=unit).write(folder)


def test_split_parts_on_their_own_days_give_each_unit_its_status(engine, config, tmp_path, cli):
    city(engine, config, tmp_path / "city")
    # October's ledger, received in November (due by the 5th)
    assert cli("import", str(part(tmp_path / "d1", "U1", "D1", "A1")), "--as", "d1", "--received", "2026-11-03") \
        .exit_code == 0
    assert cli("import", str(part(tmp_path / "d2", "U3", "D2", "A3")), "--as", "d2", "--received", "2026-11-20") \
        .exit_code == 0
    qx = cli("import", str(part(tmp_path / "qx", "U5", "D4", "A5", "990102")), "--as", "qx", "--received", "2026-11-05")
    assert qx.exit_code == 0 and "1 个单位 2026-10 的报送" in qx.output
    with engine.begin() as conn:
        assert reporting.confirm(conn, Actor("d1", "department"), ["U2"], Scope("department", "D1").units(),
                                 dt.date(2026, 11, 4)) == ("2026-10", 1, 0)
    with engine.begin() as conn, pytest.raises(ReportingError, match="均已报送"):  # U1 by its ledger, U2 just now
        reporting.confirm(conn, Actor("d1", "department"), ["U1", "U2"], Scope("department", "D1").units(),
                          dt.date(2026, 11, 6))
    out = tmp_path / "submissions.csv"
    result = cli("export", "submissions", "--month", "2026-10", "--out", str(out))
    assert result.exit_code == 0, result.output
    with out.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["month", "unit_code", "unit_name", "dept_code", "region_code", "status", "received_on",
                             "channel", "sender", "import_id"]
    got = {r["unit_code"]: (r["status"], r["received_on"], r["channel"], r["sender"]) for r in rows}
    assert got == {"U1": ("on_time", "2026-11-03", "import", "d1"), "U2": ("on_time", "2026-11-04", "confirm", "d1"),
                   "U3": ("late", "2026-11-20", "import", "d2"), "U4": ("missing", "", "", ""),
                   "U5": ("on_time", "2026-11-05", "import", "qx")}
    assert all(r["month"] == "2026-10" for r in rows) and rows[0]["import_id"]
    # before the due day nothing is missing yet, only pending
    with engine.connect() as conn:
        early = reporting.statuses(conn, "2026-10", Scope("all").units(), dt.date(2026, 11, 4), 5)
    assert dict(zip(early["unit_code"], early["status"]))["U4"] == "pending"
    # the first load, received today, reports the month before today's for every unit it holds
    today = config.today()
    with engine.connect() as conn:
        first = reporting.statuses(conn, reporting.reported_month(today), Scope("all").units(), today, 5)
    assert set(first["status"]) == {"on_time" if today.day <= 5 else "late"} and set(first["channel"]) == {"import"}


def test_a_part_with_one_foreign_row_is_refused_whole(engine, config, tmp_path, cli):
    city(engine, config, tmp_path / "city")
    with engine.connect() as conn:
        before = conn.execute(select(Submission)).all()
    b = LedgerBuilder().unit("U1", dept="D1").asset("A1", unit="U1").asset("A3", unit="U3")
    result = cli("import", str(b.write(tmp_path / "mixed")), "--as", "d1", "--received", "2026-11-03")
    assert result.exit_code != 0 and "资产卡片.csv 第3行 单位编码「U3」：不在本账号范围内" in result.output
    with engine.connect() as conn:
        assert conn.execute(select(Submission)).all() == before


@pytest.mark.parametrize("args, said", [
    (["--as", "nobody"], "no such user: nobody"),
    (["--received", "2099-01-01"], "收到日期 2099-01-01 不在可接受的范围内"),
    (["--received", "1999-12-31"], "不在可接受的范围内"),
    (["--received", "2026-13-01"], "请填写--received 收到日期"),
])
def test_bad_sender_or_received_date_is_one_line_and_nothing_is_written(engine, config, tmp_path, cli, args, said):
    city(engine, config, tmp_path / "city")
    result = cli("import", str(part(tmp_path / "p", "U1", "D1", "A1")), *args)
    assert result.exit_code != 0 and said in result.output and "Traceback" not in result.output


def test_a_due_day_outside_1_to_28_is_refused_by_name(cli, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("[reporting]\ndue_day = 31\n", encoding="utf-8")
    result = cli("--config", str(bad), "compute", "--month", "2026-10")
    assert result.exit_code != 0 and "reporting.due_day" in result.output


def test_a_confirmation_stays_inside_the_accounts_scope(engine, config, tmp_path):
    city(engine, config, tmp_path / "city")
    with engine.begin() as conn, pytest.raises(ReportingError, match="U3"):
        reporting.confirm(conn, Actor("d1", "department"), ["U1", "U3"], Scope("department", "D1").units(),
                          dt.date(2026, 11, 4))
    with engine.begin() as conn, pytest.raises(ReportingError, match="not allowed"):
        reporting.confirm(conn, Actor("boss", "leader"), ["U1"], Scope("all").units(), dt.date(2026, 11, 4))


def test_a_weekly_report_is_corrected_until_due_then_kept_in_versions(engine, config, tmp_path):
    city(engine, config, tmp_path / "city")
    week = "2026-W48"  # Thursday 26 November, 18:00
    fields = {"progress": "调剂两台车辆", "problems": "无", "next_plan": "处置报废设备"}
    d1 = Actor("d1", "department")
    with engine.begin() as conn:
        assert reporting.save_weekly(conn, d1, "D1", week, fields, "王五", dt.datetime(2026, 11, 25, 9), "thu") == (1, False)
        assert reporting.save_weekly(conn, d1, "D1", week, {**fields, "progress": "调剂三台车辆"}, "王五",
                                     dt.datetime(2026, 11, 26, 17, 59), "thu") == (1, False)  # corrected in place
        assert reporting.save_weekly(conn, d1, "D1", week, {**fields, "progress": "调剂四台车辆"}, "王五",
                                     dt.datetime(2026, 11, 26, 18, 1), "thu") == (2, True)  # a new version
    with engine.begin() as conn, pytest.raises(TextRefused, match="存在问题"):
        reporting.save_weekly(conn, d1, "D1", week, {**fields, "problems": ""}, "王五", dt.datetime(2026, 11, 25), "thu")
    with engine.begin() as conn, pytest.raises(ReportingError, match="not allowed"):
        reporting.save_weekly(conn, Actor("ops", "supervisor"), "D1", week, fields, "x", dt.datetime(2026, 11, 25), "thu")
    with engine.connect() as conn:
        kept = conn.execute(select(WeeklyReport.version, WeeklyReport.progress, WeeklyReport.late)
                            .order_by(WeeklyReport.version)).all()
        listed = reporting.weekly_reports(conn, week, Scope("all").owns(Department))
        actions = conn.execute(select(AuditEntry.action).where(AuditEntry.action == "weekly.report")).scalars().all()
    assert [tuple(r) for r in kept] == [(1, "调剂三台车辆", False), (2, "调剂四台车辆", True)]
    assert dict(zip(listed["dept_code"], listed["version"].fillna(0).astype(int))) == {"D1": 2, "D2": 0, "D3": 0, "D4": 0}
    assert len(actions) == 3


def test_the_due_day_and_the_weekly_due_time_are_computed_in_the_calendar():
    assert reporting.reported_month(dt.date(2026, 1, 3)) == "2025-12"
    assert reporting.due_date("2025-12", 5) == dt.date(2026, 1, 5)
    assert reporting.week_due("2026-W01", "thu") == dt.datetime(2026, 1, 1, 18)
    assert reporting.week_days("2026-W53") == (dt.date(2026, 12, 28), dt.date(2027, 1, 3))


@given(st.datetimes(dt.datetime(2020, 1, 1), dt.datetime(2030, 12, 31)), st.sampled_from(WEEKDAYS))
def test_the_week_a_dispatch_reports_on_is_the_newest_whose_reports_were_due(moment, weekday):
    """周调度 never lists a department as 未报 while its week's report may still come."""
    week = reporting.reported_week(moment, weekday)
    assert reporting.week_due(week, weekday) <= moment
    following = reporting.week_of(reporting.week_days(week)[0] + dt.timedelta(weeks=1))
    assert reporting.week_due(following, weekday) > moment


def test_a_dispatch_on_thursday_morning_reports_the_week_before_and_on_friday_this_one():
    assert reporting.reported_week(dt.datetime(2026, 11, 26, 8), "thu") == "2026-W47"
    assert reporting.reported_week(dt.datetime(2026, 11, 26, 18), "thu") == "2026-W48"
    assert reporting.reported_week(dt.datetime(2026, 11, 27, 8), "thu") == "2026-W48"
    assert reporting.reported_week(dt.datetime(2027, 1, 1, 8), "thu") == "2026-W53"
