from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.models import User
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.views.decorators.http import require_POST

from warroom.core.web import require, show_domain_error
from warroom.lib.errors import DomainError
from warroom.plan import queries, revisions
from warroom.plan.export import plan_html_fragment
from warroom.plan.forms import ApproveForm, RejectForm, RevisionForm
from warroom.plan.models import PlanRevision, PlanVersion, RevisionState
from warroom.plan.services import diff_versions


def _lang(request: HttpRequest) -> str:
    # ?lang= shows the document in the other language without switching the whole UI.
    wanted = request.GET.get("lang", "")
    if wanted in ("en", "zh-hans"):
        return wanted
    return "zh-hans" if (get_language() or "").startswith("zh") else "en"


def current(request: HttpRequest) -> HttpResponse:
    try:
        version = queries.current_version()
    except queries.NoPlanError as exc:
        raise Http404(str(exc)) from exc
    return _render_version(request, version, current=True)


def version_detail(request: HttpRequest, number: int) -> HttpResponse:
    return _render_version(request, get_object_or_404(PlanVersion, number=number), current=False)


def _render_version(request: HttpRequest, version: PlanVersion, *, current: bool) -> HttpResponse:
    lang = _lang(request)
    body = mark_safe(plan_html_fragment(version, lang=lang))
    return render(
        request,
        "plan/document.html",
        {"version": version, "body": body, "doc_lang": lang, "is_current": current},
    )


def versions(request: HttpRequest) -> HttpResponse:
    items = PlanVersion.objects.select_related("author").defer(
        "source", "document", "canonical_yaml", "diff"
    )
    return render(request, "plan/versions.html", {"versions": items})


def diff(request: HttpRequest) -> HttpResponse:
    all_versions = list(PlanVersion.objects.values_list("number", flat=True).order_by("number"))
    try:
        new_no = int(request.GET.get("to") or (all_versions[-1] if all_versions else 0))
        old_no = int(request.GET.get("from") or (new_no - 1))
    except ValueError as exc:
        raise Http404("version numbers are whole numbers") from exc
    new = get_object_or_404(PlanVersion, number=new_no)
    old = PlanVersion.objects.filter(number=old_no).first()
    lines = _diff_lines(diff_versions(old, new))
    return render(
        request,
        "plan/diff.html",
        {"old": old, "new": new, "lines": lines, "numbers": all_versions},
    )


# Revisions (plan §6.3)


def _diff_lines(text: str) -> list[tuple[str, str]]:
    return [
        (
            "add"
            if ln.startswith("+")
            else "del"
            if ln.startswith("-")
            else "hunk"
            if ln.startswith("@@")
            else "",
            ln,
        )
        for ln in text.splitlines()
    ]


def revisions_list(request: HttpRequest) -> HttpResponse:
    items = PlanRevision.objects.select_related(
        "proposed_by", "approved_by", "version", "base_version"
    ).defer("source")
    return render(
        request,
        "plan/revisions.html",
        {"revisions": items, "can_propose": revisions.can_propose(request.user)},
    )


def revision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    revision = get_object_or_404(
        PlanRevision.objects.select_related("proposed_by", "approved_by", "rejected_by", "version"),
        pk=pk,
    )
    compared, text = revisions.revision_diff(revision)
    # Action items name what was learned from an incident: only those the viewer may see.
    from warroom.incidents.queries import visible_incidents

    actions = revision.action_items.filter(
        incident__in=visible_incidents(request.user)
    ).select_related("incident", "owner")
    current = PlanVersion.objects.order_by("-number").first()
    context = {
        "revision": revision,
        "compared": compared,
        "lines": _diff_lines(text),
        "actions": actions,
        "stale_base": (
            revision.version_id is None
            and revision.base_version_id is not None
            and current is not None
            and current.pk != revision.base_version_id
        ),
        "current": current,
        "can_edit": revision.state in revisions.EDITABLE
        and revisions.can_edit(request.user, revision),
        "can_approve": revision.state == RevisionState.IN_REVIEW
        and revisions.can_approve(request.user),
        "approve_form": ApproveForm(initial={"effective_on": revision.effective_on}),
        "reject_form": RejectForm(),
    }
    return render(request, "plan/revision.html", context)


def _show_error(form: RevisionForm, exc: DomainError) -> None:
    if isinstance(exc, revisions.RevisionInvalid):
        for problem in exc.problems:
            form.add_error("source", revisions.describe_problem(problem))
    else:
        show_domain_error(form, exc)


def _revision_form_page(
    request: HttpRequest, form: RevisionForm, *, title: str, revision: PlanRevision | None
) -> HttpResponse:
    return render(
        request, "plan/revision_form.html", {"form": form, "title": title, "revision": revision}
    )


def propose(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(revisions.can_propose(user))
    assert isinstance(user, User)
    if request.method == "POST":
        form = RevisionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                revision = revisions.propose_revision(
                    data["source"],
                    actor=user,
                    comment=data["comment"],
                    effective_on=data["effective_on"],
                )
            except DomainError as exc:
                _show_error(form, exc)
            else:
                messages.success(request, gettext("Revision proposed as a draft."))
                return redirect("plan:revision", pk=revision.pk)
    else:
        current = PlanVersion.objects.order_by("-number").first()
        form = RevisionForm(initial={"source": current.canonical_yaml if current else ""})
    return _revision_form_page(request, form, title=gettext("Propose a plan change"), revision=None)


def edit_revision(request: HttpRequest, pk: int) -> HttpResponse:
    revision = get_object_or_404(PlanRevision, pk=pk)
    user = request.user
    require(revision.state in revisions.EDITABLE and revisions.can_edit(user, revision))
    assert isinstance(user, User)
    if request.method == "POST":
        form = RevisionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                revisions.update_revision(
                    revision,
                    actor=user,
                    source=data["source"],
                    comment=data["comment"],
                    effective_on=data["effective_on"],
                )
            except DomainError as exc:
                _show_error(form, exc)
            else:
                messages.success(request, gettext("Revision saved."))
                return redirect("plan:revision", pk=revision.pk)
    else:
        form = RevisionForm(
            initial={
                "source": revision.source,
                "comment": revision.comment,
                "effective_on": revision.effective_on,
            }
        )
    title = gettext("Change revision %(id)s") % {"id": revision.pk}
    return _revision_form_page(request, form, title=title, revision=revision)


def _step(
    request: HttpRequest, pk: int, call: Callable[[PlanRevision, User], object], done: str
) -> HttpResponse:
    revision = get_object_or_404(PlanRevision, pk=pk)
    user = request.user
    assert isinstance(user, User)
    try:
        call(revision, user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("plan:revision", pk=pk)


@require_POST
def submit_revision(request: HttpRequest, pk: int) -> HttpResponse:
    return _step(
        request,
        pk,
        lambda revision, user: revisions.submit_revision(revision, actor=user),
        gettext("Submitted for review: the commander is asked to approve it."),
    )


@require_POST
def approve_revision(request: HttpRequest, pk: int) -> HttpResponse:
    form = ApproveForm(request.POST)
    effective_on = form.cleaned_data["effective_on"] if form.is_valid() else None
    return _step(
        request,
        pk,
        lambda revision, user: revisions.approve_revision(
            revision, actor=user, effective_on=effective_on
        ),
        gettext("Approved: it takes effect on its date."),
    )


@require_POST
def reject_revision(request: HttpRequest, pk: int) -> HttpResponse:
    form = RejectForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else request.POST.get("reason", "")
    return _step(
        request,
        pk,
        lambda revision, user: revisions.reject_revision(revision, actor=user, reason=reason),
        gettext("Sent back to draft: the proposer sees why."),
    )
