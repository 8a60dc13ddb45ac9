"""The demo city: reproducible, imported through the real path, every rule and list populated."""
import datetime as dt
import hashlib
import re
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from jobs.cli import main
from jobs.demo import DEPT_WORKBOOK
from jobs.runner import compute_month
from ledger import clock, filestore, reporting
from ledger.config import env_name
from ledger.demo import DEPT_ACCOUNTS, LAST_MONTH_END, LEDGER_OPENED, write_demo_ledger
from ledger.importer import import_path
from ledger.models import (
    Asset,
    AuditEntry,
    Commitment,
    Evidence,
    Interview,
    KpiRow,
    ListEntry,
    Message,
    MonthClose,
    Paper,
    Snapshot,
    Submission,
    Transfer,
    User,
    WarningCase,
    WarningEvent,
    WarningRow,
    WeeklyReport,
)
from ledger.scope import Scope
from ledger.vocab import LISTS
from metrics.rules import NAMES as RULE_NAMES
from outputs.audit_text import describe_change


def digest(folder):
    return hashlib.sha256(b"".join(p.read_bytes() for p in sorted(folder.iterdir()))).hexdigest()


def test_same_seed_same_city(tmp_path):
    write_demo_ledger(tmp_path / "a", assets=2000, seed=7)
    write_demo_ledger(tmp_path / "b", assets=2000, seed=7)
    write_demo_ledger(tmp_path / "c", assets=2000, seed=8)
    assert digest(tmp_path / "a") == digest(tmp_path / "b") != digest(tmp_path / "c")


@pytest.mark.slow
def test_demo_builds_13_months_with_every_rule_and_list(engine, config, tmp_path):
    files = tmp_path / "files"
    result = CliRunner().invoke(main, ["demo", "--assets", "8000", "--no-serve", "--write-sample", str(tmp_path)],
                                env={"PANHUO_DATABASE_URL": config.database_url, env_name("files.dir"): str(files)})
    assert result.exit_code == 0, result.output
    assert (tmp_path / "示范市资产台账.xlsx").exists()
    # what it says reads as the pages do: no dict of stored keys, roles by their names
    assert "{'" not in result.output and re.search(r"资产卡片 8,000 行", result.output)
    assert re.search(r"dept\s+panhuo-demo\s+主管部门（department）", result.output)
    with engine.connect() as conn:
        months = conn.execute(select(Snapshot.month).order_by(Snapshot.month)).scalars().all()
        rules = set(conn.execute(select(WarningRow.rule).where(WarningRow.month == "2026-10")).scalars())
        plan_late = conn.execute(select(func.max(WarningRow.days)).where(WarningRow.month == "2026-10",
                                                                         WarningRow.rule == "plan_overdue")).scalar()
        lists = set(conn.execute(select(ListEntry.list).where(ListEntry.month == "2026-10")).scalars())
        city = conn.execute(select(KpiRow.idle_rate, KpiRow.asset_count, KpiRow.score).where(
            KpiRow.month == "2026-10", KpiRow.level == "city")).one()
        first = conn.execute(select(KpiRow.idle_rate, KpiRow.score).where(
            KpiRow.month == "2025-10", KpiRow.level == "city")).one()
        departments = conn.execute(select(func.count(), func.min(KpiRow.score), func.max(KpiRow.score)).where(
            KpiRow.month == "2026-10", KpiRow.level == "department")).one()
    assert len(months) == 13 and months[-1] == "2026-10"
    with engine.connect() as conn:
        closed = conn.execute(select(MonthClose.month)).scalars().all()
        received = conn.execute(select(Submission.month, func.count()).group_by(Submission.month)).all()
        weekly = conn.execute(select(func.count()).select_from(WeeklyReport)).scalar()
        older = reporting.statuses(conn, sorted(m for m, _ in received)[0], Scope("all").units(), config.today(), 5)
    assert sorted(closed) == months  # the demo's months are final: pages open on the newest closed one
    assert len(received) == 4 and weekly > 0  # a reporting history, so 报送情况 is not empty on first start
    assert {"on_time", "late", "missing"} <= set(older["status"])  # some late, a few missing
    assert rules == set(RULE_NAMES)
    # a plan is on the 台账 from its start at the earliest, due 90 days or more after its listing
    assert 0 < plan_late <= (LAST_MONTH_END - LEDGER_OPENED).days - 90
    assert lists == set(LISTS)
    assert 0.02 < city.idle_rate < 0.09
    # the campaign under way since the 台账 was set up: fewer idle, a better score than a year before
    assert city.idle_rate < first.idle_rate and city.score > first.score + 10
    count, low, high = departments
    assert count == 150 and low < 40 and high > 95  # from poor to excellent
    # the cycle under way: warnings answered, checked and sent back, interviews held with commitments
    def states():
        with engine.connect() as conn:
            return (dict(conn.execute(select(WarningCase.state, func.count()).group_by(WarningCase.state)).all()),
                    conn.execute(select(func.count()).where(WarningEvent.action == "refired")).scalar())
    cases, _ = states()
    assert {"open", "acknowledged", "submitted", "returned", "resolved"} <= set(cases)
    assert cases["open"] < sum(cases.values()) / 2
    with engine.connect() as conn:
        held = conn.execute(select(Interview.month).where(Interview.status == "held")).scalars().all()
        kept = set(conn.execute(select(Commitment.status)).scalars())
        evidence = conn.execute(select(Evidence.sha256, Evidence.subject)).all()
    assert sorted(set(held)) == ["2026-09", "2026-10"] and {"open", "submitted", "done"} <= kept
    # the demo's department account meets the whole cycle: on the 约谈 list, interviewed, its commitments to answer
    dept = DEPT_ACCOUNTS["dept"]
    with engine.connect() as conn:
        listed = set(conn.execute(select(ListEntry.list).where(ListEntry.month == "2026-10", ListEntry.code == dept)).scalars())
        promised = set(conn.execute(select(Commitment.status).join(Interview, Interview.id == Commitment.interview_id)
                                    .where(Interview.dept_code == dept, Interview.month == "2026-10")).scalars())
    assert "interview" in listed and promised == {"open", "submitted"}
    # and finds the month's papers in its 消息, as closing the month would have sent them: on the
    # close day (6 November, 03:00 in the city), before the month's interviews were held
    with engine.connect() as conn:
        inbox = conn.execute(select(Paper.kind, Paper.dept_code, Message.read_at, Message.created_at)
                             .join(Message, Message.paper_id == Paper.id)
                             .join(User, User.id == Message.user_id).where(User.username == "dept")).all()
        first_held = conn.execute(select(func.min(Interview.scheduled_on)).where(Interview.month == "2026-10")).scalar()
    assert sorted((kind, code) for kind, code, *_ in inbox) == [("bulletin", None), ("interview", dept), ("rectify", dept)]
    assert all(read_at is None for _, _, read_at, _ in inbox)
    assert {clock.local(sent, config.zone) for *_, sent in inbox} == {dt.datetime(2026, 11, 6, 3, 0, tzinfo=ZoneInfo(config.zone))}
    assert first_held > dt.date(2026, 11, 6)
    # and the 约谈安排 of its interview, sent the morning after the close and read before the day
    with engine.connect() as conn:
        arranged = conn.execute(select(Message.title, Message.body, Message.created_at, Message.read_at)
                                .join(User, User.id == Message.user_id)
                                .where(User.username == "dept", Message.kind == "scheduled")).one()
        own = conn.execute(select(Interview).where(Interview.month == "2026-10", Interview.dept_code == dept)).one()
    assert arranged.title == f"约谈安排：{own.scheduled_on.year}年{own.scheduled_on.month}月{own.scheduled_on.day}日（2026年10月约谈名单）"
    assert own.place in arranged.body
    assert clock.local(arranged.created_at, config.zone) == dt.datetime(2026, 11, 7, 9, 0, tzinfo=ZoneInfo(config.zone))
    assert arranged.created_at < arranged.read_at < dt.datetime.combine(own.scheduled_on, dt.time())
    # and is told in 消息 of its warnings checked and of the one sent back, as the page tells
    with engine.connect() as conn:
        told = dict(conn.execute(select(Message.kind, Message.title).join(User, User.id == Message.user_id).where(
            User.username == "dept", Message.kind.in_(("verified", "returned")))).all())
        checked = conn.execute(select(func.count()).select_from(WarningEvent).join(
            WarningCase, WarningCase.id == WarningEvent.case_id).where(
            WarningCase.dept_code == dept, WarningEvent.action == "verified")).scalar()
    assert checked and told == {"verified": f"预警已核验销号（{checked} 条）", "returned": "预警整改材料被退回（1 条）"}
    assert {e.subject for e in evidence} == {"case", "commitment"}
    assert {filestore.kind_of(filestore.read(config.replace(files__dir=str(files)), e.sha256)) for e in evidence} == {"xlsx"}
    # the audit page reads every entry in Chinese: no stored key or English value (codes and digests aside)
    with engine.connect() as conn:
        entries = conn.execute(select(AuditEntry.action, AuditEntry.before, AuditEntry.after)).all()
    english = {(action, word) for action, before, after in entries
               for word in re.findall(r"[a-z_]{3,}", describe_change(before, after, action, RULE_NAMES))
               if not re.fullmatch("[a-f]+", word)}
    assert len({action for action, *_ in entries}) >= 10 and english == set()
    # the next month computed on the same ledger, as the scheduler does first: nothing closed off reopens
    compute_month(engine, config.replace(org__city_region_code="371500"), "2026-11", "t")
    after, refired = states()
    assert after["resolved"] == cases["resolved"] and refired == 0
    # the department's own workbook left beside the city's imports as its 报送, though the demo has
    # transferred some of its assets away meanwhile (its export no longer holds them)
    city = config.replace(org__city_region_code="371500")
    with engine.connect() as conn:
        moved = conn.execute(select(func.count()).select_from(Transfer).where(Transfer.state == "done")).scalar()
    sent = import_path(engine, tmp_path / DEPT_WORKBOOK, city, username="dept", scope=Scope("department", dept),
                       role="department")
    assert moved > 0 and sent.ok, [str(p) for p in sent.problems[:3]]


@pytest.mark.slow
def test_demo_again_with_another_size_rebuilds_and_refuses_foreign_data(engine, config, tmp_path):
    env = {"PANHUO_DATABASE_URL": config.database_url}
    for assets in ("3000", "2000"):
        result = CliRunner().invoke(main, ["demo", "--assets", assets, "--no-serve"], env=env)
        assert result.exit_code == 0, result.output
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Asset)).scalar_one() == 2000
    from tests.factories import LedgerBuilder
    LedgerBuilder().unit("X1", region="990100").asset("X", unit="X1").load(engine, config, tmp_path / "foreign")
    refused = CliRunner().invoke(main, ["demo", "--assets", "2000", "--no-serve"], env=env)
    assert refused.exit_code != 0 and "not the demo city" in refused.output
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Asset)).scalar_one() == 2001


def test_one_departments_own_ledger_is_its_rows_of_the_citys(tmp_path):
    """What the demo's department sends itself is exactly its part of the city's ledger, without
    purchase requests (they are typed on 配置审核 or sent by the bureau)."""
    import csv

    def rows(folder, sheet):
        with (folder / f"{sheet}.csv").open(encoding="utf-8-sig") as fh:
            return list(csv.reader(fh))[1:]
    write_demo_ledger(tmp_path / "city", assets=2000, seed=7)
    counts = write_demo_ledger(tmp_path / "own", assets=2000, seed=7, dept="371500001")
    units = rows(tmp_path / "own", "单位")
    assert units and {u[2] for u in units} == {"371500001"}
    assert units == [u for u in rows(tmp_path / "city", "单位") if u[2] == "371500001"]
    mine = {u[0] for u in units}
    assert rows(tmp_path / "own", "资产卡片") == [a for a in rows(tmp_path / "city", "资产卡片") if a[1] in mine]
    assert counts["assets"] > 0 and counts["requests"] == 0
    # an asset it has transferred away since is not in what it sends now, nor are its records
    changed = {a[0] for a in rows(tmp_path / "own", "状况变动")}
    gone = sorted(changed)[0]
    write_demo_ledger(tmp_path / "now", assets=2000, seed=7, dept="371500001", gone=frozenset({gone}))
    for sheet in ("资产卡片", "状况变动"):
        assert rows(tmp_path / "now", sheet) == [r for r in rows(tmp_path / "own", sheet) if r[0] != gone]
