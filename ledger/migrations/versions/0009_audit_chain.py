"""The audit log chained by hash, and an INSERT over an existing id refused (SQLite's INSERT OR
REPLACE deletes without firing the DELETE trigger); login attempts carry their outcome

Revision ID: 0009
Revises: 0008
"""
import datetime as dt
import json

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

NO_REPLACE = ("CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log "
              "WHEN NEW.id IS NOT NULL AND EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id) "
              "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (审计日志只能追加)'); END")
SQLITE_NO_UPDATE = ("CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only (审计日志只能追加)'); END")


def upgrade() -> None:
    # plain ALTER TABLE on both databases (a batch copy of the table on SQLite would drop its triggers)
    op.add_column("audit_log", sa.Column("prev_hash", sa.String(64)))
    op.add_column("audit_log", sa.Column("row_hash", sa.String(64)))
    _chain_existing_rows()
    op.add_column("login_attempts", sa.Column("outcome", sa.String(16), nullable=False, server_default="failed"))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(NO_REPLACE)  # PostgreSQL: the primary key refuses it, the UPDATE trigger an upsert


def _chain_existing_rows() -> None:
    """Hash the rows written before the chain, in id order (the guard is lifted for this only)."""
    from ledger.audit import chain_hash

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT id, at, actor, role, address, action, target, before, after, detail "
                                "FROM audit_log ORDER BY id")).mappings().all()
    if not rows:
        return
    postgresql = bind.dialect.name == "postgresql"
    op.execute("ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_change" if postgresql
               else "DROP TRIGGER audit_log_no_update")
    previous = None
    for row in rows:
        row = dict(row)
        for key in ("before", "after"):  # read as text here, not through the JSON type
            if isinstance(row[key], str):
                row[key] = json.loads(row[key])
        if isinstance(row["at"], str):  # SQLite keeps it as ISO text
            row["at"] = dt.datetime.fromisoformat(row["at"])
        digest = chain_hash(previous, row)
        bind.execute(sa.text("UPDATE audit_log SET prev_hash = :p, row_hash = :h WHERE id = :i"),
                     {"p": previous, "h": digest, "i": row["id"]})
        previous = digest
    op.execute("ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_change" if postgresql else SQLITE_NO_UPDATE)


def downgrade() -> None:
    op.drop_column("login_attempts", "outcome")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_log_no_replace")
    op.drop_column("audit_log", "row_hash")
    op.drop_column("audit_log", "prev_hash")
