"""Integration keys out of logs: a webhook URL holds its key (`/api/v1/integrations/<kind>/
<key>`), and a log line with that URL would hand the key to whoever reads the log. Cut to
the prefix the UI shows (`Ab3xY9...`), a key still tells an operator which integration it is.
"""

from __future__ import annotations

import logging
import re

from warroom.alerts.keys import PREFIX_LENGTH

# The kind, any run of slashes (or an encoded one, which gunicorn decodes), then the key.
_KEY_IN_PATH = re.compile(
    r"(/api/v1/integrations/[^/?#\s]+?(?:/|%2[Ff])+)([^/?#\s%]{0,"
    + str(PREFIX_LENGTH)
    + r"})[^/?#\s]*"
)
MARKER = "/api/v1/integrations/"


def redact_keys(text: str) -> str:
    """`text` with every webhook key in it cut to its prefix."""
    if MARKER not in text:
        return text
    return _KEY_IN_PATH.sub(r"\1\2...", text)


class RedactKeys(logging.Filter):
    """A logging filter that redacts keys in each record's message: Django logs the path of
    every 4xx and 5xx it answers ("Not Found: /api/v1/integrations/...")."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            return True  # a malformed call: the handler reports it as logging does
        if MARKER in message:
            record.msg, record.args = redact_keys(message), None
        return True
