"""The inbound webhooks served straight from WSGI, in front of Django.

Monitoring sends alerts in bursts, and a sender that is answered slowly retries or drops.
Django's request cycle (request object, middleware, URL resolver, response) costs several
times what accepting an alert does, so `warroom.wsgi` wraps Django in `IntakeApp`: POSTs to
/v2/enqueue and /api/v1/integrations/<kind>/<key> are answered by `alerts.intake` directly
(the same functions the Django views call — tests through Django's client cover them), and
everything else goes to Django unchanged.

What Django would have done for these requests is done here or left to Django: a Host not in
ALLOWED_HOSTS and a plain-HTTP request where HTTPS is required go on to Django, which refuses
or redirects them as for any page; the database connection is checked before and after, as
Django's request signals check it, so CONN_MAX_AGE is honoured (`tidy_connection`); the
security headers the API sends are sent; accepted requests are marked for the access log
(`core.accesslog`); an unexpected error is logged and answered 500 without a traceback; a
database that cannot be reached is answered 503 with Retry-After.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http.request import split_domain_port, validate_host

from warroom.alerts import intake
from warroom.alerts.models import Kind
from warroom.core.accesslog import ACCEPTED

log = logging.getLogger(__name__)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_WEBHOOK = re.compile(r"^/api/v1/integrations/(alertmanager|grafana|generic)/([^/]+)$")
_KINDS = {"alertmanager": Kind.ALERTMANAGER, "grafana": Kind.GRAFANA, "generic": Kind.GENERIC}
_REASONS = {
    200: "OK",
    202: "Accepted",
    400: "Bad Request",
    404: "Not Found",
    413: "Request Entity Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    503: "Service Unavailable",
}


class IntakeApp:
    def __init__(self, django: WSGIApp) -> None:
        self.django = django

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        handler = self._handler(environ)
        if handler is None:
            return self.django(environ, start_response)
        tidy_connection(starting=True)
        try:
            reply = handler()
        except DatabaseError:
            log.exception("inbound webhook: database error")
            reply = intake.Reply(
                503, {"detail": "the database is not available; retry later"}, {"Retry-After": "5"}
            )
        except Exception:
            log.exception("inbound webhook: unexpected error")
            reply = intake.Reply(500, {"detail": "internal error"})
        finally:
            tidy_connection(starting=False)
        if reply.status < 300:
            environ[ACCEPTED] = True  # recorded in the database: no access-log line
        return _send(reply, start_response)

    def _handler(self, environ: dict[str, Any]) -> Callable[[], intake.Reply] | None:
        if environ.get("REQUEST_METHOD") != "POST" or not _as_django_would(environ):
            # Django answers: 405 (and the OpenAPI pages), 400 for a host not in
            # ALLOWED_HOSTS, the redirect to https when that is required.
            return None
        path = environ.get("PATH_INFO", "")
        length = environ.get("CONTENT_LENGTH")
        read = environ["wsgi.input"].read
        if path == "/v2/enqueue":
            return lambda: intake.receive_pagerduty(length, read)
        match = _WEBHOOK.match(path)
        if match is None:
            return None
        kind, key = _KINDS[match[1]], match[2]
        return lambda: intake.receive(kind, key, length, read)


def tidy_connection(*, starting: bool) -> None:
    """What Django's request_started and request_finished receivers do that concerns these
    requests: drop the database connection if it broke or outlived CONN_MAX_AGE, and, as a
    request starts, empty the query log that DEBUG keeps. (The rest — every alias, the cache
    connections, the URL conf — is untouched here, and sending the signals cost a tenth of
    accepting an alert.) Tests that hold the connection in a transaction replace it, as
    Django's test client disconnects close_old_connections."""
    db = connections[DEFAULT_DB_ALIAS]
    db.close_if_unusable_or_obsolete()
    if starting and settings.DEBUG:
        db.queries_log.clear()


def _as_django_would(environ: dict[str, Any]) -> bool:
    """Whether Django would serve this request rather than refuse it: the Host is one of
    ALLOWED_HOSTS, and the request is secure when SECURE_SSL_REDIRECT asks for it (behind a
    proxy, by SECURE_PROXY_SSL_HEADER)."""
    host = environ.get("HTTP_HOST") or environ.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    allowed = list(settings.ALLOWED_HOSTS)
    if settings.DEBUG and not allowed:
        allowed = [".localhost", "127.0.0.1", "[::1]"]
    if not domain or not validate_host(domain, allowed):
        return False
    if not settings.SECURE_SSL_REDIRECT:
        return True
    if environ.get("wsgi.url_scheme") == "https":
        return True
    header = settings.SECURE_PROXY_SSL_HEADER
    return bool(header) and environ.get(header[0]) == header[1]


# Made once: json.dumps with options builds an encoder per call. Encoding keeps no state.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


def _send(reply: intake.Reply, start_response: Callable[..., Any]) -> list[bytes]:
    body = _ENCODER.encode(reply.body).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "same-origin"),
        ("X-Frame-Options", "DENY"),
        *reply.headers.items(),
    ]
    start_response(f"{reply.status} {_REASONS.get(reply.status, '')}".strip(), headers)
    return [body]
