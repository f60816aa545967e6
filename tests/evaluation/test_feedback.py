"""The survey after resolution: sent to the reporter, answered once through a public link."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client

from warroom.evaluation import services
from warroom.evaluation.models import Feedback
from warroom.incidents.models import Incident, Status
from warroom.incidents.services import report_incident
from warroom.incidents.transitions import transition
from warroom.notify.models import Delivery
from warroom.people.models import Profile

pytestmark = pytest.mark.django_db


def resolved(reporter: User | None, commander: User, **extra: object) -> Incident:
    incident = report_incident(reporter=reporter, title="Orders stuck", **extra)  # type: ignore[arg-type]
    # Test setup only: straight to recovery, then resolved through the real transition.
    Incident.objects.filter(pk=incident.pk).update(
        status=Status.RECOVERING, level="high", category="system_failure"
    )
    return transition(incident, Status.RESOLVED, actor=commander)


def survey_link(incident: Incident) -> str:
    delivery = Delivery.objects.get(incident_id=incident.pk, kind="feedback.survey")
    match = re.search(r"https?://[^/\s]+(/evaluation/feedback/[^/\s]+/)", delivery.body)
    assert match, delivery.body
    return match.group(1)


def test_resolution_sends_the_reporter_a_survey(outsider: User, commander: User) -> None:
    Profile.objects.filter(user=outsider).update(language="en")
    incident = resolved(outsider, commander)
    feedback = Feedback.objects.get(incident=incident)
    assert (feedback.from_user, feedback.score, feedback.submitted_at) == (outsider, None, None)
    delivery = Delivery.objects.get(incident_id=incident.pk, kind="feedback.survey")
    assert (delivery.recipient, delivery.language) == (outsider, "en")
    assert delivery.subject == f"[warroom] {incident.reference} is resolved: how did we do?"
    assert f"The incident you reported, {incident.reference} (Orders stuck), is resolved." in (
        delivery.body
    )
    assert not delivery.drill


def test_the_link_works_once(outsider: User, commander: User) -> None:
    incident = resolved(outsider, commander)
    link = survey_link(incident)
    public = Client()  # not signed in
    page = public.get(link)
    assert page.status_code == 200
    assert 'name="score"' in page.content.decode()
    answer = public.post(link, {"score": "4", "comment": "  Quick and clear.  "})
    assert answer.status_code == 200
    assert "Thank you." in answer.content.decode()
    feedback = Feedback.objects.get(incident=incident)
    assert (feedback.score, feedback.comment) == (4, "Quick and clear.")
    assert feedback.submitted_at is not None

    again = public.post(link, {"score": "1", "comment": "changed my mind"})
    assert again.status_code == 409
    assert "already been answered" in again.content.decode()
    feedback.refresh_from_db()
    assert (feedback.score, feedback.comment) == (4, "Quick and clear.")
    assert "already been answered" in public.get(link).content.decode()


def test_a_bad_answer_is_refused(outsider: User, commander: User) -> None:
    link = survey_link(resolved(outsider, commander))
    response = Client().post(link, {"score": "6"})
    assert response.status_code == 400
    assert Feedback.objects.get().submitted_at is None
    with pytest.raises(services.DomainError):
        services.submit_feedback(Feedback.objects.get(), score=0)


def test_a_forged_or_foreign_link_is_refused(outsider: User, commander: User) -> None:
    link = survey_link(resolved(outsider, commander))
    token = link.split("/")[-2]
    assert Client().get(link.replace(token, token[:-2] + "xx")).status_code == 400
    assert Client().get("/evaluation/feedback/not-a-token/").status_code == 400


def test_a_restricted_incident_is_not_named(outsider: User, commander: User) -> None:
    incident = resolved(outsider, commander, restricted=True)
    assert incident.restricted
    delivery = Delivery.objects.get(incident_id=incident.pk, kind="feedback.survey")
    assert "Orders stuck" not in delivery.body and "Orders stuck" not in delivery.subject
    page = Client().get(survey_link(incident)).content.decode()
    assert incident.reference in page and "Orders stuck" not in page


def test_no_survey_for_drills_or_monitoring(outsider: User, commander: User) -> None:
    resolved(outsider, commander, drill=True)
    resolved(None, commander, source="alertmanager")
    assert not Feedback.objects.exists()
    assert not Delivery.objects.filter(kind="feedback.survey").exists()


def test_asking_twice_sends_once(outsider: User, commander: User) -> None:
    incident = resolved(outsider, commander)
    assert services.send_survey(incident) == []
    assert Feedback.objects.filter(incident=incident).count() == 1
    assert Delivery.objects.filter(kind="feedback.survey").count() == 1
