"""Writes of notifications: queue delivery rows, claim one, send it through Apprise, retry, sweep.

The life of a row: `pending` → (claimed) `sending` → `sent`, or → `failed` (retried with backoff)
→ ... → `dead` after MAX_ATTEMPTS. A person without a contact method, a removed contact method
or a URL Apprise cannot use gives `undeliverable` at once, so the gap shows instead of hiding.

The queue task is only the fast path: the row says what is still to send, and `sweep` re-finds
rows whose task was lost. Sending happens outside any transaction (a channel may take seconds to
answer; a SQLite write lock must not be held that long); claiming and recording are short
transactions of their own.

`last_error` holds channel errors as Apprise reports them, in English, like a log line.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import partial

import apprise
from django.conf import settings
from django.contrib.auth.models import User
from django.db import close_old_connections, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from warroom.notify.models import Delivery
from warroom.people.models import ContactMethod, Profile

log = logging.getLogger(__name__)

Status = Delivery.Status

MAX_ATTEMPTS = 6
# Seconds to wait after the n-th failed attempt: soon after a blip, then less often; the last
# value repeats. Six attempts span about 70 minutes before the row is given up as dead.
BACKOFF = (30, 120, 480, 1800)
# A due row older than this has lost its task (the queue was lost, the worker was killed).
LOST_TASK_GRACE = timedelta(seconds=30)
# No channel takes this long (Apprise's own connect/read timeouts are seconds), so an attempt
# still 'sending' after it belongs to a worker that died mid-send.
SENDING_TIMEOUT = timedelta(minutes=5)
# Bounds one sweep's work; the next sweep, a minute later, takes the rest.
SWEEP_BATCH = 500
ERROR_LIMIT = 2000
DEFAULT_LANGUAGE = "zh-hans"
DRILL_PREFIX = {"en": "[DRILL] ", "zh-hans": "【演练】"}


@dataclass(frozen=True)
class Message:
    subject: str  # already in the recipient's language
    body: str  # plain text, already in the recipient's language; carries the link
    kind: str = "info"  # e.g. "incident.reported", "incident.team_added", "order.issued", "test"


Render = Callable[[User, str], Message]


def queue_deliveries(
    recipients: Iterable[User],
    render: Render,
    *,
    incident_id: int | None = None,
    drill: bool = False,
) -> list[Delivery]:
    """One Delivery row per contact method of each recipient (a person with no contact method
    gets one row with status 'undeliverable' so the gap is visible), written in the caller's
    transaction; each row's send task is queued with transaction.on_commit. `render(user, lang)`
    is called once per recipient with the recipient's Profile.language ('zh-hans' default), and
    must return the message in that language. When drill=True the subject and body are prefixed
    with "[DRILL] " / "【演练】" (by language).

    A person named twice among the recipients is notified once. An exception from `render`
    propagates, and the caller's transaction decides what is kept.
    """
    people = list({user.pk: user for user in recipients}.values())
    if not people:
        return []
    ids = [user.pk for user in people]
    languages = dict(Profile.objects.filter(user_id__in=ids).values_list("user_id", "language"))
    methods: dict[int, list[ContactMethod]] = defaultdict(list)
    for method in ContactMethod.objects.filter(user_id__in=ids).order_by("position", "id"):
        methods[method.user_id].append(method)
    rows: list[Delivery] = []
    for user in people:
        language = languages.get(user.pk) or DEFAULT_LANGUAGE
        message = render(user, language)
        if drill:
            message = _as_drill(message, language)
        rows.extend(
            _rows_for(
                user, methods[user.pk], message, language, incident_id=incident_id, drill=drill
            )
        )
    return _save_and_enqueue(rows)


def queue_page(
    user: User,
    render: Render,
    plan: Sequence[tuple[ContactMethod, int]],
    *,
    incident_id: int,
    drill: bool = False,
) -> list[Delivery]:
    """Page one person by their own notification rules: `plan` is (contact method, delay in
    seconds) pairs — immediately by one method, after N minutes by another. Delayed rows wait
    as 'pending' with their due time (the sweep finds them should their task be lost) and are
    cancelled by `cancel_waiting` once the incident is acknowledged. An empty plan gives one
    'undeliverable' row, like queue_deliveries."""
    language = (
        Profile.objects.filter(user=user).values_list("language", flat=True).first()
        or DEFAULT_LANGUAGE
    )
    message = render(user, language)
    if drill:
        message = _as_drill(message, language)
    if not plan:
        return _save_and_enqueue(
            _rows_for(user, [], message, language, incident_id=incident_id, drill=drill)
        )
    rows = []
    now = timezone.now()
    for method, delay in plan:
        [row] = _rows_for(user, [method], message, language, incident_id=incident_id, drill=drill)
        row.next_attempt_at = now + timedelta(seconds=max(0, delay))
        rows.append(row)
    return _save_and_enqueue(rows)


def cancel_waiting(incident_id: int) -> int:
    """Cancel the not-yet-due, never-tried pages of an incident; returns how many."""
    return Delivery.objects.filter(
        incident_id=incident_id,
        status=Status.PENDING,
        attempts=0,
        next_attempt_at__gt=timezone.now(),
    ).update(status=Status.CANCELLED, next_attempt_at=None)


def send_test_message(contact_method: ContactMethod) -> Delivery:
    """Queue a short test message to one contact method ("send me a test"), in its owner's
    language, and return its row (status 'pending' until the worker has sent it)."""
    owner = contact_method.user
    language = (
        Profile.objects.filter(user=owner).values_list("language", flat=True).first()
        or DEFAULT_LANGUAGE
    )
    with translation.override(language):
        message = Message(
            subject=gettext("warroom test message"),
            body="\n".join(
                [
                    gettext(
                        "This is a test message from warroom to your contact method "
                        "“%(label)s”. If you can read it, the emergency team can reach you "
                        "this way."
                    )
                    % {"label": contact_method.label},
                    "",
                    gettext("Your deliveries: %(url)s")
                    % {"url": settings.BASE_URL + reverse("notify:deliveries")},
                ]
            ),
            kind="test",
        )
    [row] = _save_and_enqueue(_rows_for(owner, [contact_method], message, language))
    return row


def claim_delivery(delivery_id: int, *, written: Delivery | None = None) -> Delivery | None:
    """Take a due delivery for sending: the row becomes 'sending' and its attempt is counted.

    Returns the row (with its contact method) for `deliver`, or None when there is nothing to
    do: already sent or finished, claimed by another worker, not yet due, or gone — which is
    what makes a doubled or stale task harmless.

    Only one caller wins a row per attempt: the conditional UPDATE (status pending/failed and
    due → sending) is atomic on SQLite and PostgreSQL. On PostgreSQL the row is first locked
    with SKIP LOCKED so a worker passes over a row another worker is claiming instead of
    waiting for it.

    `written` is the row as this process wrote it a moment ago (a page sent in-process right
    after its transaction committed): a won claim returns it, updated as the claim updated
    the row, instead of reading the row back.
    """
    if written is not None and written.pk != delivery_id:
        written = None
    now = timezone.now()
    due = Delivery.objects.filter(
        pk=delivery_id, status__in=(Status.PENDING, Status.FAILED), next_attempt_at__lte=now
    )
    if written is not None:
        # Only while the row is as written: had another attempt (the sweep's) been made
        # meanwhile, that attempt's outcome decides what happens next, not this object.
        due = due.filter(attempts=written.attempts)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked and not list(
            due.select_for_update(skip_locked=True).values_list("pk", flat=True)
        ):
            return None
        claimed = due.update(
            status=Status.SENDING,
            claimed_at=now,
            next_attempt_at=None,
            attempts=F("attempts") + 1,
        )
        if not claimed:
            return None
        if written is not None:
            written.status, written.claimed_at, written.next_attempt_at = Status.SENDING, now, None
            written.attempts += 1
            return written
        return Delivery.objects.select_related("contact_method").get(pk=delivery_id)


def deliver(delivery: Delivery) -> None:
    """Send a delivery claimed by `claim_delivery` and record how it went: 'sent'; 'failed'
    with the next attempt scheduled after a backoff; 'dead' once MAX_ATTEMPTS attempts failed;
    'undeliverable' when the contact method is gone or Apprise cannot use its URL. `delivery`
    is refreshed with the outcome.

    Call it outside a transaction: the send may take seconds. Raises ValueError for a row that
    was not claimed (status other than 'sending').
    """
    if delivery.status != Status.SENDING or delivery.claimed_at is None:
        raise ValueError(f"delivery {delivery.pk} is {delivery.status!r}, not claimed")
    method = delivery.contact_method
    if method is None:
        _record_failure(delivery, "the contact method was removed", final=Status.UNDELIVERABLE)
    else:
        channel = apprise.Apprise()
        # The URL is read now, not copied at queue time: it may hold a token, and a person
        # who fixes a wrong address wants the fix to apply to messages still waiting.
        if not channel.add(method.url):
            _record_failure(
                delivery,
                f"Apprise cannot use the URL of this contact method (scheme {method.scheme!r})",
                final=Status.UNDELIVERABLE,
            )
        else:
            error = _notify(channel, title=delivery.subject, body=delivery.body)
            if error is None:
                _record_sent(delivery)
            else:
                _record_failure(delivery, error)
    delivery.refresh_from_db()


def send_due_delivery(delivery_id: int, *, written: Delivery | None = None) -> Delivery | None:
    """Claim and deliver one row (what the queue task does); None when it was not due.
    `written`: as for claim_delivery."""
    delivery = claim_delivery(delivery_id, written=written)
    if delivery is not None:
        deliver(delivery)
    return delivery


def sweep() -> int:
    """Re-enqueue the sends whose task was lost; returns how many were enqueued.

    - 'pending' or 'failed' rows due for more than LOST_TASK_GRACE: their task was lost (a
      queue wiped, a worker killed before it ran the task). They are enqueued again; should
      the task still be in the queue after all, the second run finds the row claimed and does
      nothing.
    - 'sending' rows claimed more than SENDING_TIMEOUT ago: the worker died mid-send. They go
      back to 'failed' for another attempt (or 'dead' when out of attempts). If that worker
      had in fact handed the message over before dying, the person gets it twice. For paging
      that is the right side to err on: a duplicate page costs a glance, a lost page can cost
      the incident. The window is small: it needs a crash between the channel's answer and
      the write of 'sent'.
    """
    now = timezone.now()
    with transaction.atomic():
        stuck = list(
            Delivery.objects.filter(status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT)
            .order_by("claimed_at")
            .values_list("pk", "attempts")[:SWEEP_BATCH]
        )
        retry = [pk for pk, attempts in stuck if attempts < MAX_ATTEMPTS]
        give_up = [pk for pk, attempts in stuck if attempts >= MAX_ATTEMPTS]
        error = "the worker stopped while sending; the message may or may not have gone out"
        # Conditional on still being stuck, in case an attempt finished since the read; such a
        # row is enqueued all the same, and its task then finds nothing to claim.
        still_stuck = Delivery.objects.filter(
            status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
        )
        still_stuck.filter(pk__in=retry).update(
            status=Status.FAILED, next_attempt_at=now, claimed_at=None, last_error=error
        )
        still_stuck.filter(pk__in=give_up).update(
            status=Status.DEAD, next_attempt_at=None, claimed_at=None, last_error=error
        )
        lost = list(
            Delivery.objects.filter(
                status__in=(Status.PENDING, Status.FAILED),
                next_attempt_at__lt=now - LOST_TASK_GRACE,
            )
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        )
        enqueued = sorted(set(lost) | set(retry))
        for pk in enqueued:
            transaction.on_commit(partial(_enqueue, pk))
    if enqueued:
        log.info("notify sweep: re-enqueued %d deliveries", len(enqueued))
    return len(enqueued)


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the `attempts`-th attempt failed (attempts >= 1)."""
    return BACKOFF[min(attempts, len(BACKOFF)) - 1]


def _as_drill(message: Message, language: str) -> Message:
    prefix = DRILL_PREFIX["zh-hans" if language.startswith("zh") else "en"]
    return replace(message, subject=prefix + message.subject, body=prefix + message.body)


def _rows_for(
    user: User,
    methods: Sequence[ContactMethod],
    message: Message,
    language: str,
    *,
    incident_id: int | None = None,
    drill: bool = False,
) -> list[Delivery]:
    common = {
        "recipient": user,
        "kind": message.kind,
        "subject": message.subject,
        "body": message.body,
        "language": language,
        "incident_id": incident_id,
        "drill": drill,
    }
    if not methods:
        return [
            Delivery(
                **common, status=Status.UNDELIVERABLE, last_error="the person has no contact method"
            )
        ]
    now = timezone.now()
    return [
        Delivery(
            **common,
            contact_method=method,
            label=method.label,
            scheme=method.scheme[:32],
            status=Status.PENDING,
            next_attempt_at=now,
        )
        for method in methods
    ]


def _save_and_enqueue(rows: list[Delivery]) -> list[Delivery]:
    """Store the rows and queue a send for each pending one once the transaction commits.

    Queuing on commit means a rolled-back change pages nobody, and a task never runs before
    its row is visible to the worker.
    """
    with transaction.atomic(savepoint=False):  # as append_event: part of the caller's change
        # bulk_create fills in primary keys on PostgreSQL and SQLite (3.35+).
        created = Delivery.objects.bulk_create(rows)
        now = timezone.now()
        for row in created:
            if row.status == Status.PENDING:
                wait = (row.next_attempt_at - now).total_seconds() if row.next_attempt_at else 0
                delay = int(wait) if wait >= 1 else None
                transaction.on_commit(partial(_enqueue, row.pk, delay, written=row))
    return created


# Set in the worker process (core.loops): sends that are due now go to this pool instead of a
# round trip through the queue. The queue's sweep still covers a send lost with the process.
_in_process: Executor | None = None


def load_channels() -> None:
    """Load Apprise's channel plugins now. The first URL Apprise parses in a process loads
    them all (~0.2 s here): a worker calls this as it starts, so that its first page does not
    wait for it."""
    apprise.Apprise().add("json://127.0.0.1/")


def send_in_process(pool: Executor | None) -> None:
    """Send this process's due deliveries with `pool` (None: through the queue again)."""
    global _in_process
    _in_process = pool


def _send_here(delivery_id: int, written: Delivery | None = None) -> None:
    try:
        send_due_delivery(delivery_id, written=written)
    except Exception:
        log.exception("sending delivery %s failed; the sweep will retry it", delivery_id)
    finally:
        close_old_connections()


def _enqueue(
    delivery_id: int, delay: int | None = None, *, written: Delivery | None = None
) -> None:
    # Imported here: the tasks module imports this one.
    from warroom.notify.tasks import task_send_delivery

    pool = _in_process
    if not delay and pool is not None:
        pool.submit(_send_here, delivery_id, written)
    elif delay:
        task_send_delivery.schedule(args=(delivery_id,), delay=delay)
    else:
        task_send_delivery(delivery_id)


def _notify(channel: apprise.Apprise, *, title: str, body: str) -> str | None:
    """None when Apprise says the message was handed over, else why not.

    Apprise reports failure as a false result and explains it in its log; the result keeps
    that log per call (unlike a handler on the shared logger, which would mix the messages
    of worker threads sending at the same time).
    """
    try:
        result = channel.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
    except Exception as exc:  # any failure of a channel is a failed attempt, not a lost row
        return f"{type(exc).__name__}: {exc}"
    with result:
        if result:
            return None
        reasons = [f"{entry.level}: {entry.message}" for entry in result.logs()]
    return "\n".join(reasons) or "Apprise reported a failure without giving a reason"


def _record_sent(delivery: Delivery) -> None:
    # Recorded whatever became of the claim meanwhile: a message that went out must never be
    # sent again, even if a sweep thought this attempt dead.
    Delivery.objects.filter(pk=delivery.pk).exclude(status=Status.SENT).update(
        status=Status.SENT, sent_at=timezone.now(), next_attempt_at=None, claimed_at=None
    )


def _record_failure(delivery: Delivery, error: str, *, final: str | None = None) -> None:
    """Store why the attempt failed and what happens next: `final` (e.g. undeliverable), else
    a retry after the backoff, else 'dead' once out of attempts."""
    now = timezone.now()
    retrying = final is None and delivery.attempts < MAX_ATTEMPTS
    delay = retry_delay(delivery.attempts) if retrying else 0
    if retrying:
        status, next_attempt_at = Status.FAILED, now + timedelta(seconds=delay)
    else:
        status, next_attempt_at = Status(final or Status.DEAD), None
    with transaction.atomic():
        # Only this attempt's claim may be overwritten: a stale attempt (taken over by a sweep
        # and a newer attempt) must not undo the newer one's outcome.
        updated = Delivery.objects.filter(
            pk=delivery.pk, status=Status.SENDING, claimed_at=delivery.claimed_at
        ).update(
            status=status,
            next_attempt_at=next_attempt_at,
            claimed_at=None,
            last_error=error[:ERROR_LIMIT],
        )
        if updated and delay:
            transaction.on_commit(partial(_enqueue, delivery.pk, delay))
    if not updated:
        log.warning("delivery %s: attempt outcome dropped, the row was taken over", delivery.pk)
