"""Inboxes (消息, delivery.md): who receives which paper, each (paper, recipient) pair once, the first
reading of each, and the notices left unread too long.

Recipients follow delivery.md's table and never go beyond an account's scope (roles.md): a
department receives the city bulletin and its own notices, a county its region's versions.
"""
from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from sqlalchemy import Connection, and_, func, insert, or_, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql import ColumnElement

from ledger import audit, clock
from ledger.models import Department, Message, Paper, User
from ledger.vocab import EmailState

NOTICES = ("interview", "rectify")  # what must be read in time (逾期未读 after [delivery] read_within_days)


def paper_link(paper: Paper, role: str) -> str | None:
    """The page a paper leads its reader to (the inbox's 前往 button): a notice to the list it is
    answered on, the weekly workbook to 周进度, the bulletin to the ranking it announces (a
    department's: its own score); for the paper's month."""
    if paper.kind == "weekly":
        return link("/reporting", tab="weekly")
    path = {"bulletin": "/my-score" if role == "department" else "/rankings", "interview": "/interviews",
            "rectify": "/warnings"}.get(paper.kind)
    return path and link(path, month=paper.month)


def link(path: str, **query) -> str:
    """A page's address with its query: where a message's reader goes to act on it."""
    return f"{path}?{urlencode(query)}" if query else path


def recipients(conn: Connection, kind: str, region: str | None = None, dept: str | None = None) -> list:
    """The active accounts a paper goes to (delivery.md): `region` for a county's version of the
    bulletin or the weekly workbook, `dept` for a department's notice."""
    active = and_(User.disabled.is_(False))
    if kind == "bulletin" and region is None:
        who = User.role.in_(("leader", "supervisor", "admin", "department"))
    elif kind in ("bulletin", "weekly") and region is not None:
        who = and_(User.role == "county", User.scope_code == region)
    elif kind == "weekly":
        who = User.role == "supervisor"
    elif kind == "interview":
        who = or_(and_(User.role == "department", User.scope_code == dept), User.role == "supervisor")
    elif kind == "rectify":
        who = and_(User.role == "department", User.scope_code == dept)
    else:
        raise ValueError(kind)
    return conn.execute(select(User.id, User.username, User.role, User.email).where(active, who)
                        .order_by(User.username)).all()


def place(conn: Connection, paper: Paper, users: list, body: str, email: bool) -> list[int]:
    """Put `paper` in each account's inbox that does not have it yet; the new messages' ids.
    `body`: what the message says; `email`: a mail server is configured, so accounts with an
    address are sent it too."""
    have = set(conn.execute(select(Message.user_id).where(Message.paper_id == paper.id)).scalars())
    made = []
    for user in users:
        if user.id in have:
            continue
        by_mail = email and bool(user.email)
        message_id = conn.execute(insert(Message).values(
            user_id=user.id, paper_id=paper.id, kind=paper.kind, month=paper.month, dept_code=paper.dept_code,
            title=paper.title, body=body, link=paper_link(paper, user.role), created_at=clock.now(),
            email_to=user.email if by_mail else None, email_state=EmailState.PENDING if by_mail else EmailState.NONE,
            email_attempts=0, resent=0)).inserted_primary_key[0]
        made.append(message_id)
    return made


def remind(conn: Connection, user, kind: str, title: str, body: str, month: str | None, dept: str | None,
           email: bool, link: str | None = None) -> int:
    """A message without a paper (催报, a returned piece of evidence), to one account; `link`: the
    page it is about, where the reader acts on it."""
    by_mail = email and bool(user.email)
    return conn.execute(insert(Message).values(
        user_id=user.id, kind=kind, month=month, dept_code=dept, title=title[:200], body=body, link=link,
        created_at=clock.now(),
        email_to=user.email if by_mail else None, email_state=EmailState.PENDING if by_mail else EmailState.NONE,
        email_attempts=0, resent=0)).inserted_primary_key[0]


def department_accounts(conn: Connection, dept: str) -> list:
    return conn.execute(select(User.id, User.username, User.role, User.email).where(
        User.disabled.is_(False), User.role == "department", User.scope_code == dept)).all()


def notify_departments(conn: Connection, departments: list[str], kind: str, title: str, body: str,
                       month: str | None, email: bool, link: str | None = None) -> int:
    """A message (a returned piece of evidence, a reminder to report) to every account of each
    department; how many were written. E-mail goes out with the next delivery run or poll."""
    count = 0
    for dept in departments:
        for user in department_accounts(conn, dept):
            remind(conn, user, kind, title, body, month, dept, email, link)
            count += 1
    return count


def messages(conn: Connection, user_id: int, start: int = 0, end: int = 100) -> list:
    """An account's inbox, newest first (rows of .Message, .file_name: the paper's, where there is one)."""
    with Session(conn) as s:
        return s.execute(select(Message, Paper.file_name).outerjoin(Paper, Paper.id == Message.paper_id)
                         .where(Message.user_id == user_id).order_by(Message.created_at.desc(), Message.id.desc())
                         .offset(start).limit(end - start)).all()


def count(conn: Connection, user_id: int) -> tuple[int, int]:
    """(all, unread) messages of an account."""
    total, unread = conn.execute(select(func.count(), func.count().filter(Message.read_at.is_(None)))
                                 .where(Message.user_id == user_id)).one()
    return total, unread


def read(conn: Connection, user_id: int, message_id: int, how: str, address: str | None = None):
    """The account opens (or downloads) one of its own messages: the first time is recorded as its
    reading. Another account's message is answered as one that does not exist (None)."""
    with Session(conn) as s:
        found = s.execute(select(Message, Paper).outerjoin(Paper, Paper.id == Message.paper_id)
                          .where(Message.id == message_id, Message.user_id == user_id)).first()
    if found is None:
        return None
    message = found.Message
    if message.read_at is None:
        now = clock.now()
        conn.execute(update(Message).where(Message.id == message_id, Message.read_at.is_(None)).values(read_at=now))
        username = conn.execute(select(User.username, User.role).where(User.id == user_id)).one()
        audit.record(conn, username.username, "message.read", f"消息 #{message_id} {message.title}"[:200],
                     detail=how, role=username.role, address=address)
    return found


def read_all(conn: Connection, user_id: int, address: str | None = None) -> int:
    """Every unread message of the account marked read now (全部标为已读), recorded once with the
    count; how many."""
    marked = conn.execute(update(Message).where(Message.user_id == user_id, Message.read_at.is_(None))
                          .values(read_at=clock.now())).rowcount
    if marked:
        account = conn.execute(select(User.username, User.role).where(User.id == user_id)).one()
        audit.record(conn, account.username, "message.read", f"全部标为已读：{marked:,} 条消息", detail="全部标为已读",
                     role=account.role, address=address)
    return marked


def unread_notices(conn: Connection, user_id: int, now: dt.datetime, days: int) -> tuple[int, int]:
    """An account's notices (约谈通知书, 整改通知书) not yet read, and of those the ones unread `days`
    after they were sent (逾期未读)."""
    late = Message.created_at < now - dt.timedelta(days=days)
    unread, overdue = conn.execute(select(func.count(), func.count().filter(late)).where(
        Message.user_id == user_id, Message.kind.in_(NOTICES), Message.read_at.is_(None))).one()
    return unread, overdue


def notices_to(conn: Connection, dept: str) -> list:
    """The notices (约谈通知书, 整改通知书) sent to a department's own accounts, each with its
    reading: paper id, title, account, when sent and when read (None: unread), oldest first."""
    return conn.execute(
        select(Message.paper_id, Message.title, User.username, Message.created_at, Message.read_at)
        .join(User, User.id == Message.user_id)
        .where(Message.kind.in_(NOTICES), Message.dept_code == dept, User.role == "department")
        .order_by(Message.created_at, Message.paper_id, User.username)).all()


def arrangements(conn: Connection, departments: ColumnElement[bool]) -> dict[tuple[str, str], dict[str, tuple]]:
    """The newest 约谈安排 (or 改期) each department account was sent, by (department, month of the
    list): account -> (sent, read or None). `departments`: the caller's scope over Department."""
    rows = conn.execute(
        select(Message.dept_code, Message.month, User.username, Message.created_at, Message.read_at)
        .join(User, User.id == Message.user_id)
        .where(Message.kind == "scheduled", User.role == "department",
               Message.dept_code.in_(select(Department.code).where(departments)))
        .order_by(Message.created_at, Message.id)).all()
    found: dict[tuple[str, str], dict[str, tuple]] = {}
    for row in rows:  # oldest first: a later one to the same account replaces it
        found.setdefault((row.dept_code, row.month), {})[row.username] = (row.created_at, row.read_at)
    return found


def overdue_unread(conn: Connection, where: ColumnElement[bool], now: dt.datetime, days: int) -> list:
    """Notices to departments (约谈通知书, 整改通知书) unread `days` after they were sent: the
    department, the paper, the account and when it was sent. `where`: the caller's scope over
    Department (code, region_code)."""
    return conn.execute(
        select(Message.id, Message.kind, Message.title, Message.month, Message.created_at, Message.dept_code,
               Department.name.label("dept_name"), User.username)
        .join(User, User.id == Message.user_id).join(Department, Department.code == Message.dept_code)
        .where(Message.kind.in_(NOTICES), User.role == "department", Message.read_at.is_(None),
               Message.created_at < now - dt.timedelta(days=days), where)
        .order_by(Message.created_at, Department.code)).all()
