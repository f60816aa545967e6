"""Real channels for the notify tests: an SMTP server (aiosmtpd) and an HTTP sink on 127.0.0.1,
and Huey in immediate mode so that no test writes to the queue file under var/."""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.contrib.auth.models import User
from huey.contrib.djhuey import HUEY

from warroom.notify.services import Message
from warroom.people import services as people


def free_port() -> int:
    """A port nothing listens on right now (the OS picked it; it is free again once closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(autouse=True)
def huey_immediate() -> Iterator[None]:
    """Tasks run in the test process and scheduled ones wait in memory, never in var/."""
    before = HUEY.immediate
    HUEY.immediate = True
    HUEY.flush()
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = before


class _Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or b""
        parsed = email.message_from_bytes(content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((str(envelope.mail_from), list(envelope.rcpt_tos)))
        return "250 OK"


@dataclass
class SmtpSink:
    port: int
    mailbox: _Mailbox

    def url(self, to: str = "someone@example.com") -> str:
        # mailto:// (not mailtos://) is plain SMTP; mode=insecure says so explicitly: no TLS,
        # no STARTTLS. No user:password, as this server offers no AUTH.
        return (
            f"mailto://127.0.0.1:{self.port}?smtp=127.0.0.1&mode=insecure"
            f"&from=warroom@example.com&to={to}"
        )


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    mailbox = _Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield SmtpSink(port, mailbox)
    finally:
        controller.stop()


@dataclass
class HttpSink:
    """Records every POST body (JSON) it receives; can start later on a port chosen first, to
    play a channel that is down and comes back."""

    port: int = field(default_factory=free_port)
    received: list[dict[str, Any]] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    times: list[float] = field(default_factory=list)  # time.time() of each request
    status: int = 200
    _server: ThreadingHTTPServer | None = None

    def url(self, path: str = "/hook") -> str:
        return f"json://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                sink.times.append(time.time())
                sink.received.append(json.loads(self.rfile.read(length) or b"{}"))
                sink.paths.append(self.path)
                self.send_response(sink.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep test output quiet

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


@pytest.fixture
def http_sink() -> Iterator[HttpSink]:
    sink = HttpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def down_sink() -> Iterator[HttpSink]:
    """A sink whose port is chosen but not yet listening: `start()` brings it up."""
    sink = HttpSink()
    try:
        yield sink
    finally:
        sink.stop()


def message(
    subject: str = "Disk full on erp-db", body: str = "Open: http://x/1/"
) -> Callable[[User, str], Message]:
    """A render function that answers in the recipient's language and records its calls."""
    calls: list[tuple[str, str]] = []

    def render(user: User, lang: str) -> Message:
        calls.append((user.username, lang))
        if lang == "zh-hans":
            return Message(subject="磁盘已满：" + subject, body="打开：" + body, kind="test.kind")
        return Message(subject=subject, body=body, kind="test.kind")

    render.calls = calls  # type: ignore[attr-defined]
    return render


@pytest.fixture
def person(db: Any) -> Callable[..., User]:
    def make(username: str, *urls: str, language: str = "en") -> User:
        return people.create_person(
            username=username,
            language=language,
            contact_methods=[{"label": f"channel {i}", "url": url} for i, url in enumerate(urls)],
        )

    return make
