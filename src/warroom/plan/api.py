from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from warroom.api.common import get_or_404, require
from warroom.people.access import can_manage_plan
from warroom.plan import queries, revisions
from warroom.plan.export import render_plan
from warroom.plan.models import PlanRevision, PlanVersion
from warroom.plan.services import apply_plan, diff_versions

router = Router(tags=["plan"])


class VersionOut(Schema):
    number: int
    created_at: datetime
    author: str | None
    sha256: str
    comment: str

    @staticmethod
    def resolve_author(obj: PlanVersion) -> str | None:
        return obj.author.get_username() if obj.author else None


class VersionDetailOut(VersionOut):
    document: dict[str, Any]
    diff: str


class ApplyIn(Schema):
    source: str
    comment: str = ""


class ApplyOut(Schema):
    created: bool
    version: VersionOut


class DiffOut(Schema):
    from_version: int | None
    to_version: int
    diff: str


@router.get("", response=VersionDetailOut, summary="The plan in force")
def current(request: HttpRequest) -> PlanVersion:
    return queries.current_version()


@router.get("/versions", response=list[VersionOut])
@paginate(LimitOffsetPagination)
def versions(request: HttpRequest) -> Any:
    return PlanVersion.objects.select_related("author").order_by("-number")


@router.get("/versions/{number}", response=VersionDetailOut)
def version(request: HttpRequest, number: int) -> PlanVersion:
    return get_or_404(PlanVersion.objects.select_related("author"), "plan version", number=number)


@router.get("/diff", response=DiffOut)
def diff(
    request: HttpRequest,
    to: int | None = None,
    from_: int | None = Query(None, alias="from"),
) -> dict[str, Any]:
    new = (
        get_or_404(PlanVersion.objects, "plan version", number=to)
        if to
        else queries.current_version()
    )
    old_no = from_ if from_ is not None else new.number - 1
    old = PlanVersion.objects.filter(number=old_no).first()
    if from_ is not None and old is None:
        get_or_404(PlanVersion.objects, "plan version", number=from_)
    return {
        "from_version": old.number if old else None,
        "to_version": new.number,
        "diff": diff_versions(old, new),
    }


@router.post("/apply", response={200: ApplyOut, 201: ApplyOut})
def apply(request: HttpRequest, payload: ApplyIn) -> Any:
    require(
        can_manage_plan(request.user),
        "only the commander, the deputy or an administrator may change the plan",
    )
    # An invalid plan raises PlanInvalid: answered 422 with every problem (api/urls.py).
    author = request.user if isinstance(request.user, User) else None
    result = apply_plan(payload.source, author=author, comment=payload.comment)
    return Status(201 if result.created else 200, result)


@router.get("/export", summary="The plan as a readable document")
def export(
    request: HttpRequest,
    lang: Literal["zh-hans", "en"] = "zh-hans",
    format: Literal["md", "html"] = "md",
    version: int | None = None,
) -> HttpResponse:
    item = (
        get_or_404(PlanVersion.objects, "plan version", number=version)
        if version
        else queries.current_version()
    )
    content_type = "text/markdown" if format == "md" else "text/html"
    return HttpResponse(
        render_plan(item, lang=lang, fmt=format), content_type=f"{content_type}; charset=utf-8"
    )


# Revisions (plan §6.3)


class RevisionOut(Schema):
    id: int
    state: str
    comment: str
    direct: bool
    proposed_by: str | None
    proposed_at: datetime
    submitted_at: datetime | None
    approved_by: str | None
    approved_at: datetime | None
    rejected_by: str | None
    rejected_at: datetime | None
    reject_reason: str
    effective_on: date | None
    base_version: int | None
    version: int | None
    applied_at: datetime | None
    apply_error: str

    @staticmethod
    def resolve_proposed_by(obj: PlanRevision) -> str | None:
        return obj.proposed_by.get_username() if obj.proposed_by else None

    @staticmethod
    def resolve_approved_by(obj: PlanRevision) -> str | None:
        return obj.approved_by.get_username() if obj.approved_by else None

    @staticmethod
    def resolve_rejected_by(obj: PlanRevision) -> str | None:
        return obj.rejected_by.get_username() if obj.rejected_by else None

    @staticmethod
    def resolve_base_version(obj: PlanRevision) -> int | None:
        return obj.base_version.number if obj.base_version else None

    @staticmethod
    def resolve_version(obj: PlanRevision) -> int | None:
        return obj.version.number if obj.version else None


class RevisionDetailOut(RevisionOut):
    source: str
    compared_with: int | None
    diff: str
    action_items: list[int]

    @staticmethod
    def resolve_compared_with(obj: PlanRevision) -> int | None:
        compared, _ = revisions.revision_diff(obj)
        return compared.number if compared else None

    @staticmethod
    def resolve_diff(obj: PlanRevision) -> str:
        return revisions.revision_diff(obj)[1]

    @staticmethod
    def resolve_action_items(obj: PlanRevision) -> list[int]:
        return list(obj.action_items.values_list("pk", flat=True))


class RevisionIn(Schema):
    source: str
    comment: str = ""
    effective_on: date | None = None


class RevisionPatch(Schema):
    source: str | None = None
    comment: str | None = None
    effective_on: date | None = None


class ApproveIn(Schema):
    effective_on: date | None = None


class RejectIn(Schema):
    reason: str


def _revision(revision_id: int) -> PlanRevision:
    return get_or_404(
        PlanRevision.objects.select_related(
            "proposed_by", "approved_by", "rejected_by", "base_version", "version"
        ),
        "plan revision",
        pk=revision_id,
    )


def _actor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # the API authenticates every operation
    return user


@router.get("/revisions", response=list[RevisionOut], summary="Plan revisions, newest first")
@paginate(LimitOffsetPagination)
def list_revisions(request: HttpRequest, state: str | None = None) -> Any:
    items = PlanRevision.objects.select_related(
        "proposed_by", "approved_by", "rejected_by", "base_version", "version"
    ).defer("source")
    return items.filter(state=state) if state else items


@router.post("/revisions", response={201: RevisionDetailOut}, summary="Propose a plan change")
def propose(request: HttpRequest, payload: RevisionIn) -> Any:
    # An invalid plan raises RevisionInvalid (a DomainError): 422 listing each problem's line.
    revision = revisions.propose_revision(
        payload.source,
        actor=_actor(request),
        comment=payload.comment,
        effective_on=payload.effective_on,
    )
    return Status(201, _revision(revision.pk))


@router.get("/revisions/{revision_id}", response=RevisionDetailOut)
def get_revision(request: HttpRequest, revision_id: int) -> PlanRevision:
    return _revision(revision_id)


@router.patch("/revisions/{revision_id}", response=RevisionDetailOut)
def change_revision(request: HttpRequest, revision_id: int, payload: RevisionPatch) -> Any:
    revisions.update_revision(
        _revision(revision_id), actor=_actor(request), **payload.dict(exclude_unset=True)
    )
    return _revision(revision_id)


@router.post("/revisions/{revision_id}/submit", response=RevisionDetailOut)
def submit_revision(request: HttpRequest, revision_id: int) -> Any:
    revisions.submit_revision(_revision(revision_id), actor=_actor(request))
    return _revision(revision_id)


@router.post("/revisions/{revision_id}/approve", response=RevisionDetailOut)
def approve_revision(request: HttpRequest, revision_id: int, payload: ApproveIn) -> Any:
    """The commander or an administrator; the revision takes effect on `effective_on`."""
    revisions.approve_revision(
        _revision(revision_id), actor=_actor(request), effective_on=payload.effective_on
    )
    return _revision(revision_id)


@router.post("/revisions/{revision_id}/reject", response=RevisionDetailOut)
def reject_revision(request: HttpRequest, revision_id: int, payload: RejectIn) -> Any:
    """The commander or an administrator sends a revision in review back to draft; the reason
    is kept on the revision. A missing or empty reason is a 422 on `reason`."""
    revisions.reject_revision(_revision(revision_id), actor=_actor(request), reason=payload.reason)
    return _revision(revision_id)
