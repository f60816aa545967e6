from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()


@register.filter
def minutes(value: float | None) -> str:
    """Minutes with one decimal, or a dash when there is nothing to measure."""
    return "—" if value is None else str(floatformat(value, 1))


@register.filter
def share(value: float | None) -> str:
    """A fraction as a whole percentage, or a dash when nothing was decided."""
    return "—" if value is None else f"{round(value * 100)}%"
