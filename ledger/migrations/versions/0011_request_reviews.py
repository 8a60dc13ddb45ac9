"""配置审核: each open request's review stored (flags, count, the candidates shown) with its stamp

Revision ID: 0011
Revises: 0010
"""
import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "request_reviews",
        sa.Column("request_id", sa.String(64), sa.ForeignKey("requests.request_id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("stamp", sa.String(200), nullable=False),
        sa.Column("month", sa.String(7)),
        sa.Column("candidate_count", sa.Integer(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("shown", sa.JSON(), nullable=False),
        sa.Column("computed_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("request_reviews")
