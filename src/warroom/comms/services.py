"""Writes of the comms app: public updates and status components. Subscriptions and their
deliveries are in subscribers.py, the update reminders in reminders.py."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.catalog.models import System
from warroom.comms import subscribers, surveys
from warroom.comms.models import PublicUpdate, StatusComponent, UpdateStatus
from warroom.comms.rights import can_manage_components, can_post_public_update
from warroom.incidents.models import Incident
from warroom.incidents.services import post_user_update
from warroom.incidents.timeline import append_event
from warroom.lib.errors import DomainError

# An ETA a little in the past is a slow form, not a mistake worth refusing.
ETA_SLACK = dt.timedelta(minutes=5)


def post_public_update(
    incident: Incident,
    *,
    actor: User,
    status: str,
    text_en: str = "",
    text_zh: str = "",
    eta: dt.datetime | None = None,
) -> PublicUpdate:
    """Tell the company's users about `incident`: the first public update is what puts it on
    the status page. Customer service, the commander, the deputy and administrators may.

    On an open incident this is also the plan's user update (incidents' post_user_update):
    the next one falls due after the level's `user_update_every`, and the timeline records
    it. On a finished incident (a last "resolved" to the users) only the timeline entry is
    written. Confirmed subscribers of the affected components are notified once the
    transaction commits — unless it is a drill, which never leaves the building. The first
    public update of an incident already resolved also sends its subscribers the survey
    (comms.surveys), which they would have had at the resolution had it been public then.

    Raises PermissionDenied (not allowed) or DomainError (bad input).
    """
    if not can_post_public_update(actor, incident):
        raise PermissionDenied(_("your role does not allow you to post public updates"))
    if status not in UpdateStatus.values:
        raise DomainError(
            "status",
            _("must be one of %(values)s") % {"values": ", ".join(UpdateStatus.values)},
        )
    text_en, text_zh = text_en.strip(), text_zh.strip()
    if not text_en and not text_zh:
        raise DomainError("text_en", _("write the message in at least one language"))
    now = timezone.now()
    if eta is not None and status != UpdateStatus.RESOLVED and eta < now - ETA_SLACK:
        raise DomainError("eta", _("the expected resolution cannot be in the past"))
    internal_text = "\n".join(t for t in (text_en, text_zh) if t)
    with transaction.atomic():
        was_public = incident.public_updates.exists()
        update = PublicUpdate.objects.create(
            incident=incident,
            status=status,
            text_en=text_en,
            text_zh=text_zh,
            eta=eta,
            posted_by=actor,
            posted_at=now,
        )
        if incident.is_open:
            post_user_update(incident, actor=actor, text=internal_text, eta=eta)
        else:
            append_event(
                incident,
                "user_update",
                actor=actor,
                data={"text": internal_text, "eta": eta.isoformat() if eta else None},
            )
        if not incident.is_drill:
            subscribers.queue_update_notices(update)
            if not was_public:
                surveys.survey_subscribers(incident)
    return update


def save_component(
    component: StatusComponent | None,
    *,
    actor: User,
    name_en: str,
    name_zh: str = "",
    systems: Iterable[System] = (),
    position: int = 0,
    visible: bool = True,
) -> StatusComponent:
    """Create (component=None) or change a status component. Plan managers only."""
    if not can_manage_components(actor):
        raise PermissionDenied(_("only the plan's managers change the status components"))
    name_en, name_zh = name_en.strip(), name_zh.strip()
    if not name_en:
        raise DomainError("name_en", _("required"))
    if position < 0:
        raise DomainError("position", _("cannot be negative"))
    with transaction.atomic():
        component = component or StatusComponent()
        component.name_en, component.name_zh = name_en, name_zh
        component.position, component.visible = position, visible
        component.save()
        component.systems.set(list(systems))
    return component


def delete_component(component: StatusComponent, *, actor: User) -> None:
    if not can_manage_components(actor):
        raise PermissionDenied(_("only the plan's managers change the status components"))
    component.delete()
