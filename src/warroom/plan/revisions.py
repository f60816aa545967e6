"""Plan revisions (plan §6.3 continuous improvement): a change of the plan is proposed as a
draft, submitted for review, approved by the commander and takes effect on a date, when a
worker applies it through `plan.services.apply_plan` as the next version. And the reminder
that the plan in force is due for its periodic review (`evaluation.review_every`).

Each state change is one function here, checked against STEPS:

    draft → in_review → approved → effective
    in_review → draft (rejected by the commander, with a reason kept on the revision)
    an edit of an approved revision sends it back to in_review

Who: anyone holding a team role of the plan (or an administrator) proposes; the proposer,
the commander, the deputy or an administrator edits and submits; only the commander (or
their backup) or an administrator approves or rejects.
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from warroom.lib.errors import DomainError
from warroom.notify.services import Message, queue_deliveries
from warroom.people.access import can_manage_plan, is_admin
from warroom.people.models import TeamMembership
from warroom.plan import queries
from warroom.plan.models import PlanRevision, PlanVersion, RevisionState
from warroom.plan.schema import parse_duration
from warroom.plan.services import (
    PlanInvalid,
    apply_plan,
    canonical,
    diff_text,
    digest,
    document_yaml,
)
from warroom.plan.validation import Problem, validate_text

log = logging.getLogger(__name__)

AnyUser = AbstractBaseUser | AnonymousUser
State = RevisionState

# (from states) → to state, per step.
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((State.DRAFT,), State.IN_REVIEW),
    "approve": ((State.IN_REVIEW,), State.APPROVED),
    "reject": ((State.IN_REVIEW,), State.DRAFT),
}
REASON_LIMIT = 2000
EDITABLE = (State.DRAFT, State.IN_REVIEW, State.APPROVED)


def describe_problem(problem: Problem) -> str:
    """'line 42: playbooks.data_leak.tasks[2].department: unknown department 'secops''."""
    where = _("line %(line)d: ") % {"line": problem.line} if problem.line else ""
    return where + (f"{problem.path}: " if problem.loc else "") + problem.message


class RevisionInvalid(DomainError):
    """The proposed YAML is not a valid plan; `problems` has each one with its line."""

    def __init__(self, problems: list[Problem]) -> None:
        listed = "; ".join(describe_problem(p) for p in problems)
        super().__init__(
            "source",
            _("the plan has %(count)d problem(s): %(problems)s")
            % {"count": len(problems), "problems": listed},
        )
        self.problems = problems


# Who may do what


def _role_kinds(user: AnyUser) -> set[str]:
    if not user.is_authenticated:
        return set()
    return set(
        TeamMembership.objects.filter(Q(person_id=user.pk) | Q(backup_id=user.pk))
        .filter(role__in_plan=True)
        .values_list("role__kind", flat=True)
    )


def can_propose(user: AnyUser) -> bool:
    """Administrators and anyone holding (or backing up) a team role of the plan in force."""
    return is_admin(user) or bool(_role_kinds(user))


def can_edit(user: AnyUser, revision: PlanRevision) -> bool:
    if not user.is_authenticated:
        return False
    return revision.proposed_by_id == user.pk or can_manage_plan(user)


def can_approve(user: AnyUser) -> bool:
    """The commander (or their backup) or an administrator: plan §3 makes the team leader
    responsible for the plan."""
    return is_admin(user) or "commander" in _role_kinds(user)


def _require(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(_("your role does not allow you to %(what)s") % {"what": what})


# Writes


def _validated(source: str) -> tuple[str, str]:
    """(sha256, canonical YAML) of a valid plan text; raises RevisionInvalid."""
    plan, problems = validate_text(source)
    if plan is None or problems:
        raise RevisionInvalid(problems)
    document = canonical(plan)
    return digest(document), document_yaml(document)


def _check_effective_on(effective_on: dt.date | None) -> None:
    if effective_on is not None and effective_on < timezone.localdate():
        raise DomainError("effective_on", _("must be today or later"))


def propose_revision(
    source: str,
    *,
    actor: User,
    comment: str = "",
    effective_on: dt.date | None = None,
) -> PlanRevision:
    """Store a valid plan text as a draft revision. Raises RevisionInvalid listing every
    problem with its line, DomainError when it equals the plan in force."""
    _require(can_propose(actor), _("propose a plan change"))
    sha, _yaml = _validated(source)
    current = PlanVersion.objects.order_by("-number").first()
    if current is not None and current.sha256 == sha:
        raise DomainError(
            "source",
            _("this is the plan in force (version %(number)s) already")
            % {"number": current.number},
        )
    _check_effective_on(effective_on)
    return PlanRevision.objects.create(
        source=source,
        comment=comment.strip()[:500],
        proposed_by=actor,
        base_version=current,
        effective_on=effective_on,
    )


def update_revision(
    revision: PlanRevision,
    *,
    actor: User,
    source: str | None = None,
    comment: str | None = None,
    effective_on: dt.date | None = None,
) -> PlanRevision:
    """Change a revision before it takes effect. A change of an approved revision withdraws
    the approval: it goes back to review."""
    _require(can_edit(actor, revision), _("change this plan revision"))
    with transaction.atomic():
        locked = PlanRevision.objects.select_for_update().get(pk=revision.pk)
        if locked.state not in EDITABLE:
            raise DomainError("state", _("a revision in effect cannot be changed"))
        changed = []
        if source is not None and source != locked.source:
            _validated(source)
            locked.source = source
            changed.append("source")
        if comment is not None and comment.strip() != locked.comment:
            locked.comment = comment.strip()[:500]
            changed.append("comment")
        if effective_on is not None and effective_on != locked.effective_on:
            _check_effective_on(effective_on)
            locked.effective_on = effective_on
            changed.append("effective_on")
        if changed and locked.state == State.APPROVED:
            locked.state = State.IN_REVIEW
            locked.approved_by = None
            locked.approved_at = None
        locked.save()
    revision.refresh_from_db()
    return revision


def _step(revision: PlanRevision, step: str, refusal: str) -> PlanRevision:
    """Lock the row and check `step` is possible from its state, else DomainError(refusal)."""
    locked = PlanRevision.objects.select_for_update().get(pk=revision.pk)
    sources, _to = STEPS[step]
    if locked.state not in sources:
        raise DomainError("state", f"{refusal} ({locked.get_state_display()})")
    return locked


def submit_revision(revision: PlanRevision, *, actor: User) -> PlanRevision:
    """Draft → in review: the commander is asked to approve it."""
    _require(can_edit(actor, revision), _("submit this plan revision"))
    with transaction.atomic():
        locked = _step(revision, "submit", _("only a draft can be submitted for review"))
        locked.state = State.IN_REVIEW
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["state", "submitted_at"])
    revision.refresh_from_db()
    return revision


def approve_revision(
    revision: PlanRevision, *, actor: User, effective_on: dt.date | None = None
) -> PlanRevision:
    """In review → approved, effective on `effective_on` (else the date already set, else
    today). A revision due today or earlier is applied by a worker right after the commit;
    the hourly sweep applies it should that task be lost."""
    _require(can_approve(actor), _("approve plan changes"))
    _check_effective_on(effective_on)
    with transaction.atomic():
        locked = _step(revision, "approve", _("only a revision in review can be approved"))
        locked.state = State.APPROVED
        locked.approved_by = actor
        locked.approved_at = timezone.now()
        locked.effective_on = effective_on or locked.effective_on or timezone.localdate()
        locked.save(update_fields=["state", "approved_by", "approved_at", "effective_on"])
        if locked.effective_on <= timezone.localdate():
            transaction.on_commit(partial(_enqueue_apply, locked.pk))
    revision.refresh_from_db()
    return revision


def reject_revision(revision: PlanRevision, *, actor: User, reason: str) -> PlanRevision:
    """In review → back to draft, by whoever may approve it, with the reason stored on the
    revision (its page and the API show it). The proposer changes it and submits it again.
    Raises PermissionDenied, DomainError on `reason` (empty or too long) or on `state`
    (not in review)."""
    _require(can_approve(actor), _("send plan changes back to draft"))
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", _("a reason is required"))
    if len(reason) > REASON_LIMIT:
        raise DomainError("reason", _("at most %(n)d characters, please") % {"n": REASON_LIMIT})
    with transaction.atomic():
        locked = _step(revision, "reject", _("only a revision in review can be sent back to draft"))
        locked.state = State.DRAFT
        locked.submitted_at = None
        locked.rejected_by, locked.rejected_at = actor, timezone.now()
        locked.reject_reason = reason
        locked.save(
            update_fields=["state", "submitted_at", "rejected_by", "rejected_at", "reject_reason"]
        )
    revision.refresh_from_db()
    return revision


def _enqueue_apply(revision_id: int) -> None:
    from warroom.plan.tasks import task_apply_revision  # the tasks module imports this one

    task_apply_revision(revision_id)


def apply_revision(revision_id: int, *, today: dt.date | None = None) -> PlanVersion | None:
    """Apply an approved revision whose date has come as the next plan version, with its
    proposer as the version's author. Returns the version, or None when there was nothing to
    do (not approved, not yet due, or already applied by another worker: the conditional
    update lets one caller through).

    A text that no longer validates (the schema changed with an upgrade) leaves the revision
    approved with `apply_error` set, and returns None.
    """
    today = today or timezone.localdate()
    revision = PlanRevision.objects.select_related("proposed_by", "approved_by").get(pk=revision_id)
    try:
        with transaction.atomic():
            claimed = PlanRevision.objects.filter(
                pk=revision_id, state=State.APPROVED, effective_on__lte=today
            ).update(state=State.EFFECTIVE, applied_at=timezone.now(), apply_error="")
            if not claimed:
                return None
            approver = revision.approved_by.get_username() if revision.approved_by else "-"
            note = f"revision {revision.pk}, approved by {approver}"
            if revision.comment:
                note = f"{revision.comment} ({note})"
            result = apply_plan(
                revision.source,
                author=revision.proposed_by,
                comment=note[:500],
                record_revision=False,
            )
            PlanRevision.objects.filter(pk=revision_id).update(version=result.version)
    except PlanInvalid as exc:
        error = "; ".join(p.format("plan.yaml") for p in exc.problems)
        PlanRevision.objects.filter(pk=revision_id).update(apply_error=error[:2000])
        log.error("plan revision %s could not be applied: %s", revision_id, error)
        return None
    log.info("plan revision %s took effect as v%s", revision_id, result.version.number)
    return result.version


def apply_due_revisions(today: dt.date | None = None) -> int:
    """Apply every approved revision whose date has come, oldest date first (so of two due
    on one day the later approval is the plan in force); returns how many took effect."""
    today = today or timezone.localdate()
    due = PlanRevision.objects.filter(state=State.APPROVED, effective_on__lte=today).order_by(
        "effective_on", "approved_at", "pk"
    )
    return sum(
        1 for pk in list(due.values_list("pk", flat=True)) if apply_revision(pk, today=today)
    )


# The periodic review


def remind_plan_review(now: dt.datetime | None = None) -> int:
    """Tell the commander and the deputy once that the plan in force is older than the plan's
    review interval; returns how many people were told (0 when not due or told already).

    Safe to run twice and in two workers at once: the version's `review_reminded_at` is set
    by a conditional update in the transaction that queues the messages.
    """
    now = now or timezone.now()
    try:
        version = queries.current_version()
    except queries.NoPlanError:
        return 0
    if version.review_reminded_at is not None:
        return 0
    interval = parse_duration(queries.plan_of(version).evaluation.review_every)
    if now - version.created_at < dt.timedelta(seconds=interval):
        return 0
    leads = [
        m.person
        for m in TeamMembership.objects.filter(
            role__kind__in=("commander", "deputy"), role__in_plan=True
        ).select_related("person")
    ]
    if not leads:
        return 0
    with transaction.atomic():
        claimed = PlanVersion.objects.filter(pk=version.pk, review_reminded_at=None).update(
            review_reminded_at=now
        )
        if not claimed:
            return 0
        queue_deliveries(leads, partial(_review_message, version))
    return len({p.pk for p in leads})


def _review_message(version: PlanVersion, user: User, lang: str) -> Message:
    with translation.override(lang):
        applied = timezone.localtime(version.created_at).strftime("%Y-%m-%d")
        return Message(
            subject=_("The emergency plan is due for review"),
            body="\n".join(
                [
                    _(
                        "Plan version %(number)s has been in force since %(date)s, longer than "
                        "the plan's review interval. Review it, and propose a revision where "
                        "the evaluations call for one."
                    )
                    % {"number": version.number, "date": applied},
                    "",
                    settings.BASE_URL + reverse("plan:revisions"),
                ]
            ),
            kind="plan.review_due",
        )


# Reads


def revision_yaml(revision: PlanRevision) -> str:
    """The revision's plan as canonical YAML ('' when its text no longer validates)."""
    if revision.version_id is not None and revision.version is not None:
        return revision.version.canonical_yaml
    try:
        return _validated(revision.source)[1]
    except RevisionInvalid:
        return ""


def revision_diff(revision: PlanRevision) -> tuple[PlanVersion | None, str]:
    """(the version compared with, unified diff). A revision in effect shows the change its
    version made; any other shows what it would change in the plan in force now."""
    if revision.version is not None:
        return (
            PlanVersion.objects.filter(number__lt=revision.version.number)
            .order_by("-number")
            .first(),
            revision.version.diff,
        )
    current = PlanVersion.objects.order_by("-number").first()
    return current, diff_text(
        current.canonical_yaml if current else "",
        revision_yaml(revision),
        f"v{current.number}" if current else "(none)",
        f"revision {revision.pk}",
    )
