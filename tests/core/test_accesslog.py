"""warroom serve's access log (core.accesslog, gunicorn's --logger-class): accepted alerts
are left out unless asked for, integration keys never written. The drills end-to-end test
runs it inside a real gunicorn."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn.config import Config

from warroom.core.accesslog import ACCEPTED, AccessLog
from warroom.lib.redact import RedactKeys, redact_keys

KEY = "Ab3xY9-the-rest-of-a-secret-key"


def logged(monkeypatch: pytest.MonkeyPatch, requests: list[dict[str, Any]], **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    cfg = Config()
    cfg.set("accesslog", "-")
    log = AccessLog(cfg)
    lines: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(self.format(record))

    log.access_log.handlers = [Keep()]
    for environ in requests:
        resp = SimpleNamespace(status="202 Accepted", sent=2, headers=[])
        req = SimpleNamespace(headers=[("User-Agent", "Alertmanager/0.25.0")])
        log.access(resp, req, environ, dt.timedelta(milliseconds=3))
    return "\n".join(lines)


def request(path: str, *, accepted: bool = False) -> dict[str, Any]:
    environ = {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "HTTP_USER_AGENT": "Alertmanager/0.25.0",
    }
    if accepted:
        environ[ACCEPTED] = True
    return environ


def test_accepted_alerts_are_left_out_the_rest_is_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    text = logged(
        monkeypatch,
        [request("/v2/enqueue", accepted=True), request("/v2/enqueue"), request("/healthz")],
    )
    assert text.count("POST /v2/enqueue HTTP/1.1") == 1
    assert "/healthz" in text and "10.0.0.7" in text and "Alertmanager/0.25.0" in text


def test_accepted_alerts_are_logged_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    text = logged(
        monkeypatch,
        [request("/v2/enqueue", accepted=True)],
        WARROOM_ACCESS_LOG_ACCEPTED="1",
    )
    assert "POST /v2/enqueue HTTP/1.1" in text


def test_a_webhook_key_is_cut_to_its_prefix(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_ACCESS_LOG_ACCEPTED", "1")
    cfg = Config()
    cfg.set("accesslog", "-")
    # A format naming the path and an environ variable as well as the request line.
    cfg.set("access_log_format", '"%(r)s" %(U)s %({raw_uri}e)s %(s)s')
    log = AccessLog(cfg)
    path = f"/api/v1/integrations/alertmanager/{KEY}"
    resp = SimpleNamespace(status="429 Too Many Requests", sent=2, headers=[])
    atoms = log.atoms(resp, SimpleNamespace(headers=[]), request(path), dt.timedelta(0))
    line = cfg.access_log_format % atoms
    assert KEY not in line
    assert line.count("/api/v1/integrations/alertmanager/Ab3xY9...") == 3, line


@pytest.mark.parametrize(
    "path",
    [
        f"/api/v1/integrations/alertmanager/{KEY}",
        f"/api/v1/integrations/alertmanager/{KEY}/",
        f"/api/v1/integrations/alertmanager//{KEY}",
        f"/api/v1/integrations/alertmanager%2F{KEY}",
        f"/api/v1/integrations/generic/{KEY}?x=1",
        f"http://warroom.example/api/v1/integrations/grafana/{KEY}",
    ],
)
def test_keys_are_cut_however_the_path_is_written(path: str) -> None:
    assert KEY not in redact_keys(f"POST {path} HTTP/1.1")
    assert "Ab3xY9..." in redact_keys(path)


def test_warroom_s_own_log_is_filtered_too(caplog: pytest.LogCaptureFixture) -> None:
    # What Django logs for a 4xx it answers, through the filter settings.LOGGING installs.
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "%s: %s",
        ("Not Found", f"/api/v1/integrations/alertmanager/{KEY}/"),
        None,
    )
    assert RedactKeys().filter(record)
    assert record.getMessage() == "Not Found: /api/v1/integrations/alertmanager/Ab3xY9.../"
    handler = logging.getLogger().handlers[0]
    assert any(isinstance(f, RedactKeys) for f in handler.filters)
