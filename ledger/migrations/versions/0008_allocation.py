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
        batch.add_column(sa.Column("stock_since", sa.Date()))
    _backfill()
    stock = sa.text("stock_since IS NOT NULL")
    op.create_index("ix_assets_stock_code", "assets", ["code_key", "stock_since"], sqlite_where=stock,
                    postgresql_where=stock)
    op.create_index("ix_assets_stock_name", "assets", ["category", "name_key", "stock_since"], sqlite_where=stock,
                    postgresql_where=stock)
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


def _backfill() -> None:
    """The cards already stored: their name keys (ledger.fit, in Python: the fold is not SQL on
    SQLite) and stock_since (ledger.importer.stock, in SQL), as an import would have set them."""
    from ledger.fit import name_key

    conn = op.get_bind()
    assets = sa.table("assets", sa.column("code"), sa.column("name"), sa.column("name_key"))
    rows = conn.execute(sa.select(assets.c.code, assets.c.name)).all()
    for start in range(0, len(rows), 10_000):
        conn.execute(sa.update(assets).where(assets.c.code == sa.bindparam("c")).values(name_key=sa.bindparam("k")),
                     [{"c": code, "k": name_key(name)} for code, name in rows[start:start + 10_000]])
    conn.execute(sa.text("""
        UPDATE assets SET stock_since = (SELECT MIN(on_day) FROM (
            SELECT assets.status_since AS on_day WHERE assets.status IN ('idle', 'underused')
            UNION ALL SELECT c.changed_on FROM status_changes c
             WHERE c.asset_code = assets.code AND c.status IN ('idle', 'underused')
            UNION ALL SELECT l.listed_on FROM listings l WHERE l.asset_code = assets.code AND l.mode = 'transfer'
        ) AS entries)"""))


def downgrade() -> None:
    op.drop_table("transfers")
    op.drop_table("held_assets")
    op.drop_index("ux_request_decisions_open", "request_decisions")
    op.drop_table("request_decisions")
    op.drop_table("requests")
    op.drop_index("ix_assets_stock_name", "assets")
    op.drop_index("ix_assets_stock_code", "assets")
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("stock_since")
        batch.drop_column("name_key")
        batch.drop_column("code_key")
        batch.drop_column("category_code")
