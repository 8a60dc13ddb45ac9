"""Enumerations and their Chinese: the import format's (Chinese spelling -> stored English key,
import.md), the workflow's and the purchase review's states and the accounts' roles (stored key
-> Chinese)."""
from enum import StrEnum

SITE = "国有资产盘活督导平台"  # the portal's name, as the top bar, the login page, e-mail and files give it

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



class CaseState(StrEnum):
    """A warning case (workflow.md): opened by the snapshot, acknowledged by people, reported fixed
    with evidence (待核验) and closed off (resolved) or sent back (returned) by a supervisor; closed
    by the snapshot once its warning no longer fires."""
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    RESOLVED = "resolved"
    CLOSED = "closed"


class CommitmentState(StrEnum):
    """A rectification commitment: reported done with evidence (待核验), closed off (销号, done) or
    sent back (returned) by a supervisor. `answered` is what an earlier version stored for a
    department's answer without evidence."""
    OPEN = "open"
    ANSWERED = "answered"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    DONE = "done"


class EmailState(StrEnum):
    """A paper's e-mail to one recipient (delivery.md): recorded before it is sent, so a crash
    mid-send leaves `sending` behind, which is never sent again by itself (at most once)."""
    NONE = "none"  # inbox only: no address, or no mail server
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # retried with back-off
    UNKNOWN = "unknown"  # a run died while sending it: resend only by hand (--resend)


class InterviewState(StrEnum):
    SCHEDULED = "scheduled"
    HELD = "held"


class DecisionKind(StrEnum):
    """A purchase request's review decision (allocation.md)."""
    TRANSFER = "transfer"
    PARTIAL = "partial"
    APPROVE = "approve"
    REJECT = "reject"


class TransferState(StrEnum):
    OPEN = "open"
    DONE = "done"
    WITHDRAWN = "withdrawn"


class RunStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"


# state -> Chinese (the stored text is the enum's value, so a stored string looks up the same)
CASE_STATES = {CaseState.OPEN: "待处理", CaseState.ACKNOWLEDGED: "已确认", CaseState.SUBMITTED: "待核验",
               CaseState.RETURNED: "已退回", CaseState.RESOLVED: "已销号", CaseState.CLOSED: "已自动关闭"}
COMMITMENT_STATES = {CommitmentState.OPEN: "整改中", CommitmentState.ANSWERED: "已反馈", CommitmentState.SUBMITTED: "待核验",
                     CommitmentState.RETURNED: "已退回", CommitmentState.DONE: "已销号"}
EMAIL_STATES = {EmailState.NONE: "仅站内", EmailState.PENDING: "待发送", EmailState.SENDING: "发送中",
                EmailState.SENT: "已发送", EmailState.FAILED: "发送失败，待重试", EmailState.UNKNOWN: "发送状态不明"}
INTERVIEW_STATES = {InterviewState.SCHEDULED: "已安排", InterviewState.HELD: "已约谈"}
DECISION_KINDS = {DecisionKind.TRANSFER: "调剂", DecisionKind.PARTIAL: "部分调剂", DecisionKind.APPROVE: "同意采购",
                  DecisionKind.REJECT: "不予批复"}
TRANSFER_STATES = {TransferState.OPEN: "调剂中", TransferState.DONE: "已完成", TransferState.WITHDRAWN: "已撤回"}
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
# why a department is on a list (warnings.md), named in a word: the audit log's topics
LIST_REASONS = {"bottom": "排名末位", "notice_twice": "连续两个月被通报", "red_warnings": "红色预警达到约谈标准",
                "overdue_idle": "超期闲置率达到约谈标准", "interview_three_months": "连续三个月被约谈",
                "idle_rate": "闲置率达到预算约束标准"}
LEVELS = {"yellow": "黄色", "orange": "橙色", "red": "红色"}  # the least severe first
SEVERE_FIRST = tuple(reversed(LEVELS))  # red, orange, yellow: how lists and tiles order warnings
ESCALATED = ("orange", "red")  # levels a department must acknowledge in time and rectify (整改通知书)

# roles.md; who may open what and do what is ledger.permissions
ROLES = {"leader": "领导", "supervisor": "监管人员", "county": "县区财政", "department": "主管部门",
         "screen": "大屏", "admin": "系统管理员"}

# the scheduler's runs (ledger.runs) as the 任务 page shows them
RUN_STATES = {RunStatus.QUEUED: "排队中", RunStatus.RUNNING: "运行中", RunStatus.SUCCEEDED: "成功",
              RunStatus.FAILED: "失败", RunStatus.SKIPPED: "跳过", RunStatus.INTERRUPTED: "中断"}
RUN_TRIGGERS = {"schedule": "定时", "catch-up": "补跑", "manual": "手动"}  # CLI runs are in the audit log
JOB_TITLES = {"recompute": "重算本月及未关账上月", "close-month": "上月关账", "weekly-report": "周调度报表",
              "cleanup": "清理任务记录与过期导出文件", "catch-up": "补算缺失月份", "recompute-month": "手动重算",
              "deliver": "送达当月文书", "export-warnings": "导出预警清单", "remind": "报送提醒"}
# what a department does to regain points (metrics.attribution), the documents the portal writes
FIX_ACTIONS = {"idle": "盘活闲置资产", "plan": "完成逾期台账", "remit": "上缴逾期收入", "quality": "补全资产资料"}
DOCUMENT_KINDS = {"bulletin": "月度通报", "interview": "约谈通知书", "rectify": "整改通知书"}
# what reaches an inbox (delivery.md): the documents, the weekly workbook, a reminder to report
PAPER_KINDS = {**DOCUMENT_KINDS, "weekly": "周调度"}
# …and what an account is told (a reminder to report, warnings acknowledged for it, evidence sent back
# or closed off, an interview arranged, a purchase request decided) or asked for and could not wait on
# (a city's warning list, made in the background)
MESSAGE_KINDS = {**PAPER_KINDS, "reminder": "催报通知", "acknowledged": "确认通知", "returned": "退回通知",
                 "verified": "销号通知", "scheduled": "约谈安排", "allocation": "配置审核", "export": "导出文件"}
# 报送 (reporting.md): how a unit's month arrived, and where it stands
CHANNELS = {"import": "导入台账", "confirm": "本月无变化"}
SUBMISSION_STATES = {"on_time": "按期", "late": "逾期", "missing": "未报送", "pending": "待报送"}
# [reporting] weekly_due's days (ledger.config.WEEKDAYS, Monday first), as a notice names them
WEEKDAY_WORDS = {"mon": "周一", "tue": "周二", "wed": "周三", "thu": "周四", "fri": "周五", "sat": "周六", "sun": "周日"}
# evidence files (delivery.md): what is accepted, read from the content
EVIDENCE_KINDS = {"pdf": "application/pdf", "jpg": "image/jpeg", "png": "image/png",
                  "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                  "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# the levels a KPI row or a list entry is computed for, and the data scopes of accounts (ledger.scope)
SCOPE_LEVELS = {"city": "全市", "region": "县区", "department": "部门", "unit": "单位"}
SCOPE_KINDS = {"all": "全市", "region": "县区", "department": "部门", "screen": "大屏", "none": "无"}
