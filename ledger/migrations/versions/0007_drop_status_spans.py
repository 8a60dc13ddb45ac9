"""drop status_spans: the status timeline is built by the engine when it computes

The spans were derived from assets and status changes and rewritten by every import (2.5M
rows at a million assets, a fifth of the import's time); the DuckDB engine builds them in
about a second from the same two tables, and an asset's page builds its own.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("status_spans")


def downgrade() -> None:
    # empty again: the next import of each asset's cards and changes fills it
    op.create_table(
        "status_spans",
        sa.Column("asset_code", sa.String(64), sa.ForeignKey("assets.code"), primary_key=True),
        sa.Column("start_on", sa.Date(), primary_key=True),
        sa.Column("end_on", sa.Date()),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("run_start", sa.Date()),
    )
    op.create_index("ix_status_spans_status", "status_spans", ["status", "start_on"])
