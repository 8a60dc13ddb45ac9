"""配置审核: class codes and match keys on assets; requests, decisions, held assets, transfers

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

KEY = sa.String(64).with_variant(sa.String(64, collation="C"), "postgresql")


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("category_code", sa.String(64)))
        batch.add_column(sa.Column("code_key", KEY))
        batch.add_column(sa.Column("name_key", sa.String(200)))
    # existing cards get their name keys at their next import; until then they match by class code only
    op.create_index("ix_assets_code_key", "assets", ["code_key"])
    op.create_index("ix_assets_name_key", "assets", ["category", "name_key"])
    op.create_table(
        "requests",
        sa.Column("request_id", sa.String(64), primary_key=True),
        sa.Column("unit_code", sa.String(64), sa.ForeignKey("units.code"), nullable=False, index=True),
        sa.Column("budget_year", sa.Integer(), nullable=False, index=True),
        sa.Column("asset_name", sa.String(200), nullable=False),
        sa.Column("category", sa.String(32), nullable=False),
        sa.Column("category_code", sa.String(64)),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("unit_price", sa.BigInteger(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text()),
    )
    op.create_table(
        "request_decisions",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("request_id", sa.String(64), sa.ForeignKey("requests.request_id"), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("approved_qty", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("candidate_count", sa.Integer(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.String(100), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_by", sa.String(100)),
        sa.Column("withdrawn_at", sa.DateTime()),
        sa.Column("withdraw_note", sa.Text()),
    )
    op.create_index("ux_request_decisions_open", "request_decisions", ["request_id"], unique=True,
                    sqlite_where=sa.text("withdrawn_at IS NULL"), postgresql_where=sa.text("withdrawn_at IS NULL"))
    op.create_table(
        "held_assets",
        sa.Column("asset_code", sa.String(64), sa.ForeignKey("assets.code"), primary_key=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("request_decisions.id"), nullable=False, index=True),
        sa.Column("request_id", sa.String(64), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
    )
    op.create_table(
        "transfers",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("decision_id", sa.Integer(), sa.ForeignKey("request_decisions.id"), nullable=False, index=True),
        sa.Column("request_id", sa.String(64), nullable=False, index=True),
        sa.Column("asset_code", sa.String(64), sa.ForeignKey("assets.code"), nullable=False, index=True),
        sa.Column("from_unit_code", sa.String(64), nullable=False),
        sa.Column("dept_code", sa.String(64), nullable=False, index=True),
        sa.Column("region_code", sa.String(64), nullable=False),
        sa.Column("decided_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False, index=True),
        sa.Column("done_on", sa.Date()),
        sa.Column("done_how", sa.String(16)),
    )


def downgrade() -> None:
    op.drop_table("transfers")
    op.drop_table("held_assets")
    op.drop_index("ux_request_decisions_open", "request_decisions")
    op.drop_table("request_decisions")
    op.drop_table("requests")
    op.drop_index("ix_assets_name_key", "assets")
    op.drop_index("ix_assets_code_key", "assets")
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("name_key")
        batch.drop_column("code_key")
        batch.drop_column("category_code")
