"""The report's review: draft → in review → approved → published; only the commander (or an
administrator) approves; a change after approval sends it back to review."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied

from tests.reports.conftest import Login, resolve
from warroom.incidents import services
from warroom.incidents.models import Incident, Report
from warroom.lib.errors import DomainError

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _state(incident: Incident) -> str:
    return Report.objects.get(incident=incident).state


def _kinds(incident: Incident) -> list[str]:
    return list(incident.timeline.order_by("seq").values_list("kind", flat=True))


@pytest.mark.parametrize(
    ("language", "opening", "level"),
    [("zh-hans", "，上报于", "影响等级：高"), ("en", ", reported", "impact level: High")],
)
def test_the_draft_is_written_in_the_configured_language(
    settings: Any,
    crm: Any,
    reporter: User,
    commander: User,
    ops_rep: User,
    language: str,
    opening: str,
    level: str,
) -> None:
    settings.WARROOM_REPORT_LANGUAGE = language
    incident = services.report_incident(reporter=reporter, title="CRM is down", systems=[crm])
    resolve(incident, commander=commander, signer=ops_rep)
    happened = Report.objects.get(incident=incident).what_happened
    assert happened.startswith(f"{incident.reference} CRM is down{opening}")
    assert level in happened


def test_report_is_reviewed_approved_and_published(resolved: Incident, commander: User) -> None:
    assert _state(resolved) == "draft"
    services.submit_report(resolved, actor=commander)
    assert _state(resolved) == "in_review"
    report = services.approve_report(resolved, actor=commander)
    assert (report.state, report.approved_by) == ("approved", commander)
    assert report.approved_at is not None
    report = services.publish_report(resolved, actor=commander)
    assert report.state == "published"
    assert report.published_at is not None
    assert _kinds(resolved)[-3:] == ["report_in_review", "report_approved", "report_published"]


def test_the_deputy_submits_but_only_the_commander_or_an_admin_approves(
    resolved: Incident, deputy: User, admin: User
) -> None:
    services.submit_report(resolved, actor=deputy)
    with pytest.raises(PermissionDenied):
        services.approve_report(resolved, actor=deputy)
    assert _state(resolved) == "in_review"
    assert services.approve_report(resolved, actor=admin).approved_by == admin


def test_someone_off_the_leads_may_not_submit(resolved: Incident, ops_rep: User) -> None:
    with pytest.raises(PermissionDenied):
        services.submit_report(resolved, actor=ops_rep)
    assert _state(resolved) == "draft"


def test_steps_out_of_order_are_refused(resolved: Incident, commander: User) -> None:
    with pytest.raises(DomainError, match="only an approved report can be published"):
        services.publish_report(resolved, actor=commander)
    with pytest.raises(DomainError, match="only a report in review can be approved"):
        services.approve_report(resolved, actor=commander)
    services.submit_report(resolved, actor=commander)
    with pytest.raises(DomainError, match="only a draft can be submitted"):
        services.submit_report(resolved, actor=commander)


def test_editing_an_approved_report_sends_it_back_to_review(
    resolved: Incident, commander: User, deputy: User
) -> None:
    services.submit_report(resolved, actor=commander)
    services.approve_report(resolved, actor=commander)
    report = services.update_report(resolved, actor=deputy, root_cause="A memory leak.")
    assert (report.state, report.approved_by, report.approved_at) == ("in_review", None, None)
    assert report.root_cause == "A memory leak."
    assert _kinds(resolved)[-2:] == ["report_edited", "report_reopened"]
    assert resolved.timeline.order_by("seq").last().data == {}  # type: ignore[union-attr]


def test_editing_a_published_report_withdraws_the_publication(
    resolved: Incident, commander: User
) -> None:
    for step in (services.submit_report, services.approve_report, services.publish_report):
        step(resolved, actor=commander)
    report = services.update_report(resolved, actor=commander, went_badly="Paged too late.")
    assert (report.state, report.published_at) == ("in_review", None)


def test_saving_unchanged_texts_keeps_the_approval(resolved: Incident, commander: User) -> None:
    services.submit_report(resolved, actor=commander)
    services.approve_report(resolved, actor=commander)
    report = Report.objects.get(incident=resolved)
    events = resolved.timeline.count()
    services.update_report(resolved, actor=commander, lessons=report.lessons)
    assert _state(resolved) == "approved"
    assert resolved.timeline.count() == events


# Through the API and the page


def test_review_steps_through_the_api(
    api_as: Any, resolved: Incident, commander: User, deputy: User, outsider: User
) -> None:
    path = f"/incidents/{resolved.pk}/report"
    assert api_as(outsider).post(f"{path}/submit", {}).status_code == 403
    submitted = api_as(deputy).post(f"{path}/submit", {})
    assert (submitted.status_code, submitted.json()["state"]) == (200, "in_review")
    assert api_as(deputy).post(f"{path}/approve", {}).status_code == 403
    assert api_as(commander).post(f"{path}/publish", {}).status_code == 422
    approved = api_as(commander).post(f"{path}/approve", {}).json()
    assert (approved["state"], approved["approved_by"]) == ("approved", "chen")
    assert api_as(deputy).post(f"{path}/publish", {}).json()["state"] == "published"
    edited = api_as(deputy).patch(path, {"went_well": "The runbook was right."}).json()
    assert (edited["state"], edited["went_well"]) == ("in_review", "The runbook was right.")


def test_restricted_incidents_report_steps_are_404_for_an_outsider(
    api_as: Any, leak: Incident, outsider: User
) -> None:
    assert api_as(outsider).post(f"/incidents/{leak.pk}/report/submit", {}).status_code == 404


def test_review_buttons_on_the_incident_page(
    login: Login, resolved: Incident, commander: User, deputy: User, ops_rep: User
) -> None:
    url = f"/incidents/{resolved.pk}/"
    submit = f'action="/incidents/{resolved.pk}/report/submit/"'
    approve = f'action="/incidents/{resolved.pk}/report/approve/"'
    assert submit in login(deputy).get(url).content.decode()
    assert submit not in login(ops_rep).get(url).content.decode()
    assert login(ops_rep).post(f"{url}report/submit/").status_code == 403
    assert login(deputy).post(f"{url}report/submit/").status_code == 302
    assert _state(resolved) == "in_review"
    assert approve not in login(deputy).get(url).content.decode()
    assert login(deputy).post(f"{url}report/approve/").status_code == 403
    page = login(commander).get(url).content.decode()
    assert approve in page
    assert "Post-incident report (in review)" in page
    answer = login(commander).post(f"{url}report/approve/", HTTP_HX_REQUEST="true")
    assert answer.status_code == 200
    assert "Report approved." in answer.content.decode()
    assert f'action="/incidents/{resolved.pk}/report/publish/"' in answer.content.decode()
    assert _state(resolved) == "approved"


def test_the_report_form_has_the_full_reports_fields(
    login: Login, resolved: Incident, commander: User
) -> None:
    client = login(commander)
    saved = client.post(
        f"/incidents/{resolved.pk}/report/",
        {
            "what_happened": "CRM down",
            "what_was_done": "Restarted",
            "lessons": "Watch the workers",
            "impact": "Sales could not log calls",
            "root_cause": "A memory leak",
            "went_well": "Fast paging",
            "went_badly": "No runbook",
        },
    )
    assert saved.status_code == 302
    report = Report.objects.get(incident=resolved)
    assert (report.root_cause, report.went_well, report.went_badly) == (
        "A memory leak",
        "Fast paging",
        "No runbook",
    )


# Sending the report back to draft


def test_the_commander_sends_the_report_back_to_draft_with_a_reason(
    resolved: Incident, commander: User, deputy: User
) -> None:
    services.submit_report(resolved, actor=deputy)
    report = services.reject_report(
        resolved, actor=commander, reason="  The root cause is missing.  "
    )
    assert (report.state, report.submitted_at) == ("draft", None)
    last = resolved.timeline.order_by("seq").last()
    assert last is not None
    assert (last.kind, last.actor, last.data) == (
        "report_rejected",
        commander,
        {"reason": "The root cause is missing."},
    )
    # The leads mend it and submit it again.
    services.update_report(resolved, actor=deputy, root_cause="A memory leak.")
    assert services.submit_report(resolved, actor=deputy).state == "in_review"


def test_only_the_commander_or_an_admin_sends_it_back(
    resolved: Incident, commander: User, deputy: User, ops_rep: User, admin: User
) -> None:
    services.submit_report(resolved, actor=commander)
    for actor in (deputy, ops_rep):
        with pytest.raises(PermissionDenied):
            services.reject_report(resolved, actor=actor, reason="not good enough")
    assert _state(resolved) == "in_review"
    assert services.reject_report(resolved, actor=admin, reason="Add the impact.").state == "draft"


def test_sending_back_needs_a_reason_and_a_report_in_review(
    resolved: Incident, commander: User
) -> None:
    with pytest.raises(DomainError, match="only a report in review can be sent back to draft"):
        services.reject_report(resolved, actor=commander, reason="too early")
    services.submit_report(resolved, actor=commander)
    with pytest.raises(DomainError) as info:
        services.reject_report(resolved, actor=commander, reason="   ")
    assert (info.value.field, info.value.message) == ("reason", "a reason is required")
    assert _state(resolved) == "in_review"
    assert _kinds(resolved)[-1] == "report_in_review"


def test_sending_back_through_the_api(
    api_as: Any, resolved: Incident, commander: User, deputy: User, ops_rep: User
) -> None:
    path = f"/incidents/{resolved.pk}/report"
    api_as(deputy).post(f"{path}/submit", {})
    assert api_as(deputy).post(f"{path}/reject", {"reason": "x"}).status_code == 403
    assert api_as(ops_rep).post(f"{path}/reject", {"reason": "x"}).status_code == 403
    missing = api_as(commander).post(f"{path}/reject", {})
    assert missing.status_code == 422
    assert [e["loc"] for e in missing.json()["detail"]] == [["body", "reason"]]
    empty = api_as(commander).post(f"{path}/reject", {"reason": " "})
    assert (empty.status_code, empty.json()) == (
        422,
        {
            "detail": [
                {"loc": ["body", "reason"], "msg": "a reason is required", "type": "value_error"}
            ]
        },
    )
    assert _state(resolved) == "in_review"
    done = api_as(commander).post(f"{path}/reject", {"reason": "Name the root cause."})
    assert (done.status_code, done.json()["state"], done.json()["submitted_at"]) == (
        200,
        "draft",
        None,
    )
    timeline = api_as(commander).get(f"/incidents/{resolved.pk}/timeline").json()
    assert (timeline[-1]["kind"], timeline[-1]["data"]) == (
        "report_rejected",
        {"reason": "Name the root cause."},
    )


def test_send_back_on_the_incident_page(
    login: Login, resolved: Incident, commander: User, deputy: User
) -> None:
    url = f"/incidents/{resolved.pk}/"
    reject = f'action="/incidents/{resolved.pk}/report/reject/"'
    services.submit_report(resolved, actor=deputy)
    assert reject not in login(deputy).get(url).content.decode()
    assert login(deputy).post(f"{url}report/reject/", {"reason": "x"}).status_code == 403
    assert reject in login(commander).get(url).content.decode()

    client = login(commander)
    refused = client.post(f"{url}report/reject/", {"reason": ""})
    assert refused.status_code == 200
    assert refused.context["page"].forms["reject_report"].errors == {
        "reason": ["a reason is required"]
    }
    assert _state(resolved) == "in_review"

    answer = client.post(f"{url}report/reject/", {"reason": "Name the root cause."}, headers=HTMX)
    body = answer.content.decode()
    assert answer.status_code == 200
    assert "Report sent back to draft." in body
    assert "Post-incident report (draft)" in body
    assert "Sent back to draft by Chen, " in body and ": Name the root cause.</p>" in body
    assert _state(resolved) == "draft"
    page = login(deputy).get(url).content.decode()
    assert "post-incident report sent back to draft: Name the root cause." in page
    # Submitted again, the old reason is no longer shown as the report's state.
    services.submit_report(resolved, actor=deputy)
    assert "Sent back to draft by" not in login(commander).get(url).content.decode()
