from __future__ import annotations

from typing import Any

from django import template

from warroom.alerts.matchers import format_matchers

register = template.Library()


@register.filter
def matchers(value: Any) -> str:
    """Stored matchers as text: service="erp", severity=~"critical|error"."""
    return format_matchers(value or [])
