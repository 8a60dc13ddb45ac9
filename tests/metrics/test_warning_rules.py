"""One hand-computed case per warning rule of warnings.md, D = 2026-10-31."""
import datetime as dt

from metrics.snapshot import compute_snapshot
from tests.factories import LedgerBuilder
from tests.helpers import kpi, warnings


def test_every_rule_fires_with_its_level_ref_and_days(engine, config, tmp_path):
    b = LedgerBuilder().unit()
    b.asset("P", original_value="500.00")
    b.plan("T1", "P", "2026-01-01", "2026-09-30")             # 31 days overdue -> orange
    b.asset("Q")
    b.plan("T2", "Q", "2025-01-01", "2026-06-01")             # 152 days -> red
    b.asset("R")
    b.plan("T3", "R", "2025-01-01", "2026-06-01", "2026-06-02")  # done: no warning
    b.income("S1", "P", "2026-09-15", "100.00")               # 46 days, not remitted -> orange
    b.income("S2", "P", "2026-10-15", "100.00")               # 16 days: within the 30-day deadline
    b.income("S3", "P", "2026-05-01", "100.00", "2026-05-10", "60.00")  # part remitted -> late, red
    b.income("S4", "Q", "2026-03-01", "900.00", "2026-03-05", "900.00", kind="处置收入",
             appraised_value="1000.00")                       # below appraisal, red
    b.asset("L", status="出租", status_since="2025-01-01")     # leased, contract ended
    b.lease("H1", "L", "2025-01-01", "2025-12-31")
    b.asset("L2", status="出租", status_since="2026-02-01")
    b.lease("H2", "L2", "2026-02-01", "2027-01-31", public_bidding="否")  # valid but irregular
    b.asset("W", status="闲置", status_since="2026-09-01")
    b.listing("0007", "W", "2026-04-01")                       # 213 days in the warehouse
    # buy_while_idle: an idle vehicle for 7 months when a new one was bought
    b.asset("V1", category="车辆", status="闲置", status_since="2025-10-01")
    b.asset("V2", category="车辆", acquired_on="2026-05-20", status_since="2026-05-20")
    b.asset("G", photo_count="0", location="", status="待处置", status_since="2026-10-01")
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    w = warnings(engine, "2026-10")
    got = {(rule, ref): (x.level, x.days, x.months) for (rule, ref), x in w.items()}
    assert got[("plan_overdue", "T1")] == ("orange", 31, None)
    assert got[("plan_overdue", "T2")] == ("red", 152, None)
    assert ("plan_overdue", "T3") not in got
    assert got[("remit_late", "S1")] == ("orange", 46, None)
    assert ("remit_late", "S2") not in got
    assert got[("remit_late", "S3")] == ("red", 183, None)
    assert got[("below_appraisal", "S4")] == ("red", None, None)
    assert got[("lease_no_contract", "L")] == ("yellow", None, None)
    assert ("lease_no_contract", "L2") not in got
    assert got[("lease_irregular", "H2")][0] == "yellow" and ("lease_irregular", "H1") not in got
    assert got[("stale_listing", "0007")] == ("yellow", 213, None)
    assert w[("stale_listing", "0007")].asset_code == "W"
    assert got[("buy_while_idle", "V2")] == ("orange", None, None)
    assert ("buy_while_idle", "V1") not in got
    assert got[("idle_overdue", "V1")] == ("orange", None, 12)
    assert got[("data_gap", "G")] == ("yellow", None, None)
    assert all(x.first_seen == dt.date(2026, 10, 31) for x in w.values())

    row = kpi(engine, "2026-10", "unit", "U1")
    # income in the 12 months: S1 + S2 + S3 + S4 = 100 + 100 + 100 + 900; remitted 60 + 900
    assert (row["income_received"], row["income_remitted"]) == (120000, 96000)
    assert (row["lease_income_received"], row["lease_income_remitted"]) == (30000, 6000)
    assert row["late_income_count"] == 2
    assert row["overdue_plan_count"] == 2
    assert row["pool_count"] == 3 and row["data_quality_rate"] == 2 / 3
    assert row["listed_idle_value"] == 100000 and row["listing_rate"] == 0.5


def test_buy_while_idle_needs_six_months_of_idleness_on_the_purchase_date(engine, config, tmp_path):
    b = LedgerBuilder().unit()
    b.asset("V1", category="车辆", status="闲置", status_since="2025-12-01")
    b.asset("V2", category="车辆", acquired_on="2026-05-31", status_since="2026-05-31")  # 5 months idle
    b.asset("V3", category="车辆", acquired_on="2026-06-01", status_since="2026-06-01")  # 6 months idle
    b.asset("C1", category="通用设备", acquired_on="2026-07-01", status_since="2026-07-01")  # not a listed category
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    fired = {ref for rule, ref in warnings(engine, "2026-10") if rule == "buy_while_idle"}
    assert fired == {"V3"}
