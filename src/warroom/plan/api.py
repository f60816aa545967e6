from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema, Status
from ninja.pagination import LimitOffsetPagination, paginate

from warroom.api.common import get_or_404, require
from warroom.people.access import can_manage_plan
from warroom.plan import queries
from warroom.plan.export import render_plan
from warroom.plan.models import PlanVersion
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
