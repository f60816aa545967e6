"""Writes of the evaluation: the survey sent after resolution and its answer (plan §6.2).

The survey is a Feedback row written in the resolution's transaction, with a delivery to the
reporter; its signed link names the row, so it can be answered once and only once.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from warroom.evaluation.models import Feedback
from warroom.incidents.models import Incident, Status
from warroom.incidents.transitions import after
from warroom.lib.errors import Conflict, DomainError
from warroom.notify.services import Message, Render, queue_deliveries

SURVEY_SALT = "warroom.evaluation.survey"
# A survey answered after a month says little about how the incident was handled.
SURVEY_MAX_AGE = int(dt.timedelta(days=30).total_seconds())
COMMENT_LIMIT = 2000


@after(Status.RESOLVED)
def _survey_on_resolve(incident: Incident, actor: User | None) -> None:
    send_survey(incident)


def send_survey(incident: Incident) -> list[Feedback]:
    """Ask the reporter how the incident was handled: a Feedback row and a delivery with its
    link, in the resolution's transaction. Returns the rows written.

    Drills send nothing: they stay out of the real evaluation, and their "reporter" is whoever
    ran the drill. An incident reported by monitoring has no reporter to ask. Subscribers of
    the status page are not asked here: they are no users of warroom, and the status page's
    app owns them (`comms.surveys` writes their Feedback rows, answered through the same
    token). Safe to run twice: a person already asked is not asked again.
    """
    if incident.is_drill:
        return []
    recipients = [user for user in survey_recipients(incident) if user.is_active]
    asked = set(
        Feedback.objects.filter(incident=incident, from_user__in=recipients).values_list(
            "from_user_id", flat=True
        )
    )
    to_ask = [user for user in recipients if user.pk not in asked]
    rows = Feedback.objects.bulk_create(
        [Feedback(incident=incident, from_user=user) for user in to_ask]
    )
    if rows:
        by_user = {user.pk: row for user, row in zip(to_ask, rows, strict=True)}
        queue_deliveries(to_ask, survey_message(incident, by_user), incident_id=incident.pk)
    return rows


def survey_recipients(incident: Incident) -> list[User]:
    """Who is asked: the person who reported the incident, if a person did."""
    return [incident.reporter] if incident.reporter is not None else []


def survey_message(incident: Incident, rows: dict[int, Feedback]) -> Render:
    def render(user: User, lang: str) -> Message:
        with translation.override(lang):
            # A restricted incident is named by its reference only: the message may be read
            # on a shared screen, and the survey page is public.
            what = (
                incident.reference
                if incident.restricted
                else f"{incident.reference} ({incident.title})"
            )
            subject = _("[warroom] %(ref)s is resolved: how did we do?") % {
                "ref": incident.reference
            }
            body = "\n".join(
                [
                    _("The incident you reported, %(what)s, is resolved.") % {"what": what},
                    _(
                        "Please tell the emergency team how it was handled: a score from 1 to 5 "
                        "and, if you like, a comment. It takes a minute; the link works once."
                    ),
                    "",
                    _("Answer: %(url)s") % {"url": survey_url(rows[user.pk])},
                ]
            )
        return Message(subject=subject, body=body, kind="feedback.survey")

    return render


def survey_token(feedback: Feedback) -> str:
    return signing.dumps({"f": feedback.pk}, salt=SURVEY_SALT, compress=True)


def survey_url(feedback: Feedback) -> str:
    return settings.BASE_URL + reverse("evaluation:feedback", args=[survey_token(feedback)])


def read_survey_token(token: str) -> Feedback:
    """The Feedback row a signed link names. Raises DomainError when the link is forged,
    expired, or its survey no longer exists."""
    try:
        data = signing.loads(token, salt=SURVEY_SALT, max_age=SURVEY_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise DomainError("token", _("this link has expired")) from exc
    except signing.BadSignature as exc:
        raise DomainError("token", _("this link is not valid")) from exc
    pk = data.get("f") if isinstance(data, dict) else None
    feedback = (
        Feedback.objects.select_related("incident").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if feedback is None:
        raise DomainError("token", _("this link is not valid"))
    return feedback


def submit_feedback(feedback: Feedback, *, score: int, comment: str = "") -> Feedback:
    """Record the answer to a survey. Raises DomainError for a score outside 1–5 or a comment
    too long, and Conflict when the survey was already answered: the write is one conditional
    UPDATE, so of two answers sent at once exactly one is kept."""
    if not isinstance(score, int) or not 1 <= score <= 5:
        raise DomainError("score", _("choose a score from 1 to 5"))
    comment = comment.strip()
    if len(comment) > COMMENT_LIMIT:
        raise DomainError("comment", _("at most %(n)d characters, please") % {"n": COMMENT_LIMIT})
    answered = Feedback.objects.filter(pk=feedback.pk, submitted_at__isnull=True).update(
        score=score, comment=comment, submitted_at=timezone.now()
    )
    if not answered:
        raise Conflict("token", _("this survey has already been answered"))
    feedback.refresh_from_db()
    return feedback
