"""Texts of the messages the comms app sends, each in its recipient's language.

Subscriber messages (the survey after resolution too) say only what the status page says
(the public label, the public text) and each carries its one-click unsubscribe link.
Reminders go to the team and may name the incident: they only reach people who may see it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from warroom.comms.models import PublicUpdate, Subscriber
from warroom.comms.queries import public_label
from warroom.incidents.models import Incident
from warroom.notify.services import Message


def status_url(lang: str | None = None) -> str:
    url = settings.BASE_URL + reverse("comms:status")
    return f"{url}?lang={lang}" if lang else url


def _when(value: dt.datetime | None) -> str:
    """A time as the server's zone shows it, e.g. "2026-05-01 14:30 UTC+0800"."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M UTC%z") if value else "—"


def _footer(unsubscribe_url: str) -> list[str]:
    return ["", _("Unsubscribe with one click: %(url)s") % {"url": unsubscribe_url}]


def confirmation(subscriber: Subscriber, confirm_url: str, unsubscribe_url: str) -> Message:
    with translation.override(subscriber.language):
        return Message(
            subject=_("Confirm your subscription to the status page"),
            body="\n".join(
                [
                    _(
                        "Someone (we hope you) asked to receive the updates of our status "
                        "page here. Confirm within 7 days by opening this link:"
                    ),
                    confirm_url,
                    "",
                    _("If you did not ask for it, ignore this message: nothing more is sent."),
                    *_footer(unsubscribe_url),
                ]
            ),
            kind="confirm",
        )


def already_subscribed(subscriber: Subscriber, unsubscribe_url: str) -> Message:
    with translation.override(subscriber.language):
        return Message(
            subject=_("You are already subscribed to the status page"),
            body="\n".join(
                [
                    _(
                        "Someone asked again to receive the status page's updates here. "
                        "You are already subscribed; nothing was changed."
                    ),
                    _("Status page: %(url)s") % {"url": status_url(subscriber.language)},
                    *_footer(unsubscribe_url),
                ]
            ),
            kind="already",
        )


def public_update(update: PublicUpdate, subscriber: Subscriber, unsubscribe_url: str) -> Message:
    lang = subscriber.language
    with translation.override(lang):
        label = str(public_label(update.incident))
        lines = [update.text_in(lang)]
        if update.eta:
            lines.append(_("Expected resolution: %(at)s") % {"at": _when(update.eta)})
        lines += [
            _("Posted: %(at)s") % {"at": _when(update.posted_at)},
            _("Status page: %(url)s") % {"url": status_url(lang)},
            *_footer(unsubscribe_url),
        ]
        return Message(
            subject=f"[{update.get_status_display()}] {label}",
            body="\n".join(lines),
            kind="update",
        )


def survey(
    incident: Incident, subscriber: Subscriber, survey_url: str, unsubscribe_url: str
) -> Message:
    """The question after resolution (plan §6.2): how the company handled an incident the
    subscriber was told about. Names it as the status page does."""
    lang = subscriber.language
    with translation.override(lang):
        label = str(public_label(incident))
        return Message(
            subject=_("Resolved: %(label)s. How did we do?") % {"label": label},
            body="\n".join(
                [
                    _("“%(label)s”, which our status page told you about, is resolved.")
                    % {"label": label},
                    _(
                        "Please tell us how we handled it: a score from 1 to 5 and, if you "
                        "like, a comment. It takes a minute; the link works once."
                    ),
                    "",
                    _("Answer: %(url)s") % {"url": survey_url},
                    _("Status page: %(url)s") % {"url": status_url(lang)},
                    *_footer(unsubscribe_url),
                ]
            ),
            kind="survey",
        )


def update_due(incident: Incident, every: str) -> Callable[[User, str], Message]:
    """The reminder that the plan's update cadence (`every`, a plan duration such as 30m) for
    the incident's level is due."""
    url = settings.BASE_URL + reverse("comms:incident", args=[incident.pk])

    def render(user: User, lang: str) -> Message:
        with translation.override(lang):
            last = incident.public_updates.order_by("-posted_at").first()
            subject = _("[warroom] %(ref)s: the next update to users is due") % {
                "ref": incident.reference
            }
            body = "\n".join(
                [
                    _("%(ref)s: %(title)s") % {"ref": incident.reference, "title": incident.title},
                    _("The plan asks for an update to users every %(every)s at this level.")
                    % {"every": every},
                    _("It was due at %(at)s.") % {"at": _when(incident.next_update_due)},
                    _("Last public update: %(at)s") % {"at": _when(last.posted_at)}
                    if last
                    else _("No public update has been posted yet."),
                    "",
                    _("Post an update: %(url)s") % {"url": url},
                ]
            )
        return Message(subject=subject, body=body, kind="comms.update_due")

    return render
