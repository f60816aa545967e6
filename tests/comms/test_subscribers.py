"""Subscribers: double opt-in, updates through real channels on 127.0.0.1 (an HTTP sink and an
SMTP server), retries, one-click unsubscribe, and who receives what."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from tests.notify.conftest import HttpSink, SmtpSink
from warroom.comms import subscribers
from warroom.comms.models import Subscriber, SubscriberDelivery
from warroom.incidents.models import Incident
from warroom.lib.errors import DomainError
from warroom.notify.services import MAX_ATTEMPTS

pytestmark = pytest.mark.django_db

Status = SubscriberDelivery.Status
MakeIncident = Callable[..., Incident]
Capture = Any  # pytest-django's django_capture_on_commit_callbacks

LINK = re.compile(r"http://127\.0\.0\.1:8000(/status/(?:confirm|unsubscribe)/[^\s]+)")


def links(text: str) -> dict[str, str]:
    """{'confirm': path, 'unsubscribe': path} of the links in a message."""
    return {path.split("/")[2]: path for path in LINK.findall(text)}


def subscribe_webhook(
    client: Client, sink: HttpSink, capture: Capture, lang: str = "en", **extra: Any
) -> Subscriber:
    with capture(execute=True):
        response = client.post(f"/status/subscribe?lang={lang}", {"webhook": sink.url(), **extra})
    assert response.status_code == 200
    assert "Check your inbox" in response.content.decode() or lang != "en"
    return Subscriber.objects.get(address=sink.url())


def confirm(client: Client, body: str) -> None:
    path = links(body)["confirm"]
    shown = client.get(path)
    assert shown.status_code == 200
    assert '<button type="submit">Confirm</button>' in shown.content.decode()
    done = client.post(path)
    assert done.status_code == 200
    assert "your subscription is confirmed" in done.content.decode()


def test_a_webhook_subscriber_confirms_gets_updates_and_unsubscribes_in_one_click(
    client: Client,
    http_sink: HttpSink,
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    capture = django_capture_on_commit_callbacks
    subscriber = subscribe_webhook(client, http_sink, capture)
    assert subscriber.state == "pending"
    [message] = http_sink.received
    assert message["title"] == "Confirm your subscription to the status page"
    assert set(links(message["message"])) == {"confirm", "unsubscribe"}

    # Unconfirmed: nothing is sent.
    incident = make_incident("ERP down", "ERP")
    with capture(execute=True):
        post(incident, "Ordering is down.")
    assert len(http_sink.received) == 1

    confirm(client, message["message"])
    subscriber.refresh_from_db()
    assert subscriber.state == "confirmed"

    with capture(execute=True):
        post(incident, "We found the cause.", status="identified")
    update = http_sink.received[-1]
    assert update["title"] == "[Identified] ERP down"
    assert update["message"].startswith("We found the cause.\n")
    assert "Status page: http://127.0.0.1:8000/status?lang=en" in update["message"]
    unsubscribe = links(update["message"])["unsubscribe"]
    assert SubscriberDelivery.objects.filter(kind="update").get().status == Status.SENT

    shown = client.get(unsubscribe)
    assert shown.status_code == 200
    assert Subscriber.objects.get(pk=subscriber.pk).state == "confirmed"  # GET changes nothing
    assert "You are unsubscribed" in client.post(unsubscribe).content.decode()
    assert Subscriber.objects.get(pk=subscriber.pk).state == "unsubscribed"

    with capture(execute=True):
        post(incident, "Fixed.", status="resolved")
    assert len(http_sink.received) == 2


def test_an_email_subscriber_through_a_real_smtp_server(
    client: Client,
    smtp_sink: SmtpSink,
    settings: Any,
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    settings.WARROOM_STATUS_MAIL_URL = (
        f"mailto://127.0.0.1:{smtp_sink.port}?smtp=127.0.0.1&mode=insecure&from=status@example.com"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/status/subscribe?lang=zh-hans", {"email": "Mei@Example.com"})
    [mail] = smtp_sink.mailbox.messages
    assert smtp_sink.mailbox.envelopes[0][1] == ["mei@example.com"]
    body = mail.get_content()
    confirm_path = links(body)["confirm"]
    assert client.post(confirm_path).status_code == 200
    assert Subscriber.objects.get().state == "confirmed"

    incident = make_incident("ERP down", "ERP")
    with django_capture_on_commit_callbacks(execute=True):
        post(incident, "Ordering is down.", "下单功能不可用。")
    assert len(smtp_sink.mailbox.messages) == 2
    update = smtp_sink.mailbox.messages[1].get_content()
    assert update.startswith("下单功能不可用。")
    assert "unsubscribe" in links(update)


def test_email_is_refused_when_mail_is_not_set_up(plan: Any) -> None:
    with pytest.raises(DomainError) as error:
        subscribers.subscribe(email="mei@example.com", language="en")
    assert error.value.message == "email subscriptions are not available here"


def test_a_failed_delivery_is_retried(
    down_sink: HttpSink,
    components: Any,
    make_incident: MakeIncident,
    post: Any,
    django_capture_on_commit_callbacks: Capture,
) -> None:
    subscriber = subscribers.subscribe(webhook=down_sink.url(), language="en")
    subscribers.confirm_subscription(subscriber)
    SubscriberDelivery.objects.all().delete()
    incident = make_incident("ERP down", "ERP")

    with django_capture_on_commit_callbacks(execute=True):
        post(incident, "Ordering is down.")  # the sink is not listening yet

    row = SubscriberDelivery.objects.get()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert row.next_attempt_at is not None
    assert 25 <= (row.next_attempt_at - timezone.now()).total_seconds() <= 30
    assert row.last_error

    down_sink.start()
    # The retry's task waits 30 s; the row says it is due, and its task runs it.
    SubscriberDelivery.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )
    subscribers.send_due_delivery(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 2, "")
    assert [m["title"] for m in down_sink.received] == ["[Investigating] ERP down"]
    # A doubled task finds nothing to claim.
    assert subscribers.send_due_delivery(row.pk) is None
    assert len(down_sink.received) == 1


def test_a_delivery_gives_up_after_the_last_attempt(
    http_sink: HttpSink, components: Any, make_incident: MakeIncident, post: Any
) -> None:
    http_sink.status = 500
    subscriber = subscribers.subscribe(webhook=http_sink.url(), language="en")
    subscribers.confirm_subscription(subscriber)
    row = SubscriberDelivery.objects.get()
    for _ in range(MAX_ATTEMPTS):
        SubscriberDelivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        subscribers.send_due_delivery(row.pk)
    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.DEAD, MAX_ATTEMPTS)
    assert len(http_sink.received) == MAX_ATTEMPTS


def test_the_sweep_finds_a_lost_task(http_sink: HttpSink, plan: Any) -> None:
    subscribers.subscribe(webhook=http_sink.url(), language="en")  # on_commit never ran
    row = SubscriberDelivery.objects.get()
    assert row.status == Status.PENDING
    SubscriberDelivery.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(minutes=5)
    )
    assert subscribers.sweep() == 1  # the task is queued on commit: run it here
    subscribers.send_due_delivery(row.pk)
    row.refresh_from_db()
    assert row.status == Status.SENT
    assert [m["title"] for m in http_sink.received] == [
        "Confirm your subscription to the status page"
    ]


def test_subscribers_get_only_the_components_they_chose(
    components: Any, make_incident: MakeIncident, post: Any, settings: Any
) -> None:
    everything = subscribers.subscribe(webhook="json://127.0.0.1:9/all", language="en")
    portal = subscribers.subscribe(
        webhook="json://127.0.0.1:9/portal",
        components=[components["Customer portal"]],
        language="en",
    )
    for sub in (everything, portal):
        subscribers.confirm_subscription(sub)
    SubscriberDelivery.objects.all().delete()

    post(make_incident("ERP down", "ERP"), "Ordering is down.")
    post(make_incident("CRM down", "CRM"), "The portal is down.")
    leak = make_incident("Leak", "CRM", category="data_leak", restricted=True)
    post(leak, "Some accounts may be affected.")
    post(make_incident("DRILL", "CRM", drill=True), "Drill.")

    got = sorted(
        (d.subscriber.address.rsplit("/", 1)[1], d.subject)
        for d in SubscriberDelivery.objects.select_related("subscriber")
    )
    assert got == [
        ("all", "[Investigating] CRM down"),
        ("all", "[Investigating] ERP down"),
        ("all", "[Investigating] Service incident"),
        ("portal", "[Investigating] CRM down"),
    ]


def test_a_stranger_cannot_change_a_confirmed_subscription(
    http_sink: HttpSink, components: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    subscriber = subscribers.subscribe(webhook=http_sink.url(), language="en")
    subscribers.confirm_subscription(subscriber)
    SubscriberDelivery.objects.update(created_at=timezone.now() - timedelta(minutes=11))
    with django_capture_on_commit_callbacks(execute=True):
        again = subscribers.subscribe(
            webhook=http_sink.url(), components=[components["Website"]], language="zh-hans"
        )
    assert again.pk == subscriber.pk
    subscriber.refresh_from_db()
    assert (subscriber.state, subscriber.language, list(subscriber.components.all())) == (
        "confirmed",
        "en",
        [],
    )
    assert [m["title"] for m in http_sink.received] == [
        "You are already subscribed to the status page"
    ]
    # The form cannot be used to flood an address: one message per ten minutes.
    with django_capture_on_commit_callbacks(execute=True):
        subscribers.subscribe(webhook=http_sink.url(), language="en")
    assert len(http_sink.received) == 1


def test_resubscribing_after_unsubscribing_voids_the_old_links(
    http_sink: HttpSink, plan: Any, client: Client
) -> None:
    subscriber = subscribers.subscribe(webhook=http_sink.url(), language="en")
    old_unsubscribe = subscribers.unsubscribe_url(subscriber).split(":8000")[1]
    subscribers.unsubscribe(subscriber)
    again = subscribers.subscribe(webhook=http_sink.url(), language="en")
    assert (again.pk, again.state) == (subscriber.pk, "pending")
    response = client.get(old_unsubscribe)
    assert response.status_code == 400
    assert "this link is not valid" in response.content.decode()


def test_forged_links_are_refused(client: Client, plan: Any) -> None:
    for path in ("/status/confirm/nonsense", "/status/unsubscribe/nonsense"):
        response = client.post(path)
        assert response.status_code == 400
        assert "this link is not valid" in response.content.decode()


def test_webhook_urls(settings: Any, plan: Any) -> None:
    settings.WARROOM_STATUS_PRIVATE_WEBHOOKS = False
    assert subscribers.webhook_url("https://8.8.8.8/status") == "jsons://8.8.8.8/status"
    for url, message in (
        ("json://127.0.0.1:8080/hook", "the host must be reachable from the internet"),
        ("http://10.1.2.3/hook", "the host must be reachable from the internet"),
        ("windows://", "give an http(s):// URL or an Apprise URL such as json://"),
        ("ftp://example.com/x", "give an http(s):// URL or an Apprise URL such as json://"),
    ):
        with pytest.raises(DomainError) as error:
            subscribers.webhook_url(url)
        assert error.value.message == message, url
    settings.WARROOM_STATUS_PRIVATE_WEBHOOKS = True
    assert subscribers.webhook_url("http://127.0.0.1:8080/hook") == "json://127.0.0.1:8080/hook"


def test_the_subscribe_form_shows_errors(client: Client, components: Any) -> None:
    response = client.post("/status/subscribe?lang=en", {})
    assert response.status_code == 200
    assert "Give an email address or a webhook URL (one of them)." in response.content.decode()
    response = client.post("/status/subscribe?lang=en", {"webhook": "windows://"})
    assert "give an http(s):// URL or an Apprise URL such as json://" in (response.content.decode())
    assert Subscriber.objects.count() == 0
