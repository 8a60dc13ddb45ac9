"""index status_spans by status

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_status_spans_status", "status_spans", ["status", "start_on"])


def downgrade() -> None:
    op.drop_index("ix_status_spans_status", table_name="status_spans")
