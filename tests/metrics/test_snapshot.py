"""Hand-computed ledgers through import -> compute_snapshot, read back as a user would."""
from __future__ import annotations

import datetime as dt

import pytest

from metrics import snapshot
from metrics.snapshot import compute_snapshot
from tests.factories import LedgerBuilder
from tests.helpers import kpi, lists, warnings


def test_idle_run_is_not_restarted_by_an_idle_after_idle_entry(engine, config, tmp_path):
    b = LedgerBuilder().unit()
    # A: idle from 2025-01-15, a second 闲置 entry on 2025-06-10 continues the run
    b.asset("A", original_value="1000.00", status="闲置", status_since="2025-06-10")
    b.change("A", "2025-01-15", "闲置")
    # B: idle, back in use, idle again from 2026-06-01: its run starts again
    b.asset("B", original_value="3000.00", status="闲置", status_since="2026-06-01")
    b.change("B", "2025-01-01", "闲置").change("B", "2025-03-01", "在用")
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    row = kpi(engine, "2026-10", "unit", "U1")
    assert row["idle_count"] == 2 and row["idle_value"] == 400000  # fen
    assert row["max_months_idle"] == 21  # 2025-01-15 -> 2026-10-31
    assert row["avg_months_idle"] == pytest.approx((21 + 4) / 2)
    assert row["overdue_idle_count"] == 1 and row["overdue_idle_value"] == 100000
    w = warnings(engine, "2026-10")
    assert (w[("idle_overdue", "A")].level, w[("idle_overdue", "A")].months) == ("orange", 21)
    assert ("idle_overdue", "B") not in w
    assert w[("idle_no_plan", "A")].months == 21


def test_scope_excludes_assets_acquired_after_d_and_disposed_ones(engine, config, tmp_path):
    b = LedgerBuilder().unit()
    b.asset("IN", original_value="100.00")
    b.asset("LATER", original_value="200.00", acquired_on="2026-11-05", status_since="2026-11-05")
    b.asset("GONE", original_value="400.00", status="已处置", status_since="2026-05-01")
    b.plan("P1", "GONE", "2026-01-01", "2026-04-30", "2026-05-01")  # plans count whatever the scope
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    compute_snapshot(engine, "2026-04", config)
    october, april = kpi(engine, "2026-10", "unit", "U1"), kpi(engine, "2026-04", "unit", "U1")
    assert (october["asset_count"], october["base_value"]) == (1, 10000)
    assert (april["asset_count"], april["base_value"]) == (2, 50000)  # GONE still in use in April
    assert october["plan_count"] == 1 and october["done_value"] == 40000
    assert october["due_completion_rate"] == 1.0
    # due on D itself counts as due; done the day after D does not count as done
    assert april["due_value"] == 40000 and april["due_completion_rate"] == 0.0


def test_undefined_indicators_score_100_and_an_empty_department_is_unranked(engine, config, tmp_path):
    b = LedgerBuilder()
    b.unit("U1", dept="D1").unit("U2", dept="D2").unit("U3", dept="D3").unit("U4", dept="EMPTY")
    b.asset("A1", unit="U1")
    b.asset("A2", unit="U2", status="闲置", status_since="2026-01-01", original_value="500.00")
    b.asset("A3", unit="U3", status="闲置", status_since="2026-09-01", original_value="100.00")
    b.asset("A4", unit="U1", original_value="1000.00")  # D1 idle rate 0
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    d1, d2, d3 = (kpi(engine, "2026-10", "department", c) for c in ("D1", "D2", "D3"))
    empty = kpi(engine, "2026-10", "department", "EMPTY")
    assert d1["score"] == 100.0 and d1["idle_rate"] == 0.0
    assert d1["due_completion_rate"] is None and d1["score_completion"] == 100.0
    assert empty["asset_count"] == 0 and empty["rank"] is None and empty["score"] == 100.0
    # D2: idle 100 % for 9 months -> idle 0, overdue 0; D3: idle 100 %, 1 month -> idle 0, overdue 100
    assert d2["score"] == pytest.approx((0 * 25 + 0 * 20 + 100 * 25 + 100 * 20 + 100 * 10) / 100)
    assert d3["score"] == pytest.approx((0 * 25 + 100 * 20 + 100 * 25 + 100 * 20 + 100 * 10) / 100)
    assert [d1["rank"], d3["rank"], d2["rank"]] == [1, 2, 3]
    assert d1["peer_size"] == 3  # the empty department does not count
    assert kpi(engine, "2026-10", "city", "990100")["rank"] is None


def test_rank_change_and_first_seen_across_months_and_recomputation(engine, config, tmp_path):
    b = LedgerBuilder()
    b.unit("U1", dept="D1").unit("U2", dept="D2").unit("U3", dept="D3")
    # D1 idle from February, back in use in September; D2 idle from mid-September; D3 idle throughout
    b.asset("A1", unit="U1", original_value="100.00", status="在用", status_since="2026-09-05")
    b.change("A1", "2026-02-10", "闲置")
    b.asset("A2", unit="U2", original_value="100.00", status="闲置", status_since="2026-09-15")
    b.asset("A3", unit="U3", original_value="100.00", status="闲置", status_since="2026-02-10")
    b.load(engine, config, tmp_path)
    for month in ("2026-08", "2026-09", "2026-10"):
        compute_snapshot(engine, month, config)
    # August: D2 100; D1 and D3 55 with the same idle rate -> code decides
    assert [kpi(engine, "2026-08", "department", c)["rank"] for c in ("D1", "D2", "D3")] == [2, 1, 3]
    # September: D1 100; D2 75 (idle, not yet overdue); D3 55
    assert [kpi(engine, "2026-09", "department", c)["rank"] for c in ("D1", "D2", "D3")] == [1, 2, 3]
    assert [kpi(engine, "2026-09", "department", c)["rank_change"] for c in ("D1", "D2", "D3")] == [1, -1, 0]
    assert kpi(engine, "2026-08", "department", "D1")["rank_change"] is None  # no July snapshot
    first = warnings(engine, "2026-10")[("idle_overdue", "A3")].first_seen
    assert first == dt.date(2026, 8, 31)  # 6 months idle reached in August
    compute_snapshot(engine, "2026-10", config)  # recomputation keeps the run's first_seen
    assert warnings(engine, "2026-10")[("idle_overdue", "A3")].first_seen == first
    assert ("idle_overdue", "A1") not in warnings(engine, "2026-09")


def test_a_warning_that_fires_again_after_a_gap_starts_a_new_run(engine, config, tmp_path):
    b = LedgerBuilder().unit()
    # no photos: a data_gap whenever the asset is in the pool (idle / underused / pending disposal)
    b.asset("A", photo_count="0", status="低效运转", status_since="2026-09-10")
    b.change("A", "2026-06-01", "闲置").change("A", "2026-08-15", "在用")
    b.load(engine, config, tmp_path)
    for month in ("2026-07", "2026-08", "2026-09", "2026-10"):
        compute_snapshot(engine, month, config)
    assert warnings(engine, "2026-07")[("data_gap", "A")].first_seen == dt.date(2026, 7, 31)
    assert ("data_gap", "A") not in warnings(engine, "2026-08")
    assert warnings(engine, "2026-09")[("data_gap", "A")].first_seen == dt.date(2026, 9, 30)
    assert warnings(engine, "2026-10")[("data_gap", "A")].first_seen == dt.date(2026, 9, 30)


def test_accountability_needs_the_interview_list_three_months_running(engine, config, tmp_path):
    b = LedgerBuilder()
    b.unit("U1", dept="D1").unit("U2", dept="D2")
    b.asset("BAD", unit="U1", original_value="900.00", status="闲置", status_since="2025-01-01")
    b.asset("OK1", unit="U1", original_value="100.00")
    b.asset("OK2", unit="U2", original_value="100.00")
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-08", config)
    compute_snapshot(engine, "2026-10", config)  # September missing: counts as "not on the list"
    assert ("interview", "department", "D1") in lists(engine, "2026-10")
    assert ("accountability", "department", "D1") not in lists(engine, "2026-10")
    assert ("budget_restriction", "department", "D1") in lists(engine, "2026-10")  # idle rate 90 %
    compute_snapshot(engine, "2026-09", config)
    compute_snapshot(engine, "2026-10", config)
    assert ("accountability", "department", "D1") in lists(engine, "2026-10")
    assert ("interview", "department", "D2") not in lists(engine, "2026-10")
    assert ("notice", "department", "D1") not in lists(engine, "2026-10")  # a group of 2 has no notice list


def test_a_failure_half_way_leaves_the_previous_snapshot_intact(engine, config, tmp_path, monkeypatch):
    LedgerBuilder().unit().asset("A").load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    before = kpi(engine, "2026-10", "unit", "U1")

    real = snapshot.write_arrow

    def boom(conn, table, *args):
        real(conn, table, *args)
        if table == "kpi_rows":  # written by now: the transaction must undo them
            raise RuntimeError("injected")

    monkeypatch.setattr(snapshot, "write_arrow", boom)
    LedgerBuilder().unit().asset("B").load(engine, config, tmp_path / "more")
    with pytest.raises(RuntimeError):
        compute_snapshot(engine, "2026-10", config)
    assert kpi(engine, "2026-10", "unit", "U1") == before  # still one asset, same computed_at


def stored_warnings(engine, month: str) -> dict[tuple, tuple]:
    """(rule, ref) -> (the row's place on disk, every column): the place changes when a row is rewritten."""
    place = "ctid::text" if engine.dialect.name == "postgresql" else "rowid"
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"SELECT {place}, * FROM warning_rows WHERE month = '{month}'").all()
    return {(r.rule, r.ref): (r[0], tuple(r[1:])) for r in rows}


def test_recomputing_a_month_rewrites_only_the_warnings_that_changed(engine, config, tmp_path, monkeypatch):
    def city(changed: bool) -> LedgerBuilder:
        b = LedgerBuilder().unit()
        for n in range(10):  # idle since early 2025: overdue idle, no plan
            if changed and n == 0:
                b.asset("A0", status="在用", status_since="2026-10-01")  # back in use: its warnings go
            elif changed and n == 1:
                b.asset("A1", status="闲置", status_since="2026-03-20")  # idle for less long: its message changes
            else:
                b.asset(f"A{n}", status="闲置", status_since="2025-01-10")
        if changed:
            b.asset("NEW", status="闲置", status_since="2025-02-01")
        return b
    city(changed=False).load(engine, config, tmp_path / "before")
    compute_snapshot(engine, "2026-10", config)
    before = stored_warnings(engine, "2026-10")
    assert ("idle_overdue", "A0") in before and ("idle_overdue", "NEW") not in before
    city(changed=True).load(engine, config, tmp_path / "after")
    compute_snapshot(engine, "2026-10", config)
    after = stored_warnings(engine, "2026-10")

    assert not any(ref == "A0" for _, ref in after) and ("idle_overdue", "NEW") in after
    assert after[("idle_overdue", "A1")][1] != before[("idle_overdue", "A1")][1]
    untouched = [key for key in before if key[1] not in ("A0", "A1")]
    assert untouched and all(after[key] == before[key] for key in untouched)  # same place, same values
    # the same rows as writing the whole month afresh
    monkeypatch.setattr(snapshot, "_warning_changes", lambda *args: None)
    compute_snapshot(engine, "2026-10", config)
    afresh = stored_warnings(engine, "2026-10")
    assert {k: v[1] for k, v in afresh.items()} == {k: v[1] for k, v in after.items()}
    assert kpi(engine, "2026-10", "unit", "U1")["asset_count"] == 11
