"""Reads of 送达 and 销号 (delivery.md): an account's inbox, the evidence sent for commitments and
warnings, the notices left unread. Every function takes the caller's Scope (an inbox: the
caller's own account)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from dashboard.scope import Scope
from ledger import inbox
from ledger.models import Department, Evidence, Message, Paper, StoredFile, User
from ledger.vocab import PAPER_KINDS


def inbox_page(engine: Engine, user_id: int | None, start: int = 0, end: int = 100) -> tuple[list, int, int]:
    """The account's messages [start, end), newest first, and how many it has, and unread."""
    if user_id is None:
        return [], 0, 0
    with engine.connect() as conn:
        total, unread = inbox.count(conn, user_id)
        return inbox.messages(conn, user_id, start, end), total, unread


def unread(engine: Engine, user_id: int | None) -> int:
    if user_id is None:
        return 0
    with engine.connect() as conn:
        return inbox.count(conn, user_id)[1]


def evidence_of(engine: Engine, scope: Scope, subject: str, ids: list[int]) -> dict[int, list]:
    """subject id -> its evidence rows (newest first), of the departments the scope covers."""
    if not ids or not scope.sees_assets:
        return {}
    with engine.connect() as conn:
        rows = conn.execute(select(*Evidence.__table__.columns).where(
            Evidence.subject == subject, Evidence.subject_id.in_(ids[:1000]), scope.owns(Evidence))
            .order_by(Evidence.id.desc())).all()
    out: dict[int, list] = {}
    for row in rows:
        out.setdefault(row.subject_id, []).append(row)
    return out


def evidence_file(engine: Engine, scope: Scope, evidence_id: int):
    """One evidence file's row and kind, if the scope covers its department; else None, refused
    exactly as a file that does not exist."""
    with engine.connect() as conn:
        found = conn.execute(select(Evidence.id, Evidence.sha256, Evidence.file_name, Evidence.subject,
                                    Evidence.subject_id, StoredFile.kind)
                             .join(StoredFile, StoredFile.sha256 == Evidence.sha256)
                             .where(Evidence.id == evidence_id, scope.owns(Evidence))).first()
    if found is None:
        scope.refused("佐证材料", evidence_id)
    return found


def paper_file(engine: Engine, user_id: int | None, message_id: int):
    """The paper of one of the account's own messages (its name and hash)."""
    if user_id is None:
        return None
    with engine.connect() as conn:
        return conn.execute(select(Paper.file_name, Paper.sha256, Message.id).join(Message, Message.paper_id == Paper.id)
                            .where(Message.id == message_id, Message.user_id == user_id)).first()


def paper_reading(engine: Engine, scope: Scope, limit: int = 100) -> list[dict]:
    """The papers sent most lately, each with its recipients, how many read it and who has not
    (the finance bureau's view of 送达)."""
    if scope.kind != "all":
        return []
    with engine.connect() as conn:
        rows = conn.execute(select(Paper.id, Paper.title, Message.created_at, Message.read_at, User.username)
                            .join(Message, Message.paper_id == Paper.id).join(User, User.id == Message.user_id)
                            .where(Paper.id.in_(select(Paper.id).where(Paper.kind.in_(PAPER_KINDS))  # not exports
                                                .order_by(Paper.id.desc()).limit(limit)))
                            .order_by(Paper.id.desc(), User.username)).all()
    papers: dict[int, dict] = {}
    for row in rows:
        paper = papers.setdefault(row.id, {"title": row.title, "sent": row.created_at, "recipients": 0, "read": 0,
                                           "unread": []})
        paper["recipients"] += 1
        paper["read"] += row.read_at is not None
        if row.read_at is None:
            paper["unread"].append(row.username)
    return list(papers.values())


def unread_notices(engine: Engine, user_id: int | None, now: dt.datetime, days: int) -> tuple[int, int]:
    """The account's own notices unread, and of those the ones past `days` (ledger.inbox.unread_notices)."""
    if user_id is None:
        return 0, 0
    with engine.connect() as conn:
        return inbox.unread_notices(conn, user_id, now, days)


def overdue_unread(engine: Engine, scope: Scope, now: dt.datetime, days: int) -> list:
    """Notices to the scope's departments unread `days` after they were sent (逾期未读)."""
    if not scope.sees_assets or scope.kind == "department":
        return []
    with engine.connect() as conn:
        return inbox.overdue_unread(conn, scope.owns(Department), now, days)
