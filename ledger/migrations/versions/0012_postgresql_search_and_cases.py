"""PostgreSQL at city scale: trigram indexes for the searches over a million cards, and room on the
pages of warning_cases for the monthly update in place

Revision ID: 0012
Revises: 0011
"""
import logging

from alembic import op
from sqlalchemy.exc import DBAPIError

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    # new pages only: a ledger migrated with cases already stored gains it as its pages are rewritten
    op.execute("ALTER TABLE warning_cases SET (fillfactor = 50)")
    try:
        with bind.begin_nested():
            bind.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DBAPIError as exc:  # not installed, or not ours to create: the searches scan, as before
        log.warning("pg_trgm unavailable, searches stay without trigram indexes: %s", exc.orig)
        return
    for column in ("code", "name"):  # on lower(…): never taken for an equality (ledger.models.holds)
        op.execute(f"CREATE INDEX ix_assets_{column}_trgm ON assets USING gin (lower({column}) gin_trgm_ops)")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    for column in ("code", "name"):
        op.execute(f"DROP INDEX IF EXISTS ix_assets_{column}_trgm")
    op.execute("ALTER TABLE warning_cases RESET (fillfactor)")
