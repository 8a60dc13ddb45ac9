"""One case per warning rule of warnings.md, on the edges of its condition and levels (D = 2026-10-31).

Each case imports a small ledger, computes the month and compares every warning the rule
raised ({ref: (level, days, months)}) with what warnings.md says; a rule that fires one row
too many or too few, or at the wrong level, fails its own case.
"""
from __future__ import annotations

import pytest

from metrics.rules import RULES
from metrics.snapshot import compute_snapshot
from tests.factories import LedgerBuilder
from tests.helpers import warnings


def idle_overdue(b):
    for code, since in (("M5", "2026-05-01"), ("M6", "2026-04-30"), ("M11", "2025-11-30"), ("M12", "2025-10-31"),
                        ("M23", "2024-11-01"), ("M24", "2024-10-31")):
        b.asset(code, status="闲置", status_since=since)
    b.asset("USED", status="在用", status_since="2020-01-01")
    return {"M6": ("yellow", None, 6), "M11": ("yellow", None, 11), "M12": ("orange", None, 12),
            "M23": ("orange", None, 23), "M24": ("red", None, 24)}


def idle_no_plan(b):
    b.asset("BARE", status="闲置", status_since="2026-04-30")  # 6 months, no plan
    b.asset("YOUNG", status="闲置", status_since="2026-05-01")  # 5 months
    b.asset("PLANNED", status="闲置", status_since="2025-01-01").plan("T1", "PLANNED", "2026-10-31", "2027-06-30")
    b.asset("LATE", status="闲置", status_since="2025-01-01").plan("T2", "LATE", "2026-11-01", "2027-06-30")
    return {"BARE": ("orange", None, 6), "LATE": ("orange", None, 21)}


def plan_overdue(b):
    for code in "ABCDE":
        b.asset(code)
    b.plan("P1", "A", "2026-01-01", "2026-10-30")                # 1 day
    b.plan("P90", "B", "2026-01-01", "2026-08-02")               # 90 days: still orange
    b.plan("P91", "C", "2025-01-01", "2026-08-01")               # 91 days: red
    b.plan("DUE", "D", "2026-01-01", "2026-10-31")               # due today: not yet overdue
    b.plan("AFTER", "E", "2025-01-01", "2026-06-01", "2026-11-01")  # done after D: overdue on D
    return {"P1": ("orange", 1, None), "P90": ("orange", 90, None), "P91": ("red", 91, None),
            "AFTER": ("red", 152, None)}


def remit_late(b):
    b.asset("A")
    b.income("I29", "A", "2026-10-02", "10.00")                              # 29 days: within the deadline
    b.income("I30", "A", "2026-10-01", "10.00")                              # 30 days: late
    b.income("I90", "A", "2026-08-02", "10.00")                              # 90 days: orange
    b.income("I91", "A", "2026-08-01", "10.00")                              # 91 days: red
    b.income("PART", "A", "2026-09-01", "10.00", "2026-09-05", "9.99")       # one fen short
    b.income("PAID", "A", "2026-09-01", "10.00", "2026-09-05", "10.00")
    b.income("PAIDLATER", "A", "2026-09-01", "10.00", "2026-11-02", "10.00")  # remitted after D
    return {"I30": ("orange", 30, None), "I90": ("orange", 90, None), "I91": ("red", 91, None),
            "PART": ("orange", 60, None), "PAIDLATER": ("orange", 60, None)}


def lease_no_contract(b):
    b.asset("ENDED", status="出租", status_since="2025-01-01").lease("H1", "ENDED", "2025-01-01", "2026-10-30")
    b.asset("LASTDAY", status="出租", status_since="2025-01-01").lease("H2", "LASTDAY", "2025-01-01", "2026-10-31")
    b.asset("NONE", status="出租", status_since="2026-10-01")
    b.asset("LENT", status="出借", status_since="2026-10-01")  # 出借 needs no lease
    return {"ENDED": ("yellow", None, None), "NONE": ("yellow", None, None)}


def lease_irregular(b):
    for code in ("LA", "LB", "LC", "LD"):
        b.asset(code, status="出租", status_since="2025-01-01")
    b.lease("NOBID", "LA", "2026-01-01", "2027-12-31", public_bidding="否")
    b.lease("NOAPPRAISAL", "LB", "2025-11-01", "2027-12-31", appraised="否")   # inside the 12 months
    b.lease("OLD", "LC", "2025-10-31", "2027-12-31", appraised="否")           # a year before D: outside
    b.lease("FINE", "LD", "2026-02-01", "2027-12-31")
    return {"NOBID": ("yellow", None, None), "NOAPPRAISAL": ("yellow", None, None)}


def below_appraisal(b):
    b.asset("A")
    b.income("LOW", "A", "2026-06-01", "900.00", "2026-06-02", "900.00", kind="处置收入", appraised_value="1000.00")
    b.income("EQUAL", "A", "2026-06-01", "1000.00", "2026-06-02", "1000.00", kind="处置收入",
             appraised_value="1000.00")
    b.income("OLD", "A", "2025-10-31", "1.00", "2025-11-01", "1.00", kind="处置收入", appraised_value="1000.00")
    b.income("LEASE", "A", "2026-06-01", "1.00", "2026-06-02", "1.00", appraised_value="1000.00")
    return {"LOW": ("red", None, None)}


def stale_listing(b):
    for code in "ABC":
        b.asset(code, status="闲置", status_since="2026-09-01", location="1号楼")
    b.listing("S180", "A", "2026-05-04")                              # 180 days: not stale yet
    b.listing("S181", "B", "2026-05-03")                              # 181 days
    b.listing("GONE", "C", "2026-01-01", delisted_on="2026-10-01", outcome="已调剂")
    return {"S181": ("yellow", 181, None)}


def buy_while_idle(b):
    b.asset("V1", category="车辆", status="闲置", status_since="2025-12-01")
    b.asset("V2", category="车辆", acquired_on="2026-05-31", status_since="2026-05-31")  # V1 idle 5 months
    b.asset("V3", category="车辆", acquired_on="2026-06-01", status_since="2026-06-01")  # 6 months
    b.asset("C1", category="通用设备", acquired_on="2026-07-01", status_since="2026-07-01")
    b.unit("U2", dept="D2").asset("V4", unit="U2", category="车辆", acquired_on="2026-07-01",
                                  status_since="2026-07-01")  # another department
    return {"V3": ("orange", None, None)}


def data_gap(b):
    b.asset("NOPHOTO", status="闲置", status_since="2026-10-01", photo_count="0")
    b.asset("NOPLACE", status="低效运转", status_since="2026-10-01", location="")
    b.asset("BOTH", status="待处置", status_since="2026-10-01", photo_count="0", location="")
    b.asset("INUSE", photo_count="0", location="")       # not in the pool
    b.asset("COMPLETE", status="闲置", status_since="2026-10-01")
    return {"NOPHOTO": ("yellow", None, None), "NOPLACE": ("yellow", None, None), "BOTH": ("yellow", None, None)}


CASES = {f.__name__: f for f in (idle_overdue, idle_no_plan, plan_overdue, remit_late, lease_no_contract,
                                 lease_irregular, below_appraisal, stale_listing, buy_while_idle, data_gap)}


def test_every_registered_rule_has_its_case():
    assert set(CASES) == set(RULES)


@pytest.mark.parametrize("rule", list(RULES))
def test_rule_fires_exactly_where_warnings_md_says(engine, config, tmp_path, rule):
    b = LedgerBuilder().unit()
    expected = CASES[rule](b)
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    fired = {ref: (w.level, w.days, w.months) for (r, ref), w in warnings(engine, "2026-10").items() if r == rule}
    assert fired == expected
    assert set(RULES[rule].levels) >= {level for level, _, _ in fired.values()}


def test_messages_name_the_figures(engine, config, tmp_path):
    b = LedgerBuilder().unit()
    below_appraisal(b)
    lease_irregular(b)
    b.asset("BOTH", status="待处置", status_since="2026-10-01", photo_count="0", location="")
    b.load(engine, config, tmp_path)
    compute_snapshot(engine, "2026-10", config)
    w = warnings(engine, "2026-10")
    assert w[("below_appraisal", "LOW")].message == "处置收入 900.00 元低于评估价值 1,000.00 元"
    assert w[("lease_irregular", "NOBID")].message == "出租程序不规范：未公开招租"
    assert w[("data_gap", "BOTH")].message == "待盘活资产资料不全：无照片、无存放地点"
