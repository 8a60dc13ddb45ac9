"""送达 and 报送: e-mail addresses, stored files, papers, inboxes, evidence and its verification,
who reported which month, weekly progress reports

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email", sa.String(200)))
    op.add_column("imports", sa.Column("sender", sa.String(100)))
    op.add_column("imports", sa.Column("received_on", sa.Date()))
    op.add_column("commitments", sa.Column("return_reason", sa.Text()))
    op.add_column("warning_cases", sa.Column("return_reason", sa.Text()))
    op.create_table(
        "files",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "papers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("subject", sa.String(64), nullable=False),
        sa.Column("dept_code", sa.String(64)),
        sa.Column("region_code", sa.String(64)),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("file_name", sa.String(255), nullable=False),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.UniqueConstraint("kind", "month", "subject"),
    )
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False, index=True),
        sa.Column("paper_id", sa.Integer(), sa.ForeignKey("papers.id"), index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("month", sa.String(7)),
        sa.Column("dept_code", sa.String(64)),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False, index=True),
        sa.Column("read_at", sa.DateTime()),
        sa.Column("email_to", sa.String(200)),
        sa.Column("email_state", sa.String(16), nullable=False, index=True),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_next_at", sa.DateTime()),
        sa.Column("email_sent_at", sa.DateTime()),
        sa.Column("email_error", sa.Text()),
        sa.Column("resent", sa.Integer(), nullable=False),
        sa.UniqueConstraint("paper_id", "user_id"),
    )
    op.create_table(
        "evidence",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("sha256", sa.String(64), sa.ForeignKey("files.sha256"), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("subject", sa.String(16), nullable=False),
        sa.Column("subject_id", sa.Integer(), nullable=False),
        sa.Column("dept_code", sa.String(64), nullable=False, index=True),
        sa.Column("region_code", sa.String(64), nullable=False),
        sa.Column("uploaded_by", sa.String(100), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_evidence_subject", "evidence", ["subject", "subject_id"])
    op.create_table(
        "submissions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("unit_code", sa.String(64), sa.ForeignKey("units.code"), nullable=False),
        sa.Column("month", sa.String(7), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("sender", sa.String(100), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id")),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_submissions_month", "submissions", ["month", "unit_code"])
    op.create_table(
        "weekly_reports",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("dept_code", sa.String(64), sa.ForeignKey("departments.code"), nullable=False, index=True),
        sa.Column("region_code", sa.String(64), nullable=False),
        sa.Column("week", sa.String(8), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("progress", sa.Text(), nullable=False),
        sa.Column("problems", sa.Text(), nullable=False),
        sa.Column("next_plan", sa.Text(), nullable=False),
        sa.Column("signer", sa.String(100), nullable=False),
        sa.Column("evidence_id", sa.Integer(), sa.ForeignKey("evidence.id")),
        sa.Column("submitted_by", sa.String(100), nullable=False),
        sa.Column("submitted_at", sa.DateTime(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.UniqueConstraint("dept_code", "week", "version"),
    )


def downgrade() -> None:
    for table in ("weekly_reports", "submissions", "evidence", "messages", "papers", "files"):
        op.drop_table(table)
    for table, column in (("warning_cases", "return_reason"), ("commitments", "return_reason"),
                          ("imports", "received_on"), ("imports", "sender"), ("users", "email")):
        with op.batch_alter_table(table) as batch:
            batch.drop_column(column)
