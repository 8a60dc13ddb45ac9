"""The audit log cannot be rewritten through the portal's database guards, and what a database
owner rewrites around them shows in the hash chain (`panhuo audit verify`)."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from jobs.cli import main
from ledger import audit
from tests.helpers import tamper_audit_log


def written(engine, count=4):
    with engine.begin() as conn:
        for i in range(1, count + 1):
            audit.record(conn, f"user{i}", "login", f"user{i}", after={"n": i, "tuple": (1, 2)}, address="10.0.0.1")
    return engine


def check(engine):
    with engine.connect() as conn:
        return audit.verify(conn)


def test_an_untouched_log_verifies(engine):
    written(engine)
    found = check(engine)
    assert found.intact and found.rows == 4 and len(found.head) == 64


def test_writing_over_an_existing_row_is_refused(engine):
    written(engine)
    with pytest.raises(DBAPIError, match="append-only|duplicate key|UNIQUE"):
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                # REPLACE deletes the old row without firing the DELETE trigger
                conn.execute(text("INSERT OR REPLACE INTO audit_log (id, at, actor, action) "
                                  "VALUES (1, '2026-01-01 00:00:00', 'mallory', 'login')"))
            else:
                conn.execute(text("INSERT INTO audit_log (id, at, actor, action) VALUES "
                                  "(1, '2026-01-01 00:00:00', 'mallory', 'login') "
                                  "ON CONFLICT (id) DO UPDATE SET actor = 'mallory'"))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT actor FROM audit_log WHERE id = 1")).scalar() == "user1"
    assert check(engine).intact


@pytest.mark.parametrize("tamper, broken_at, words", [
    ("UPDATE audit_log SET actor = 'mallory' WHERE id = 2", 2, "content does not match"),
    ("DELETE FROM audit_log WHERE id = 2", 3, "does not link"),
    ("UPDATE audit_log SET after = NULL WHERE id = 4", 4, "content does not match"),
])
def test_a_row_changed_behind_the_guards_is_named(engine, tamper, broken_at, words):
    written(engine)
    tamper_audit_log(engine, tamper)
    found = check(engine)
    assert not found.intact and found.broken_at == broken_at and words in found.reason_en


def test_panhuo_audit_verify_names_the_first_broken_row(engine, base_config, monkeypatch):
    written(engine)
    monkeypatch.setenv("PANHUO_DATABASE_URL", base_config.database_url)
    monkeypatch.setenv("PANHUO_ORG_CITY_REGION_CODE", "990100")
    ok = CliRunner().invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0 and "审计链完整" in ok.output and "4 条" in ok.output
    tamper_audit_log(engine, "UPDATE audit_log SET detail = '改过' WHERE id = 3")
    broken = CliRunner().invoke(main, ["audit", "verify"])
    assert broken.exit_code != 0 and "第 3 条" in broken.output


def test_a_change_reads_field_by_field_in_chinese():
    assert audit.describe_change({"status": "open", "evidence": None}, {"status": "answered", "evidence": "已调剂"},
                                 "commitment.answer") == "状态：整改中 → 已反馈；整改情况：— → 已调剂"
    assert audit.describe_change({"states": ["open"]}, {"state": "acknowledged", "fix_by": "2026-12-31"},
                                 "warning.acknowledged") == "原状态：待处理；状态：已确认；计划整改日期：2026-12-31"
    assert audit.describe_change(None, {"rows": {"units": 2, "assets": 1200}}, "import") == "各表行数：单位 2，资产 1,200"
    cases = audit.describe_change(None, {"cases": ["idle_overdue:A1", "plan_overdue:T1"]}, "warning.acknowledged",
                                  {"idle_overdue": "超期闲置", "plan_overdue": "台账逾期"})
    assert cases.endswith("：超期闲置 A1、台账逾期 T1")
    # what the portal writes beside the workflow: sending papers, accounts, purchase requests, 报送
    assert audit.describe_change(None, {"kinds": ["bulletin", "rectify"], "resend": False, "papers": 3, "inbox": 1200,
                                        "sent": 2, "failed": 0, "unknown": 0}, "delivery.run") == (
        "文书：月度通报、整改通知书；重新发送：否；新拟文书：3；站内送达：1,200；邮件已发：2；邮件失败：0；邮件状态不明：0")
    assert audit.describe_change({"role": "department", "scope": "D1", "email": None, "disabled": False},
                                 {"role": "county", "scope": "R1", "email": "a@b.cn", "disabled": False}, "user.scope") == (
        "角色：主管部门 → 县区财政；范围：D1 → R1；邮箱：— → a@b.cn；停用：否 → 否")
    assert audit.describe_change(None, {"request_id": "XQ1", "unit_code": "U1", "budget_year": 2027, "asset_name": "空调",
                                        "category": "general_equipment", "quantity": 2, "unit_price": "4500.00",
                                        "requested_on": "2026-11-02", "reason": "更新"}, "request.add") == (
        "需求编号：XQ1；单位编码：U1；预算年度：2027；资产名称：空调；资产分类：通用设备；数量：2；单价：4500.00；"
        "申报日期：2026-11-02；申报理由：更新")
    assert audit.describe_change(None, {"decision": "transfer", "flags": {"covered": True, "candidate_count": 12},
                                        "review_date": "2026-11-20"}, "request.decide") == (
        "决定：调剂；审核标记：存量可满足 是，候选资产数 12；审核日：2026-11-20")
    assert audit.describe_change(None, {"week": "2026-W48", "version": 2, "late": True}, "weekly.report") == (
        "周次：2026-W48；版本：2；逾期：是")
    # every action the portal writes has its Chinese name
    import re
    from pathlib import Path
    written = set()
    root = Path(audit.__file__).resolve().parents[1]
    for source in (p for package in ("ledger", "metrics", "outputs", "jobs", "dashboard")
                   for p in (root / package).rglob("*.py")):
        written |= set(re.findall(r'(?:audit\.record|context\.audit|\baudit)\([^"\n]*"([a-z]+(?:\.[a-z]+)+|[a-z]+)"',
                                  source.read_text(encoding="utf-8")))
    written -= {"system"}  # an actor, not an action
    assert written and written <= set(audit.ACTIONS), written - set(audit.ACTIONS)
