"""queue_deliveries, claim/deliver and sweep against real channels on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from tests.notify.conftest import HttpSink, SmtpSink, message
from warroom.notify import services
from warroom.notify.models import Delivery
from warroom.notify.services import (
    MAX_ATTEMPTS,
    claim_delivery,
    deliver,
    queue_deliveries,
    send_due_delivery,
    send_test_message,
    sweep,
)
from warroom.notify.tasks import task_send_delivery
from warroom.people.models import ContactMethod

Status = Delivery.Status
MakePerson = Callable[..., User]
Capture = Any  # pytest-django's django_capture_on_commit_callbacks


def _overdue(row: Delivery, seconds: int = 60) -> None:
    Delivery.objects.filter(pk=row.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=seconds)
    )


# --- queueing -------------------------------------------------------------------------------


def test_queue_deliveries_one_row_per_contact_method_and_one_for_the_unreachable(
    person: MakePerson, django_capture_on_commit_callbacks: Capture
) -> None:
    ann = person("ann", "json://127.0.0.1:9/a", "json://127.0.0.1:9/b", language="en")
    bo = person("bo", language="zh-hans")
    render = message()

    with django_capture_on_commit_callbacks() as callbacks:
        rows = queue_deliveries([ann, bo], render, incident_id=42)

    assert render.calls == [("ann", "en"), ("bo", "zh-hans")]  # type: ignore[attr-defined]
    assert [(r.recipient_id, r.label, r.scheme, r.status, r.language) for r in rows] == [
        (ann.pk, "channel 0", "json", Status.PENDING, "en"),
        (ann.pk, "channel 1", "json", Status.PENDING, "en"),
        (bo.pk, "", "", Status.UNDELIVERABLE, "zh-hans"),
    ]
    assert rows[0].subject == "Disk full on erp-db"
    assert rows[2].subject == "磁盘已满：Disk full on erp-db"
    assert rows[2].last_error == "the person has no contact method"
    assert {r.incident_id for r in rows} == {42}
    assert {r.kind for r in rows} == {"test.kind"}
    assert Delivery.objects.count() == 3
    # One send task per pending row, queued only once the transaction commits.
    assert len(callbacks) == 2


def test_queue_deliveries_of_a_drill_are_marked_in_each_language(person: MakePerson) -> None:
    ann = person("ann", "json://127.0.0.1:9/a", language="en")
    bo = person("bo", "json://127.0.0.1:9/b", language="zh-hans")

    rows = queue_deliveries([ann, bo], message(body="Open: http://x/1/"), drill=True)

    assert [(r.subject, r.body, r.drill) for r in rows] == [
        ("[DRILL] Disk full on erp-db", "[DRILL] Open: http://x/1/", True),
        ("【演练】磁盘已满：Disk full on erp-db", "【演练】打开：Open: http://x/1/", True),
    ]


def test_queue_deliveries_names_a_person_twice_notifies_once(person: MakePerson) -> None:
    ann = person("ann", "json://127.0.0.1:9/a")
    render = message()

    rows = queue_deliveries([ann, ann], render)

    assert len(rows) == 1
    assert render.calls == [("ann", "en")]  # type: ignore[attr-defined]


def test_queue_deliveries_without_profile_uses_chinese(
    db: Any, django_capture_on_commit_callbacks: Capture
) -> None:
    loner = User.objects.create_user("loner")
    ContactMethod.objects.create(user=loner, label="hook", url="json://127.0.0.1:9/")

    [row] = queue_deliveries([loner], message())

    assert row.language == "zh-hans"


def test_queue_deliveries_rolled_back_queues_nothing(
    person: MakePerson, django_capture_on_commit_callbacks: Capture
) -> None:
    ann = person("ann", "json://127.0.0.1:9/a")

    with (
        django_capture_on_commit_callbacks() as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        queue_deliveries([ann], message())
        raise RuntimeError("the change that caused the page failed")

    assert callbacks == []
    assert Delivery.objects.count() == 0


# --- sending through real channels -------------------------------------------------------------


def test_delivery_by_email_reaches_the_smtp_server(
    person: MakePerson, smtp_sink: SmtpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    ann = person("ann", smtp_sink.url(to="ann@example.com"), language="zh-hans")

    with django_capture_on_commit_callbacks(execute=True):
        [row] = queue_deliveries([ann], message())

    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == (Status.SENT, 1, "")
    assert row.sent_at is not None
    assert len(smtp_sink.mailbox.messages) == 1
    mail = smtp_sink.mailbox.messages[0]
    assert mail["Subject"] == "磁盘已满：Disk full on erp-db"
    assert mail["To"] == "ann@example.com"
    assert smtp_sink.mailbox.envelopes == [("warroom@example.com", ["ann@example.com"])]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert body.get_content().strip() == "打开：Open: http://x/1/"


def test_delivery_by_json_webhook_reaches_the_http_sink(
    person: MakePerson, http_sink: HttpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    ann = person("ann", http_sink.url("/pager"))

    with django_capture_on_commit_callbacks(execute=True):
        [row] = queue_deliveries([ann], message(), drill=True)

    row.refresh_from_db()
    assert row.status == Status.SENT
    assert http_sink.paths == ["/pager"]
    [payload] = http_sink.received
    assert payload["title"] == "[DRILL] Disk full on erp-db"
    assert payload["message"] == "[DRILL] Open: http://x/1/"


def test_failed_send_is_retried_with_backoff_and_sent_once(
    person: MakePerson, down_sink: HttpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    ann = person("ann", down_sink.url())
    before = timezone.now()

    with django_capture_on_commit_callbacks(execute=True):
        [row] = queue_deliveries([ann], message())

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert row.last_error == (
        "WARNING: A Connection error occurred sending JSON notification to 127.0.0.1."
    )
    assert row.next_attempt_at is not None
    assert (
        before + timedelta(seconds=30)
        <= row.next_attempt_at
        <= timezone.now() + timedelta(seconds=30)
    )
    # The retry waits in the queue's schedule, due with the row.
    [retry] = HUEY.scheduled()
    assert retry.args == (row.pk,)
    assert retry.eta is not None

    # Not yet due: the task (early, or doubled) does nothing.
    assert send_due_delivery(row.pk) is None
    down_sink.start()
    _overdue(row)

    with django_capture_on_commit_callbacks(execute=True):
        sent = send_due_delivery(row.pk)

    assert sent is not None
    assert (sent.status, sent.attempts) == (Status.SENT, 2)
    # A stale or doubled task for a sent row sends nothing more.
    task_send_delivery(row.pk)
    assert send_due_delivery(row.pk) is None
    assert len(down_sink.received) == 1
    assert Delivery.objects.get(pk=row.pk).status == Status.SENT


def test_http_error_status_is_a_failed_attempt_with_the_reason(
    person: MakePerson, http_sink: HttpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    http_sink.status = 503
    ann = person("ann", http_sink.url())

    with django_capture_on_commit_callbacks(execute=True):
        [row] = queue_deliveries([ann], message())

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.FAILED, 1)
    assert "503" in row.last_error


def test_last_attempt_that_fails_gives_up(person: MakePerson, down_sink: HttpSink) -> None:
    ann = person("ann", down_sink.url())
    [row] = queue_deliveries([ann], message())
    Delivery.objects.filter(pk=row.pk).update(status=Status.FAILED, attempts=MAX_ATTEMPTS - 1)

    sent = send_due_delivery(row.pk)

    assert sent is not None
    assert (sent.status, sent.attempts, sent.next_attempt_at) == (Status.DEAD, MAX_ATTEMPTS, None)
    assert HUEY.scheduled() == []


def test_retry_delays_grow_and_are_capped() -> None:
    assert [services.retry_delay(n) for n in range(1, 7)] == [30, 120, 480, 1800, 1800, 1800]


def test_claim_only_once(person: MakePerson) -> None:
    [row] = queue_deliveries([person("ann", "json://127.0.0.1:9/")], message())

    first = claim_delivery(row.pk)
    second = claim_delivery(row.pk)

    assert first is not None
    assert (first.status, first.attempts, first.next_attempt_at) == (Status.SENDING, 1, None)
    assert second is None


def test_deliver_refuses_a_row_that_was_not_claimed(person: MakePerson) -> None:
    [row] = queue_deliveries([person("ann", "json://127.0.0.1:9/")], message())

    with pytest.raises(ValueError, match="not claimed"):
        deliver(row)


def test_removed_contact_method_makes_the_row_undeliverable(person: MakePerson) -> None:
    ann = person("ann", "json://127.0.0.1:9/")
    [row] = queue_deliveries([ann], message())
    ContactMethod.objects.filter(user=ann).delete()

    sent = send_due_delivery(row.pk)

    assert sent is not None
    assert (sent.status, sent.last_error) == (
        Status.UNDELIVERABLE,
        "the contact method was removed",
    )
    assert (sent.label, sent.scheme) == ("channel 0", "json")


def test_url_apprise_cannot_use_makes_the_row_undeliverable(db: Any) -> None:
    user = User.objects.create_user("ann")
    ContactMethod.objects.create(user=user, label="typo", url="jsn://127.0.0.1/")
    [row] = queue_deliveries([user], message())

    sent = send_due_delivery(row.pk)

    assert sent is not None
    assert sent.status == Status.UNDELIVERABLE
    assert sent.last_error == "Apprise cannot use the URL of this contact method (scheme 'jsn')"


def test_send_test_message_queues_one_row_for_that_method(
    person: MakePerson, http_sink: HttpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    ann = person("ann", "json://127.0.0.1:9/other", http_sink.url("/mine"))
    method = ContactMethod.objects.get(user=ann, label="channel 1")

    with django_capture_on_commit_callbacks(execute=True):
        row = send_test_message(method)

    row.refresh_from_db()
    assert (row.kind, row.status, row.contact_method_id) == ("test", Status.SENT, method.pk)
    assert http_sink.paths == ["/mine"]
    [payload] = http_sink.received
    assert payload["title"] == "warroom test message"
    assert payload["message"].startswith(
        "This is a test message from warroom to your contact method “channel 1”."
    )
    assert payload["message"].endswith("/notify/deliveries/")


# --- the sweep --------------------------------------------------------------------------------


def test_sweep_sends_a_pending_row_whose_task_was_lost(
    person: MakePerson, http_sink: HttpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    ann = person("ann", http_sink.url())
    # Callbacks not executed: the task is lost, as when the queue dies before the worker runs it.
    [lost] = queue_deliveries([ann], message(subject="lost"))
    [recent] = queue_deliveries([ann], message(subject="recent"))
    _overdue(lost, seconds=31)
    _overdue(recent, seconds=10)  # its task may simply not have run yet: left alone

    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == 1

    assert Delivery.objects.get(pk=lost.pk).status == Status.SENT
    assert Delivery.objects.get(pk=recent.pk).status == Status.PENDING
    assert [p["title"] for p in http_sink.received] == ["lost"]


def test_sweep_retries_a_send_whose_worker_died(
    person: MakePerson, http_sink: HttpSink, django_capture_on_commit_callbacks: Capture
) -> None:
    ann = person("ann", http_sink.url())
    [row] = queue_deliveries([ann], message())
    assert claim_delivery(row.pk) is not None  # ...and the worker dies before sending
    Delivery.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(minutes=4))

    assert sweep() == 0  # a slow send is not a dead worker

    Delivery.objects.filter(pk=row.pk).update(claimed_at=timezone.now() - timedelta(minutes=6))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep() == 1

    row.refresh_from_db()
    assert (row.status, row.attempts) == (Status.SENT, 2)
    assert row.last_error.startswith("the worker stopped while sending")
    assert len(http_sink.received) == 1


def test_sweep_gives_up_on_a_stuck_send_out_of_attempts(person: MakePerson) -> None:
    [row] = queue_deliveries([person("ann", "json://127.0.0.1:9/")], message())
    Delivery.objects.filter(pk=row.pk).update(
        status=Status.SENDING,
        attempts=MAX_ATTEMPTS,
        next_attempt_at=None,
        claimed_at=timezone.now() - timedelta(minutes=6),
    )

    assert sweep() == 0

    row.refresh_from_db()
    assert (row.status, row.next_attempt_at, row.claimed_at) == (Status.DEAD, None, None)


def test_late_outcome_of_a_taken_over_attempt_is_dropped(
    person: MakePerson, down_sink: HttpSink
) -> None:
    [row] = queue_deliveries([person("ann", down_sink.url())], message())
    stale = claim_delivery(row.pk)
    assert stale is not None
    # The sweep took the attempt over and a newer attempt is running.
    Delivery.objects.filter(pk=row.pk).update(claimed_at=timezone.now() + timedelta(seconds=1))

    deliver(stale)  # fails: the channel is down

    assert stale.status == Status.SENDING  # the newer attempt's state was left alone
    assert stale.last_error == ""


def test_a_row_written_by_this_process_is_claimed_without_reading_it_back(
    person: MakePerson, http_sink: HttpSink
) -> None:
    """A page sent in the worker right after its transaction committed: the claim updates the
    row and returns the object that wrote it, as the row now is; a doubled claim gets
    nothing."""
    ann = person("ann", http_sink.url())
    [row] = queue_deliveries([ann], message())

    claimed = claim_delivery(row.pk, written=row)

    assert claimed is row
    stored = Delivery.objects.get(pk=row.pk)
    assert (row.status, row.attempts, row.next_attempt_at) == (Status.SENDING, 1, None)
    assert (stored.status, stored.attempts, stored.claimed_at) == (
        row.status,
        row.attempts,
        row.claimed_at,
    )
    assert claim_delivery(row.pk, written=row) is None
    deliver(row)
    assert (row.status, len(http_sink.received)) == (Status.SENT, 1)


def test_a_row_tried_meanwhile_is_not_claimed_through_its_old_object(
    person: MakePerson,
) -> None:
    """The sweep made an attempt before the send pool got to the row: that attempt decides
    what happens next, and the pool's copy claims nothing."""
    ann = person("ann", "json://127.0.0.1:9/a")
    [row] = queue_deliveries([ann], message())
    Delivery.objects.filter(pk=row.pk).update(status=Status.FAILED, attempts=1)

    assert claim_delivery(row.pk, written=row) is None
    assert Delivery.objects.get(pk=row.pk).status == Status.FAILED
