"""warning_rows without the foreign key to snapshots: PostgreSQL checks one row by row, about 0.75 s
of the COPY of a month's 137,000 warnings at 1M; the rows are written only with their snapshot
row, in one transaction (metrics.snapshot), and no snapshot is deleted

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

# SQLite's foreign keys have no names: batch mode names them by this to drop one
NAMING = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for fk in sa.inspect(bind).get_foreign_keys("warning_rows"):
            op.drop_constraint(fk["name"], "warning_rows", type_="foreignkey")
        return
    with op.batch_alter_table("warning_rows", naming_convention=NAMING) as batch:
        batch.drop_constraint("fk_warning_rows_month_snapshots", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("warning_rows") as batch:
        batch.create_foreign_key("warning_rows_month_fkey", "snapshots", ["month"], ["month"], ondelete="CASCADE")
