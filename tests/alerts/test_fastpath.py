"""The WSGI fast path `warroom.wsgi` puts in front of Django: the webhook paths are answered
by alerts.intake without Django's request cycle, everything else reaches Django unchanged.
(The drills end-to-end test runs it under gunicorn with a real worker.)"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from django.contrib.auth.models import User
from django.core import signals
from django.db import DatabaseError, close_old_connections, connections

from tests.alerts.conftest import Make, payload
from warroom.alerts import fastpath, inbox
from warroom.alerts.models import Alert, Inbound
from warroom.catalog.models import System
from warroom.core.accesslog import ACCEPTED
from warroom.wsgi import application

pytestmark = pytest.mark.django_db

TIDY = fastpath.tidy_connection  # the real one: the fixture below replaces it


@pytest.fixture(autouse=True)
def _keep_the_test_connection(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # As Django's test client does: neither the fast path's connection check nor Django's
    # request signals (for what goes on to Django) may close the connection that holds the
    # test's transaction.
    monkeypatch.setattr(fastpath, "tidy_connection", lambda *, starting: None)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call(
    method: str, path: str, body: bytes = b"", *, seen: dict[str, Any] | None = None, **headers: str
) -> tuple[int, dict, Any]:
    """Call the WSGI application; `seen`, when given, gets the environ as the app left it."""
    environ: dict[str, Any] = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "CONTENT_LENGTH": str(len(body)),
        "CONTENT_TYPE": "application/json",
        "wsgi.input": io.BytesIO(body),
        "SERVER_NAME": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        **headers,
    }
    setup_testing_defaults(environ)
    answer: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

    content = b"".join(application(environ, start_response))
    if seen is not None:
        seen.update(environ)
    return answer["status"], answer["headers"], content


def pd(key: str, **changes: Any) -> bytes:
    return json.dumps(payload("pagerduty/trigger") | {"routing_key": key} | changes).encode()


def test_a_pagerduty_event_is_stored_and_answered_like_pagerduty(
    make_integration: Make, crm: System, paged_commander: User
) -> None:
    _, key = make_integration("pagerduty", default_system=crm)
    status, headers, content = call("POST", "/v2/enqueue", pd(key, dedup_key="fast-1"))
    assert status == 202
    assert json.loads(content) == {
        "status": "success",
        "message": "Event processed",
        "dedup_key": "fast-1",
    }
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert Inbound.objects.count() == 1
    inbox.process_pending()
    assert Alert.objects.get().fingerprint == "fast-1"


def test_the_webhook_errors_are_the_same_as_through_django(
    make_integration: Make, crm: System
) -> None:
    _, key = make_integration("alertmanager", default_system=crm)
    url = f"/api/v1/integrations/alertmanager/{key}"
    assert call("POST", "/api/v1/integrations/alertmanager/wrong")[0] == 404
    assert call("POST", url, b"{not json")[0] == 400
    status, _, content = call("POST", url, b'{"version": "4"}')
    assert status == 422
    assert ["body", "groupKey"] in [error["loc"] for error in json.loads(content)["detail"]]
    big = b" " * (2 * 1024 * 1024)
    assert call("POST", url, big)[0] == 413
    good = json.dumps(payload("alertmanager/firing_two_alerts")).encode()
    status, _, content = call("POST", url, good)
    assert (status, json.loads(content)) == (200, {"status": "success", "accepted": 2})
    assert not Inbound.objects.filter(failed=True).exists()


def test_other_requests_reach_django(make_integration: Make) -> None:
    _, key = make_integration("alertmanager")
    # GET on a webhook: Django's 405; the API docs: Django's sign-in rule.
    assert call("GET", f"/api/v1/integrations/alertmanager/{key}")[0] == 405
    assert call("GET", "/api/v1/docs")[0] in (401, 302)
    assert call("GET", "/healthz")[0] == 200


def test_a_database_failure_is_answered_503_not_500(
    make_integration: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, key = make_integration("pagerduty")

    def unavailable(*args: Any, **kwargs: Any) -> None:
        raise DatabaseError("connection refused")

    monkeypatch.setattr(fastpath.intake.inbox, "accept", unavailable)
    status, headers, content = call("POST", "/v2/enqueue", pd(key))
    assert (status, headers["Retry-After"]) == (503, "5")
    assert "traceback" not in content.decode().lower()


def test_what_django_refuses_is_left_to_django(make_integration: Make, settings: Any) -> None:
    _, key = make_integration("pagerduty")
    # A Host that is not allowed: Django's 400, nothing stored.
    assert call("POST", "/v2/enqueue", pd(key), HTTP_HOST="evil.example")[0] == 400
    assert not Inbound.objects.exists()
    # HTTPS required: plain HTTP goes on to Django (whose SecurityMiddleware, configured at
    # start-up, redirects it); over HTTPS, or behind the proxy that says so, the fast path
    # answers.
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    plain = {"HTTP_HOST": "127.0.0.1", "wsgi.url_scheme": "http"}
    assert not fastpath._as_django_would(plain)
    assert fastpath._as_django_would(plain | {"HTTP_X_FORWARDED_PROTO": "https"})
    assert fastpath._as_django_would(plain | {"wsgi.url_scheme": "https"})
    assert not fastpath._as_django_would({"HTTP_HOST": "evil.example", "wsgi.url_scheme": "https"})


def test_accepted_requests_are_marked_to_be_left_out_of_the_access_log(
    make_integration: Make,
) -> None:
    _, key = make_integration("pagerduty")
    accepted: dict[str, Any] = {}
    refused: dict[str, Any] = {}
    assert call("POST", "/v2/enqueue", pd(key), seen=accepted)[0] == 202
    assert call("POST", "/v2/enqueue", pd("wrong-key"), seen=refused)[0] == 404
    assert accepted[ACCEPTED] is True
    assert ACCEPTED not in refused


def test_the_database_connection_is_checked_before_and_after(
    make_integration: Make, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    """As Django's request signals do: a connection that broke or outlived CONN_MAX_AGE is
    dropped (checked as the request starts and as it ends), and DEBUG's query log starts
    empty — and keeps the request's own queries."""
    _, key = make_integration("pagerduty")
    db = connections["default"]
    checks: list[int] = []
    # The real check, its closing recorded instead of done (it would end the test's transaction).
    monkeypatch.setattr(fastpath, "tidy_connection", TIDY)
    monkeypatch.setattr(db, "close_if_unusable_or_obsolete", lambda: checks.append(1))
    settings.DEBUG = True
    db.queries_log.append({"sql": "SELECT 'from an earlier request'", "time": "0.0"})
    assert call("POST", "/v2/enqueue", pd(key))[0] == 202
    assert len(checks) == 2
    logged = [q["sql"] for q in db.queries_log]
    assert logged and "from an earlier request" not in " ".join(logged)
