"""Plan revisions (plan §6.3): proposed, reviewed, approved by the commander, effective on a
date through a worker; `warroom plan apply` stays the administrator's direct path; the review
interval reminds the commander and the deputy; incidents show the version they ran under."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from huey.contrib.djhuey import HUEY

from warroom.incidents import services as incidents
from warroom.lib.errors import DomainError
from warroom.notify.models import Delivery
from warroom.plan import queries
from warroom.plan.models import PlanRevision, PlanVersion
from warroom.plan.revisions import (
    RevisionInvalid,
    apply_due_revisions,
    approve_revision,
    propose_revision,
    reject_revision,
    remind_plan_review,
    submit_revision,
    update_revision,
)

pytestmark = pytest.mark.django_db

DAY = dt.timedelta(days=1)


@pytest.fixture
def changed(default_plan_text: str) -> str:
    """The default plan, reviewed every 180 days instead of 365."""
    assert default_plan_text.count("review_every: 365d") == 1
    return default_plan_text.replace("review_every: 365d", "review_every: 180d")


@pytest.fixture
def deputy(make_person: Callable[..., User]) -> User:
    return make_person("dora", "security", role="deputy")


@pytest.fixture
def huey_immediate() -> Iterator[None]:
    before = HUEY.immediate
    HUEY.immediate = True
    try:
        yield
    finally:
        HUEY.immediate = before


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_revision_goes_through_review_and_takes_effect_on_its_date(
    plan: PlanVersion, commander: User, ops_rep: User, changed: str
) -> None:
    today = timezone.localdate()
    revision = propose_revision(
        changed, actor=ops_rep, comment="Twice a year", effective_on=today + 3 * DAY
    )
    assert (revision.state, revision.base_version, revision.proposed_by) == (
        "draft",
        plan,
        ops_rep,
    )
    submit_revision(revision, actor=ops_rep)
    approve_revision(revision, actor=commander)
    assert (revision.state, revision.approved_by) == ("approved", commander)
    assert apply_due_revisions(today) == 0
    assert queries.current_version() == plan
    assert apply_due_revisions(today + 3 * DAY) == 1
    revision.refresh_from_db()
    version = queries.current_version()
    assert (revision.state, revision.version, version.number) == ("effective", version, 2)
    assert version.author == ops_rep
    assert version.comment == f"Twice a year (revision {revision.pk}, approved by chen)"
    assert "-  review_every: 365d\n+  review_every: 180d\n" in version.diff
    assert apply_due_revisions(today + 4 * DAY) == 0
    assert PlanVersion.objects.count() == 2


def test_an_approved_revision_due_today_is_applied_by_the_worker(
    plan: PlanVersion,
    commander: User,
    changed: str,
    huey_immediate: None,
    django_capture_on_commit_callbacks: Any,
) -> None:
    revision = propose_revision(changed, actor=commander)
    submit_revision(revision, actor=commander)
    with django_capture_on_commit_callbacks(execute=True):
        approve_revision(revision, actor=commander)
    revision.refresh_from_db()
    assert revision.state == "effective"
    assert revision.effective_on == timezone.localdate()
    assert queries.current_version().number == 2


def test_an_invalid_plan_is_refused_with_each_problem_and_its_line(
    plan: PlanVersion, commander: User, default_plan_text: str
) -> None:
    broken = default_plan_text.replace("department: legal", "department: lawyers", 1)
    line = default_plan_text[: default_plan_text.index("department: legal")].count("\n") + 1
    with pytest.raises(RevisionInvalid) as info:
        propose_revision(broken, actor=commander)
    assert info.value.field == "source"
    assert info.value.message.startswith(
        f"the plan has 1 problem(s): line {line}: team.roles[5].department: "
    )
    assert [p.line for p in info.value.problems] == [line]
    assert not PlanRevision.objects.filter(direct=False).exists()


def test_the_plan_in_force_is_no_revision(
    plan: PlanVersion, commander: User, default_plan_text: str
) -> None:
    with pytest.raises(DomainError, match=r"this is the plan in force \(version 1\) already"):
        propose_revision(default_plan_text, actor=commander)


def test_who_proposes_and_who_approves(
    plan: PlanVersion,
    commander: User,
    deputy: User,
    ops_rep: User,
    outsider: User,
    admin: User,
    changed: str,
) -> None:
    with pytest.raises(PermissionDenied):
        propose_revision(changed, actor=outsider)  # holds no team role
    revision = propose_revision(changed, actor=ops_rep)
    with pytest.raises(PermissionDenied):
        submit_revision(revision, actor=outsider)
    submit_revision(revision, actor=deputy)
    for not_allowed in (deputy, ops_rep):
        with pytest.raises(PermissionDenied):
            approve_revision(revision, actor=not_allowed)
    assert approve_revision(revision, actor=admin).approved_by == admin


def test_a_change_after_approval_goes_back_to_review(
    plan: PlanVersion, commander: User, changed: str
) -> None:
    revision = propose_revision(changed, actor=commander, effective_on=timezone.localdate() + DAY)
    submit_revision(revision, actor=commander)
    approve_revision(revision, actor=commander)
    update_revision(revision, actor=commander, comment="also: why")
    assert (revision.state, revision.approved_by, revision.comment) == (
        "in_review",
        None,
        "also: why",
    )
    with pytest.raises(DomainError, match="only a draft can be submitted"):
        submit_revision(revision, actor=commander)
    with pytest.raises(DomainError, match="must be today or later"):
        update_revision(revision, actor=commander, effective_on=timezone.localdate() - DAY)


def test_the_commander_sends_a_revision_back_to_draft_with_a_reason(
    plan: PlanVersion, commander: User, ops_rep: User, changed: str
) -> None:
    revision = propose_revision(changed, actor=ops_rep)
    submit_revision(revision, actor=ops_rep)
    reject_revision(revision, actor=commander, reason="  Keep a yearly review too.  ")
    assert (revision.state, revision.submitted_at) == ("draft", None)
    assert (revision.rejected_by, revision.reject_reason) == (
        commander,
        "Keep a yearly review too.",
    )
    assert revision.rejected_at is not None
    # The proposer changes it and submits it again; the reason stays as its history.
    update_revision(revision, actor=ops_rep, comment="Twice a year, yearly audit kept")
    submit_revision(revision, actor=ops_rep)
    assert (revision.state, revision.reject_reason) == ("in_review", "Keep a yearly review too.")


def test_who_sends_a_revision_back_and_that_it_needs_a_reason(
    plan: PlanVersion,
    commander: User,
    deputy: User,
    ops_rep: User,
    admin: User,
    changed: str,
) -> None:
    revision = propose_revision(changed, actor=ops_rep)
    with pytest.raises(DomainError, match="only a revision in review can be sent back to draft"):
        reject_revision(revision, actor=commander, reason="not yet")
    submit_revision(revision, actor=ops_rep)
    for not_allowed in (deputy, ops_rep):
        with pytest.raises(PermissionDenied):
            reject_revision(revision, actor=not_allowed, reason="no")
    with pytest.raises(DomainError) as info:
        reject_revision(revision, actor=commander, reason=" ")
    assert (info.value.field, info.value.message) == ("reason", "a reason is required")
    revision.refresh_from_db()
    assert (revision.state, revision.rejected_by) == ("in_review", None)
    assert reject_revision(revision, actor=admin, reason="Too broad.").rejected_by == admin


def test_plan_apply_is_recorded_as_an_approved_and_effective_revision(
    plan: PlanVersion, admin: User, changed: str, tmp_path: Path
) -> None:
    [first] = PlanRevision.objects.all()
    assert (first.state, first.direct, first.version) == ("effective", True, plan)
    path = tmp_path / "plan.yaml"
    path.write_text(changed, encoding="utf-8")
    call_command("plan", "apply", str(path), "--author", "root", stdout=io.StringIO())
    latest = PlanRevision.objects.select_related("version").first()
    assert latest is not None
    assert (latest.state, latest.direct, latest.approved_by, latest.proposed_by) == (
        "effective",
        True,
        admin,
        admin,
    )
    assert latest.version is not None and latest.version.number == 2
    assert latest.effective_on == timezone.localdate()


# The periodic review


def test_the_review_interval_reminds_the_commander_and_deputy_once(
    plan: PlanVersion, commander: User, deputy: User, ops_rep: User
) -> None:
    commander.profile.language = "en"
    commander.profile.save()
    assert remind_plan_review() == 0  # applied just now
    # The default plan is reviewed every 365 days.
    PlanVersion.objects.filter(pk=plan.pk).update(
        created_at=timezone.now() - dt.timedelta(days=366)
    )
    assert remind_plan_review() == 2
    assert remind_plan_review() == 0
    rows = Delivery.objects.filter(kind="plan.review_due")
    assert sorted(rows.values_list("recipient__username", flat=True)) == ["chen", "dora"]
    assert {row.subject for row in rows if row.language == "en"} == {
        "The emergency plan is due for review"
    }
    assert "/plan/revisions/" in rows[0].body


# API and pages


def test_revisions_through_the_api(
    api_as: Any, plan: PlanVersion, commander: User, deputy: User, default_plan_text: str
) -> None:
    dep, cmd = api_as(deputy), api_as(commander)
    bad = dep.post(
        "/plan/revisions",
        {"source": default_plan_text.replace("department: legal", "department: lawyers", 1)},
    )
    assert bad.status_code == 422
    [detail] = bad.json()["detail"]
    assert detail["loc"] == ["body", "source"]
    assert "line " in detail["msg"]
    created = dep.post(
        "/plan/revisions",
        {
            "source": default_plan_text.replace("review_every: 365d", "review_every: 180d"),
            "comment": "Twice a year",
        },
    )
    assert created.status_code == 201
    revision = created.json()
    assert (revision["state"], revision["proposed_by"], revision["compared_with"]) == (
        "draft",
        "dora",
        1,
    )
    assert "+  review_every: 180d" in revision["diff"]
    path = f"/plan/revisions/{revision['id']}"
    assert dep.post(f"{path}/submit", {}).json()["state"] == "in_review"
    assert dep.post(f"{path}/approve", {}).status_code == 403
    tomorrow = (timezone.localdate() + DAY).isoformat()
    approved = cmd.post(f"{path}/approve", {"effective_on": tomorrow}).json()
    assert (approved["state"], approved["approved_by"], approved["effective_on"]) == (
        "approved",
        "chen",
        tomorrow,
    )
    listed = cmd.get("/plan/revisions?state=approved").json()
    assert [r["id"] for r in listed["items"]] == [revision["id"]]


def test_sending_a_revision_back_through_the_api(
    api_as: Any, plan: PlanVersion, commander: User, deputy: User, changed: str
) -> None:
    dep, cmd = api_as(deputy), api_as(commander)
    path = f"/plan/revisions/{dep.post('/plan/revisions', {'source': changed}).json()['id']}"
    dep.post(f"{path}/submit", {})
    assert dep.post(f"{path}/reject", {"reason": "mine"}).status_code == 403
    missing = cmd.post(f"{path}/reject", {})
    assert missing.status_code == 422
    assert [e["loc"] for e in missing.json()["detail"]] == [["body", "reason"]]
    empty = cmd.post(f"{path}/reject", {"reason": ""})
    assert (empty.status_code, empty.json()["detail"]) == (
        422,
        [{"loc": ["body", "reason"], "msg": "a reason is required", "type": "value_error"}],
    )
    rejected = cmd.post(f"{path}/reject", {"reason": "Keep the yearly review."})
    assert rejected.status_code == 200
    body = rejected.json()
    assert (body["state"], body["rejected_by"], body["reject_reason"]) == (
        "draft",
        "chen",
        "Keep the yearly review.",
    )
    assert body["rejected_at"] is not None
    assert cmd.post(f"{path}/reject", {"reason": "again"}).status_code == 422  # a draft now


def test_revision_pages(
    plan: PlanVersion, commander: User, ops_rep: User, outsider: User, changed: str
) -> None:
    assert login(outsider).get("/plan/revisions/new/").status_code == 403
    client = login(ops_rep)
    form = client.get("/plan/revisions/new/")
    assert form.status_code == 200
    proposed = client.post(
        "/plan/revisions/new/",
        {
            "source": "",
            "comment": "Twice a year",
            "upload": SimpleUploadedFile("plan.yaml", changed.encode()),
        },
    )
    assert proposed.status_code == 302
    revision = PlanRevision.objects.get(direct=False)
    assert proposed["Location"] == f"/plan/revisions/{revision.pk}/"
    page = client.get(proposed["Location"]).content.decode()
    assert '<span class="add">+  review_every: 180d</span>' in page
    assert f'action="/plan/revisions/{revision.pk}/submit/"' in page
    assert client.post(f"/plan/revisions/{revision.pk}/submit/").status_code == 302
    assert (
        f'action="/plan/revisions/{revision.pk}/approve/"'
        not in client.get(proposed["Location"]).content.decode()
    )
    boss = login(commander)
    assert (
        f'action="/plan/revisions/{revision.pk}/approve/"'
        in boss.get(proposed["Location"]).content.decode()
    )
    assert boss.post(f"/plan/revisions/{revision.pk}/approve/").status_code == 302
    revision.refresh_from_db()
    assert revision.state == "approved"
    listing = boss.get("/plan/revisions/").content.decode()
    assert f'<a href="/plan/revisions/{revision.pk}/">{revision.pk}</a>' in listing


def test_send_back_on_the_revision_page(
    plan: PlanVersion, commander: User, ops_rep: User, changed: str
) -> None:
    revision = propose_revision(changed, actor=ops_rep)
    submit_revision(revision, actor=ops_rep)
    page = f"/plan/revisions/{revision.pk}/"
    reject = f'action="/plan/revisions/{revision.pk}/reject/"'
    proposer = login(ops_rep)
    assert reject not in proposer.get(page).content.decode()
    assert proposer.post(f"{page}reject/", {"reason": "mine"}).status_code == 403
    boss = login(commander)
    assert reject in boss.get(page).content.decode()
    refused = boss.post(f"{page}reject/", {"reason": ""}, follow=True)
    assert '<li class="error">a reason is required</li>' in refused.content.decode()
    revision.refresh_from_db()
    assert revision.state == "in_review"
    done = boss.post(f"{page}reject/", {"reason": "Keep the yearly review."})
    assert (done.status_code, done["Location"]) == (302, page)
    shown = proposer.get(page).content.decode()
    assert 'data-state="draft"' in shown
    assert "<dt>Sent back to draft</dt>" in shown
    assert ": Keep the yearly review.</dd>" in shown
    assert reject not in boss.get(page).content.decode()  # a draft is not in review


def test_an_invalid_upload_lists_the_problems_on_the_form(
    plan: PlanVersion, commander: User, default_plan_text: str
) -> None:
    broken = default_plan_text.replace("department: legal", "department: lawyers", 1)
    answer = login(commander).post("/plan/revisions/new/", {"source": broken})
    assert answer.status_code == 200
    assert "team.roles[5].department: unknown department" in answer.content.decode()
    assert not PlanRevision.objects.filter(direct=False).exists()


def test_the_incident_page_shows_its_plan_version(
    plan: PlanVersion, commander: User, changed: str
) -> None:
    incident = incidents.report_incident(reporter=commander, title="CRM is down")
    revision = propose_revision(changed, actor=commander)
    submit_revision(revision, actor=commander)
    approve_revision(revision, actor=commander)
    apply_due_revisions()
    assert queries.current_version().number == 2
    page = login(commander).get(f"/incidents/{incident.pk}/").content.decode()
    # It ran under version 1, whatever is in force now.
    assert '<a href="/plan/versions/1/" class="plan-version">v1</a>' in page
