"""配置审核: the candidates of a request, their order and the flags, rule by rule (allocation.md)."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from ledger import allocation
from ledger.workflow import Actor, WorkflowError
from metrics.allocation import refresh_stale, requests_frame, review, stored_review
from metrics.snapshot import compute_snapshot
from tests.factories import LedgerBuilder
from tests.helpers import empty_all

D = dt.date(2026, 11, 20)
IDLE = {"status": "闲置", "category": "家具用具"}


def city() -> LedgerBuilder:
    b = LedgerBuilder()
    b.unit("U1", dept="D1").unit("U2", dept="D1").unit("U3", dept="D2").unit("U4", dept="D4", region="990102")
    # 办公桌 in every tier, idle for different lengths
    b.asset("T1", unit="U1", asset_name="办公桌", status_since="2026-05-20", **IDLE)      # tier 1, 6 months
    b.asset("T2", unit="U2", asset_name="办 公　桌", status_since="2025-11-20", **IDLE)   # tier 2, 12 months, spaces
    b.asset("T3", unit="U3", asset_name="办公桌", status_since="2024-11-20", **IDLE)      # tier 3, 24 months
    b.asset("T4", unit="U4", asset_name="办公桌", status_since="2026-10-21", **IDLE)      # tier 4, 0 months
    b.asset("T4L", unit="U4", asset_name="办公桌", category="家具用具")                   # in use, listed
    b.listing("L1", "T4L", "2026-09-01")
    b.asset("T4V", unit="U4", asset_name="办公桌", status_since="2026-10-21", original_value="9000.00", **IDLE)
    b.asset("T4N", unit="U4", asset_name="办公桌", status_since="2026-10-21", original_value="9000.00",
            net_value="100.00", **IDLE)  # net value ranks, not the original
    b.asset("X1", unit="U3", asset_name="办公桌", category="家具用具")                    # in use: no
    b.asset("X2", unit="U3", asset_name="办公桌", status="已处置", category="家具用具")     # disposed: never
    b.asset("X3", unit="U3", asset_name="办公桌", status="已处置", category="家具用具")
    b.listing("L3", "X3", "2026-09-01")                                                   # even listed
    b.asset("X4", unit="U3", asset_name="办公桌", status="待处置", category="家具用具")     # pending, not listed: no
    b.asset("P4", unit="U3", asset_name="办公桌", status="待处置", category="家具用具")     # pending and listed: yes
    b.listing("L4", "P4", "2026-09-01")
    b.asset("X5", unit="U3", asset_name="办公桌", status="闲置", category="通用设备")       # other category: no
    b.asset("X6", unit="U2", asset_name="办公桌", status_since="2020-01-01", **IDLE)      # 自用 plan of D1
    b.plan("S6", "X6", "2026-01-01", "2026-12-31", method="自用")
    b.asset("S7", unit="U3", asset_name="办公桌", status_since="2026-10-21", **IDLE)      # 自用 of D2: not D1's concern
    b.plan("S7P", "S7", "2026-01-01", "2026-12-31", method="自用")
    b.asset("U1L", unit="U1", asset_name="办公桌", status="低效运转", category="家具用具")
    b.asset("X7", unit="U3", asset_name="办公桌", status_since="2026-12-01", **IDLE)      # idle only after D
    b.change("X7", "2020-01-01", "闲置")
    b.change("X7", "2021-01-01", "在用")
    # class codes: a short code asks for the whole class, letters case-insensitive
    b.asset("C1", unit="U3", asset_name="台式机", category="通用设备", status="闲置", category_code="A02010105")
    b.asset("C2", unit="U4", asset_name="笔记本", category="通用设备", status="闲置", category_code="a02010201")
    b.asset("C3", unit="U4", asset_name="打印机", category="通用设备", status="闲置", category_code="A02020100")
    b.request("R1", unit="U1", asset_name="办公桌", category="家具用具", quantity="2")
    b.request("R2", unit="U1", asset_name="计算机", category_code="a0201")
    b.request("R3", unit="U3", asset_name="ＯＦＦＩＣＥ desk", category="家具用具")
    b.request("R4", unit="U3", asset_name="办公桌", category="家具用具", quantity="20")
    return b


@pytest.fixture(scope="module")
def stock(migrated_engine, base_config, tmp_path_factory):
    engine = empty_all(migrated_engine)
    city().load(engine, base_config, tmp_path_factory.mktemp("stock"))
    return engine


def candidates(engine, config, request_id, d=D):
    found = review(engine, config, d, requests_frame(engine)).of(request_id)
    return list(found.asset_code), found


def test_candidates_are_ranked_by_tier_then_listed_then_months_then_value(stock, base_config):
    codes, found = candidates(stock, base_config, "R1")
    assert codes == ["T1", "U1L", "T2", "P4", "T3", "S7", "T4L", "T4V", "T4", "T4N"]
    row = found.set_index("asset_code")
    assert list(row.loc[["T1", "T2", "T3", "T4"], "tier"]) == [1, 2, 3, 4]
    assert list(row.loc[["T1", "T2", "T3", "T4"], "months_idle"]) == [6, 12, 24, 0]
    assert row.loc["T4L", "listed"] and row.loc["T4L", "months_idle"] == 0  # listed, in use: 0 months
    assert row.loc["T4N", "value"] == 10_000  # 净值 100.00 in fen, ranked after T4 (原值 1000.00)
    assert list(found["rank"]) == list(range(1, 11))


def test_what_is_never_a_candidate(stock, base_config):
    codes, _ = candidates(stock, base_config, "R1")
    # in use, disposed (listed or not), pending disposal unlisted, other category, idle only after D,
    # and the 自用 plan of the requesting department
    assert not {"X1", "X2", "X3", "X4", "X5", "X7", "X6"} & set(codes)
    # another department's 自用 plan is its own affair; D1's is excluded only for D1
    d2_codes, _ = candidates(stock, base_config, "R4")
    assert "X6" in d2_codes and "S7" not in d2_codes


def test_a_class_code_is_a_prefix_and_letters_compare_in_any_case(stock, base_config):
    codes, _ = candidates(stock, base_config, "R2")
    assert codes == ["C1", "C2"]  # A0201… in any case; A0202… is another class


def test_names_match_after_normalisation(stock, base_config):
    codes, _ = candidates(stock, base_config, "R3")
    assert codes == []  # "office desk" is not 办公桌
    assert "T2" in candidates(stock, base_config, "R1")[0]  # "办 公　桌" is


def test_flags(stock, base_config):
    result = review(stock, base_config, D, requests_frame(stock))
    assert result.flags_of("R1") == {"candidate_count": 10, "own_stock": True, "covered": True,
                                     "budget_restricted": False, "buy_while_idle": False}
    r4 = result.flags_of("R4")
    assert r4["covered"] is False and r4["own_stock"] is True  # 20 asked, fewer in stock; X4? no: P4, T3 in U3
    assert result.flags_of("R2")["own_stock"] is False


def test_budget_restriction_flag_comes_from_the_newest_month_on_or_before_the_review(engine, config, tmp_path):
    b = LedgerBuilder()
    b.unit("U1", dept="D1")
    for i in range(10):
        b.asset(f"A{i}", unit="U1", status="闲置", status_since="2025-01-01")  # idle rate 100%: 预算约束
    b.request("R1", unit="U1")
    b.load(engine, config, tmp_path)
    frame = requests_frame(engine)
    assert review(engine, config, D, frame).flags_of("R1")["budget_restricted"] is False  # no snapshot yet
    compute_snapshot(engine, "2026-10", config)
    assert review(engine, config, D, frame).flags_of("R1")["budget_restricted"] is True
    assert review(engine, config, dt.date(2026, 10, 30), frame).flags_of("R1")["budget_restricted"] is False


# ---- decisions ------------------------------------------------------------------------------

SUPERVISOR = Actor("sup", "supervisor")


def found_for(engine, config, request_id, d=D):
    return review(engine, config, d, requests_frame(engine)).basis(request_id)


def decide(engine, config, actor, request_id, kind, assets=(), note="经审核", approved_qty=None, where=None):
    from sqlalchemy import true
    with engine.begin() as conn:
        return allocation.decide(conn, actor, request_id, true() if where is None else where, kind, list(assets),
                                 approved_qty, note, found_for(engine, config, request_id), 60)


@pytest.fixture
def fresh(engine, config, tmp_path):
    city().load(engine, config, tmp_path / "city")
    return engine


def test_a_held_asset_is_no_candidate_for_another_request_until_withdrawn(fresh, config):
    decide(fresh, config, SUPERVISOR, "R4", "partial", ["T3"], approved_qty=5)
    assert "T3" not in candidates(fresh, config, "R1")[0]
    assert "T3" in candidates(fresh, config, "R4")[0]  # still its own request's
    with pytest.raises(WorkflowError, match="不是本需求的候选资产：T3"):
        decide(fresh, config, SUPERVISOR, "R1", "transfer", ["T3"])
    from sqlalchemy import true
    with fresh.begin() as conn:
        allocation.withdraw(conn, SUPERVISOR, "R4", true(), "申报单位撤回")
    assert "T3" in candidates(fresh, config, "R1")[0]


def test_who_may_decide_and_what_each_decision_needs(fresh, config):
    from dashboard.scope import Scope  # the scope a county account gets
    county = Scope("region", "990102")
    with pytest.raises(WorkflowError, match="无权"):
        decide(fresh, config, Actor("d1", "department"), "R1", "reject")
    with pytest.raises(WorkflowError, match="不存在"):  # a county outside its region: as if absent
        decide(fresh, config, Actor("cty", "county"), "R1", "reject", where=county.units())
    with pytest.raises(WorkflowError, match="说明其不能满足需求的理由"):
        decide(fresh, config, SUPERVISOR, "R1", "approve", note=" ")
    with pytest.raises(WorkflowError, match="不能多于需求数量"):
        decide(fresh, config, SUPERVISOR, "R1", "transfer", ["T1", "T2", "T3"])
    with pytest.raises(WorkflowError, match="应少于需求数量"):
        decide(fresh, config, SUPERVISOR, "R1", "partial", ["T1", "T2"], approved_qty=1)
    with pytest.raises(WorkflowError, match="同意采购的数量"):
        decide(fresh, config, SUPERVISOR, "R1", "partial", ["T1"], approved_qty=2)
    with pytest.raises(WorkflowError, match="不调剂资产"):
        decide(fresh, config, SUPERVISOR, "R1", "reject", ["T1"])
    decide(fresh, config, SUPERVISOR, "R1", "transfer", ["T1", "T2"])
    with pytest.raises(WorkflowError, match="已有审核决定"):
        decide(fresh, config, SUPERVISOR, "R1", "reject")


# ---- stored reviews: computed once per request and stock, read by the page --------------------

def _stored(engine, config, d=D):
    return stored_review(engine, config, d, requests_frame(engine))


def _computations(monkeypatch) -> list[list[str]]:
    """The requests each live review computes, in order."""
    import metrics.allocation as alloc
    seen, live = [], alloc.review
    monkeypatch.setattr(alloc, "review", lambda e, c, d, requests: seen.append(sorted(requests.request_id)) or live(e, c, d, requests))
    return seen


def test_the_stored_review_shows_what_the_live_one_finds_and_is_computed_once(fresh, config, monkeypatch):
    computed = _computations(monkeypatch)
    stored = _stored(fresh, config)
    live = review(fresh, config, D, requests_frame(fresh))
    for request_id in ("R1", "R2", "R3", "R4"):
        assert stored.flags_of(request_id) == live.flags_of(request_id)
        quantity = int(live.flags[live.flags.request_id == request_id].quantity.iloc[0])
        shown = live.of(request_id).head(max(10, 3 * quantity)).reset_index(drop=True)
        mine = stored.of(request_id).reset_index(drop=True)
        assert list(mine.asset_code) == list(shown.asset_code) and list(mine["rank"]) == list(shown["rank"])
        assert list(mine.value) == list(shown.value) and list(mine.months_idle) == list(shown.months_idle)
    assert computed == [["R1", "R2", "R3", "R4"]]  # computed and stored once
    _stored(fresh, config)
    assert len(computed) == 1  # read, not computed again
    _stored(fresh, config, D + dt.timedelta(days=1))
    assert computed[-1] == ["R1", "R2", "R3", "R4"]  # a new day: months idle move on


def test_a_decision_makes_stale_only_the_requests_its_assets_fit(fresh, config, monkeypatch):
    before = _stored(fresh, config)
    assert "T3" in list(before.of("R1").asset_code)
    computed = _computations(monkeypatch)
    decide(fresh, config, SUPERVISOR, "R4", "partial", ["T3"], approved_qty=5)
    after = _stored(fresh, config)
    assert computed[-1] == ["R1", "R4"]  # the 办公桌 requests, not the computer one (R2) nor ＯＦＦＩＣＥ desk
    assert "T3" not in list(after.of("R1").asset_code)
    assert after.flags_of("R1")["candidate_count"] == before.flags_of("R1")["candidate_count"] - 1
    from sqlalchemy import true
    with fresh.begin() as conn:
        allocation.withdraw(conn, SUPERVISOR, "R4", true(), "申报单位撤回")
    assert list(_stored(fresh, config).of("R1").asset_code) == list(before.of("R1").asset_code)


def test_a_computation_makes_every_stored_review_stale(engine, config, tmp_path):
    b = LedgerBuilder()
    b.unit("U1", dept="D1")
    for i in range(10):
        b.asset(f"A{i}", unit="U1", status="闲置", status_since="2025-01-01")
    b.request("R1", unit="U1")
    b.load(engine, config, tmp_path)
    assert _stored(engine, config).flags_of("R1")["budget_restricted"] is False
    compute_snapshot(engine, "2026-10", config)  # idle rate 100%: 预算约束 from this month on
    assert _stored(engine, config).flags_of("R1")["budget_restricted"] is True


def test_the_scheduler_stores_what_went_stale_and_nothing_else(fresh, config):
    from jobs.scheduler import review_stock
    assert refresh_stale(fresh, config, D) == 4
    assert refresh_stale(fresh, config, D) == 0
    decide(fresh, config, SUPERVISOR, "R4", "partial", ["T3"], approved_qty=5)
    assert refresh_stale(fresh, config, D) == 1  # R1, which T3 fits; R4 is decided and follows its decision
    review_stock(fresh, config)  # the scheduler's poll, on its own day: every undecided request again
    assert refresh_stale(fresh, config, config.today()) == 0
    assert refresh_stale(fresh, config, config.today() + dt.timedelta(days=1)) == 3  # R1–R3 the next day


def test_a_review_computed_before_a_decision_is_shown_but_not_stored(fresh, config):
    from sqlalchemy import func, select

    from ledger.models import RequestReview
    from metrics.allocation import refresh_reviews
    with fresh.connect() as conn:
        stamp, holds = allocation.stock_stamp(conn), allocation.holds_stamp(conn)
    decide(fresh, config, SUPERVISOR, "R4", "partial", ["T3"], approved_qty=5)  # lands while R1 is reviewed
    shown = refresh_reviews(fresh, config, D, requests_frame(fresh), stamp, holds)
    assert {r["request_id"] for r in shown} == {"R1", "R2", "R3", "R4"}
    with fresh.connect() as conn:
        assert conn.execute(select(func.count()).select_from(RequestReview)).scalar() == 0


def test_the_year_s_figures_count_decisions_by_their_flags_and_open_requests_by_today_s(fresh, config):
    """allocation.md "Figures", per department, region and city; the page passes the open requests'
    flags it has read, and the figures are the same as when they read them themselves."""
    from sqlalchemy import and_

    from ledger.models import PurchaseRequest
    from metrics.allocation import UNDECIDED, figures
    decide(fresh, config, SUPERVISOR, "R1", "transfer", ["T1", "T2"])  # 2 of 2 from stock: covered
    decide(fresh, config, SUPERVISOR, "R4", "approve", note="规格不符")  # 20 asked, candidates exist
    # open: R2 (one computer asked, two in stock: covered) and R3 (nothing fits)
    found = figures(fresh, config, 2027, D).set_index(["level", "code"])
    price = 500_000  # 5,000.00 yuan in fen
    d1, d2, city = (found.loc[key].to_dict() for key in (("department", "D1"), ("department", "D2"),
                                                          ("city", "990100")))
    assert d1 == {"name": "部门D1", "request_count": 2, "request_amount": 3 * price, "reviewed_count": 1,
                  "covered_count": 2, "transfer_qty": 2, "transfer_saving": 2 * price, "transfer_done_qty": 0,
                  "approved_despite_stock": 0, "transfer_rate": pytest.approx(2 / 3)}
    assert d2["request_count"] == 2 and d2["request_amount"] == 21 * price and d2["reviewed_count"] == 1
    assert d2["covered_count"] == 0 and d2["approved_despite_stock"] == 1 and pd.isna(d2["transfer_rate"])
    assert found.loc[("region", "990100")].to_dict() == {**city, "name": "区划990100"}
    assert city["request_count"] == 4 and city["request_amount"] == 24 * price and city["covered_count"] == 2
    assert city["transfer_rate"] == pytest.approx(2 / 3)
    assert list(found.index.get_level_values("level")) == ["department", "department", "region", "city"]
    # the open requests' flags as the page read them: the same figures
    open_requests = requests_frame(fresh, and_(UNDECIDED, PurchaseRequest.budget_year == 2027))
    flags = stored_review(fresh, config, D, open_requests, candidates=False).flags
    pd.testing.assert_frame_equal(figures(fresh, config, 2027, D, open_flags=flags).set_index(["level", "code"]), found)
