"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, recording what it accepts.

aiosmtpd cannot listen on port 0 (aio-libs/aiosmtpd#388), so a free port is found first by
binding a socket to port 0 and closing it. The handler can refuse chosen recipients (550 for
good, or 450 a number of times before accepting), refuse DATA with a 4xx a number of times, and
ask for a login. Every accepted message is kept with its envelope.
"""

from __future__ import annotations

import email
import email.policy
import socket
import ssl
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: tuple[str, ...]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Recorder:
    """The handler: what to refuse, and every message accepted (thread-safe list)."""

    refuse: dict[str, str] = field(default_factory=dict)  # address -> "550 ..." (always)
    refuse_times: dict[str, int] = field(default_factory=dict)  # address -> 450 this many times
    data_failures: int = 0  # answer DATA with 451 this many times
    messages: list[Received] = field(default_factory=list)
    logins: list[tuple[str, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        with self.lock:
            if self.refuse_times.get(address, 0) > 0:
                self.refuse_times[address] -= 1
                return "450 4.2.1 Mailbox busy, try later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.data_failures > 0:
                self.data_failures -= 1
                return "451 4.3.0 Temporary local problem, try later"
            self.messages.append(
                Received(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content))
            )
        return "250 2.0.0 Message accepted"

    def to(self, address: str) -> list[Received]:
        """The messages delivered to one address."""
        with self.lock:
            return [m for m in self.messages if address in m.recipients]


@dataclass
class Server:
    host: str
    port: int
    recorder: Recorder
    controller: Controller

    @property
    def messages(self) -> list[Received]:
        with self.recorder.lock:
            return list(self.recorder.messages)


@contextmanager
def smtp_server(
    recorder: Recorder | None = None,
    *,
    port: int | None = None,
    login: tuple[str, str] | None = None,
    tls: ssl.SSLContext | None = None,
    implicit_tls: bool = False,
) -> Iterator[Server]:
    """A running server on 127.0.0.1; `login` (user, password) makes it require AUTH.

    `tls` offers STARTTLS with that context, or wraps the whole connection when
    `implicit_tls` is set.
    """
    recorder = recorder or Recorder()
    port = port or free_port()
    options: dict[str, Any] = {}
    if login is not None:

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> AuthResult:
            user = data.login.decode() if isinstance(data.login, bytes) else str(data.login)
            secret = data.password.decode() if isinstance(data.password, bytes) else data.password
            recorder.logins.append((user, secret))
            # handled=False: aiosmtpd itself answers 235 or 535 (True means we already did)
            return AuthResult(success=(user, secret) == login, handled=False)

        options.update(authenticator=authenticate, auth_required=True)
        options["auth_require_tls"] = tls is not None and not implicit_tls
    if tls is not None and implicit_tls:
        options["ssl_context"] = tls
    elif tls is not None:
        options["tls_context"] = tls
        options["require_starttls"] = True
    controller = Controller(recorder, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield Server("127.0.0.1", port, recorder, controller)
    finally:
        controller.stop()
