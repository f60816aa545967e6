"""Sandboxed Jinja2 templates that map a generic webhook's JSON to an alert.

An integration of kind "generic" holds up to five templates (title, severity, dedup_key,
system, category). They are written by the people who manage the plan, but they run on JSON
that anyone holding the integration's key can send, so they run in Jinja2's immutable sandbox:
no attributes starting with an underscore, no mutating methods, ranges capped; on top of that
string and list repetition and powers are capped here, and every output is cut to a bounded
length. A template that fails while rendering yields no value, never an exception out of
`render_mapping`: the alert is still recorded, with the error noted.
"""

from __future__ import annotations

import operator
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _
from jinja2 import TemplateError, nodes
from jinja2.environment import Template
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

from warroom.lib.errors import DomainError

TEMPLATE_FIELDS = ("title", "severity", "dedup_key", "system", "category", "status")
MAX_SOURCE = 2000
MAX_OUTPUT = 1000
MAX_REPEAT = 10_000
MAX_EXPONENT = 64


class _Sandbox(ImmutableSandboxedEnvironment):
    intercepted_binops = frozenset({"*", "**"})

    def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
        # Jinja2 would render an unsafe attribute as an empty value and fail only when it is
        # used further; failing at once records the attempt in the alert.
        raise SecurityError(
            f"access to attribute {attribute!r} of {type(obj).__name__!r} object is unsafe"
        )

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "**":
            if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
                raise SecurityError("exponent too large")
            return operator.pow(left, right)
        sized = (str, list, tuple)
        if (
            isinstance(left, sized) and isinstance(right, int) and right * len(left) > MAX_REPEAT
        ) or (
            isinstance(right, sized) and isinstance(left, int) and left * len(right) > MAX_REPEAT
        ):
            raise SecurityError("repetition too long")
        return operator.mul(left, right)


_ENV = _Sandbox(autoescape=False, keep_trailing_newline=False)


@lru_cache(maxsize=256)
def _compile(source: str) -> Template:
    return _ENV.from_string(source)


def clean_templates(raw: Any, field: str = "templates") -> dict[str, str]:
    """The templates in their stored form (blank ones dropped). Raises DomainError naming
    the field, e.g. 'templates.title', for an unknown name, a template that does not compile
    or one that reaches for an attribute starting with an underscore."""
    if raw is None:
        return {}
    if not isinstance(raw, Mapping):
        raise DomainError(field, _("an object of templates is required"))
    cleaned: dict[str, str] = {}
    for name, source in raw.items():
        where = f"{field}.{name}"
        if name not in TEMPLATE_FIELDS:
            raise DomainError(
                where, _("unknown template; use %(names)s") % {"names": ", ".join(TEMPLATE_FIELDS)}
            )
        if source is None or (isinstance(source, str) and not source.strip()):
            continue
        if not isinstance(source, str) or len(source) > MAX_SOURCE:
            raise DomainError(
                where, _("a template of at most %(n)d characters") % {"n": MAX_SOURCE}
            )
        try:
            tree = _ENV.parse(source)
            _compile(source)
        except TemplateError as exc:
            raise DomainError(
                where, _("the template does not compile: %(error)s") % {"error": exc}
            ) from exc
        if _reaches_private(tree):
            raise DomainError(
                where, _("the template may not use names that start with an underscore")
            )
        cleaned[name] = source
    return cleaned


def _reaches_private(tree: nodes.Template) -> bool:
    # The sandbox refuses these at run time anyway; refusing them when the template is saved
    # tells its author at once instead of leaving an alert without a title later.
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Name)):
        if isinstance(node, nodes.Getattr) and node.attr.startswith("_"):
            return True
        if isinstance(node, nodes.Name) and node.name.startswith("_"):
            return True
        if (
            isinstance(node, nodes.Getitem)
            and isinstance(node.arg, nodes.Const)
            and isinstance(node.arg.value, str)
            and node.arg.value.startswith("_")
        ):
            return True
    return False


def render_mapping(
    templates: Mapping[str, str], payload: Any
) -> tuple[dict[str, str], dict[str, str]]:
    """Render each template with the payload as `payload` (and, for an object, its keys as
    names of their own). Returns (values, errors): values are stripped strings (blank ones
    left out), errors name the template and say what went wrong."""
    context: dict[str, Any] = {"payload": payload}
    if isinstance(payload, Mapping):
        context.update(
            (k, v) for k, v in payload.items() if isinstance(k, str) and k.isidentifier()
        )
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    for name, source in templates.items():
        try:
            text = _compile(source).render(context)
        except Exception as exc:  # a sandbox refusal, a type error, a recursion: never a 500
            errors[name] = f"{type(exc).__name__}: {exc}"[:300]
            continue
        text = text.strip()[:MAX_OUTPUT]
        if text:
            values[name] = text
    return values, errors
