"""The only place pages, downloads and the API read the database. Every function takes the
caller's Scope and filters by it; none has a default that means "everything".

snapshots: the computed months and the ledger behind them; workflow: warning cases, interviews,
commitments, a department's history; allocation: the purchase review; admin: audit log, jobs,
import records.
"""
from dashboard.queries.admin import account_list, audit_chain, audit_log, import_problems, imports, jobs, month_closed
from dashboard.queries.allocation import (
    allocation_exports,
    allocation_figures,
    held_assets,
    opinion_forms,
    place_names,
    purchase_requests,
    request_review,
    request_years,
    requests_to_review,
    transfers,
    year_review,
)
from dashboard.queries.delivery import (
    evidence_file,
    evidence_of,
    inbox_page,
    overdue_unread,
    paper_file,
    paper_reading,
    unread,
    unread_notices,
)
from dashboard.queries.papers import bulletin, interview_departments, meeting_pack, notice, notices, rankings
from dashboard.queries.reporting import on_time_shares, submissions, week_facts, weekly
from dashboard.queries.snapshots import (
    KPI_COLUMNS,
    MONTH_BANDS,
    OVERDUE_SORTS,
    asset_detail,
    chosen_month,
    find,
    kpi_row,
    kpis,
    lists,
    month_states,
    months,
    overdue_idle,
    overdue_total,
    peer_standing,
    plain,
    point_items,
    region_names,
    scope_label,
    scope_name,
    snapshot_info,
    to_records,
    warning_counts,
    warnings,
    yuan_of,
)
from dashboard.queries.workflow import (
    arrangements,
    case_counts,
    case_states,
    commitment_totals,
    commitments_to_check,
    department_history,
    follow_up,
    interview_list,
    interviews,
    interviews_ahead,
    interviews_to_schedule,
    warning_cases,
)

__all__ = [
    "bulletin", "interview_departments", "meeting_pack", "notice", "notices", "rankings",
    "on_time_shares", "submissions", "week_facts", "weekly",
    "evidence_file", "evidence_of", "inbox_page", "overdue_unread", "paper_file", "paper_reading", "unread", "unread_notices",
    "account_list", "audit_chain", "audit_log", "import_problems", "imports", "jobs", "month_closed",
    "allocation_exports", "allocation_figures", "held_assets", "opinion_forms", "place_names",
    "purchase_requests", "request_review", "request_years", "requests_to_review", "transfers", "year_review",
    "KPI_COLUMNS", "MONTH_BANDS", "OVERDUE_SORTS", "asset_detail", "find", "kpi_row", "kpis", "lists",
    "months", "chosen_month", "month_states", "overdue_idle", "overdue_total", "peer_standing", "plain", "point_items", "region_names", "scope_label", "scope_name",
    "snapshot_info", "to_records", "warning_counts", "warnings", "yuan_of",
    "arrangements", "case_counts", "case_states", "commitment_totals", "commitments_to_check", "department_history", "follow_up",
    "interview_list", "interviews", "interviews_ahead", "interviews_to_schedule",
    "warning_cases",
]
