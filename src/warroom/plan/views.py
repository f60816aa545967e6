from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from warroom.plan import queries
from warroom.plan.export import plan_html_fragment
from warroom.plan.models import PlanVersion
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
    text = diff_versions(old, new)
    lines = [
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
    return render(
        request,
        "plan/diff.html",
        {"old": old, "new": new, "lines": lines, "numbers": all_versions},
    )
