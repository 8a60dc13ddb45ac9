"""`panhuo deliver` (delivery.md): the month's papers drafted from its stored snapshot, each (paper,
recipient) pair delivered once to the inbox and, where a mail server is set and the account has an
address, by e-mail with the paper attached.

Once: a pair is recorded (the inbox entry, its e-mail `pending`) before anything is sent, an e-mail
is marked `sending` in a committed transaction before the SMTP conversation starts and `sent` after
it; a run that dies mid-send leaves `sending` behind, which the next run marks `unknown` and never
sends again by itself (`--resend` does, recorded). Failed e-mails are retried with back-off.
One delivery runs at a time (a named lock).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
import logging
import urllib.request
from typing import Callable

from sqlalchemy import Engine, insert, select, update
from sqlalchemy.orm import Session

from jobs import mail
from ledger import audit, clock, filestore, inbox
from ledger.config import Config
from ledger.locks import named_lock
from ledger.models import Message, Paper, User
from ledger.scope import Scope
from ledger.vocab import PAPER_KINDS, SITE, EmailState
from outputs import documents, facts, figures, workbooks
from outputs.phrasing import PAPER_DELIVERED

log = logging.getLogger("panhuo.deliver")
KINDS = tuple(PAPER_KINDS)


@dataclasses.dataclass
class Draft:
    kind: str
    month: str
    subject: str  # the city or region code, a department's code, week:scope for the weekly workbook
    title: str
    file_name: str
    data: bytes | None  # None: already drafted and stored (a paper of an earlier run)
    dept_code: str | None = None
    region_code: str | None = None


@dataclasses.dataclass
class Outcome:
    papers: int = 0  # drafted this run
    inbox: int = 0  # (paper, recipient) pairs delivered this run
    sent: int = 0
    failed: int = 0
    unknown: int = 0  # left `sending` by a run that died, marked this run
    lines: list[str] = dataclasses.field(default_factory=list)

    def counts(self) -> dict:
        return {k: v for k, v in dataclasses.asdict(self).items() if k != "lines"}


def _county_regions(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        return sorted(set(conn.execute(select(User.scope_code).where(
            User.role == "county", User.disabled.is_(False), User.scope_code.isnot(None))).scalars()))


def _stored(engine: Engine, month: str, kinds: tuple[str, ...]) -> dict[tuple[str, str], Paper]:
    with Session(engine, expire_on_commit=False) as s:
        return {(p.kind, p.subject): p for p in s.scalars(
            select(Paper).where(Paper.month == month, Paper.kind.in_(kinds)))}


def drafts(engine: Engine, config: Config, month: str, kinds: tuple[str, ...], week: str | None = None) -> list[Draft]:
    """The month's papers of `kinds`: stored ones as they were sent, the rest drafted now. `week`: the
    one 周调度 reports on (default: the newest whose reports were due by now)."""
    stored = _stored(engine, month, kinds)
    today, city = config.today(), config["org.city_region_code"]
    out: list[Draft] = []

    def add(kind: str, subject: str, title: str, make: Callable[[], tuple[str, bytes]], **where) -> None:
        if (kind, subject) in stored:
            paper = stored[(kind, subject)]
            out.append(Draft(kind, month, subject, paper.title, paper.file_name, None, paper.dept_code,
                             paper.region_code))
        else:
            name, data = make()
            out.append(Draft(kind, month, subject, title, name, data, **where))

    words = figures.month_text(month)
    with engine.connect() as conn:
        if "bulletin" in kinds:
            add("bulletin", city, f"{words}月度通报（{config['org.city_name']}）",
                lambda: documents.bulletin(conn, Scope("all"), month, config, today))
            for region in _county_regions(engine):
                name = facts.region_name(conn, region)
                add("bulletin", region, f"{words}月度通报（{name}）",
                    lambda r=region: documents.bulletin(conn, Scope("region", r), month, config, today),
                    region_code=region)
        if "interview" in kinds:
            for code, name in facts.interview_departments(conn, Scope("all"), month):
                add("interview", code, f"{words}约谈通知书（{name}）",
                    lambda c=code: documents.interview(conn, Scope("all"), month, c, config, today), dept_code=code)
        if "rectify" in kinds:
            for code in facts.rectify_departments(conn, Scope("all"), month):
                name = facts.department_name(conn, code)
                add("rectify", code, f"{words}整改通知书（{name}）",
                    lambda c=code: documents.rectify(conn, Scope("all"), month, c, config, today), dept_code=code)
        if "weekly" in kinds:
            week = week or workbooks.dispatch_week(config)
            for scope, label in [(Scope("all"), "全市"), *[(Scope("region", r), facts.region_name(conn, r))
                                                            for r in _county_regions(engine)]]:
                def weekly(s=scope, text=label):
                    buffer = io.BytesIO()
                    workbooks.weekly_dispatch(conn, month, buffer, config, s, text, week=week)
                    return f"周调度_{week}_{text}.xlsx", buffer.getvalue()
                add("weekly", f"{week}:{scope.code or city}", f"{week.replace('-W', '年第')}周周调度（{label}）", weekly,
                    region_code=scope.code)
    return out


def _recipients(conn, draft: Draft) -> list:
    region = draft.region_code if draft.kind in ("bulletin", "weekly") else None
    return inbox.recipients(conn, draft.kind, region=region, dept=draft.dept_code)


def mailed_body(config: Config, message: Message) -> str:
    """A message as e-mailed: a paper names its message in the inbox, where opening it is its
    reading (delivery.md), and comes attached; a notice (催报, 退回, 销号…) is its text and the
    address of the page where it is acted on. Either address leads there after login."""
    portal = f"请登录{config['org.city_name']}{SITE}"
    if message.paper_id is not None:
        said = (f"{message.title}\n\n{portal}阅读并确认：{config.public_url}/inbox?message={message.id}\n"
                "（附件为同一份文书；在平台中打开或下载即视为已阅。）")
    elif message.link:
        said = f"{message.body}\n\n{portal}查看和处理：{config.public_url}{message.link}"
    else:
        return message.body
    return said + "\n\n本邮件由平台自动发送，请勿直接回复。"


def deliver(engine: Engine, config: Config, month: str, kinds: tuple[str, ...] = KINDS, dry_run: bool = False,
            resend: bool = False, actor: str = "scheduler", week: str | None = None) -> Outcome:
    """Deliver the month's papers of `kinds` (delivery.md); see the module's note on 'once'. `week`:
    the one 周调度 reports on (see drafts)."""
    outcome = Outcome()
    with named_lock(engine, "deliver"):
        papers = drafts(engine, config, month, kinds, week)
        if dry_run:
            with engine.connect() as conn:
                for draft in papers:
                    have = set() if draft.data is not None else set(conn.execute(
                        select(Message.user_id).join(Paper, Paper.id == Message.paper_id).where(
                            Paper.kind == draft.kind, Paper.month == month, Paper.subject == draft.subject)).scalars())
                    for user in _recipients(conn, draft):
                        if user.id not in have:
                            outcome.inbox += 1
                            channel = "站内+邮件" if mail.enabled(config) and user.email else "站内"
                            outcome.lines.append(f"{user.username}\t{channel}\t{draft.title}")
            return outcome
        with engine.execution_options(write=True).begin() as conn:
            outcome.unknown = _mark_unknown(conn)
            for draft in papers:
                paper = store_paper(conn, config, draft)
                if draft.data is not None:
                    outcome.papers += 1
                users = _recipients(conn, draft)
                made = inbox.place(conn, paper, users, PAPER_DELIVERED, mail.enabled(config))
                named = {u.id: u.username for u in users}
                for row in conn.execute(select(Message.user_id).where(Message.id.in_(made))):
                    outcome.lines.append(f"{named[row.user_id]}\t站内\t{paper.title}")
                outcome.inbox += len(made)
            if resend:
                _mark_resend(conn, month, kinds)
            audit.record(conn, actor, "delivery.run", f"送达 {month}",
                         after={"kinds": list(kinds), "resend": resend, **outcome.counts()})
        send_due(engine, config, outcome)
    _webhook(config, month, outcome)
    return outcome


def store_paper(conn, config: Config, draft: Draft) -> Paper:
    """The draft's paper row: stored now (its file kept by hash) unless an earlier run stored it."""
    if draft.data is not None:
        sha256 = filestore.keep(conn, config, draft.data, draft.file_name.rsplit(".", 1)[-1])
        conn.execute(insert(Paper).values(
            kind=draft.kind, month=draft.month, subject=draft.subject, dept_code=draft.dept_code,
            region_code=draft.region_code, title=draft.title, file_name=draft.file_name, sha256=sha256,
            created_at=clock.now()))
    with Session(conn) as s:
        return s.scalars(select(Paper).where(Paper.kind == draft.kind, Paper.month == draft.month,
                                             Paper.subject == draft.subject)).one()


def _mark_unknown(conn) -> int:
    """E-mails a run left `sending` when it died (the lock is ours: no run is sending now)."""
    return conn.execute(update(Message).where(Message.email_state == EmailState.SENDING).values(
        email_state=EmailState.UNKNOWN, email_error="发送过程中进程中断，无法确认是否已送达；如需补发请使用 --resend")).rowcount


def _mark_resend(conn, month: str, kinds: tuple[str, ...]) -> None:
    """`--resend`: every e-mail of these papers goes again (to the account's address now), recorded."""
    rows = conn.execute(select(Message.id, User.email, Message.resent).join(User, User.id == Message.user_id)
                        .join(Paper, Paper.id == Message.paper_id)
                        .where(Paper.month == month, Paper.kind.in_(kinds), User.email.isnot(None),
                               User.disabled.is_(False))).all()
    for row in rows:
        conn.execute(update(Message).where(Message.id == row.id).values(
            email_to=row.email, email_state=EmailState.PENDING, email_next_at=None, email_error=None,
            resent=row.resent + 1))


def send_due(engine: Engine, config: Config, outcome: Outcome | None = None) -> Outcome:
    """Send every e-mail that is due: new ones, and failed ones whose back-off has passed."""
    outcome = outcome or Outcome()
    if not mail.enabled(config):
        return outcome
    now = clock.now()
    with engine.connect() as conn:
        due = conn.execute(select(Message.id, Message.email_state).where(
            (Message.email_state == EmailState.PENDING)
            | ((Message.email_state == EmailState.FAILED) & Message.email_next_at.isnot(None)
               & (Message.email_next_at <= now))).order_by(Message.id)).all()
    retries = config["delivery.retry_minutes"]
    for message_id, state in due:
        with engine.execution_options(write=True).begin() as conn:  # recorded before it is sent
            claimed = conn.execute(update(Message).where(Message.id == message_id, Message.email_state == state)
                                   .values(email_state=EmailState.SENDING,
                                           email_attempts=Message.email_attempts + 1)).rowcount
            if not claimed:
                continue
            with Session(conn) as s:
                row = s.execute(select(Message, Paper, User.username).outerjoin(Paper, Paper.id == Message.paper_id)
                                .join(User, User.id == Message.user_id).where(Message.id == message_id)).one()
        message, paper = row.Message, row.Paper
        try:
            attachment = (paper.file_name, filestore.read(config, paper.sha256)) if paper is not None else None
            mail.send(config, mail.compose(config, message.email_to, message.title, mailed_body(config, message),
                                           attachment, f"{message.id}.{message.resent}"))
        except (*mail.FAILURES, filestore.FileRefused) as exc:
            attempts = message.email_attempts + 1
            wait = retries[attempts - 1] if attempts <= len(retries) else None
            with engine.execution_options(write=True).begin() as conn:
                conn.execute(update(Message).where(Message.id == message_id).values(
                    email_state=EmailState.FAILED, email_error=str(exc)[:1000],
                    email_next_at=None if wait is None else clock.now() + dt.timedelta(minutes=wait)))
            log.warning("e-mail of message %s to %s failed: %s", message_id, message.email_to, exc)
            outcome.failed += 1
            outcome.lines.append(f"{row.username}\t邮件失败 {message.email_to}\t{message.title}：{exc}")
            continue
        with engine.execution_options(write=True).begin() as conn:
            conn.execute(update(Message).where(Message.id == message_id).values(
                email_state=EmailState.SENT, email_sent_at=clock.now(), email_error=None, email_next_at=None))
        outcome.sent += 1
        outcome.lines.append(f"{row.username}\t邮件 {message.email_to}\t{message.title}")
    return outcome


def _webhook(config: Config, month: str, outcome: Outcome) -> None:
    """One JSON POST of the run's counts (a work-chat group robot); never a figure of a department."""
    url = config["delivery.webhook_url"]
    if not url:
        return
    payload = json.dumps({"event": "delivery", "month": month, **outcome.counts()}).encode()
    request = urllib.request.Request(url, data=payload, headers={"Content-Type": "application/json"}, method="POST")
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except OSError as exc:  # a robot that is down is not a failed delivery
        log.warning("delivery webhook %s failed: %s", url, exc)
