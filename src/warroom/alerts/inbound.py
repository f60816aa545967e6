"""Reading an inbound webhook's body: size limit, strict UTF-8 JSON, values every database
can store. Anything wrong raises BadBody with the status to answer (413 or 400), never an
exception that would end as a 500."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

MAX_BODY = 1024 * 1024  # 1 MiB: PagerDuty allows 512 KB; a 100-alert Alertmanager group fits
# NUL cannot be stored in PostgreSQL text, lone surrogates cannot be encoded to UTF-8.
_UNSTORABLE = re.compile(r"[\x00\ud800-\udfff]")


class BadBody(ValueError):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_length(declared: str | None) -> None:
    """Refuse a body by its declared Content-Length before reading it: 413 past MAX_BODY,
    400 for a length that is not a number."""
    try:
        length = int(declared or "0")
    except ValueError:
        length = -1
    if length < 0:
        raise BadBody(400, "invalid Content-Length")
    if length > MAX_BODY:
        raise BadBody(413, f"request body larger than {MAX_BODY} bytes")


def read_body(declared: str | None, read: Callable[[int], bytes]) -> Any:
    """The body as JSON, read with `read(n)` after checking the declared length. Raises
    BadBody: 413 past MAX_BODY (on the declared length and on what was read), 400 for
    anything that is not JSON."""
    check_length(declared)
    body = read(int(declared or "0"))
    if len(body) > MAX_BODY:
        raise BadBody(413, f"request body larger than {MAX_BODY} bytes")
    return parse_json(body)


def parse_json(body: bytes) -> Any:
    """Strict JSON from UTF-8 bytes (a byte-order mark is allowed): no NaN or Infinity, no
    number too large for a float, no nesting deeper than the interpreter can take. NUL and
    lone surrogates in strings (only reachable through \\u escapes) become U+FFFD."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BadBody(400, f"the body is not UTF-8: byte {exc.start}") from None
    if not text.strip():
        raise BadBody(400, "the body is empty; a JSON document is required")
    try:
        data = _DECODER.decode(text)
    except RecursionError:
        raise BadBody(400, "malformed JSON: nested too deeply") from None
    except ValueError as exc:
        raise BadBody(400, f"malformed JSON: {exc}"[:300]) from None
    if "\\u" in text:
        try:
            data = _scrub(data)
        except RecursionError:
            raise BadBody(400, "malformed JSON: nested too deeply") from None
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is too large")
    return value


# Made once: json.loads with options builds a decoder per call. Decoding keeps no state.
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite_float)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _UNSTORABLE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_scrub(item) for item in value]
    if isinstance(value, dict):
        return {_scrub(k): _scrub(v) for k, v in value.items()}
    return value
