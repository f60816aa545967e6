"""Notification texts about incidents, rendered in each recipient's language.

Restricted incidents only ever reach people who may see them (they are made participants
first), so the texts can name the incident; drill texts are prefixed by the notify app.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import translation
from django.utils.translation import gettext as _

from warroom.incidents.models import Incident
from warroom.notify.services import Message


def incident_url(incident: Incident) -> str:
    return f"{settings.BASE_URL}/incidents/{incident.pk}/"


def _level_name(incident: Incident, lang: str) -> str:
    from warroom.plan.queries import plan_of

    level = plan_of(incident.plan_version).level(incident.level) if incident.level else None
    return level.name.get(lang) if level else _("not yet assessed")


def reported(incident: Incident) -> Callable[[User, str], Message]:
    def render(user: User, lang: str) -> Message:
        with translation.override(lang):
            subject = _("[warroom] %(ref)s reported: %(title)s") % {
                "ref": incident.reference,
                "title": incident.title,
            }
            body = "\n".join(
                [
                    _("A new incident was reported to the emergency team."),
                    _("Title: %(title)s") % {"title": incident.title},
                    _("Reported by: %(who)s")
                    % {
                        "who": incident.reporter.get_full_name() or incident.reporter.get_username()
                        if incident.reporter
                        else "warroom"
                    },
                    _("Impact level: %(level)s") % {"level": _level_name(incident, lang)},
                    "",
                    incident.description,
                    "",
                    _("Open: %(url)s") % {"url": incident_url(incident)},
                ]
            )
        return Message(subject=subject, body=body, kind="incident.reported")

    return render


def added_to_team(
    incident: Incident, role_name: Callable[[str], str]
) -> Callable[[User, str], Message]:
    def render(user: User, lang: str) -> Message:
        with translation.override(lang):
            subject = _("[warroom] You are on the response team of %(ref)s") % {
                "ref": incident.reference
            }
            body = "\n".join(
                [
                    _("You were named to the emergency response team of %(ref)s: %(title)s")
                    % {"ref": incident.reference, "title": incident.title},
                    _("Role: %(role)s") % {"role": role_name(lang)},
                    _("Impact level: %(level)s") % {"level": _level_name(incident, lang)},
                    "",
                    _("Open: %(url)s") % {"url": incident_url(incident)},
                ]
            )
        return Message(subject=subject, body=body, kind="incident.team_added")

    return render


def order_issued(incident: Incident, text: str, due: str) -> Callable[[User, str], Message]:
    def render(user: User, lang: str) -> Message:
        with translation.override(lang):
            subject = _("[warroom] Order on %(ref)s") % {"ref": incident.reference}
            body = "\n".join(
                [
                    _("An emergency order was issued to you on %(ref)s: %(title)s")
                    % {"ref": incident.reference, "title": incident.title},
                    "",
                    text,
                    "",
                    _("Due: %(due)s") % {"due": due or "—"},
                    _("Acknowledge it: %(url)s") % {"url": incident_url(incident)},
                ]
            )
        return Message(subject=subject, body=body, kind="order.issued")

    return render


def state_changed(incident: Incident) -> Callable[[User, str], Message]:
    def render(user: User, lang: str) -> Message:
        with translation.override(lang):
            state = incident.get_status_display()
            subject = _("[warroom] %(ref)s is now %(state)s") % {
                "ref": incident.reference,
                "state": state,
            }
            body = "\n".join(
                [
                    _("%(ref)s (%(title)s) is now %(state)s.")
                    % {"ref": incident.reference, "title": incident.title, "state": state},
                    _("Open: %(url)s") % {"url": incident_url(incident)},
                ]
            )
        return Message(subject=subject, body=body, kind=f"incident.{incident.status}")

    return render
