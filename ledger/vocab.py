"""Enumerations and their Chinese: the import format's (Chinese spelling -> stored English key,
import.md), the workflow's and the purchase review's states and the accounts' roles (stored key
-> Chinese)."""

CATEGORIES = {
    "房屋": "building", "土地": "land", "车辆": "vehicle", "通用设备": "general_equipment",
    "专用设备": "special_equipment", "家具用具": "furniture", "无形资产": "intangible",
    "公共基础设施": "infrastructure", "其他": "other",
}
STATUSES = {
    "在用": "in_use", "闲置": "idle", "低效运转": "underused", "出租": "leased",
    "出借": "lent", "待处置": "pending_disposal", "已处置": "disposed",
}
METHODS = {
    "自用": "self_use", "调剂": "transfer", "共享共用": "sharing", "出租": "lease", "出借": "lend",
    "公物仓": "warehouse", "出售": "sale", "置换": "swap", "报废": "scrap",
    "转型改造": "conversion", "市场化运营": "operation", "其他": "other",
}
INCOME_KINDS = {"出租收入": "lease", "处置收入": "disposal"}
LISTING_MODES = {"调剂": "transfer", "共享": "sharing"}
LISTING_SCOPES = {"本地区": "local", "全省": "province", "全国": "national"}
LISTING_OUTCOMES = {"已调剂": "已调剂", "已共享": "已共享", "已处置": "已处置", "撤回": "撤回"}

POOL_STATUSES = ("idle", "underused", "pending_disposal")

# stored key -> Chinese
CASE_STATES = {"open": "待处理", "acknowledged": "已确认", "resolved": "已办结", "closed": "已自动关闭"}
COMMITMENT_STATES = {"open": "整改中", "answered": "已反馈", "done": "已完成"}
INTERVIEW_STATES = {"scheduled": "已安排", "held": "已约谈"}
DECISION_KINDS = {"transfer": "调剂", "partial": "部分调剂", "approve": "同意采购", "reject": "不予批复"}
TRANSFER_STATES = {"open": "调剂中", "done": "已完成", "withdrawn": "已撤回"}
FLAG_NAMES = {"own_stock": "本单位有同类闲置", "covered": "存量可满足", "budget_restricted": "建议暂停批复",
              "buy_while_idle": "曾闲置仍购置"}


def label(mapping: dict[str, str], key: str) -> str:
    """The Chinese label of a stored key."""
    for zh, k in mapping.items():
        if k == key:
            return zh
    return key

# Snapshot vocabulary: accountability lists and warning levels.
LISTS = {"notice": "通报", "interview": "约谈", "accountability": "问责", "budget_restriction": "预算约束"}
LEVELS = {"yellow": "黄色", "orange": "橙色", "red": "红色"}

# roles.md; who may open what and do what is ledger.permissions
ROLES = {"leader": "领导", "supervisor": "监管人员", "county": "县区财政", "department": "主管部门",
         "screen": "大屏", "admin": "系统管理员"}

# the scheduler's runs (ledger.runs) as the 任务 page shows them
RUN_STATES = {"queued": "排队中", "running": "运行中", "succeeded": "成功", "failed": "失败", "skipped": "跳过",
              "interrupted": "中断"}
RUN_TRIGGERS = {"schedule": "定时", "catch-up": "补跑", "manual": "手动"}  # CLI runs are in the audit log
JOB_TITLES = {"recompute": "重算本月及未关账上月", "close-month": "上月关账", "weekly-report": "周调度报表",
              "cleanup": "清理任务记录", "catch-up": "补算缺失月份", "recompute-month": "手动重算"}
# what a department does to regain points (metrics.attribution), the documents the portal writes
FIX_ACTIONS = {"idle": "盘活闲置资产", "plan": "完成逾期台账", "remit": "上缴逾期收入", "quality": "补全资产资料"}
DOCUMENT_KINDS = {"bulletin": "月度通报", "interview": "约谈通知书", "rectify": "整改通知书"}
# the levels a KPI row or a list entry is computed for
SCOPE_LEVELS = {"city": "全市", "region": "县区", "department": "部门", "unit": "单位"}
