"""The lifecycle's forms and buttons: the assessment, the steps, the team and orders, and what
happens when a step is posted that the state or the role does not allow."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User

from warroom.catalog.models import System
from warroom.incidents import services
from warroom.incidents.models import Incident, Order, Participant

from .conftest import HTMX, Login, assess, recovering, responding, url

pytestmark = pytest.mark.django_db


def status_of(incident: Incident) -> str:
    incident.refresh_from_db()
    return incident.status


def test_commander_assesses_through_the_form(
    login: Login, commander: User, outage: Incident, crm: System
) -> None:
    db = System.objects.get(name="Customer DB")
    response = login(commander).post(
        url(outage, "assess"),
        {
            "level": "high",
            "category": "system_failure",
            "systems": [crm.pk, db.pk],
            "scope": "All customer pages",
        },
    )
    assert (response.status_code, response["Location"]) == (302, url(outage))
    outage.refresh_from_db()
    assert (outage.status, outage.level, outage.category, outage.scope) == (
        "assessed",
        "high",
        "system_failure",
        "All customer pages",
    )
    assert sorted(outage.systems.values_list("name", flat=True)) == ["CRM", "Customer DB"]
    assert outage.restricted is False
    assert outage.due_resolve is not None


def test_assess_form_errors_are_shown_on_the_form(
    login: Login, commander: User, outage: Incident
) -> None:
    response = login(commander).post(url(outage, "assess"), {"level": "", "category": "nope"})
    assert response.status_code == 200
    form = response.context["page"].forms["assess"]
    assert form.errors == {
        "level": ["This field is required."],
        "category": ["Select a valid choice. nope is not one of the available choices."],
    }
    assert status_of(outage) == "reported"


def test_assess_by_htmx_answers_the_whole_incident(
    login: Login, commander: User, outage: Incident
) -> None:
    response = login(commander).post(
        url(outage, "assess"), {"level": "medium", "category": "human_error"}, headers=HTMX
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.startswith('<div id="incident">')
    assert '<p class="flash success" role="status">Assessment recorded.</p>' in body
    assert 'data-state="assessed"' in body
    assert f'action="/incidents/{outage.pk}/respond/"' in body


def test_the_steps_through_to_closed(
    login: Login, commander: User, outage: Incident, ops_rep: User
) -> None:
    client = login(commander)
    assert client.post(url(outage, "acknowledge")).status_code == 302
    outage.refresh_from_db()
    assess(outage, commander)
    assert client.post(url(outage, "respond")).status_code == 302
    assert status_of(outage) == "responding"
    assert client.post(url(outage, "recover")).status_code == 302
    assert status_of(outage) == "recovering"
    # back to responding needs a reason
    refused = client.post(url(outage, "resume"), {"reason": " "})
    assert refused.status_code == 409
    assert refused.context["page"].forms["resume"].non_field_errors() == ["a reason is required"]
    assert status_of(outage) == "recovering"
    assert client.post(url(outage, "resume"), {"reason": "errors again"}).status_code == 302
    assert status_of(outage) == "responding"
    client.post(url(outage, "recover"))
    for item in outage.recovery_items.all():
        services.sign_recovery_item(item, actor=ops_rep)
    assert client.post(url(outage, "resolve"), {}).status_code == 302
    assert status_of(outage) == "resolved"
    assert client.post(url(outage, "review")).status_code == 302
    # Closing waits for the report's approval: the page says so, and a close is refused.
    hint = "The incident can be closed once its post-incident report is approved."
    assert hint in client.get(url(outage)).content.decode()
    refused = client.post(url(outage, "close"))
    assert refused.status_code == 409
    assert (
        '<li class="error">the post-incident report must be approved before the incident is '
        "closed (report: Draft)</li>"
    ) in refused.content.decode()
    assert status_of(outage) == "reviewing"
    assert client.post(url(outage, "report/submit")).status_code == 302
    assert client.post(url(outage, "report/approve")).status_code == 302
    assert hint not in client.get(url(outage)).content.decode()
    assert client.post(url(outage, "close")).status_code == 302
    assert status_of(outage) == "closed"
    body = client.get(url(outage)).content.decode()
    assert '<span class="badge state state-closed" data-state="closed">Closed</span>' in body
    assert "Next steps" not in body


def test_a_step_the_state_does_not_allow_is_refused_with_a_message(
    login: Login, ops_rep: User, outage: Incident
) -> None:
    client = login(ops_rep)
    response = client.post(url(outage, "close"))
    body = response.content.decode()
    assert response.status_code == 409
    assert '<li class="error">cannot go from Reported to Closed</li>' in body
    assert status_of(outage) == "reported"
    assert outage.timeline.filter(kind="status").count() == 0


def test_a_refused_step_by_htmx_says_so_inside_the_actions(
    login: Login, commander: User, outage: Incident
) -> None:
    response = login(commander).post(url(outage, "review"), headers=HTMX)
    body = response.content.decode()
    assert response.status_code == 200  # htmx swaps only successful answers
    assert body.startswith('<div id="incident">')
    assert '<p class="flash error" role="status">cannot go from Reported to Reviewing</p>' in body
    assert status_of(outage) == "reported"


def test_a_step_the_role_does_not_allow_is_forbidden(
    login: Login, commander: User, ops_rep: User, outsider: User, outage: Incident
) -> None:
    assess(outage, commander)
    assert login(ops_rep).post(url(outage, "respond")).status_code == 403
    assert login(outsider).post(url(outage, "cancel"), {"reason": "x"}).status_code == 403
    assert (
        login(outsider)
        .post(url(outage, "assess"), {"level": "low", "category": "human_error"})
        .status_code
        == 403
    )
    outage.refresh_from_db()
    assert (outage.status, outage.level) == ("assessed", "high")


def test_resolving_with_an_open_checklist_needs_the_commanders_reason(
    login: Login, commander: User, deputy: User, outage: Incident
) -> None:
    recovering(outage, commander)
    page = login(deputy).get(url(outage)).content.decode()
    assert f'action="/incidents/{outage.pk}/resolve/"' in page
    assert 'name="override_reason"' not in page  # only the commander may override
    refused = login(deputy).post(url(outage, "resolve"), {})
    assert refused.status_code == 409
    assert "the recovery checklist is not complete" in refused.content.decode()
    assert status_of(outage) == "recovering"

    client = login(commander)
    assert 'name="override_reason"' in client.get(url(outage)).content.decode()
    done = client.post(url(outage, "resolve"), {"override_reason": "The CRM vendor signed off"})
    assert done.status_code == 302
    outage.refresh_from_db()
    assert (outage.status, outage.resolve_override) == ("resolved", "The CRM vendor signed off")


def test_cancel_merges_into_another_open_incident(
    login: Login, commander: User, outage: Incident, reporter: User
) -> None:
    duplicate = services.report_incident(reporter=reporter, title="CRM error 500")
    form = login(commander).get(url(duplicate)).context["page"].forms["cancel"]
    assert list(form.fields["merged_into"].queryset) == [outage]
    response = login(commander).post(
        url(duplicate, "cancel"), {"reason": "same as the outage", "merged_into": outage.pk}
    )
    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert (duplicate.status, duplicate.cancel_reason, duplicate.merged_into) == (
        "cancelled",
        "same as the outage",
        outage,
    )


def test_commander_confirms_the_proposed_team(
    login: Login, commander: User, deputy: User, ops_rep: User, cs_rep: User, outage: Incident
) -> None:
    assess(outage, commander)
    client = login(commander)
    form = client.get(url(outage)).context["page"].forms["team"]
    values = [v for v, _ in form.fields["members"].choices]
    assert set(values) == {
        f"{commander.pk}:commander",
        f"{cs_rep.pk}:customer_service_rep",
        f"{deputy.pk}:deputy",
        f"{ops_rep.pk}:operations_rep",
    }
    assert set(form.initial["members"]) == set(values)
    chosen = [v for v in values if not v.startswith(f"{cs_rep.pk}:")]
    response = client.post(url(outage, "team"), {"members": chosen})
    assert response.status_code == 302
    assert set(
        Participant.objects.filter(incident=outage).values_list("user__username", "role")
    ) == {
        ("rita", "reporter"),
        ("chen", "commander"),
        ("dora", "deputy"),
        ("olga", "operations_rep"),
    }
    # once named, only the team is ticked
    form = client.get(url(outage)).context["page"].forms["team"]
    assert f"{cs_rep.pk}:customer_service_rep" not in form.initial["members"]


def test_confirming_the_team_keeps_who_is_there_for_an_order(
    commander: User, ops_rep: User, outsider: User, outage: Incident
) -> None:
    responding(outage, commander)
    services.issue_order(outage, actor=commander, text="Check the VPN", to_person=outsider)
    services.set_team(outage, actor=commander, members=[(commander, "commander")])
    kept = set(Participant.objects.filter(incident=outage).values_list("user__username", "role"))
    assert (outsider.username, "responder") in kept
    assert (ops_rep.username, "operations_rep") not in kept


def test_team_form_adds_a_person_in_a_role(
    login: Login, commander: User, outsider: User, outage: Incident
) -> None:
    assess(outage, commander)
    client = login(commander)
    form = client.get(url(outage)).context["page"].forms["team"]
    missing_role = client.post(
        url(outage, "team"), {"members": form.initial["members"], "add_person": outsider.pk}
    )
    assert missing_role.context["page"].forms["team"].errors == {
        "add_role": ["Choose the role the person takes."]
    }
    client.post(
        url(outage, "team"),
        {
            "members": form.initial["members"],
            "add_person": outsider.pk,
            "add_role": "development_rep",
        },
    )
    assert Participant.objects.filter(
        incident=outage, user=outsider, role="development_rep"
    ).exists()


def test_orders_issued_and_acknowledged_by_their_receiver(
    login: Login, commander: User, ops_rep: User, cs_rep: User, outage: Incident
) -> None:
    responding(outage, commander)
    response = login(commander).post(
        url(outage, "orders"),
        {
            "text": "Restart the CRM workers",
            "to_role": "operations_rep",
            "to_person": "",
            "due_at": "",
        },
        headers=HTMX,
    )
    body = response.content.decode()
    assert body.startswith('<section id="incident-orders"')
    assert 'id="incident-header" class="incident-header"' in body  # out of band
    assert 'hx-swap-oob="true"' in body
    order = Order.objects.get()
    ack = f'action="/incidents/{outage.pk}/orders/{order.pk}/acknowledge/"'
    assert ack not in login(cs_rep).get(url(outage)).content.decode()
    assert ack in login(ops_rep).get(url(outage)).content.decode()
    assert login(cs_rep).post(url(outage, f"orders/{order.pk}/acknowledge")).status_code == 403
    assert login(ops_rep).post(url(outage, f"orders/{order.pk}/acknowledge")).status_code == 302
    order.refresh_from_db()
    assert order.acknowledged_by == ops_rep


def test_an_order_needs_a_receiver(login: Login, commander: User, outage: Incident) -> None:
    response = login(commander).post(url(outage, "orders"), {"text": "Do something"})
    assert response.status_code == 200
    assert response.context["page"].forms["order"].errors == {
        "to_role": ["give a role or a person"]
    }
    assert not Order.objects.exists()


def test_only_leads_may_issue_orders(
    login: Login, ops_rep: User, outage: Incident, django_assert_max_num_queries: Any
) -> None:
    response = login(ops_rep).post(
        url(outage, "orders"), {"text": "Do something", "to_role": "commander"}
    )
    assert response.status_code == 403
    assert not Order.objects.exists()
