"""panhuo deliver (delivery.md) against a real SMTP server: every account receives what delivery.md's
table says and nothing about another department, each (paper, recipient) pair once - across a rerun,
a resend, a server that is down and then up, and a process killed mid-run."""
from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from sqlalchemy import select, update

from jobs import deliver
from ledger import accounts, clock, inbox
from ledger.db import session_scope
from ledger.models import AuditEntry, Message, Paper, User
from tests.helpers import ROOT
from tests.mailbox import PASSWORD, USER, Mailbox

MONTH = "2026-10"
EMAILS = {"supervisor": "sup@czj.example.cn", "dept": "d1@jyj.example.cn", "county": "county@qx.example.cn",
          "screen": "screen@example.cn"}


@pytest.fixture
def city_with_mail(city, config, tmp_path):
    with session_scope(city, write=True) as s:
        for username, address in EMAILS.items():
            accounts.set_email(s, username, address)
    return city, config.replace(files__dir=str(tmp_path / "files"))


def inboxes(engine) -> dict[str, set[tuple[str, str]]]:
    """username -> {(kind, subject of the paper)}."""
    with engine.connect() as conn:
        rows = conn.execute(select(User.username, Paper.kind, Paper.subject).join(Message, Message.user_id == User.id)
                            .join(Paper, Paper.id == Message.paper_id)).all()
    out: dict[str, set] = {}
    for username, kind, subject in rows:
        out.setdefault(username, set()).add((kind, subject.split(":")[-1]))
    return out


def notices(engine, kind) -> set[str]:
    with engine.connect() as conn:
        return set(conn.execute(select(Paper.subject).where(Paper.kind == kind, Paper.month == MONTH)).scalars())


def test_a_month_reaches_every_account_as_delivery_md_says_once(city_with_mail):
    engine, config = city_with_mail
    with Mailbox() as mailbox:
        config = mailbox.config(config)
        outcome = deliver.deliver(engine, config, MONTH)
        got = inboxes(engine)
        interview, rectify = notices(engine, "interview"), notices(engine, "rectify")
        assert "D1" in interview and "D1" in rectify
        city_papers = {("bulletin", "990100"), ("weekly", "990100")}
        assert got["supervisor"] == city_papers | {("interview", d) for d in interview}  # a copy of each notice
        assert got["leader"] == got["admin"] == {("bulletin", "990100")}
        assert got["county"] == {("bulletin", "990102"), ("weekly", "990102")}  # its region's versions
        assert got["dept"] == {("bulletin", "990100"), ("interview", "D1"), ("rectify", "D1")}  # never another's
        assert "screen" not in got  # the wall receives nothing
        # by e-mail too, to accounts with an address: the same pairs, each once, with the paper attached
        pairs = mailbox.pairs()
        assert len(pairs) == len(set(pairs)) == outcome.sent
        assert {to for to, _ in pairs} == {EMAILS["supervisor"], EMAILS["dept"], EMAILS["county"]}
        dept_mail = [m for tos, m in mailbox.received if EMAILS["dept"] in tos]
        assert len(dept_mail) == 3 and all(str(m["Subject"]).startswith("【盘活督导】") for m in dept_mail)
        attachment = next(dept_mail[0].iter_attachments())
        assert attachment.get_filename().endswith(".docx") and attachment.get_content()[:2] == b"PK"
        # the e-mail names the message to open in the portal; the message itself, read there, speaks
        # of the paper, not of e-mail and logging in
        mailed = dept_mail[0].get_body().get_content()
        assert "/inbox?message=" in mailed and "请勿直接回复" in mailed
        with engine.connect() as conn:
            shown = conn.execute(select(Message.body).join(User, User.id == Message.user_id)
                                 .where(User.username == "dept", Message.kind == "rectify")).one()
        assert "打开本消息或下载文件即记为已读" in shown.body
        assert "邮件" not in shown.body and "请登录" not in shown.body
        # a rerun sends nothing new
        again = deliver.deliver(engine, config, MONTH)
        assert (again.papers, again.inbox, again.sent) == (0, 0, 0) and len(mailbox.received) == outcome.sent
        # a resend is explicit and recorded: every e-mail once more
        resent = deliver.deliver(engine, config, MONTH, kinds=("bulletin",), resend=True, actor="cli:ops")
        assert resent.sent == 3 and len(mailbox.received) == outcome.sent + 3
    with engine.connect() as conn:
        runs = conn.execute(select(AuditEntry.after).where(AuditEntry.action == "delivery.run")
                            .order_by(AuditEntry.id)).scalars().all()
    assert [r["resend"] for r in runs] == [False, False, True]


def test_a_server_down_is_retried_with_back_off_and_each_pair_still_arrives_once(city_with_mail):
    engine, config = city_with_mail
    mailbox = Mailbox()
    config = mailbox.config(config)  # nothing listens on its port yet
    first = deliver.deliver(engine, config, MONTH, kinds=("rectify",))
    assert first.inbox == 1 and first.failed == 1 and first.sent == 0
    with engine.connect() as conn:
        (failed,) = conn.execute(select(Message).where(Message.email_to.isnot(None))).all()
    assert failed.email_state == "failed" and failed.email_next_at > clock.now() and failed.email_error
    with mailbox:
        assert deliver.send_due(engine, config).sent == 0  # not before its back-off has passed
        with engine.begin() as conn:
            conn.execute(update(Message).values(email_next_at=clock.now() - dt.timedelta(seconds=1)))
        assert deliver.send_due(engine, config).sent == 1
        assert deliver.send_due(engine, config).sent == 0
        assert mailbox.pairs() == [(EMAILS["dept"], f"【盘活督导】{failed.title}")]


def test_a_notice_by_e_mail_gives_the_address_of_the_page_it_is_acted_on(city_with_mail):
    """催报 and its kind carry no file: the e-mail ends with the address of the page where the
    department acts on it; a notice without one is sent as it is."""
    engine, config = city_with_mail
    with engine.begin() as conn:
        inbox.notify_departments(conn, ["D1"], "reminder", "催报：2026年10月台账", "单位U1 尚未报送。", MONTH, True,
                                 inbox.link("/reporting", month=MONTH))
        inbox.notify_departments(conn, ["D1"], "reminder", "无链接的提醒", "只有正文。", MONTH, True)
    with Mailbox() as mailbox:
        config = mailbox.config(config)
        assert deliver.send_due(engine, config).sent == 2
        bodies = {str(m["Subject"]): m.get_body().get_content() for _, m in mailbox.received}
    linked = bodies["【盘活督导】催报：2026年10月台账"]
    assert linked.startswith("单位U1 尚未报送。\n") and f"{config.public_url}/reporting?month={MONTH}\n" in linked
    assert bodies["【盘活督导】无链接的提醒"].strip() == "只有正文。"


@pytest.mark.slow  # seconds of its own: the full lane's
def test_a_login_is_used_where_the_server_asks_for_one(city_with_mail):
    engine, config = city_with_mail
    with Mailbox(login=True) as mailbox:
        wrong = mailbox.config(config, mail__username=USER, mail__password="nope", mail__timeout_seconds=2)
        assert deliver.deliver(engine, wrong, MONTH, kinds=("rectify",)).failed == 1
        with engine.begin() as conn:
            conn.execute(update(Message).values(email_next_at=clock.now()))
        right = mailbox.config(config, mail__username=USER, mail__password=PASSWORD)
        assert deliver.send_due(engine, right).sent == 1


def test_a_dry_run_writes_and_sends_nothing(city_with_mail):
    engine, config = city_with_mail
    with Mailbox() as mailbox:
        outcome = deliver.deliver(engine, mailbox.config(config), MONTH, dry_run=True)
        assert outcome.inbox > 0 and any(line.startswith("dept\t站内+邮件\t") for line in outcome.lines)
        assert mailbox.received == []
    with engine.connect() as conn:
        assert conn.execute(select(Message)).all() == [] and conn.execute(select(Paper)).all() == []


def test_a_webhook_gets_the_counts_and_no_figure(city_with_mail):
    engine, config = city_with_mail
    posted = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self):
            posted.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass
    server = HTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.handle_request, daemon=True).start()
    deliver.deliver(engine, config.replace(delivery__webhook_url=f"http://127.0.0.1:{server.server_port}/robot"),
                    MONTH, kinds=("bulletin",))
    server.server_close()
    assert posted and set(posted[0]) == {"event", "month", "papers", "inbox", "sent", "failed", "unknown"}


def test_reading_is_recorded_once_and_only_by_the_account_itself(city_with_mail):
    engine, config = city_with_mail
    deliver.deliver(engine, config, MONTH, kinds=("rectify",))
    with engine.connect() as conn:
        (message,) = conn.execute(select(Message.id, Message.user_id)).all()
        leader = conn.execute(select(User.id).where(User.username == "leader")).scalar_one()
    with engine.begin() as conn:
        assert inbox.read(conn, leader, message.id, "打开") is None  # another account's: as if none
        first = inbox.read(conn, message.user_id, message.id, "打开")
    with engine.begin() as conn:
        inbox.read(conn, message.user_id, message.id, "下载")
    with engine.connect() as conn:
        read_at = conn.execute(select(Message.read_at)).scalar_one()
        reads = conn.execute(select(AuditEntry.detail).where(AuditEntry.action == "message.read")).scalars().all()
    assert first is not None and read_at is not None and reads == ["打开"]  # the first reading only


@pytest.mark.slow
def test_a_delivery_killed_mid_run_never_sends_a_pair_twice(city_with_mail, tmp_path):
    engine, config = city_with_mail
    with Mailbox(hold_at=3) as mailbox:
        settings = tmp_path / "config.toml"
        settings.write_text(
            f'[database]\nurl = "{config.database_url}"\n[org]\ncity_region_code = "990100"\n'
            f'[mail]\nhost = "127.0.0.1"\nport = {mailbox.port}\nstarttls = false\nsender = "p@example.cn"\n'
            f'[files]\ndir = "{tmp_path / "files"}"\n', encoding="utf-8")
        # the environment's database (the PostgreSQL run's) would win over the file: name this worker's
        env = {**os.environ, "PANHUO_CONFIG": str(settings), "PYTHONPATH": str(ROOT),
               "PANHUO_DATABASE_URL": config.database_url}
        run = [sys.executable, "-m", "jobs.cli", "deliver", "--month", MONTH]
        process = subprocess.Popen(run, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        assert mailbox.holding.wait(120), process.stderr.read().decode()[-2000:]
        process.send_signal(signal.SIGKILL)  # mid-send: the third message is on the wire
        process.wait(30)
        mailbox.release.set()
        done = subprocess.run(run, env=env, cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-2000:]
        pairs = mailbox.pairs()
    assert len(pairs) == len(set(pairs))  # no pair twice
    with engine.connect() as conn:
        states = conn.execute(select(Message.email_state).where(Message.email_to.isnot(None))).scalars().all()
    assert sorted(states).count("unknown") == 1 and len(pairs) == len(states)  # the one on the wire arrived once
