"""A real SMTP server on 127.0.0.1 (aiosmtpd) for the outreach tests: it keeps every message
byte for byte, and can refuse a recipient, reject a message, drop the connection at a chosen
step, require a login, or speak TLS."""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    content: bytes


@dataclass
class Handler:
    received: list[Received] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)  # recipients refused at RCPT (550)
    reject: set[str] = field(default_factory=set)  # recipients whose message DATA rejects (554)
    drop_mail: set[int] = field(default_factory=set)  # drop at the Nth MAIL FROM (1-based)
    drop_data: set[int] = field(default_factory=set)  # drop after the Nth DATA was read
    dropped: list[bytes] = field(default_factory=list)  # what the server read before a drop
    mails: int = 0
    datas: int = 0

    async def handle_MAIL(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        self.mails += 1
        if self.mails in self.drop_mail:
            server.transport.close()
            return "421 going away"
        envelope.mail_from = address
        return "250 OK"

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          options: list[str]) -> str:
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.datas += 1
        if self.datas in self.drop_data:
            self.dropped.append(envelope.content)
            server.transport.close()
            return "421 going away"
        if set(envelope.rcpt_tos) & self.reject:
            return "554 5.7.1 Message rejected as spam"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                      envelope.content))
        return "250 OK: queued"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Server:
    """A running server; ``with Server() as smtp: … smtp.handler.received``."""

    def __init__(self, login: tuple[str, str] | None = None,
                 starttls: ssl.SSLContext | None = None,
                 tls: ssl.SSLContext | None = None) -> None:
        self.handler = Handler()
        self.port = free_port()
        kwargs: dict[str, Any] = {}
        if login is not None:
            def authenticator(server: Any, session: Any, envelope: Any, mechanism: str,
                              data: Any) -> AuthResult:
                ok = isinstance(data, LoginPassword) and \
                    (data.login.decode(), data.password.decode()) == login
                return AuthResult(success=ok, handled=False)  # the server answers 535
            kwargs.update(authenticator=authenticator, auth_require_tls=False)
        if starttls is not None:
            kwargs.update(tls_context=starttls, require_starttls=True)
        if tls is not None:
            kwargs.update(ssl_context=tls)
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port,
                                     **kwargs)

    def __enter__(self) -> Server:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    @property
    def received(self) -> list[Received]:
        return self.handler.received


def write_mail_config(home_config: Path, port: int, **extra: str | int) -> Path:
    """``mail.toml`` in the user config folder for a server on 127.0.0.1:port."""
    folder = home_config / "plaincrm"
    folder.mkdir(parents=True, exist_ok=True)
    values: dict[str, str | int] = {"host": "127.0.0.1", "port": port, "security": "none",
                                    "sender": "Bright Boilers <hello@brightboilers.example>"}
    values.update(extra)
    lines = ["[smtp]"] + [f"{k} = {v!r}".replace("'", '"') if isinstance(v, str)
                          else f"{k} = {v}" for k, v in values.items()]
    path = folder / "mail.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def iter_lines(data: bytes) -> Iterator[bytes]:
    yield from data.split(b"\r\n")
