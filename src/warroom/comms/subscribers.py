"""Subscribers of the status page and the messages sent to them.

Subscribing is double opt-in: the address gets a signed confirmation link, and only a
confirmed subscriber receives updates. Every message carries a one-click unsubscribe link.

Messages are SubscriberDelivery rows with the notify app's life cycle and guarantees: written
in the transaction of the change that caused them, sent by a queue task after commit, claimed
with a conditional UPDATE (and SKIP LOCKED on PostgreSQL) so each attempt sends at most once,
retried with notify's backoff, and re-found by a periodic sweep when a task was lost.
Subscribers are not users, so notify's Delivery (one row per contact method of a person) does
not fit them; the sending itself is Apprise, as everywhere.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Iterable, Sequence
from datetime import timedelta
from functools import partial
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import apprise
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.comms import conf, messages
from warroom.comms.models import PublicUpdate, StatusComponent, Subscriber, SubscriberDelivery
from warroom.comms.queries import affected_components
from warroom.incidents.models import Incident
from warroom.lib.errors import DomainError
from warroom.notify.services import (
    LOST_TASK_GRACE,
    MAX_ATTEMPTS,
    SENDING_TIMEOUT,
    SWEEP_BATCH,
    Message,
    retry_delay,
)

log = logging.getLogger(__name__)

Status = SubscriberDelivery.Status
State = Subscriber.State

CONFIRM_SALT = "warroom.comms.confirm"
UNSUBSCRIBE_SALT = "warroom.comms.unsubscribe"
CONFIRM_MAX_AGE = 7 * 24 * 3600
# The subscribe form is public: it sends at most one confirmation per address in this time,
# so it cannot be used to flood someone's inbox.
RESEND_AFTER = timedelta(minutes=10)
ERROR_LIMIT = 2000
# Channels a webhook subscriber may use: web hooks and chat rooms, not local notifiers.
WEBHOOK_SCHEMES = frozenset(
    {
        "json",
        "jsons",
        "form",
        "forms",
        "xml",
        "xmls",
        "slack",
        "msteams",
        "discord",
        "dingtalk",
        "wecombot",
        "feishu",
        "lark",
        "ntfy",
        "ntfys",
        "tgram",
        "matrix",
        "matrixs",
        "mmost",
        "mmosts",
        "rocket",
        "rockets",
        "gchat",
    }
)
# The schemes whose host warroom connects to directly (the others are cloud services).
DIRECT_SCHEMES = frozenset({"json", "jsons", "form", "forms", "xml", "xmls", "ntfy", "ntfys"})


# --- subscribing ------------------------------------------------------------------------------


def webhook_url(raw: str) -> str:
    """The Apprise URL for a webhook given as http(s)://... or as an Apprise URL. Raises
    DomainError for a channel that is not a webhook or chat service, a URL Apprise cannot use
    or (unless allowed) a host on a loopback or private address."""
    url = raw.strip()
    if url.startswith("https://"):
        url = "jsons://" + url.removeprefix("https://")
    elif url.startswith("http://"):
        url = "json://" + url.removeprefix("http://")
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in WEBHOOK_SCHEMES:
        raise DomainError("webhook", _("give an http(s):// URL or an Apprise URL such as json://"))
    if not apprise.Apprise().add(url):
        raise DomainError("webhook", _("this URL cannot be used"))
    if scheme in DIRECT_SCHEMES and not conf.private_webhooks_allowed():
        _check_public_host(urlsplit(url).hostname or "")
    return url


def _check_public_host(host: str) -> None:
    try:
        infos = socket.getaddrinfo(host, None)
    except (OSError, UnicodeError) as exc:
        raise DomainError("webhook", _("the host %(host)s is unknown") % {"host": host}) from exc
    for info in infos:
        address = ipaddress.ip_address(info[4][0])
        if not address.is_global:
            raise DomainError("webhook", _("the host must be reachable from the internet"))


def mail_apprise_url(address: str) -> str | None:
    """The configured mail URL with `address` as its recipient; None when mail is not set up."""
    base = conf.mail_url()
    if not base:
        return None
    parts = urlsplit(base)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "to"]
    query.append(("to", address))
    return urlunsplit(parts._replace(query=urlencode(query)))


def subscribe(
    *,
    email: str = "",
    webhook: str = "",
    components: Sequence[StatusComponent] = (),
    language: str = "zh-hans",
) -> Subscriber:
    """Ask for updates by email or by webhook (exactly one), for some components (none: all).

    Sends the confirmation link — or, to a confirmed subscriber, a note that nothing changed
    (whoever fills in the public form must not change someone else's subscription). Answers
    the same whatever the address's state, and sends at most one message per RESEND_AFTER.
    Raises DomainError for bad input.
    """
    email, webhook = email.strip(), webhook.strip()
    if bool(email) == bool(webhook):
        raise DomainError("email", _("give an email address or a webhook URL"))
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise DomainError("email", _("enter a valid email address")) from exc
        if not conf.mail_url():
            raise DomainError("email", _("email subscriptions are not available here"))
        kind, address = Subscriber.Kind.EMAIL, email.lower()
    else:
        kind, address = Subscriber.Kind.WEBHOOK, webhook_url(webhook)
    if language not in dict(settings.LANGUAGES):
        raise DomainError("language", _("unknown language"))
    with transaction.atomic():
        subscriber, created = Subscriber.objects.select_for_update().get_or_create(
            kind=kind, address=address, defaults={"language": language}
        )
        recent = subscriber.deliveries.filter(
            kind__in=("confirm", "already"), created_at__gt=timezone.now() - RESEND_AFTER
        ).exists()
        if subscriber.state == State.CONFIRMED:
            if not recent:
                _queue(
                    subscriber, messages.already_subscribed(subscriber, unsubscribe_url(subscriber))
                )
            return subscriber
        if subscriber.state == State.UNSUBSCRIBED:
            # A fresh key: links of the old subscription stop working.
            subscriber.key = Subscriber._meta.get_field("key").get_default()
            subscriber.state, subscriber.unsubscribed_at = State.PENDING, None
            recent = False
        subscriber.language = language
        subscriber.save()
        subscriber.components.set(list(components))
        if created or not recent:
            _queue(
                subscriber,
                messages.confirmation(
                    subscriber, confirm_url(subscriber), unsubscribe_url(subscriber)
                ),
            )
    return subscriber


def _token(subscriber: Subscriber, salt: str) -> str:
    return signing.dumps({"s": subscriber.pk, "k": subscriber.key}, salt=salt, compress=True)


def confirm_url(subscriber: Subscriber) -> str:
    token = _token(subscriber, CONFIRM_SALT)
    return settings.BASE_URL + reverse("comms:confirm", args=[token])


def unsubscribe_url(subscriber: Subscriber) -> str:
    token = _token(subscriber, UNSUBSCRIBE_SALT)
    return settings.BASE_URL + reverse("comms:unsubscribe", args=[token])


def read_token(token: str, *, purpose: str) -> Subscriber:
    """The subscriber a signed link names ("confirm" links expire after 7 days, "unsubscribe"
    links never do). Raises DomainError for a forged, expired or void link."""
    salt, max_age = (
        (CONFIRM_SALT, CONFIRM_MAX_AGE) if purpose == "confirm" else (UNSUBSCRIBE_SALT, None)
    )
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise DomainError("token", _("this link has expired; subscribe again")) from exc
    except signing.BadSignature as exc:
        raise DomainError("token", _("this link is not valid")) from exc
    subscriber = Subscriber.objects.filter(pk=data.get("s"), key=data.get("k")).first()
    if subscriber is None:
        raise DomainError("token", _("this link is not valid"))
    return subscriber


def confirm_subscription(subscriber: Subscriber) -> Subscriber:
    """The address owner opened the confirmation link: updates start. Confirming twice is
    harmless; an unsubscribed address must subscribe again (its key changed anyway)."""
    if subscriber.state == State.UNSUBSCRIBED:
        raise DomainError("token", _("this subscription was cancelled; subscribe again"))
    if subscriber.state == State.PENDING:
        Subscriber.objects.filter(pk=subscriber.pk, state=State.PENDING).update(
            state=State.CONFIRMED, confirmed_at=timezone.now()
        )
        subscriber.refresh_from_db()
    return subscriber


def unsubscribe(subscriber: Subscriber) -> Subscriber:
    """One click ends the subscription; messages still waiting are not sent."""
    with transaction.atomic():
        Subscriber.objects.filter(pk=subscriber.pk).exclude(state=State.UNSUBSCRIBED).update(
            state=State.UNSUBSCRIBED, unsubscribed_at=timezone.now()
        )
        subscriber.deliveries.filter(status__in=(Status.PENDING, Status.FAILED)).update(
            status=Status.UNDELIVERABLE, next_attempt_at=None, last_error="unsubscribed"
        )
    subscriber.refresh_from_db()
    return subscriber


# --- queueing ---------------------------------------------------------------------------------


def audience(incident: Incident) -> QuerySet[Subscriber]:
    """The confirmed subscribers told about `incident`: those of the components it touches,
    and those of everything (only they, for a restricted incident, which names no component)."""
    components = affected_components(incident)
    targets = Q(components__isnull=True)
    if components:
        targets |= Q(components__in=components)
    return Subscriber.objects.filter(targets, state=State.CONFIRMED).distinct().order_by("pk")


def queue_update_notices(update: PublicUpdate) -> list[SubscriberDelivery]:
    """One row per subscriber of the update's incident's audience. Written in the caller's
    transaction, sent after commit."""
    rows = [
        _row(subscriber, messages.public_update(update, subscriber, unsubscribe_url(subscriber)))
        for subscriber in audience(update.incident)
    ]
    for row in rows:
        row.public_update = update
    return _save_and_enqueue(rows)


def queue_messages(items: Iterable[tuple[Subscriber, Message]]) -> list[SubscriberDelivery]:
    """One row per (subscriber, message), written in the caller's transaction and sent after
    commit, with the life cycle above."""
    return _save_and_enqueue([_row(subscriber, message) for subscriber, message in items])


def _row(subscriber: Subscriber, message: Message) -> SubscriberDelivery:
    return SubscriberDelivery(
        subscriber=subscriber,
        kind=message.kind,
        subject=message.subject,
        body=message.body,
        status=Status.PENDING,
        next_attempt_at=timezone.now(),
    )


def _queue(subscriber: Subscriber, message: Message) -> list[SubscriberDelivery]:
    return _save_and_enqueue([_row(subscriber, message)])


def _save_and_enqueue(rows: list[SubscriberDelivery]) -> list[SubscriberDelivery]:
    with transaction.atomic():
        created = SubscriberDelivery.objects.bulk_create(rows)
        for row in created:
            transaction.on_commit(partial(_enqueue, row.pk))
    return created


def _enqueue(delivery_id: int, delay: int | None = None) -> None:
    # Imported here: the tasks module imports this one.
    from warroom.comms.tasks import task_send_subscriber_delivery

    if delay:
        task_send_subscriber_delivery.schedule(args=(delivery_id,), delay=delay)
    else:
        task_send_subscriber_delivery(delivery_id)


# --- sending ----------------------------------------------------------------------------------


def claim_delivery(delivery_id: int) -> SubscriberDelivery | None:
    """Take a due row for sending ('sending', attempt counted); None when there is nothing to
    do (sent, finished, claimed by another worker, not yet due, gone). One conditional UPDATE
    decides the winner; on PostgreSQL SKIP LOCKED first passes over a row being claimed."""
    now = timezone.now()
    due = SubscriberDelivery.objects.filter(
        pk=delivery_id, status__in=(Status.PENDING, Status.FAILED), next_attempt_at__lte=now
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked and not list(
            due.select_for_update(skip_locked=True).values_list("pk", flat=True)
        ):
            return None
        claimed = due.update(
            status=Status.SENDING, claimed_at=now, next_attempt_at=None, attempts=F("attempts") + 1
        )
        if not claimed:
            return None
        return SubscriberDelivery.objects.select_related("subscriber").get(pk=delivery_id)


def deliver(delivery: SubscriberDelivery) -> None:
    """Send a claimed row through Apprise and record the outcome (sent; failed and retried
    after a backoff; dead after MAX_ATTEMPTS; undeliverable when the subscriber left or the
    address cannot be used). Call it outside a transaction: a channel may take seconds."""
    if delivery.status != Status.SENDING or delivery.claimed_at is None:
        raise ValueError(f"subscriber delivery {delivery.pk} is {delivery.status!r}, not claimed")
    subscriber = delivery.subscriber
    wanted = (State.PENDING, State.CONFIRMED) if delivery.kind == "confirm" else (State.CONFIRMED,)
    if subscriber.state not in wanted:
        _record(delivery, "the subscriber is no longer subscribed", final=Status.UNDELIVERABLE)
    else:
        url = (
            mail_apprise_url(subscriber.address)
            if subscriber.kind == Subscriber.Kind.EMAIL
            else subscriber.address
        )
        channel = apprise.Apprise()
        if url is None or not channel.add(url):
            _record(
                delivery, "no usable Apprise URL for this subscriber", final=Status.UNDELIVERABLE
            )
        else:
            _record(delivery, _notify(channel, title=delivery.subject, body=delivery.body))
    delivery.refresh_from_db()


def send_due_delivery(delivery_id: int) -> SubscriberDelivery | None:
    """Claim and deliver one row (what the queue task does); None when it was not due."""
    delivery = claim_delivery(delivery_id)
    if delivery is not None:
        deliver(delivery)
    return delivery


def sweep() -> int:
    """Re-enqueue rows whose task was lost, and give attempts a dead worker left in 'sending'
    another try (or up). Returns how many rows were enqueued. See notify.services.sweep."""
    now = timezone.now()
    with transaction.atomic():
        stuck_rows = SubscriberDelivery.objects.filter(
            status=Status.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
        )
        stuck = list(stuck_rows.order_by("claimed_at").values_list("pk", "attempts")[:SWEEP_BATCH])
        retry = [pk for pk, attempts in stuck if attempts < MAX_ATTEMPTS]
        give_up = [pk for pk, attempts in stuck if attempts >= MAX_ATTEMPTS]
        error = "the worker stopped while sending; the message may or may not have gone out"
        stuck_rows.filter(pk__in=retry).update(
            status=Status.FAILED, next_attempt_at=now, claimed_at=None, last_error=error
        )
        stuck_rows.filter(pk__in=give_up).update(
            status=Status.DEAD, next_attempt_at=None, claimed_at=None, last_error=error
        )
        lost = list(
            SubscriberDelivery.objects.filter(
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
        log.info("comms sweep: re-enqueued %d subscriber deliveries", len(enqueued))
    return len(enqueued)


def _notify(channel: apprise.Apprise, *, title: str, body: str) -> str | None:
    """None when Apprise handed the message over, else why not (Apprise's own log lines)."""
    try:
        result = channel.notify(body=body, title=title, body_format=apprise.NotifyFormat.TEXT)
    except Exception as exc:  # any failure of a channel is a failed attempt, not a lost row
        return f"{type(exc).__name__}: {exc}"
    with result:
        if result:
            return None
        reasons = [f"{entry.level}: {entry.message}" for entry in result.logs()]
    return "\n".join(reasons) or "Apprise reported a failure without giving a reason"


def _record(delivery: SubscriberDelivery, error: str | None, *, final: str | None = None) -> None:
    """Store the attempt's outcome: sent (error None), `final`, a retry after the backoff, or
    'dead' once out of attempts. Only this attempt's claim is overwritten, so a stale attempt
    cannot undo a newer one's outcome — except 'sent', which always wins: a message that went
    out must never be sent again."""
    now = timezone.now()
    if error is None:
        SubscriberDelivery.objects.filter(pk=delivery.pk).exclude(status=Status.SENT).update(
            status=Status.SENT, sent_at=now, next_attempt_at=None, claimed_at=None, last_error=""
        )
        return
    retrying = final is None and delivery.attempts < MAX_ATTEMPTS
    delay = retry_delay(delivery.attempts) if retrying else 0
    status = Status.FAILED if retrying else Status(final or Status.DEAD)
    with transaction.atomic():
        updated = SubscriberDelivery.objects.filter(
            pk=delivery.pk, status=Status.SENDING, claimed_at=delivery.claimed_at
        ).update(
            status=status,
            next_attempt_at=now + timedelta(seconds=delay) if retrying else None,
            claimed_at=None,
            last_error=error[:ERROR_LIMIT],
        )
        if updated and delay:
            transaction.on_commit(partial(_enqueue, delivery.pk, delay))
    if not updated:
        log.warning("subscriber delivery %s: outcome dropped, the row was taken over", delivery.pk)
