"""An audit entry's before and after, as the audit page reads them."""
from __future__ import annotations

from outputs.audit_text import describe_change


def test_a_change_reads_field_by_field_in_chinese():
    assert describe_change({"status": "open", "evidence": None}, {"status": "answered", "evidence": "已调剂"},
                           "commitment.answer") == "状态：整改中 → 已反馈；整改情况：— → 已调剂"
    assert describe_change({"states": ["open"]}, {"state": "acknowledged", "fix_by": "2026-12-31"},
                           "warning.acknowledged") == "原状态：待处理；状态：已确认；计划整改日期：2026-12-31"
    assert describe_change(None, {"rows": {"units": 2, "assets": 1200}, "units": 2}, "import") == (
        "各表行数：单位 2 行，资产卡片 1,200 行；单位数：2")
    assert describe_change(None, {"month": "2026-11", "units": ["U1", "U2"]}, "submission.confirm") == (
        "月份：2026-11；单位：U1、U2")
    cases = describe_change(None, {"cases": ["idle_overdue:A1", "plan_overdue:T1"]}, "warning.acknowledged",
                           {"idle_overdue": "超期闲置", "plan_overdue": "台账逾期"})
    assert cases.endswith("：超期闲置 A1、台账逾期 T1")
    # what the portal writes beside the workflow: sending papers, accounts, purchase requests, 报送
    assert describe_change(None, {"kinds": ["bulletin", "rectify"], "resend": False, "papers": 3, "inbox": 1200,
                                  "sent": 2, "failed": 0, "unknown": 0}, "delivery.run") == (
        "文书：月度通报、整改通知书；重新发送：否；新拟文书：3；站内送达：1,200；邮件已发：2；邮件失败：0；邮件状态不明：0")
    assert describe_change({"role": "department", "scope": "D1", "email": None, "disabled": False},
                           {"role": "county", "scope": "R1", "email": "a@b.cn", "disabled": False}, "user.scope") == (
        "角色：主管部门 → 县区财政；范围：D1 → R1；邮箱：— → a@b.cn；停用：否 → 否")
    assert describe_change(None, {"request_id": "XQ1", "unit_code": "U1", "budget_year": 2027, "asset_name": "空调",
                                  "category": "general_equipment", "quantity": 2, "unit_price": "4500.00",
                                  "requested_on": "2026-11-02", "reason": "更新"}, "request.add") == (
        "需求编号：XQ1；单位编码：U1；预算年度：2027；资产名称：空调；资产分类：通用设备；数量：2；单价：4,500.00元；"
        "申报日期：2026-11-02；申报理由：更新")
    assert describe_change(None, {"decision": "transfer", "flags": {"covered": True, "candidate_count": 12},
                                  "review_date": "2026-11-20"}, "request.decide") == (
        "决定：调剂；审核标记：存量可满足 是，候选资产数 12；审核日：2026-11-20")
    assert describe_change(None, {"week": "2026-W48", "version": 2, "late": True}, "weekly.report") == (
        "周次：2026-W48；版本：2；逾期：是")
