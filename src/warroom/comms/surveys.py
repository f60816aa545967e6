"""The survey to the status page's subscribers after an incident they were told about is
resolved (plan §6.2: "subscribers and the reporter get a short survey link").

Each subscriber asked gets a Feedback row of the evaluation app (source "subscriber") — the
same rows the reporter's survey writes, so the answers count in the report and the evaluation
alike — and a SubscriberDelivery with the row's signed link, in the subscriber's language. The
link opens `comms:survey`, a public page in the status page's look; it is answered once.

Who is asked: the audience of the incident's public updates (subscribers.audience), once per
incident, as soon as it is both finished and public — when it is resolved, if the status page
showed it by then, else when its first public update is posted afterwards. Never for a drill
or an incident the status page never showed (comms.queries.public_incidents).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse

from warroom.comms import messages, subscribers
from warroom.comms.models import SubscriberDelivery
from warroom.comms.queries import public_incidents
from warroom.evaluation.models import Feedback
from warroom.evaluation.services import survey_token
from warroom.incidents.models import Incident, Status
from warroom.incidents.transitions import after

# States in which an incident has been resolved (and not cancelled).
FINISHED = (Status.RESOLVED, Status.REVIEWING, Status.CLOSED)


@after(Status.RESOLVED)
def _survey_on_resolve(incident: Incident, actor: User | None) -> None:
    survey_subscribers(incident)


def survey_url(feedback: Feedback, lang: str) -> str:
    """The survey's public link, its page in `lang`."""
    path = reverse("comms:survey", args=[survey_token(feedback)])
    return f"{settings.BASE_URL}{path}?lang={lang}"


def survey_subscribers(incident: Incident) -> list[SubscriberDelivery]:
    """Ask the subscribers told about `incident` how it was handled; returns the deliveries
    queued (none for a drill, an unfinished incident, or one the status page never showed).

    Written in the caller's transaction (the resolution's, or the public update's), sent after
    commit. Safe to run twice: a subscriber already asked about the incident is not asked
    again; the incident row is locked so that two callers cannot both ask, and a unique
    constraint backs that up.
    """
    if incident.is_drill or incident.status not in FINISHED:
        return []
    with transaction.atomic():
        list(Incident.objects.select_for_update().filter(pk=incident.pk).values_list("pk"))
        if not public_incidents().filter(pk=incident.pk).exists():
            return []
        asked = set(
            Feedback.objects.filter(incident=incident, subscriber__isnull=False).values_list(
                "subscriber_id", flat=True
            )
        )
        to_ask = [s for s in subscribers.audience(incident) if s.pk not in asked]
        rows = Feedback.objects.bulk_create(
            [
                Feedback(incident=incident, source=Feedback.Source.SUBSCRIBER, subscriber=s)
                for s in to_ask
            ]
        )
        return subscribers.queue_messages(
            (
                subscriber,
                messages.survey(
                    incident,
                    subscriber,
                    survey_url(row, subscriber.language),
                    subscribers.unsubscribe_url(subscriber),
                ),
            )
            for subscriber, row in zip(to_ask, rows, strict=True)
        )
