"""Tables. Money is integer fen (BIGINT) so sums are exact on every database.

Enumerations (category, status, method, …) are stored as their English keys;
`ledger.vocab` maps the Chinese spellings of the import format onto them.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ledger.vocab import CaseState, CommitmentState, DecisionKind, EmailState, InterviewState, RunStatus, TransferState

CODE = String(64)
# byte order on PostgreSQL too, so that a class prefix is an index range (ledger.fit)
KEY = String(64).with_variant(String(64, collation="C"), "postgresql")


class Base(DeclarativeBase):
    pass


class State(TypeDecorator):
    """A state column: stored as its text (VARCHAR(16)), read back as the enum of ledger.vocab, and
    refusing on write a value the enum does not have."""
    impl = String(16)
    cache_ok = True

    def __init__(self, enum: type, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.enum = enum

    def process_bind_param(self, value, dialect):
        return None if value is None else self.enum(value).value

    def process_result_value(self, value, dialect):
        return None if value is None else self.enum(value)


# ---- the ledger ---------------------------------------------------------------------------

class Region(Base):
    __tablename__ = "regions"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Department(Base):
    __tablename__ = "departments"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str] = mapped_column(ForeignKey("regions.code"), index=True)


class Unit(Base):
    __tablename__ = "units"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    dept_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    unit_type: Mapped[str] = mapped_column(String(20))


class Asset(Base):
    __tablename__ = "assets"
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    original_value: Mapped[int] = mapped_column(BigInteger)
    net_value: Mapped[int | None] = mapped_column(BigInteger)
    acquired_on: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(32))
    status_since: Mapped[dt.date] = mapped_column(Date)
    location: Mapped[str | None] = mapped_column(String(200))
    photo_count: Mapped[int] = mapped_column(Integer, default=0)
    shared: Mapped[bool] = mapped_column(Boolean, default=False)
    category_code: Mapped[str | None] = mapped_column(CODE)  # GB/T 14885 class, as imported
    # what a purchase request is matched on (ledger.fit): upper-cased class code, normalised name
    code_key: Mapped[str | None] = mapped_column(KEY)
    name_key: Mapped[str | None] = mapped_column(String(200))
    # the first day the card could serve a request (ledger.importer.stock); none: never yet
    stock_since: Mapped[dt.date | None] = mapped_column(Date)


# only cards that ever were stock are indexed: a request's lookup returns those alone
_STOCK = Asset.stock_since.isnot(None)
Index("ix_assets_stock_code", Asset.code_key, Asset.stock_since, sqlite_where=_STOCK, postgresql_where=_STOCK)
Index("ix_assets_stock_name", Asset.category, Asset.name_key, Asset.stock_since, sqlite_where=_STOCK,
      postgresql_where=_STOCK)
# the searches (the top bar's, the warning list's) look for a part of a card's code or name: on
# PostgreSQL trigram indexes (pg_trgm, migration 0012) answer from three characters on instead of
# a scan of every card; SQLite scans. They index lower(…), which the searches compare (`holds`):
# on the bare column PostgreSQL would take them for equality too, and a join on a card's code
# through a trigram index costs 20 ms a row
TRIGRAM_INDEXES = [Index(f"ix_assets_{column.key}_trgm", func.lower(column).label(f"lower_{column.key}"),
                         postgresql_using="gin", postgresql_ops={f"lower_{column.key}": "gin_trgm_ops"})
                   .ddl_if(dialect="postgresql") for column in (Asset.code, Asset.name)]


def holds(column, text: str):
    """`column` contains `text`, whatever the case of Latin letters (the form the trigram indexes serve)."""
    return func.lower(column).contains(text.lower(), autoescape=True)


class StatusChange(Base):
    __tablename__ = "status_changes"
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"), primary_key=True)
    changed_on: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    status: Mapped[str] = mapped_column(String(32))


class Plan(Base):
    __tablename__ = "plans"
    plan_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"), unique=True)
    method: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str | None] = mapped_column(String(100))
    listed_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)
    done_on: Mapped[dt.date | None] = mapped_column(Date)


class Lease(Base):
    __tablename__ = "leases"
    lease_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"), index=True)
    lessee: Mapped[str] = mapped_column(String(200))
    start_on: Mapped[dt.date] = mapped_column(Date)
    end_on: Mapped[dt.date] = mapped_column(Date)
    annual_rent: Mapped[int] = mapped_column(BigInteger)
    appraised: Mapped[bool] = mapped_column(Boolean, default=False)
    public_bidding: Mapped[bool] = mapped_column(Boolean, default=False)


class Income(Base):
    __tablename__ = "income"
    income_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    received_on: Mapped[dt.date] = mapped_column(Date)
    amount: Mapped[int] = mapped_column(BigInteger)
    appraised_value: Mapped[int | None] = mapped_column(BigInteger)
    remitted_on: Mapped[dt.date | None] = mapped_column(Date)
    remitted_amount: Mapped[int] = mapped_column(BigInteger, default=0)


class Listing(Base):
    __tablename__ = "listings"
    listing_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"), index=True)
    mode: Mapped[str] = mapped_column(String(16))
    scope: Mapped[str] = mapped_column(String(16))
    listed_on: Mapped[dt.date] = mapped_column(Date)
    delisted_on: Mapped[dt.date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(String(16))
    receiver: Mapped[str | None] = mapped_column(String(200))


class ImportRecord(Base):
    __tablename__ = "imports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[dt.datetime] = mapped_column(DateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    username: Mapped[str] = mapped_column(String(100))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    row_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[str] = mapped_column(String(16))  # ok | failed | interrupted
    message: Mapped[str | None] = mapped_column(Text)
    # of a failed import: {"total": problems found, "listed": [the first, each a Problem's fields]}
    problems: Mapped[dict | None] = mapped_column(JSON(none_as_null=True))
    # 报送 (reporting.md): the account whose scope the file was checked against and who counts as the
    # sender, the day it counts as received (in [org] timezone), how it came (import | confirm)
    sender: Mapped[str | None] = mapped_column(String(100))
    received_on: Mapped[dt.date | None] = mapped_column(Date)


# ---- snapshots ----------------------------------------------------------------------------

# The figures of metrics.md, in its order, with how each is stored and exported.
# kind: count (int), money (fen int), rate (float, may be undefined), months (int/float).
KPI_FIELDS: list[tuple[str, str]] = [
    ("asset_count", "count"), ("base_value", "money"),
    ("idle_count", "count"), ("idle_value", "money"),
    ("underused_value", "money"), ("pending_disposal_value", "money"), ("leased_value", "money"),
    ("idle_rate", "rate"),
    ("overdue_idle_count", "count"), ("overdue_idle_value", "money"), ("overdue_idle_rate", "rate"),
    ("avg_months_idle", "rate"), ("max_months_idle", "months"),
    ("plan_count", "count"), ("plan_value", "money"), ("done_value", "money"),
    ("due_value", "money"), ("due_done_value", "money"),
    ("due_completion_rate", "rate"), ("completion_rate", "rate"), ("overdue_plan_count", "count"),
    ("income_received", "money"), ("income_remitted", "money"), ("remit_rate", "rate"),
    ("lease_income_received", "money"), ("lease_income_remitted", "money"), ("lease_remit_rate", "rate"),
    ("late_income_count", "count"),
    ("pool_count", "count"), ("data_quality_rate", "rate"),
    ("listed_idle_value", "money"), ("listing_rate", "rate"),
]
SCORE_NAMES = ["idle", "overdue", "completion", "remit", "quality"]
# Kept with each row so levels above can be rolled up and pages can explain averages.
HELPER_FIELDS = [("sum_months_idle", "count"), ("pool_ok_count", "count")]

COLUMN_TYPES = {"count": BigInteger, "money": BigInteger, "rate": Float, "months": Integer}  # kind -> column type


class Snapshot(Base):
    __tablename__ = "snapshots"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    snapshot_date: Mapped[dt.date] = mapped_column(Date)
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    row_counts: Mapped[dict] = mapped_column(JSON, default=dict)


class KpiRow(Base):
    __tablename__ = "kpi_rows"
    month: Mapped[str] = mapped_column(ForeignKey("snapshots.month", ondelete="CASCADE"), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # where the row sits, for scoping and drill-down
    dept_code: Mapped[str | None] = mapped_column(CODE)
    region_code: Mapped[str | None] = mapped_column(CODE)
    score_idle: Mapped[float] = mapped_column(Float)
    score_overdue: Mapped[float] = mapped_column(Float)
    score_completion: Mapped[float] = mapped_column(Float)
    score_remit: Mapped[float] = mapped_column(Float)
    score_quality: Mapped[float] = mapped_column(Float)
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int | None] = mapped_column(Integer)
    rank_change: Mapped[int | None] = mapped_column(Integer)
    peer_size: Mapped[int | None] = mapped_column(Integer)
    # the figures of KPI_FIELDS, then HELPER_FIELDS, in their order: nullable, typed by kind
    # (tests/ledger/test_models.py holds the two lists together)
    asset_count: Mapped[int | None] = mapped_column(BigInteger)
    base_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    idle_count: Mapped[int | None] = mapped_column(BigInteger)
    idle_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    underused_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    pending_disposal_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    leased_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    idle_rate: Mapped[float | None] = mapped_column(Float)
    overdue_idle_count: Mapped[int | None] = mapped_column(BigInteger)
    overdue_idle_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    overdue_idle_rate: Mapped[float | None] = mapped_column(Float)
    avg_months_idle: Mapped[float | None] = mapped_column(Float)
    max_months_idle: Mapped[int | None] = mapped_column(Integer)
    plan_count: Mapped[int | None] = mapped_column(BigInteger)
    plan_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    done_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    due_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    due_done_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    due_completion_rate: Mapped[float | None] = mapped_column(Float)
    completion_rate: Mapped[float | None] = mapped_column(Float)
    overdue_plan_count: Mapped[int | None] = mapped_column(BigInteger)
    income_received: Mapped[int | None] = mapped_column(BigInteger)  # fen
    income_remitted: Mapped[int | None] = mapped_column(BigInteger)  # fen
    remit_rate: Mapped[float | None] = mapped_column(Float)
    lease_income_received: Mapped[int | None] = mapped_column(BigInteger)  # fen
    lease_income_remitted: Mapped[int | None] = mapped_column(BigInteger)  # fen
    lease_remit_rate: Mapped[float | None] = mapped_column(Float)
    late_income_count: Mapped[int | None] = mapped_column(BigInteger)
    pool_count: Mapped[int | None] = mapped_column(BigInteger)
    data_quality_rate: Mapped[float | None] = mapped_column(Float)
    listed_idle_value: Mapped[int | None] = mapped_column(BigInteger)  # fen
    listing_rate: Mapped[float | None] = mapped_column(Float)
    sum_months_idle: Mapped[int | None] = mapped_column(BigInteger)
    pool_ok_count: Mapped[int | None] = mapped_column(BigInteger)

Index("ix_kpi_rows_scope", KpiRow.month, KpiRow.level, KpiRow.dept_code, KpiRow.region_code)


class WarningRow(Base):
    __tablename__ = "warning_rows"
    # the snapshot's month, unchecked: written only with its snapshot row, in one transaction
    # (metrics.snapshot); PostgreSQL's check, row by row, cost 0.75 s of a city's month (0014)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    rule: Mapped[str] = mapped_column(String(32), primary_key=True)
    ref: Mapped[str] = mapped_column(CODE, primary_key=True)
    level: Mapped[str] = mapped_column(String(8))
    asset_code: Mapped[str] = mapped_column(CODE)
    unit_code: Mapped[str] = mapped_column(CODE)
    dept_code: Mapped[str] = mapped_column(CODE)
    region_code: Mapped[str] = mapped_column(CODE)
    days: Mapped[int | None] = mapped_column(Integer)
    months: Mapped[int | None] = mapped_column(Integer)
    first_seen: Mapped[dt.date] = mapped_column(Date)
    message: Mapped[str] = mapped_column(Text)


Index("ix_warning_rows_scope", WarningRow.month, WarningRow.dept_code, WarningRow.region_code)


class ListEntry(Base):
    __tablename__ = "list_entries"
    month: Mapped[str] = mapped_column(ForeignKey("snapshots.month", ondelete="CASCADE"), primary_key=True)
    list: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(CODE, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    region_code: Mapped[str | None] = mapped_column(CODE)
    reasons: Mapped[list] = mapped_column(JSON, default=list)  # [{"rule": ..., figures, "limit": ...}]


# ---- accounts -----------------------------------------------------------------------------

class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(16))
    scope_code: Mapped[str | None] = mapped_column(CODE)  # department or region code
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(200))  # where papers are e-mailed (delivery.md)
    # bumped on logout, password change and disable: older session cookies stop working
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class ApiToken(Base):
    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 of the token
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginAttempt(Base):
    """Login attempts (ledger.logins), kept in the database so every server worker sees the same count."""
    __tablename__ = "login_attempts"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    outcome: Mapped[str] = mapped_column(String(16), server_default="failed")  # pending | failed | refused


# ---- audit, jobs, closed months -----------------------------------------------------------

class AuditEntry(Base):
    """Append-only: the database refuses UPDATE and DELETE (migration 0004) and an INSERT over an
    existing id (0009); the rows are chained by hash, so an edit made around that shows."""
    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)  # username, or "cli:<os user>", "scheduler"
    role: Mapped[str | None] = mapped_column(String(16))
    address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64), index=True)  # e.g. login.failed, import, snapshot.reopen
    target: Mapped[str | None] = mapped_column(String(200))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    detail: Mapped[str | None] = mapped_column(Text)
    # the hash chain (ledger.audit): this row's hash covers its content and the previous row's hash
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    row_hash: Mapped[str | None] = mapped_column(String(64))


class JobRun(Base):
    """One run of a job for one tick; (job, tick) is unique, so two schedulers run a tick once."""
    __tablename__ = "job_runs"
    __table_args__ = (UniqueConstraint("job", "tick"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    job: Mapped[str] = mapped_column(String(64))
    tick: Mapped[str] = mapped_column(String(64))  # the schedule's period: a date, a month, a week
    trigger: Mapped[str] = mapped_column(String(16))  # schedule | catch-up | manual (the CLI: audited)
    month: Mapped[str | None] = mapped_column(String(7))
    reopen: Mapped[bool] = mapped_column(Boolean, default=False)
    requested_by: Mapped[str | None] = mapped_column(String(100))
    params: Mapped[dict | None] = mapped_column(JSON)  # what a queued run was asked for beyond its month
    status: Mapped[RunStatus] = mapped_column(State(RunStatus), index=True)
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    ended_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    rows: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    host: Mapped[str | None] = mapped_column(String(100))
    pid: Mapped[int | None] = mapped_column(Integer)


class SchedulerJob(Base):
    """What the running scheduler reports about each job (for the admin page)."""
    __tablename__ = "scheduler_jobs"
    job: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    schedule: Mapped[str] = mapped_column(String(100))
    next_run_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    heartbeat_at: Mapped[dt.datetime] = mapped_column(DateTime)
    host: Mapped[str | None] = mapped_column(String(100))
    pid: Mapped[int | None] = mapped_column(Integer)


class MonthClose(Base):
    """A closed month: its snapshot is final; recomputing it needs an explicit, audited reopen."""
    __tablename__ = "month_closes"
    month: Mapped[str] = mapped_column(String(7), primary_key=True)
    closed_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closed_by: Mapped[str] = mapped_column(String(100))


# ---- accountability workflow: warning states, interviews, commitments ----------------------

class WarningCase(Base):
    """A warning as a matter to follow up: one per (rule, ref) across months, with its state."""
    __tablename__ = "warning_cases"
    # every case of the newest month is updated when a month is computed (its last_month): with
    # room left on each page PostgreSQL updates it in place (a HOT update), without its five indexes
    __table_args__ = (UniqueConstraint("rule", "ref"), {"postgresql_with": {"fillfactor": 50}})
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(32))
    ref: Mapped[str] = mapped_column(CODE)
    asset_code: Mapped[str] = mapped_column(CODE)
    dept_code: Mapped[str] = mapped_column(CODE, index=True)
    region_code: Mapped[str] = mapped_column(CODE, index=True)
    level: Mapped[str] = mapped_column(String(8))
    state: Mapped[CaseState] = mapped_column(State(CaseState), index=True)
    opened_on: Mapped[dt.date] = mapped_column(Date)  # when it (last) started firing
    last_month: Mapped[str] = mapped_column(String(7))  # newest snapshot it fired in
    note: Mapped[str | None] = mapped_column(Text)  # the latest acknowledgement or resolution note
    fix_by: Mapped[dt.date | None] = mapped_column(Date)  # the department's planned fix date
    return_reason: Mapped[str | None] = mapped_column(Text)  # why a supervisor sent its evidence back
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class WarningEvent(Base):
    """The history of a warning case: fired, acknowledged, resolved, closed, re-fired."""
    __tablename__ = "warning_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("warning_cases.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[CaseState | None] = mapped_column(State(CaseState))
    to_state: Mapped[CaseState] = mapped_column(State(CaseState))
    note: Mapped[str | None] = mapped_column(Text)


class Interview(Base):
    """A 约谈 of a department from a month's interview list."""
    __tablename__ = "interviews"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    month: Mapped[str] = mapped_column(String(7), index=True)  # the list it came from
    dept_code: Mapped[str] = mapped_column(CODE, index=True)
    region_code: Mapped[str] = mapped_column(CODE)
    scheduled_on: Mapped[dt.date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(200))  # where it is held, for the interview notice
    topics: Mapped[list] = mapped_column(JSON, default=list)  # the list reasons, with their figures
    status: Mapped[InterviewState] = mapped_column(State(InterviewState))
    outcome: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Commitment(Base):
    """A rectification commitment made at an interview, tracked to done."""
    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    interview_id: Mapped[int] = mapped_column(ForeignKey("interviews.id"), index=True)
    dept_code: Mapped[str] = mapped_column(CODE, index=True)
    region_code: Mapped[str] = mapped_column(CODE)
    text: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(100))
    deadline: Mapped[dt.date] = mapped_column(Date)
    asset_codes: Mapped[list] = mapped_column(JSON, default=list)  # assets it names, checked against snapshots
    status: Mapped[CommitmentState] = mapped_column(State(CommitmentState))
    evidence: Mapped[str | None] = mapped_column(Text)  # the department's answer
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    return_reason: Mapped[str | None] = mapped_column(Text)  # why a supervisor sent it back
    updated_by: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


# ---- 配置审核: purchase requests reviewed against idle stock (allocation.md) ---------------

class PurchaseRequest(Base):
    """A department's request to buy assets (配置需求), imported or entered on the page."""
    __tablename__ = "requests"
    request_id: Mapped[str] = mapped_column(CODE, primary_key=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"), index=True)
    budget_year: Mapped[int] = mapped_column(Integer, index=True)
    asset_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str] = mapped_column(String(32))
    category_code: Mapped[str | None] = mapped_column(CODE)
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)  # fen
    requested_on: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(Text)


class Decision(Base):
    """A reviewer's decision on a request, with the flags and candidate count it was taken on;
    withdrawn decisions stay (the request may then be decided again)."""
    __tablename__ = "request_decisions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.request_id"), index=True)
    kind: Mapped[DecisionKind] = mapped_column(State(DecisionKind))
    approved_qty: Mapped[int] = mapped_column(Integer, default=0)  # purchases approved
    note: Mapped[str] = mapped_column(Text)
    review_date: Mapped[dt.date] = mapped_column(Date)  # D of the candidates and flags below
    candidate_count: Mapped[int] = mapped_column(Integer)
    flags: Mapped[dict] = mapped_column(JSON, default=dict)
    decided_by: Mapped[str] = mapped_column(String(100))
    decided_at: Mapped[dt.datetime] = mapped_column(DateTime)
    withdrawn_by: Mapped[str | None] = mapped_column(String(100))
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    withdraw_note: Mapped[str | None] = mapped_column(Text)


# one standing decision per request: the database refuses a second
Index("ux_request_decisions_open", Decision.request_id, unique=True,
      sqlite_where=Decision.withdrawn_at.is_(None), postgresql_where=Decision.withdrawn_at.is_(None))


class HeldAsset(Base):
    """An asset named in a standing transfer decision: no candidate for any other request until
    its transfer is done or the decision withdrawn. One hold per asset, by its key."""
    __tablename__ = "held_assets"
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"), primary_key=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("request_decisions.id"), index=True)
    request_id: Mapped[str] = mapped_column(CODE)
    held_on: Mapped[dt.date] = mapped_column(Date)


class Transfer(Base):
    """One asset decided for transfer, followed until a later import shows it done."""
    __tablename__ = "transfers"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("request_decisions.id"), index=True)
    request_id: Mapped[str] = mapped_column(CODE, index=True)
    asset_code: Mapped[str] = mapped_column(ForeignKey("assets.code"), index=True)
    from_unit_code: Mapped[str] = mapped_column(CODE)
    dept_code: Mapped[str] = mapped_column(CODE, index=True)  # the requesting department (it receives)
    region_code: Mapped[str] = mapped_column(CODE)  # the requesting department's region
    decided_on: Mapped[dt.date] = mapped_column(Date)
    due_on: Mapped[dt.date] = mapped_column(Date)  # decided_on + [allocation] transfer_days
    state: Mapped[TransferState] = mapped_column(State(TransferState), index=True)
    done_on: Mapped[dt.date | None] = mapped_column(Date)
    done_how: Mapped[str | None] = mapped_column(String(16))  # moved | listing


class RequestReview(Base):
    """An open request's review as last computed (metrics.allocation.stored_review): its flags,
    candidate count and the candidates the page shows, on `review_date` against the ledger as of
    `stamp` (ledger.allocation.stock_stamp). Stale when either differs; a decision or withdrawal
    drops the rows of the requests its assets fit."""
    __tablename__ = "request_reviews"
    request_id: Mapped[str] = mapped_column(ForeignKey("requests.request_id", ondelete="CASCADE"), primary_key=True)
    review_date: Mapped[dt.date] = mapped_column(Date)
    stamp: Mapped[str] = mapped_column(String(200))
    month: Mapped[str | None] = mapped_column(String(7))  # the snapshot month the list flags come from
    candidate_count: Mapped[int] = mapped_column(Integer)
    flags: Mapped[dict] = mapped_column(JSON, default=dict)
    shown: Mapped[list] = mapped_column(JSON, default=list)  # the first max(10, 3 × quantity) candidates
    computed_at: Mapped[dt.datetime] = mapped_column(DateTime)


# ---- 送达 and 销号: papers, inboxes, evidence (delivery.md) --------------------------------

class StoredFile(Base):
    """A file kept once by its SHA-256 under `[files] dir` (ledger.files_store): a paper or evidence."""
    __tablename__ = "files"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # pdf, jpg, png, docx, xlsx: read from the content
    size: Mapped[int] = mapped_column(BigInteger)
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Paper(Base):
    """One paper of a month as it was drafted for sending: the bulletin of the city or a region, a
    department's notice, a weekly workbook. Drafted once; every recipient receives the same file."""
    __tablename__ = "papers"
    __table_args__ = (UniqueConstraint("kind", "month", "subject"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # ledger.vocab.PAPER_KINDS
    month: Mapped[str] = mapped_column(String(7))
    subject: Mapped[str] = mapped_column(CODE)  # the city or region code, the department code, a week
    dept_code: Mapped[str | None] = mapped_column(CODE)  # the department it is about (notices)
    region_code: Mapped[str | None] = mapped_column(CODE)  # the region it is about (a county's version)
    title: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(ForeignKey("files.sha256"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


class Message(Base):
    """An entry of an account's inbox (消息): a paper delivered to it (once per pair, the unique key),
    or a reminder; with its read receipt and its e-mail's state."""
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("paper_id", "user_id"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    paper_id: Mapped[int | None] = mapped_column(ForeignKey("papers.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # ledger.vocab.MESSAGE_KINDS
    month: Mapped[str | None] = mapped_column(String(7))
    dept_code: Mapped[str | None] = mapped_column(CODE)  # the department it is about, if one
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(200))  # the page it is about, to act on it (ledger.inbox.link)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    read_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    email_to: Mapped[str | None] = mapped_column(String(200))
    email_state: Mapped[EmailState] = mapped_column(State(EmailState), index=True)
    email_attempts: Mapped[int] = mapped_column(Integer, default=0)
    email_next_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    email_sent_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    email_error: Mapped[str | None] = mapped_column(Text)
    resent: Mapped[int] = mapped_column(Integer, default=0)


class Evidence(Base):
    """A file a department sends to show a commitment kept, a warning fixed or its week's work."""
    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(ForeignKey("files.sha256"))
    file_name: Mapped[str] = mapped_column(String(200))  # as the department named it (no path)
    subject: Mapped[str] = mapped_column(String(16))  # commitment | case | weekly
    subject_id: Mapped[int] = mapped_column(Integer)
    dept_code: Mapped[str] = mapped_column(CODE, index=True)
    region_code: Mapped[str] = mapped_column(CODE)
    uploaded_by: Mapped[str] = mapped_column(String(100))
    uploaded_at: Mapped[dt.datetime] = mapped_column(DateTime)


Index("ix_evidence_subject", Evidence.subject, Evidence.subject_id)


# ---- 报送: who has sent the month's ledger, and the week's progress (reporting.md) ---------

class Submission(Base):
    """A unit's month reported: a successful import received in the month after it that holds a
    row of the unit, or a confirmation that nothing changed (本月无变化)."""
    __tablename__ = "submissions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_code: Mapped[str] = mapped_column(ForeignKey("units.code"))
    month: Mapped[str] = mapped_column(String(7))  # the month reported
    received_on: Mapped[dt.date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(16))  # import | confirm (ledger.vocab.CHANNELS)
    sender: Mapped[str] = mapped_column(String(100))
    import_id: Mapped[int | None] = mapped_column(ForeignKey("imports.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)


Index("ix_submissions_month", Submission.month, Submission.unit_code)
# the case sync asks whether a unit sent its ledger after a case was closed off (ledger.workflow)
Index("ix_submissions_unit", Submission.unit_code, Submission.created_at)


class WeeklyReport(Base):
    """A department's weekly progress report (周进度): corrected in place until its due time, after
    which a correction is a new version (both kept)."""
    __tablename__ = "weekly_reports"
    __table_args__ = (UniqueConstraint("dept_code", "week", "version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dept_code: Mapped[str] = mapped_column(ForeignKey("departments.code"), index=True)
    region_code: Mapped[str] = mapped_column(CODE)
    week: Mapped[str] = mapped_column(String(8))  # ISO week: 2026-W49
    version: Mapped[int] = mapped_column(Integer)
    progress: Mapped[str] = mapped_column(Text)  # 本周进展
    problems: Mapped[str] = mapped_column(Text)  # 存在问题
    next_plan: Mapped[str] = mapped_column(Text)  # 下周计划
    signer: Mapped[str] = mapped_column(String(100))  # 负责人
    evidence_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    submitted_by: Mapped[str] = mapped_column(String(100))
    submitted_at: Mapped[dt.datetime] = mapped_column(DateTime)
    late: Mapped[bool] = mapped_column(Boolean, default=False)  # written after the week's due time
