"""The workflow: warning states and who may move them, escalation by date, interviews and
commitments checked against later snapshots, and the audit entries each step writes."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, true

from jobs.runner import compute_month, compute_months
from ledger import filestore, workflow
from ledger.errors import UserError
from ledger.models import AuditEntry, Commitment, Interview, ListEntry, WarningCase, WarningEvent, WarningRow
from ledger.workflow import Actor, WorkflowError
from outputs.phrasing import reason_text
from tests.factories import LedgerBuilder
from tests.helpers import schema

SUPERVISOR = Actor("sup", "supervisor", "10.0.0.1")
DEPT = Actor("d1", "department")
MINE = WarningCase.dept_code == "D1"


def city(engine, config, folder, a1_status="闲置"):
    b = LedgerBuilder().unit("U1", dept="D1").unit("U2", dept="D2")
    b.asset("A1", unit="U1", status=a1_status, status_since="2025-01-01")
    b.asset("A2", unit="U2", status="闲置", status_since="2025-01-01")
    b.load(engine, config, folder)
    return b


def cases(engine):
    with engine.connect() as conn:
        return {(c.rule, c.ref): c for c in conn.execute(select(WarningCase))}


def case_id(engine, rule, ref):
    return cases(engine)[(rule, ref)].id


def test_cases_open_close_by_themselves_and_reopen_with_history(engine, config, tmp_path):
    b = city(engine, config, tmp_path / "a")
    compute_month(engine, config, "2026-09", "t")
    assert cases(engine)[("idle_overdue", "A1")].state == "open"
    # A1 is put to use: the October snapshot no longer warns it, so its case closes itself
    b.change("A1", "2026-10-15", "在用").load(engine, config, tmp_path / "b")
    compute_month(engine, config, "2026-10", "t")
    assert cases(engine)[("idle_overdue", "A1")].state == "closed"
    assert cases(engine)[("idle_overdue", "A2")].state == "open"
    # idle again: the same case reopens and keeps what happened before
    b.change("A1", "2026-11-01", "闲置").load(engine, config, tmp_path / "c")
    compute_month(engine, config, "2027-05", "t")
    case = cases(engine)[("idle_overdue", "A1")]
    assert case.state == "open"
    with engine.connect() as conn:
        assert conn.execute(select(WarningEvent.action).where(WarningEvent.case_id == case.id)
                                  .order_by(WarningEvent.id)).scalars().all() == ["fired", "closed", "refired"]


def test_a_first_computation_keeps_the_cases_indexes_and_foreign_keys(engine, config, tmp_path):
    """The first computation builds the cases' and events' indexes after their rows: the schema
    after it is the schema before, every case has its first event, and an event of no case is
    still refused."""
    from sqlalchemy.exc import IntegrityError

    tables = ["warning_cases", "warning_events"]
    before = schema(engine, tables)
    city(engine, config, tmp_path)
    compute_month(engine, config, "2026-09", "t")
    assert schema(engine, tables) == before
    assert {("idle_overdue", "A1"), ("idle_overdue", "A2")} <= set(cases(engine))  # idle since January 2025
    with engine.connect() as conn:
        opened = conn.execute(select(WarningCase.id)).scalars().all()
        assert sorted(conn.execute(select(WarningEvent.case_id).where(WarningEvent.action == "fired")).scalars()) \
            == sorted(opened)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(WarningEvent.__table__.insert().values(case_id=max(opened) + 1, at=dt.datetime(2026, 9, 1),
                                                            actor="t", action="fired", to_state="open"))


def test_a_range_computed_afresh_leaves_the_cases_of_its_newest_month(engine, config, tmp_path):
    b = city(engine, config, tmp_path / "a")
    b.change("A1", "2026-10-15", "在用").load(engine, config, tmp_path / "b")  # warned in September only
    compute_months(engine, config, ["2026-09", "2026-10"], "t")

    def state():
        with engine.connect() as conn:
            firing = set(conn.execute(select(WarningRow.rule, WarningRow.ref).where(WarningRow.month == "2026-10")).all())
            events = conn.execute(select(WarningEvent.case_id, WarningEvent.action, WarningEvent.note)
                                  .order_by(WarningEvent.id)).all()
        return firing, {k: (c.id, c.state, c.opened_on) for k, c in cases(engine).items()}, events

    firing, known, events = state()
    assert ("idle_overdue", "A2") in firing and not any(ref == "A1" for _, ref in firing)
    # A1 came and went inside the range: no case opened and closed again; October's each open once
    assert set(known) == firing and {s for _, s, _ in known.values()} == {"open"}
    assert known[("idle_overdue", "A2")][2] == dt.date(2026, 9, 30)  # open since the first snapshot warning it
    assert [(a, n) for _, a, n in events] == [("fired", "2026-10 触发")] * len(firing)
    compute_months(engine, config, ["2026-09", "2026-10"], "t")  # recomputed: the same cases, nothing logged
    assert state() == (firing, known, events)


def test_a_synchronisation_counts_what_it_opened_reopened_and_closed(engine, config, tmp_path):
    from sqlalchemy import delete, update

    from ledger.workflow import sync_cases
    city(engine, config, tmp_path / "a")
    compute_month(engine, config, "2026-09", "t")
    gone, resolved = case_id(engine, "idle_overdue", "A1"), case_id(engine, "idle_overdue", "A2")
    with engine.begin() as conn:
        conn.execute(delete(WarningEvent).where(WarningEvent.case_id == gone))
        conn.execute(delete(WarningCase).where(WarningCase.id == gone))
        conn.execute(update(WarningCase).where(WarningCase.id == resolved).values(state="resolved"))
        assert sync_cases(conn, "2026-09") == {"opened": 1, "reopened": 1, "closed": 0}
        assert sync_cases(conn, "2026-09") == {"opened": 0, "reopened": 0, "closed": 0}


def test_the_sync_plans_from_statistics_that_know_the_month(engine, config, tmp_path):
    """A month computed for the first time is unknown to the statistics taken after the month
    before: PostgreSQL expected one row of it and tested every closed case against all the
    month's warnings (a 1M city's compute stuck for minutes). The sync refreshes the statistics
    then, inside its transaction, and not when the month is recomputed."""
    from sqlalchemy import text
    if engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner statistics")

    def known_months():
        with engine.connect() as conn:
            return conn.execute(text("SELECT most_common_vals::text::text[] FROM pg_stats WHERE tablename = "
                                     "'warning_rows' AND attname = 'month'")).scalar()

    def analyses():
        with engine.connect() as conn:
            return conn.execute(text("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'warning_rows'")
                                ).scalar()

    b = city(engine, config, tmp_path / "a")
    compute_month(engine, config, "2026-09", "t")  # statistics refreshed afterwards, as every time
    assert known_months() == ["2026-09"]
    with engine.begin() as conn:
        workflow.resolve(conn, SUPERVISOR, [case_id(engine, "idle_overdue", "A1")], true(), "已盘活")
    b.change("A2", "2026-10-15", "在用").load(engine, config, tmp_path / "b")
    compute_month(engine, config, "2026-10", "t", refresh=False)
    assert sorted(known_months()) == ["2026-09", "2026-10"]
    state = {ref: c.state for (rule, ref), c in cases(engine).items() if rule == "idle_overdue"}
    assert state == {"A1": "open", "A2": "closed"}  # A1 fired again, A2 in use
    before = analyses()
    compute_month(engine, config, "2026-10", "t", refresh=False)
    assert analyses() == before


def test_a_case_closed_off_stays_so_until_its_unit_sends_a_ledger_that_still_shows_it(engine, config, tmp_path,
                                                                                       monkeypatch):
    """销号 of a warning that still fires is the supervisor's call on the evidence: the daily
    recompute on the ledger the supervisor already had (even a new month of it) leaves it closed
    off. A ledger its unit sends afterwards that still shows the problem reopens it, 本月无变化
    included; another unit's ledger does not."""
    from ledger import clock, reporting
    moment = {"now": dt.datetime(2026, 11, 10, 2, 0)}
    monkeypatch.setattr(clock, "now", lambda precise=False: moment["now"])

    def at(day: int):
        moment["now"] = dt.datetime(2026, 11, day, 2, 0)

    def states():
        return {ref: (c.state, c.opened_on) for (rule, ref), c in cases(engine).items()
                if rule == "idle_overdue" and ref != "A3"}

    # the units' ledgers received on the 10th; that day U3's department acknowledged A3's warning
    city(engine, config, tmp_path / "a")
    LedgerBuilder().unit("U3", dept="D3").asset("A3", unit="U3", status="闲置", status_since="2025-01-01") \
        .load(engine, config, tmp_path / "u3")
    compute_month(engine, config, "2026-10", "t")
    with engine.begin() as conn:
        workflow.acknowledge(conn, Actor("d3", "department"), [case_id(engine, "idle_overdue", "A3")], true(),
                             "已安排调剂", dt.date(2026, 12, 31), dt.date(2026, 11, 10))
    opened = states()["A1"][1]
    at(11)
    with engine.begin() as conn:
        workflow.resolve(conn, SUPERVISOR, [case_id(engine, "idle_overdue", r) for r in ("A1", "A2")], true(),
                         "核实整改材料，已盘活")
    at(12)
    compute_month(engine, config, "2026-10", "t")  # the daily recompute
    compute_month(engine, config, "2026-11", "t")  # the next month, on the same ledger
    assert states() == {"A1": ("resolved", opened), "A2": ("resolved", opened)}
    # U2 sends its ledger: A2 still idle there, so its case reopens; U1 sent nothing, A1 stays closed off
    LedgerBuilder().unit("U2", dept="D2").asset("A2", unit="U2", status="闲置", status_since="2025-01-01") \
        .load(engine, config, tmp_path / "u2")
    compute_month(engine, config, "2026-11", "t")
    assert {ref: s for ref, (s, _) in states().items()} == {"A1": "resolved", "A2": "open"}
    # U1 confirms its ledger unchanged (本月无变化) on the 13th: the idle card stands, A1 reopens
    at(13)
    with engine.begin() as conn:
        reporting.confirm(conn, DEPT, ["U1"], true(), dt.date(2026, 11, 13))
    compute_month(engine, config, "2026-11", "t")
    assert {ref: s for ref, (s, _) in states().items()} == {"A1": "open", "A2": "open"}
    with engine.connect() as conn:
        assert conn.execute(select(WarningEvent.action).where(WarningEvent.case_id == case_id(engine, "idle_overdue", "A1"))
                            .order_by(WarningEvent.id)).scalars().all() == ["fired", "resolved", "refired"]


def test_recomputing_an_older_month_leaves_the_cases_alone(engine, config, tmp_path):
    city(engine, config, tmp_path / "a")
    compute_month(engine, config, "2026-10", "t")
    with engine.begin() as conn:
        workflow.resolve(conn, SUPERVISOR, [case_id(engine, "idle_overdue", "A1")], true(), "已盘活")
    compute_month(engine, config, "2026-09", "t")
    assert cases(engine)[("idle_overdue", "A1")].state == "resolved"


def test_department_acknowledges_its_own_and_only_a_supervisor_resolves(engine, config, tmp_path):
    city(engine, config, tmp_path / "a")
    compute_month(engine, config, "2026-10", "t")
    mine, theirs = case_id(engine, "idle_overdue", "A1"), case_id(engine, "idle_overdue", "A2")
    today = dt.date(2026, 11, 5)
    with engine.begin() as conn, pytest.raises(WorkflowError, match="no warning"):
        workflow.acknowledge(conn, DEPT, [theirs], MINE, "不是我的", dt.date(2026, 12, 31), today)  # another's
    for fix_by in (None, "9999-12-31", "2026-11-04", "2026-13-01"):
        with engine.begin() as conn, pytest.raises(UserError, match="计划整改日期"):
            workflow.acknowledge(conn, DEPT, [mine], MINE, "整改中", fix_by, today)
    with engine.begin() as conn, pytest.raises(UserError, match="过长"):
        workflow.acknowledge(conn, DEPT, [mine], MINE, "长" * 2001, dt.date(2026, 12, 31), today)
    with engine.begin() as conn, pytest.raises(UserError, match="控制字符"):
        workflow.acknowledge(conn, DEPT, [mine], MINE, "整改\x00中", dt.date(2026, 12, 31), today)
    with engine.begin() as conn:
        assert workflow.acknowledge(conn, DEPT, [mine, theirs], MINE, "已安排调剂", dt.date(2026, 12, 31), today).ids == [mine]
    assert cases(engine)[("idle_overdue", "A2")].state == "open"
    with engine.begin() as conn, pytest.raises(WorkflowError, match="not allowed"):
        workflow.resolve(conn, DEPT, [mine], MINE, "我说好了")
    with engine.begin() as conn, pytest.raises(WorkflowError, match="not allowed"):
        workflow.resolve(conn, Actor("boss", "leader"), [mine], true(), "看过了")
    with engine.begin() as conn:
        assert workflow.resolve(conn, SUPERVISOR, [mine, theirs], true(), "核实已整改").ids == sorted([mine, theirs])  # bulk
    state = cases(engine)
    assert state[("idle_overdue", "A1")].state == "resolved" and state[("idle_overdue", "A1")].fix_by == dt.date(2026, 12, 31)
    with engine.connect() as conn:
        entries = conn.execute(select(AuditEntry).where(AuditEntry.action.like("warning.%")).order_by(AuditEntry.id)).all()
    assert [(e.action, e.actor, e.after["state"]) for e in entries] == [
        ("warning.acknowledged", "d1", "acknowledged"), ("warning.resolved", "sup", "resolved")]
    assert entries[1].address == "10.0.0.1" and entries[1].before == {"states": ["acknowledged", "open"]}


@pytest.mark.parametrize("level, state, days, overdue", [
    ("red", "open", 16, True), ("orange", "open", 16, True), ("red", "open", 15, False),
    ("yellow", "open", 100, False), ("red", "acknowledged", 100, False), ("red", "resolved", 100, False)])
def test_escalation_by_date(engine, level, state, days, overdue):
    opened = dt.date(2026, 10, 31)
    with engine.begin() as conn:
        conn.execute(WarningCase.__table__.insert().values(
            rule="idle_overdue", ref="A1", asset_code="A1", dept_code="D1", region_code="990100", level=level,
            state=state, opened_on=opened, last_month="2026-10"))
        today = opened + dt.timedelta(days=days)
        assert workflow.escalated_counts(conn, today, 15, true()) == ({"D1": 1} if overdue else {})


PDF = b"%PDF-1.4\n%%EOF\n"


def interview_reasons(engine, month, dept="D1"):
    with engine.connect() as conn:
        return conn.execute(select(ListEntry.reasons).where(
            ListEntry.month == month, ListEntry.list == "interview", ListEntry.code == dept)).scalar_one()


def test_an_interview_from_the_list_with_commitments_checked_against_the_next_snapshot(engine, config, tmp_path):
    b = city(engine, config, tmp_path / "a")
    compute_month(engine, config, "2026-09", "t")
    reasons = interview_reasons(engine, "2026-09")
    assert any("超期闲置率" in reason_text(r) for r in reasons)
    with engine.begin() as conn, pytest.raises(WorkflowError, match="not on that month's interview list"):
        workflow.schedule_interview(conn, SUPERVISOR, "2026-09", "D9", dt.date(2026, 10, 10), "张三", true())
    with engine.begin() as conn, pytest.raises(WorkflowError, match="not allowed"):
        workflow.schedule_interview(conn, DEPT, "2026-09", "D1", dt.date(2026, 10, 10), "张三", true())
    with engine.begin() as conn:
        interview = workflow.schedule_interview(conn, SUPERVISOR, "2026-09", "D1", dt.date(2026, 10, 10),
                                                "财政局资产科 李四；部门D1 王五", true())
    # a commitment names the interviewed department's assets only: A2 is D2's, A9 does not exist
    with engine.begin() as conn, pytest.raises(WorkflowError, match="A2、A9") as refused:
        workflow.record_outcome(conn, SUPERVISOR, interview, true(), "部门承认问题",
                                [{"text": "盘活", "owner": "王五", "deadline": dt.date(2026, 11, 30),
                                  "asset_codes": ["A1", "A2", "A9"]}])
    assert "A1" not in str(refused.value)
    with engine.connect() as conn:
        assert conn.execute(select(Commitment)).all() == []
    with engine.begin() as conn:
        (commitment,) = workflow.record_outcome(conn, SUPERVISOR, interview, true(), "部门承认问题，承诺两月内盘活",
                                                [{"text": "A1 调剂使用", "owner": "王五", "deadline": dt.date(2026, 11, 30),
                                                  "asset_codes": ["A1"]}])
    with engine.connect() as conn:
        assert conn.execute(select(Interview.topics)).scalar_one() == reasons  # topics pre-filled from the list
    with engine.begin() as conn:
        assert workflow.commitment_counts(conn, dt.date(2026, 12, 1), true()) == {"D1": {"open": 1, "overdue": 1}}
        assert workflow.commitment_counts(conn, dt.date(2026, 11, 30), true()) == {"D1": {"open": 1, "overdue": 0}}
    with engine.begin() as conn:
        proof = [("协议.pdf", filestore.keep(conn, config, PDF, "pdf"))]
    with engine.begin() as conn, pytest.raises(WorkflowError, match="no such commitment"):
        workflow.submit_commitment(conn, Actor("d2", "department"), commitment, Commitment.dept_code == "D2", "看不到",
                                   proof)
    with engine.begin() as conn:
        workflow.submit_commitment(conn, DEPT, commitment, Commitment.dept_code == "D1", "已调剂给某局使用", proof)
    with engine.connect() as conn:
        rows = conn.execute(select(Commitment)).all()
        assert workflow.commitment_checks(conn, rows) == {commitment: "待下月快照核验"}
    # October: A1 still idle -> not kept; November: A1 in use -> kept
    compute_month(engine, config, "2026-10", "t")
    with engine.connect() as conn:
        assert workflow.commitment_checks(conn, rows) == {commitment: "2026-10 仍有预警：A1"}
    b.change("A1", "2026-11-10", "在用").load(engine, config, tmp_path / "b")
    compute_month(engine, config, "2026-11", "t")
    with engine.connect() as conn:
        assert workflow.commitment_checks(conn, rows) == {commitment: "2026-11 已兑现"}
    with engine.begin() as conn, pytest.raises(WorkflowError, match="not allowed"):
        workflow.verify_commitment(conn, DEPT, commitment, Commitment.dept_code == "D1", dt.date(2026, 11, 20))
    with engine.begin() as conn:
        workflow.verify_commitment(conn, SUPERVISOR, commitment, true(), dt.date(2026, 11, 20))
    with engine.connect() as conn:
        actions = [e.action for e in conn.execute(select(AuditEntry).where(
            AuditEntry.action.like("interview.%") | AuditEntry.action.like("commitment.%")).order_by(AuditEntry.id))]
    assert actions == ["interview.schedule", "interview.record", "commitment.submit", "commitment.verify"]


def test_acknowledging_more_warnings_than_a_statement_binds_works_in_batches(engine, config, tmp_path):
    city(engine, config, tmp_path / "a")
    compute_month(engine, config, "2026-10", "t")
    mine = case_id(engine, "idle_overdue", "A1")
    ids = [mine, *range(10_000_000, 10_070_000)]  # 70,000 ids: PostgreSQL binds at most 65,535 parameters
    with engine.begin() as conn:
        assert workflow.acknowledge(conn, DEPT, ids, MINE, "批量确认", dt.date(2026, 12, 31), dt.date(2026, 11, 5)).ids == [mine]
