"""§4.6 the post-incident report after its draft: edited by the leads, submitted for review,
approved by the commander, published. Each state change is one function here, checked
against STEPS; each appends a timeline entry in the same transaction.

    draft → in_review → approved → published
    in_review → draft (rejected by the approver, with a reason on the timeline)
    an edit of an approved or published report sends it back to in_review

Who: the leads (administrator, commander, deputy) edit, submit and publish; only the
commander (of the plan or of this incident) or an administrator approves or rejects.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from warroom.incidents.models import Incident, Report
from warroom.incidents.models.review import ReportState
from warroom.incidents.services.common import require
from warroom.incidents.timeline import append_event
from warroom.incidents.transitions import LEADS
from warroom.lib.errors import DomainError

APPROVERS = frozenset({"admin", "commander"})
REPORT_FIELDS = (
    "what_happened",
    "what_was_done",
    "lessons",
    "impact",
    "root_cause",
    "went_well",
    "went_badly",
)
# step → (states it starts from, state it leads to)
STEPS: dict[str, tuple[tuple[str, ...], str]] = {
    "submit": ((ReportState.DRAFT,), ReportState.IN_REVIEW),
    "approve": ((ReportState.IN_REVIEW,), ReportState.APPROVED),
    "publish": ((ReportState.APPROVED,), ReportState.PUBLISHED),
    "reject": ((ReportState.IN_REVIEW,), ReportState.DRAFT),
}
# step → the kind of its timeline entry
EVENTS = {
    "submit": "report_in_review",
    "approve": "report_approved",
    "publish": "report_published",
    "reject": "report_rejected",
}
REASON_LIMIT = 2000
SIGNED_OFF = (ReportState.APPROVED, ReportState.PUBLISHED)


def _locked_report(incident: Incident) -> Report:
    """The incident's report, its row locked (call inside a transaction)."""
    report = Report.objects.select_for_update().filter(incident=incident).first()
    if report is None:
        raise DomainError("report", _("the report is drafted when the incident is resolved"))
    return report


def update_report(incident: Incident, *, actor: User, **fields: str) -> Report:
    """Change the report's texts (only those that differ are written and recorded). A change
    of an approved or published report withdraws the approval: it goes back to review."""
    require(actor, incident, LEADS, _("edit the report"))
    unknown = set(fields) - set(REPORT_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], _("unknown field"))
    with transaction.atomic():
        report = _locked_report(incident)
        changed = sorted(k for k, v in fields.items() if getattr(report, k) != v)
        if not changed:
            return report
        for key in changed:
            setattr(report, key, fields[key])
        report.updated_by = actor
        reopened = report.state in SIGNED_OFF
        if reopened:
            report.state = ReportState.IN_REVIEW
            report.approved_by = None
            report.approved_at = None
            report.published_at = None
        report.save()
        append_event(incident, "report_edited", actor=actor, data={"fields": changed})
        if reopened:
            append_event(incident, "report_reopened", actor=actor, data={})
    return report


def _step(incident: Incident, step: str, *, actor: User, refusal: str, reason: str = "") -> Report:
    with transaction.atomic():
        report = _locked_report(incident)
        sources, target = STEPS[step]
        if report.state not in sources:
            raise DomainError("state", f"{refusal} ({report.get_state_display()})")
        now = timezone.now()
        report.state = target
        if step == "submit":
            report.submitted_at = now
        elif step == "approve":
            report.approved_by, report.approved_at = actor, now
        elif step == "publish":
            report.published_at = now
        else:  # reject: a draft again, to be submitted anew
            report.submitted_at = None
        report.save(
            update_fields=["state", "submitted_at", "approved_by", "approved_at", "published_at"]
        )
        append_event(incident, EVENTS[step], actor=actor, data={"reason": reason} if reason else {})
    return report


def submit_report(incident: Incident, *, actor: User) -> Report:
    """Draft → in review: the commander is asked to approve it."""
    require(actor, incident, LEADS, _("submit the report for review"))
    return _step(
        incident, "submit", actor=actor, refusal=_("only a draft can be submitted for review")
    )


def approve_report(incident: Incident, *, actor: User) -> Report:
    """In review → approved, by the commander or an administrator (PermissionDenied else)."""
    require(actor, incident, APPROVERS, _("approve the report"))
    return _step(
        incident, "approve", actor=actor, refusal=_("only a report in review can be approved")
    )


def reject_report(incident: Incident, *, actor: User, reason: str) -> Report:
    """In review → back to draft, by whoever may approve it, with the reason written to the
    incident's timeline (the leads read it there and on the report section). Raises
    PermissionDenied (not the commander or an administrator), DomainError on `reason` when it
    is empty or too long, and DomainError on `state` unless the report is in review."""
    require(actor, incident, APPROVERS, _("send the report back to draft"))
    reason = reason.strip()
    if not reason:
        raise DomainError("reason", _("a reason is required"))
    if len(reason) > REASON_LIMIT:
        raise DomainError("reason", _("at most %(n)d characters, please") % {"n": REASON_LIMIT})
    return _step(
        incident,
        "reject",
        actor=actor,
        refusal=_("only a report in review can be sent back to draft"),
        reason=reason,
    )


def publish_report(incident: Incident, *, actor: User) -> Report:
    """Approved → published: the report is final and may be handed to management."""
    require(actor, incident, LEADS, _("publish the report"))
    return _step(
        incident, "publish", actor=actor, refusal=_("only an approved report can be published")
    )
