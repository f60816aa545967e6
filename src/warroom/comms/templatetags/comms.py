"""The "Public updates" panel of the incident page (included there by one line)."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import User

from warroom.comms.queries import updates_of
from warroom.comms.rights import can_post_public_update
from warroom.incidents.models import Incident

register = template.Library()

# The panel lists the newest few; the comms page has them all.
PANEL_UPDATES = 5


@register.inclusion_tag("comms/_incident_panel.html")
def public_updates_panel(incident: Incident, user: User, kinds: set[str]) -> dict[str, Any]:
    """`kinds`: the viewer's actor_kinds, which the incident page has read already."""
    return {
        "incident": incident,
        "updates": list(updates_of(incident)[:PANEL_UPDATES]),
        "can_post": can_post_public_update(user, incident, kinds),
    }
