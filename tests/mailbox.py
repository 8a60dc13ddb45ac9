"""A real SMTP server for the tests (aiosmtpd on a free local port): it keeps every message it
receives, can require a login, and can hold a message until a test lets it go."""
from __future__ import annotations

import email
import socket
import threading
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "panhuo", "mail-secret"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Mailbox:
    """What the server received: (recipients, parsed message) each, in order."""

    def __init__(self, port: int | None = None, login: bool = False, hold_at: int | None = None):
        self.port = port or free_port()
        self.received: list[tuple[list[str], EmailMessage]] = []
        self.hold_at = hold_at  # the n-th message (from 1) waits in DATA until `release`
        self.holding, self.release = threading.Event(), threading.Event()
        # a login over plain text: a local test server only (it warns, rightly, that production wants TLS)
        options = {"authenticator": self._login, "auth_require_tls": False, "auth_required": True} if login else {}
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port, **options)

    @staticmethod
    def _login(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() \
            and auth_data.password == PASSWORD.encode()
        return AuthResult(success=ok)

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((list(envelope.rcpt_tos), message))
        if self.hold_at is not None and len(self.received) == self.hold_at:
            self.holding.set()
            import asyncio
            while not self.release.is_set():
                await asyncio.sleep(0.05)
        return "250 OK"

    def __enter__(self) -> "Mailbox":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.release.set()
        self.controller.stop()

    def pairs(self) -> list[tuple[str, str]]:
        """(recipient, subject) of every message received."""
        return [(to, str(message["Subject"])) for tos, message in self.received for to in tos]

    def config(self, config, **more):
        """`config` pointed at this server (no STARTTLS: a local test server)."""
        return config.replace(mail__host="127.0.0.1", mail__port=self.port, mail__starttls=False,
                              mail__sender="panhuo@czj.example.cn", **more)
