"""gunicorn's logger for `warroom serve`: its access log leaves out accepted alerts.

Monitoring sends thousands of events a second in a storm. Each one accepted is recorded by
warroom itself — the inbox row, then the alert with its count and last-seen time — so a
line per event on stdout says nothing new, and writing it costs about a tenth of what
accepting an event costs. `alerts.fastpath` marks those requests in the WSGI environ;
every other request (pages, the API, and any webhook refused — a wrong key, a bad body, a
rate limit) is logged as gunicorn logs it.
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

# The environ key `alerts.fastpath` sets on a webhook request whose events were accepted.
ACCEPTED = "warroom.accepted"


class AccessLog(Logger):
    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if environ.get(ACCEPTED):
            return
        super().access(resp, req, environ, request_time)
