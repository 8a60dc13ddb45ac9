"""配置审核 in the ledger: requests typed on the page, transfers settled by later imports, holds."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, true

from ledger import allocation
from ledger.importer import import_path
from ledger.models import AuditEntry, HeldAsset, PurchaseRequest, Transfer
from ledger.scope import Scope
from ledger.workflow import Actor, WorkflowError
from tests.factories import LedgerBuilder

SUPERVISOR = Actor("sup", "supervisor")
DECIDED = dt.date(2026, 11, 1)


def city() -> LedgerBuilder:
    b = LedgerBuilder()
    b.unit("U1", dept="D1").unit("U3", dept="D2")
    b.asset("T3", unit="U3", asset_name="办公桌", category="家具用具", status="闲置")
    b.asset("T4", unit="U3", asset_name="办公桌", category="家具用具", status="闲置")
    b.request("R1", unit="U1", asset_name="办公桌", category="家具用具", quantity="2")
    return b


def transfer_both(engine) -> None:
    found = allocation.Candidates(DECIDED, {"T3": "U3", "T4": "U3"}, {"covered": True})
    with engine.begin() as conn:
        allocation.decide(conn, SUPERVISOR, "R1", true(), "transfer", ["T3", "T4"], None, "调剂两张", found, 60)


def transfers(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        return {t.asset_code: (t.state, t.done_on, t.done_how) for t in conn.execute(select(Transfer))}


def held(engine) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(HeldAsset.asset_code)).scalars())


def test_a_later_import_shows_the_transfer_done(engine, config, tmp_path):
    b = city()
    b.load(engine, config, tmp_path / "first")
    transfer_both(engine)
    assert held(engine) == {"T3", "T4"} and {s for s, _, _ in transfers(engine).values()} == {"open"}
    # the next ledger: T3 now a card of the receiving department's unit; T4's listing closed 已调剂
    later = LedgerBuilder()
    later.unit("U1", dept="D1").unit("U3", dept="D2")
    later.asset("T3", unit="U1", asset_name="办公桌", category="家具用具", status="在用")
    later.listing("L4", "T4", "2026-10-01", delisted_on="2026-11-10", outcome="已调剂", receiver="单位U1")
    later.load(engine, config, tmp_path / "later")
    done = transfers(engine)
    assert done["T3"] == ("done", config.today(), "moved")
    assert done["T4"] == ("done", dt.date(2026, 11, 10), "listing")
    assert held(engine) == set()
    with engine.connect() as conn:
        assert conn.execute(select(AuditEntry.target).where(AuditEntry.action == "transfer.done")).scalar() == "2 项调剂"


def test_a_withdrawn_decision_releases_its_assets_and_a_done_transfer_cannot_be_withdrawn(engine, config, tmp_path):
    city().load(engine, config, tmp_path / "first")
    transfer_both(engine)
    with engine.begin() as conn:
        allocation.withdraw(conn, SUPERVISOR, "R1", true(), "需求取消")
    assert held(engine) == set() and {s for s, _, _ in transfers(engine).values()} == {"withdrawn"}
    transfer_both(engine)  # decided again
    moved = LedgerBuilder().unit("U1", dept="D1")
    moved.asset("T3", unit="U1", asset_name="办公桌", category="家具用具")
    moved.load(engine, config, tmp_path / "moved")
    with pytest.raises(WorkflowError, match="已有 1 项资产完成调剂"), engine.begin() as conn:
        allocation.withdraw(conn, SUPERVISOR, "R1", true(), "再撤回")


def test_overdue_transfers_are_counted_per_receiving_department(engine, config, tmp_path):
    city().load(engine, config, tmp_path / "first")
    transfer_both(engine)
    with engine.connect() as conn:
        assert allocation.transfer_counts(conn, DECIDED + dt.timedelta(days=60), true()) == {
            "D1": {"open": 2, "overdue": 0}}
        assert allocation.transfer_counts(conn, DECIDED + dt.timedelta(days=61), true()) == {
            "D1": {"open": 2, "overdue": 2}}


def test_a_decided_request_is_not_changed_by_a_re_import(engine, config, tmp_path):
    b = city()
    b.load(engine, config, tmp_path / "first")
    transfer_both(engine)
    b.tables["requests"][0]["quantity"] = "9"
    result = import_path(engine, b.write(tmp_path / "again"), config)
    assert not result.ok
    assert any(str(p).startswith("配置需求.csv 第2行 需求编号「R1」：该需求已有审核决定") for p in result.problems)


def test_a_county_imports_requests_only_for_units_of_its_region(engine, config, tmp_path):
    b = LedgerBuilder().unit("U1", dept="D1").unit("U5", dept="D5", region="990102")
    b.asset("A1", unit="U1").asset("A5", unit="U5")
    b.load(engine, config, tmp_path / "first")
    # import.md: every file carries the 单位 and 资产卡片 sheets, a request file too
    foreign = LedgerBuilder().unit("U5", dept="D5", region="990102").asset("A5", unit="U5").request("R9", unit="U1")
    result = import_path(engine, foreign.write(tmp_path / "foreign"), config, scope=Scope("region", "990102"))
    assert not result.ok and [str(p) for p in result.problems] == [
        "配置需求.csv 第2行 单位编码「U1」：不在本账号范围内 / outside this account's scope"]
    own = LedgerBuilder().unit("U5", dept="D5", region="990102").asset("A5", unit="U5").request("R5", unit="U5")
    assert import_path(engine, own.write(tmp_path / "own"), config, scope=Scope("region", "990102")).ok


CELLS = {"request_id": "R7", "unit_code": "U1", "budget_year": "2027", "asset_name": "会议桌", "category": "家具用具",
         "category_code": "", "quantity": "3", "unit_price": "1,200.50", "requested_on": "2026/11/3", "reason": "新设科室"}


def test_a_request_typed_on_the_page_follows_the_import_rules(engine, config, tmp_path):
    city().load(engine, config, tmp_path / "first")
    with pytest.raises(WorkflowError, match="数量「0」数量应不小于 1"), engine.begin() as conn:
        allocation.add_request(conn, SUPERVISOR, {**CELLS, "quantity": "0"}, true())
    with pytest.raises(WorkflowError, match="申报日期「3/11/2026」日期格式无法识别"), engine.begin() as conn:
        allocation.add_request(conn, SUPERVISOR, {**CELLS, "requested_on": "3/11/2026"}, true())
    with pytest.raises(WorkflowError, match="需求编号「R1」需求编号已存在"), engine.begin() as conn:
        allocation.add_request(conn, SUPERVISOR, {**CELLS, "request_id": "R1"}, true())
    with pytest.raises(WorkflowError, match="无权"), engine.begin() as conn:
        allocation.add_request(conn, Actor("d1", "department"), CELLS, true())
    with engine.begin() as conn:
        allocation.add_request(conn, SUPERVISOR, CELLS, true())
    with engine.connect() as conn:
        row = conn.execute(select(PurchaseRequest.unit_price, PurchaseRequest.requested_on, PurchaseRequest.category)
                           .where(PurchaseRequest.request_id == "R7")).one()
    assert row == (120050, dt.date(2026, 11, 3), "furniture")


def test_a_large_import_rebuilds_the_match_indexes(engine, config, tmp_path, monkeypatch):
    from sqlalchemy import inspect

    from ledger.importer import load
    from metrics.allocation import requests_frame, review

    monkeypatch.setattr(load, "REBUILD_ROWS", 1)  # every load counts as large
    city().load(engine, config, tmp_path / "city")
    names = {i["name"] for i in inspect(engine).get_indexes("assets")}
    assert {"ix_assets_stock_code", "ix_assets_stock_name"} <= names
    found = review(engine, config, DECIDED, requests_frame(engine)).of("R1")
    assert list(found.asset_code) == ["T3", "T4"]


def test_a_decision_note_or_a_withdrawal_reason_past_its_limit_is_refused_and_nothing_kept(engine, config, tmp_path):
    """roles.md: notes and reasons are 2,000 characters at most; a 3,000,000-character note was kept
    and copied into the audit log before."""
    from ledger.texts import TextRefused
    city().load(engine, config, tmp_path)
    found = allocation.Candidates(DECIDED, {"T3": "U3", "T4": "U3"}, {"covered": True})
    for note in ("x" * 2001, "调剂\x00两张", "x" * 3_000_000):
        with pytest.raises(TextRefused), engine.begin() as conn:
            allocation.decide(conn, SUPERVISOR, "R1", true(), "transfer", ["T3", "T4"], None, note, found, 60)
    with engine.connect() as conn:
        assert conn.execute(select(AuditEntry).where(AuditEntry.action == "request.decide")).first() is None
    transfer_both(engine)
    with pytest.raises(TextRefused, match="撤回理由过长"), engine.begin() as conn:
        allocation.withdraw(conn, SUPERVISOR, "R1", true(), "y" * 2001)
    assert held(engine) == {"T3", "T4"}
