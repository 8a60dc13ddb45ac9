"""E-mail with the standard library (delivery.md): one message per (paper, recipient), subject
【盘活督导】{title}, a short body with the portal page where it is read, the paper attached."""
from __future__ import annotations

import smtplib
import socket
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

from ledger.config import Config
from ledger.vocab import SITE

MIME = {"docx": ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document"),
        "xlsx": ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")}
FAILURES = (smtplib.SMTPException, OSError, socket.timeout)  # a server down, an address refused, a timeout


def enabled(config: Config) -> bool:
    return bool(config["mail.host"])


def compose(config: Config, to: str, title: str, body: str, attachment: tuple[str, bytes] | None,
            message_key: str) -> EmailMessage:
    mail = EmailMessage()
    mail["Subject"] = f"【盘活督导】{title}"
    mail["From"] = formataddr((f"{config['org.city_name']}{SITE}", config["mail.sender"]))
    mail["To"] = to
    # one Message-ID per (message, resend): a receiving system that keeps them sees a copy as one
    mail["Message-ID"] = make_msgid(idstring=message_key, domain="panhuo")
    mail.set_content(body)
    if attachment is not None:
        name, data = attachment
        maintype, subtype = MIME.get(name.rsplit(".", 1)[-1], ("application", "octet-stream"))
        mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return mail


def send(config: Config, mail: EmailMessage) -> None:
    """Send one message on an SMTP conversation of its own (STARTTLS and login as configured):
    each (paper, recipient) pair is recorded sent or failed by itself."""
    with smtplib.SMTP(config["mail.host"], config["mail.port"], timeout=config["mail.timeout_seconds"]) as smtp:
        if config["mail.starttls"]:
            smtp.starttls()
        if config["mail.username"]:
            smtp.login(config["mail.username"], config["mail.password"])
        smtp.send_message(mail)
