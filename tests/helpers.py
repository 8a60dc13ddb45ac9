"""Helpers that tests in several modules share."""
from __future__ import annotations

from sqlalchemy import text


def tamper_audit_log(engine, statement: str) -> None:
    """Run `statement` on the audit log as a database owner can: with its append-only guards
    switched off for that one transaction (and put back, so later tests keep them)."""
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.execute(text(statement))
            return
        guards = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
                                   "AND tbl_name = 'audit_log'")).all()
        for name, _ in guards:
            conn.execute(text(f"DROP TRIGGER {name}"))
        conn.execute(text(statement))
        for _, sql in guards:
            conn.execute(text(sql))
