"""Label matchers, as Alertmanager has them: `label op value` with op one of =, !=, =~, !~.

A matcher is stored as {"label": ..., "op": ..., "value": ...}. Regular expressions are
anchored at both ends (`=~ "erp.*"` matches "erp-web", not "my-erp"), and a label the alert
does not have counts as the empty string — both as in Alertmanager, so a silence written for
one reads the same here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from warroom.lib.errors import DomainError

OPS = ("=", "!=", "=~", "!~")
LABEL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
# One matcher written as text: alertname="High CPU", severity=~"critical|error", team!=db
_TEXT = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*(=~|!~|!=|=)\s*(.*?)\s*$")
MAX_MATCHERS = 20
MAX_VALUE = 500

Matcher = dict[str, str]


@lru_cache(maxsize=512)
def _regex(value: str) -> re.Pattern[str]:
    return re.compile(f"^(?:{value})$")


def clean_matchers(raw: Any, field: str = "matchers") -> list[Matcher]:
    """The matchers in their stored form; raises DomainError naming the bad one
    (e.g. 'matchers.1.value')."""
    if not isinstance(raw, list):
        raise DomainError(field, _("a list of matchers is required"))
    if len(raw) > MAX_MATCHERS:
        raise DomainError(field, _("at most %(n)d matchers") % {"n": MAX_MATCHERS})
    cleaned = []
    for index, item in enumerate(raw):
        where = f"{field}.{index}"
        if not isinstance(item, Mapping):
            raise DomainError(where, _("a matcher has a label, an op and a value"))
        label, op, value = item.get("label"), item.get("op", "="), item.get("value", "")
        if not isinstance(label, str) or not LABEL_NAME.match(label):
            raise DomainError(f"{where}.label", _("not a label name"))
        if op not in OPS:
            raise DomainError(f"{where}.op", _("one of =, !=, =~, !~"))
        if not isinstance(value, str) or len(value) > MAX_VALUE:
            raise DomainError(
                f"{where}.value", _("text of at most %(n)d characters") % {"n": MAX_VALUE}
            )
        if op in ("=~", "!~"):
            try:
                _regex(value)
            except re.error as exc:
                raise DomainError(
                    f"{where}.value", _("not a regular expression: %(error)s") % {"error": exc}
                ) from exc
        cleaned.append({"label": label, "op": op, "value": value})
    return cleaned


def parse_matchers(text: str, field: str = "matchers") -> list[Matcher]:
    """Matchers written one per line (or comma-separated on one line), values optionally in
    double quotes: `service="erp"`, `severity=~critical|error`. Raises DomainError."""
    items: list[dict[str, str]] = []
    lines = [part for line in text.splitlines() for part in _split(line)]
    for index, line in enumerate(lines):
        found = _TEXT.match(line)
        if not found:
            raise DomainError(
                f"{field}.{index}",
                _("write a matcher as label=value, label!=value, label=~regex or label!~regex"),
            )
        label, op, value = found.groups()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"')
        items.append({"label": label, "op": op, "value": value})
    return clean_matchers(items, field)


def _split(line: str) -> list[str]:
    """Split at commas outside double quotes; blank parts are dropped."""
    parts: list[str] = []
    current: list[str] = []
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        if char == "," and not quoted:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [p for p in parts if p.strip()]


def format_matchers(matchers: Iterable[Mapping[str, str]]) -> str:
    """The text form that parse_matchers reads back: `service="erp", severity=~"crit.*"`."""
    return ", ".join(
        f'{m["label"]}{m["op"]}"{m["value"].replace(chr(34), chr(92) + chr(34))}"' for m in matchers
    )


def matches(matchers: Iterable[Mapping[str, str]], labels: Mapping[str, Any]) -> bool:
    """True when every matcher holds for `labels` (an empty list matches everything).

    Stored matchers were checked by clean_matchers; a regex that no longer compiles (stored
    by hand) matches nothing rather than failing the ingestion of an alert."""
    for m in matchers:
        actual = labels.get(m["label"], "")
        actual = actual if isinstance(actual, str) else str(actual)
        op, value = m["op"], m["value"]
        if op == "=":
            ok = actual == value
        elif op == "!=":
            ok = actual != value
        else:
            try:
                found = _regex(value).match(actual) is not None
            except re.error:
                return False
            ok = found if op == "=~" else not found
        if not ok:
            return False
    return True
