"""Template filters of the incident pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext

register = template.Library()


def clock(seconds: int) -> str:
    """A duration as H:MM:SS (hours may pass 24), whatever the language."""
    hours, rest = divmod(abs(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


@register.filter
def countdown(seconds: int | None) -> str:
    """Time left until a deadline, or how long ago it passed. incident.js keeps it ticking
    with the same words."""
    if seconds is None:
        return ""
    if seconds < 0:
        return gettext("overdue by %(time)s") % {"time": clock(seconds)}
    return gettext("%(time)s left") % {"time": clock(seconds)}
