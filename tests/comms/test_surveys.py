"""The survey to the status page's subscribers after resolution (plan §6.2): through the real
subscriber channels (an HTTP sink, an SMTP server), in each subscriber's language, once, with
a public link answered once; the answers count in the report and the evaluation beside the
reporter's."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.notify.conftest import HttpSink, SmtpSink
from warroom.comms import subscribers, surveys
from warroom.comms.models import Subscriber, SubscriberDelivery
from warroom.evaluation import services as evaluation
from warroom.evaluation.models import Feedback
from warroom.evaluation.periods import this_month
from warroom.evaluation.queries import evaluation as evaluation_of
from warroom.incidents.models import Incident, Report, Status
from warroom.incidents.transitions import transition
from warroom.reports.document import build_document

pytestmark = pytest.mark.django_db

MakeIncident = Callable[..., Incident]
Capture = Any  # pytest-django's django_capture_on_commit_callbacks

SURVEY = re.compile(r"http://127\.0\.0\.1:8000(/status/survey/[^\s?]+\?lang=[a-z-]+)")


def confirmed(webhook: str = "", email: str = "", language: str = "en", **extra: Any) -> Subscriber:
    subscriber = subscribers.subscribe(webhook=webhook, email=email, language=language, **extra)
    subscribers.confirm_subscription(subscriber)
    # The confirmation was queued on a commit that never comes in a test: drop it.
    SubscriberDelivery.objects.filter(subscriber=subscriber).delete()
    return subscriber


def resolve(incident: Incident, actor: User) -> Incident:
    # Test setup only: straight to recovery, then resolved through the real transition.
    Incident.objects.filter(pk=incident.pk).update(status=Status.RECOVERING)
    return transition(incident, Status.RESOLVED, actor=actor)


def survey_path(text: str) -> str:
    match = SURVEY.search(text)
    assert match, text
    return match.group(1)


@pytest.fixture
def mail(settings: Any, smtp_sink: SmtpSink) -> SmtpSink:
    settings.WARROOM_STATUS_MAIL_URL = (
        f"mailto://127.0.0.1:{smtp_sink.port}?smtp=127.0.0.1&mode=insecure&from=status@example.com"
    )
    return smtp_sink


def test_subscribers_of_a_public_incident_are_asked_once_in_their_language(
    http_sink: HttpSink,
    mail: SmtpSink,
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    commander: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    hook = confirmed(webhook=http_sink.url(), language="en")
    mei = confirmed(email="mei@example.com", language="zh-hans")
    portal_only = confirmed(
        webhook=http_sink.url("/portal"), components=[components["Customer portal"]]
    )
    confirmed(webhook=http_sink.url("/gone"))
    Subscriber.objects.filter(address__endswith="/gone").update(state="unsubscribed")
    incident = make_incident("ERP down", "ERP")
    post(incident, "Ordering is down.", "下单功能不可用。")
    SubscriberDelivery.objects.all().delete()  # the update notices (never sent here)

    with django_capture_on_commit_callbacks(execute=True):
        resolve(incident, commander)

    rows = Feedback.objects.filter(incident=incident, source="subscriber").order_by("pk")
    assert [(f.subscriber, f.from_user, f.score) for f in rows] == [
        (hook, None, None),
        (mei, None, None),
    ]
    assert not Feedback.objects.filter(subscriber=portal_only).exists()
    [hooked] = http_sink.received
    assert hooked["title"] == "Resolved: ERP down. How did we do?"
    assert hooked["message"].startswith(
        "“ERP down”, which our status page told you about, is resolved.\n"
    )
    assert "Status page: http://127.0.0.1:8000/status?lang=en" in hooked["message"]
    assert "/status/unsubscribe/" in hooked["message"]
    assert survey_path(hooked["message"]).endswith("?lang=en")
    [letter] = mail.mailbox.messages
    assert mail.mailbox.envelopes[0][1] == ["mei@example.com"]
    assert letter["Subject"] == "已解决：ERP down。请评价我们的处理"
    assert survey_path(letter.get_content()).endswith("?lang=zh-hans")
    assert sorted(SubscriberDelivery.objects.values_list("kind", "status")) == [
        ("survey", "sent"),
        ("survey", "sent"),
    ]
    # Once: asking again (a doubled effect, a later update) sends nothing more.
    assert surveys.survey_subscribers(incident) == []
    with django_capture_on_commit_callbacks(execute=True):
        post(incident, "All fixed.", status="resolved")
    assert Feedback.objects.filter(source="subscriber").count() == 2
    assert SubscriberDelivery.objects.filter(kind="survey").count() == 2


def test_the_link_is_answered_once_without_signing_in(
    http_sink: HttpSink,
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    commander: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    subscriber = confirmed(webhook=http_sink.url(), language="zh-hans")
    incident = make_incident("ERP down", "ERP")
    post(incident, "Ordering is down.")
    with django_capture_on_commit_callbacks(execute=True):
        resolve(incident, commander)
    path = survey_path(http_sink.received[-1]["message"])
    public = Client()

    page = public.get(path)
    assert (page.status_code, page["Content-Language"]) == (200, "zh-hans")
    body = page.content.decode()
    assert "请评价我们的处理" in body and "ERP down" in body and 'name="score"' in body
    assert incident.reference not in body  # the status page does not show references

    refused = public.post(path, {"score": "9"})
    assert refused.status_code == 400
    answered = public.post(path, {"score": "5", "comment": "  Clear updates.  "})
    assert answered.status_code == 200
    assert "谢谢" in answered.content.decode()
    feedback = Feedback.objects.get(subscriber=subscriber)
    assert (feedback.score, feedback.comment, feedback.source) == (
        5,
        "Clear updates.",
        "subscriber",
    )

    again = public.post(path, {"score": "1"})
    assert again.status_code == 409
    feedback.refresh_from_db()
    assert feedback.score == 5
    token = path.split("/")[3].split("?")[0]
    assert public.get(path.replace(token, token[:-2] + "xx")).status_code == 400
    assert public.get("/status/survey/not-a-token?lang=en").status_code == 400


def test_answers_count_beside_the_reporters_in_the_report_and_the_evaluation(
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    commander: User,
    outsider: User,
) -> None:
    hook = confirmed(webhook="json://127.0.0.1:9/hook")
    other = confirmed(webhook="json://127.0.0.1:9/other")
    incident = make_incident("ERP down", "ERP")
    Incident.objects.filter(pk=incident.pk).update(reporter=outsider)
    incident.refresh_from_db()
    post(incident, "Ordering is down.")
    resolve(incident, commander)
    assert Feedback.objects.filter(incident=incident).count() == 3
    evaluation.submit_feedback(Feedback.objects.get(from_user=outsider), score=2)
    evaluation.submit_feedback(Feedback.objects.get(subscriber=hook), score=5, comment="Fast.")
    evaluation.submit_feedback(Feedback.objects.get(subscriber=other), score=4)

    overall = evaluation_of(this_month()).overall
    assert overall.feedback is not None
    assert (overall.feedback.sent, overall.feedback.answered, overall.feedback.average) == (
        3,
        3,
        3.67,
    )
    report = Report.objects.get(incident=incident)
    [section] = [s for s in build_document(report, lang="en").sections if s.key == "feedback"]
    assert section.table is not None
    assert section.table.rows == [
        ["3 of 3 surveys answered", "3.7"],
        ["reporter: 1", "2.0"],
        ["status page subscribers: 2", "4.5"],
    ]
    assert section.text == "- Fast."
    [zh] = [s for s in build_document(report, lang="zh-hans").sections if s.key == "feedback"]
    assert zh.table is not None
    assert zh.table.rows[1:] == [["上报人：1 份", "2.0"], ["状态页订阅者：2 份", "4.5"]]


def test_no_survey_for_drills_or_incidents_the_status_page_never_showed(
    components: Any, make_incident: MakeIncident, post: Any, commander: User
) -> None:
    confirmed(webhook="json://127.0.0.1:9/hook")
    quiet = make_incident("ERP slow", "ERP")  # no public update
    leak = make_incident("Leak", "CRM", category="data_leak", restricted=True)
    drill = make_incident("DRILL ERP down", "ERP", drill=True)
    post(drill, "Drill.")
    for incident in (quiet, leak, drill):
        resolve(incident, commander)
    assert not Feedback.objects.filter(source="subscriber").exists()
    assert not SubscriberDelivery.objects.filter(kind="survey").exists()


def test_a_restricted_incident_is_named_as_the_status_page_names_it(
    http_sink: HttpSink,
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    commander: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    everything = confirmed(webhook=http_sink.url())
    portal = confirmed(webhook=http_sink.url("/portal"), components=[components["Customer portal"]])
    leak = make_incident("Customer list leaked", "CRM", category="data_leak", restricted=True)
    post(leak, "Some accounts may be affected.")
    with django_capture_on_commit_callbacks(execute=True):
        resolve(leak, commander)
    assert [f.subscriber for f in Feedback.objects.filter(source="subscriber")] == [everything]
    assert not Feedback.objects.filter(subscriber=portal).exists()
    [message] = [m for m in http_sink.received if "How did we do?" in m["title"]]
    assert message["title"] == "Resolved: Service incident. How did we do?"
    assert "Customer list leaked" not in message["message"]
    page = Client().get(survey_path(message["message"])).content.decode()
    assert "Service incident" in page
    assert "Customer list leaked" not in page and leak.reference not in page


def test_a_first_public_update_after_resolution_sends_the_survey_then(
    http_sink: HttpSink,
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    commander: User,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    confirmed(webhook=http_sink.url())
    incident = make_incident("ERP down", "ERP")
    resolve(incident, commander)
    assert not Feedback.objects.filter(source="subscriber").exists()
    with django_capture_on_commit_callbacks(execute=True):
        post(incident, "Ordering was down for an hour this morning.", status="resolved")
    assert [m["title"] for m in http_sink.received] == [
        "[Resolved] ERP down",
        "Resolved: ERP down. How did we do?",
    ]
    with django_capture_on_commit_callbacks(execute=True):
        post(incident, "The cause was a full disk.", status="resolved")
    assert len(http_sink.received) == 3
    assert Feedback.objects.filter(source="subscriber").count() == 1
