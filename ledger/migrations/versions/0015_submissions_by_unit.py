"""submissions by unit and time: the case sync asks, for each case closed off (已销号) whose warning
still fires, whether its unit sent a ledger after that (ledger.workflow.sync_cases)

Revision ID: 0015
Revises: 0014
"""
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_submissions_unit", "submissions", ["unit_code", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_submissions_unit", table_name="submissions")
