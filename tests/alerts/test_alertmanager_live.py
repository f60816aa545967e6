"""Integration: Debian's prometheus-alertmanager, running on 127.0.0.1 with a webhook receiver
pointing at a live warroom, turns an alert into an incident and a page that a real HTTP sink
(Apprise json://) and a real SMTP server (aiosmtpd) receive.

Routing and delivery: the worker's inbox loop runs in a thread of the test (the `inbox_loop`
fixture) and routes what the webhook stored; Huey is immediate (the autouse fixture of
tests/alerts), so the send task queued on commit runs in that thread right after the routing
transaction commits — the same code path a worker runs, without a worker process.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from django.contrib.auth.models import User

from warroom.alerts.models import Alert, Integration
from warroom.incidents.models import Incident
from warroom.notify.models import Delivery

ALERTMANAGER = "/usr/bin/prometheus-alertmanager"
DEADLINE = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(what: str, check: Callable[[], Any], timeout: float = DEADLINE) -> Any:
    """Poll `check` until it returns something true, for at most `timeout` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"gave up after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def alertmanager_binary() -> str:
    if Path(ALERTMANAGER).exists():
        return ALERTMANAGER
    if os.environ.get("CI") == "true":
        pytest.fail(f"{ALERTMANAGER} is missing; CI installs prometheus-alertmanager")
    pytest.skip(f"{ALERTMANAGER} is not installed (apt-get install prometheus-alertmanager)")


class HttpSink:
    """Records the JSON bodies POSTed to it (Apprise's json:// channel)."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                sink.received.append(json.loads(self.rfile.read(length) or b"{}"))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        parsed = email.message_from_bytes(
            envelope.original_content or b"", policy=email.policy.default
        )
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"


@pytest.fixture
def sinks() -> Iterator[tuple[HttpSink, Mailbox, int]]:
    http = HttpSink()
    mailbox = Mailbox()
    smtp_port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        yield http, mailbox, smtp_port
    finally:
        controller.stop()
        http.stop()


def start_alertmanager(
    binary: str, workdir: Path, webhook: str
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    config = workdir / "alertmanager.yml"
    config.write_text(
        "route:\n"
        "  receiver: warroom\n"
        "  group_by: [alertname, service]\n"
        "  group_wait: 0s\n"
        "  group_interval: 1s\n"
        "  repeat_interval: 1h\n"
        "receivers:\n"
        "  - name: warroom\n"
        "    webhook_configs:\n"
        f"      - url: '{webhook}'\n"
        "        send_resolved: true\n",
        encoding="utf-8",
    )
    # The child writes its log to its own copy of the descriptor; ours is closed at once.
    with (workdir / "alertmanager.log").open("wb") as log:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={config}",
                f"--storage.path={workdir / 'data'}",
                "--cluster.listen-address=",
                f"--web.listen-address=127.0.0.1:{port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    return process, f"http://127.0.0.1:{port}"


def ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/-/ready", timeout=1) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def post_alerts(base: str, alerts: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(
        f"{base}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 200


@pytest.mark.django_db(transaction=True)
def test_alert_through_debian_alertmanager_pages_http_and_email(
    alertmanager_binary: str,
    live_server: Any,
    make_person: Callable[..., User],
    sinks: tuple[HttpSink, Mailbox, int],
    erp: Any,
    inbox_loop: None,
) -> None:
    from warroom.alerts import configure

    http, mailbox, smtp_port = sinks
    make_person(
        "chen",
        "it",
        role="commander",
        language="en",
        contact_methods=[
            {"label": "webhook", "url": f"json://127.0.0.1:{http.port}/page"},
            {
                "label": "email",
                "url": f"mailto://127.0.0.1:{smtp_port}?smtp=127.0.0.1&mode=insecure"
                "&from=warroom@example.com&to=chen@example.com",
            },
        ],
    )
    integration, key = configure.create_integration(
        kind="alertmanager", name="Debian Alertmanager", created_by=None, default_system=erp
    )
    server = live_server.url.replace("localhost", "127.0.0.1")
    workdir = Path(tempfile.mkdtemp(prefix="warroom-am-"))
    process, base = start_alertmanager(
        alertmanager_binary, workdir, f"{server}/api/v1/integrations/alertmanager/{key}"
    )
    try:
        wait_for("Alertmanager to be ready", lambda: ready(base) or process.poll() is not None)
        assert process.poll() is None, (workdir / "alertmanager.log").read_text()
        alert = {
            "labels": {"alertname": "ErpDown", "service": "erp", "severity": "critical"},
            "annotations": {
                "summary": "ERP is down",
                "description": "erp-web-1 and erp-web-2 fail their health checks.",
            },
            "generatorURL": "http://prometheus.example.com:9090/graph?g0.expr=up%3D%3D0",
        }
        post_alerts(base, [alert])

        wait_for("the page at the HTTP sink", lambda: http.received)
        wait_for("the page by e-mail", lambda: mailbox.messages)
        incident = wait_for("the incident", lambda: Incident.objects.first())
        wait_for(
            "both deliveries recorded as sent",
            lambda: Delivery.objects.filter(incident_id=incident.pk, status="sent").count() == 2,
        )

        assert (incident.title, incident.source, incident.status) == (
            "ERP is down",
            "alert:alertmanager",
            "reported",
        )
        row = Alert.objects.get(integration=integration)
        assert (row.status, row.labels["alertname"], row.system) == ("firing", "ErpDown", erp)
        assert len(row.fingerprint) == 16  # Alertmanager's own fingerprint
        assert "ERP is down" in http.received[0]["title"]
        [message] = mailbox.messages
        assert message["To"] == "chen@example.com"
        assert "ERP is down" in str(message["Subject"])

        # Resolving it in Alertmanager resolves the alert in warroom.
        ended = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 1))
        post_alerts(base, [alert | {"endsAt": ended}])
        wait_for(
            "the alert to resolve",
            lambda: Alert.objects.filter(pk=row.pk, status="resolved").exists(),
        )
        assert Incident.objects.count() == 1
        assert Integration.objects.get(pk=integration.pk).enabled
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(workdir, ignore_errors=True)
