"""gunicorn's logger for `warroom serve`: an access log without accepted alerts or keys.

- Monitoring sends thousands of events a second in a storm. Each one accepted is recorded by
  warroom itself — the inbox row, then the alert with its count and last-seen time — so a
  line per event on stdout says nothing new, and writing it costs about a tenth of what
  accepting an event costs. `alerts.fastpath` marks those requests in the WSGI environ and
  they are left out, unless WARROOM_ACCESS_LOG_ACCEPTED is set (to see every sender's
  address). Every other request — pages, the API, and any webhook refused: a wrong key, a
  bad body, a rate limit — is logged as gunicorn logs it.
- A webhook's URL holds its integration key. In the lines that are written, the key is cut
  to the prefix the UI shows (`/api/v1/integrations/alertmanager/Ab3xY9...`,
  `lib.redact`), so the access log never hands out a key — not even a 429 storm's
  thousands of lines. (warroom's own log is filtered the same way: settings.LOGGING.)
"""

from __future__ import annotations

from typing import Any

from gunicorn.glogging import Logger

from warroom.lib.env import env_bool
from warroom.lib.redact import redact_keys

# The environ key `alerts.fastpath` sets on a webhook request whose events were accepted.
ACCEPTED = "warroom.accepted"


class AccessLog(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        self.log_accepted = env_bool("WARROOM_ACCESS_LOG_ACCEPTED")

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if environ.get(ACCEPTED) and not self.log_accepted:
            return
        super().access(resp, req, environ, request_time)

    def atoms(
        self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any
    ) -> dict[str, Any]:
        atoms: dict[str, Any] = super().atoms(resp, req, environ, request_time)
        # The request line, the path, the headers (a Referer may hold a webhook URL too) and
        # the environ variables a format may name.
        return {
            name: redact_keys(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
