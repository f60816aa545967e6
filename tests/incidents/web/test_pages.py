"""The report form, the list, the dashboard and the incident page as each person sees it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone, translation

from warroom.catalog.models import System
from warroom.incidents import services
from warroom.incidents.models import Incident, Participant, Status
from warroom.incidents.services.review import describe_event
from warroom.notify.models import Delivery

from .conftest import HTMX, Login, assess, url

pytestmark = pytest.mark.django_db


def actions_in(body: str, incident: Incident) -> set[str]:
    """The incident's action URLs the page offers as forms, by their last path part."""
    found = re.findall(rf'action="/incidents/{incident.pk}/([a-z/0-9-]+)/"', body)
    return set(found)


# Reporting


def test_report_page_offers_the_plans_categories_and_the_catalogs_systems(
    login: Login, outsider: User, crm: System
) -> None:
    response = login(outsider).get("/incidents/report/")
    assert response.status_code == 200
    form = response.context["form"]
    assert [c for c, _ in form.fields["category"].choices] == [
        "",
        "system_failure",
        "data_leak",
        "network_attack",
        "human_error",
    ]
    assert [s.name for s in form.fields["systems"].queryset] == ["CRM", "Customer DB", "Website"]
    body = response.content.decode()
    assert '<select name="systems"' in body
    assert 'type="datetime-local"' in body


def test_report_form_creates_an_incident_and_pages_the_team(
    login: Login, outsider: User, commander: User, cs_rep: User, ops_rep: User, crm: System
) -> None:
    client = login(outsider)
    response = client.post(
        "/incidents/report/",
        {
            "title": "CRM shows an error page",
            "description": "Since 9:10 every customer page answers 500.",
            "noticed_at": "2026-01-05T09:10",
            "systems": [crm.pk],
            "category": "",
            "contact": "ext. 4412",
        },
    )
    incident = Incident.objects.get()
    assert (response.status_code, response["Location"]) == (302, f"/incidents/{incident.pk}/")
    assert (incident.title, incident.status, incident.source, incident.reporter) == (
        "CRM shows an error page",
        "reported",
        "web",
        outsider,
    )
    assert incident.reporter_contact == "ext. 4412"
    assert timezone.localtime(incident.noticed_at).strftime("%Y-%m-%d %H:%M") == "2026-01-05 09:10"
    assert list(incident.systems.all()) == [crm]
    # The commander and the CRM's owners (customer service) are paged and take part.
    assert set(
        Participant.objects.filter(incident=incident).values_list("user__username", "role")
    ) == {
        ("oscar", "reporter"),
        ("chen", "commander"),
        ("cai", "customer_service_rep"),
    }
    assert set(
        Delivery.objects.filter(incident_id=incident.pk).values_list(
            "recipient__username", flat=True
        )
    ) == {"chen", "cai"}
    page = client.get(response["Location"]).content.decode()
    assert f"INC-{incident.pk} reported. The emergency team has been paged." in page


def test_report_form_shows_the_services_refusal_on_the_field(
    login: Login, outsider: User, plan: Any
) -> None:
    future = (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = login(outsider).post(
        "/incidents/report/", {"title": "Something odd", "noticed_at": future}
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"noticed_at": ["cannot be in the future"]}
    assert not Incident.objects.exists()


def test_report_form_needs_a_title(login: Login, outsider: User, plan: Any) -> None:
    response = login(outsider).post("/incidents/report/", {"title": "  "})
    assert response.context["form"].errors == {"title": ["This field is required."]}
    assert not Incident.objects.exists()


def test_reporting_without_a_plan_says_why(login: Login, django_user_model: Any) -> None:
    employee = django_user_model.objects.create_user("ella", password="pw-ella")
    response = login(employee).post("/incidents/report/", {"title": "Something odd"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "No plan has been applied yet, so nobody can be paged."
    ]


# The incident page, per person


# Forms of the team's work; resources and outside help are offered once the inventory and the
# contacts have some (none here).
WORK = {"restores", "user-updates"}


def test_commander_sees_acknowledge_assess_and_cancel(
    login: Login, commander: User, outage: Incident
) -> None:
    response = login(commander).get(url(outage))
    body = response.content.decode()
    assert response.status_code == 200
    assert actions_in(body, outage) == {"acknowledge", "assess", "cancel", "team", "orders"} | WORK
    assert '<span class="badge state state-reported" data-state="reported">Reported</span>' in body
    assert "Assess the incident" in body
    form = response.context["page"].forms["assess"]
    assert [c for c, _ in form.fields["level"].choices] == ["", "high", "medium", "low"]


def test_ops_rep_can_acknowledge_but_not_assess(
    login: Login, ops_rep: User, outage: Incident
) -> None:
    body = login(ops_rep).get(url(outage)).content.decode()
    assert actions_in(body, outage) == {"acknowledge"} | WORK
    response = login(ops_rep).post(url(outage, "acknowledge"))
    assert (response.status_code, response["Location"]) == (302, url(outage))
    outage.refresh_from_db()
    assert (outage.status, outage.timeline.last().actor) == ("acknowledged", ops_rep)


def test_outsider_sees_a_normal_incident_but_no_actions(
    login: Login, outsider: User, outage: Incident
) -> None:
    response = login(outsider).get(url(outage))
    body = response.content.decode()
    assert response.status_code == 200
    assert "CRM is down" in body
    assert actions_in(body, outage) == set()
    assert "No step of the incident is yours to take now" in body


def test_outsider_gets_404_on_a_restricted_incident(
    login: Login, outsider: User, commander: User, deputy: User, plan: Any
) -> None:
    leak = services.report_incident(
        reporter=commander, title="Salary sheet leaked", category="data_leak"
    )
    client = login(outsider)
    assert client.get(url(leak)).status_code == 404
    assert client.get(url(leak, "section/header")).status_code == 404
    assert client.post(url(leak, "acknowledge")).status_code == 404
    assert "Salary sheet" not in client.get("/incidents/", {"show": "all"}).content.decode()
    leak.refresh_from_db()
    assert leak.status == "reported"
    # the deputy (security lead) sees it, with the restricted badge
    body = login(deputy).get(url(leak)).content.decode()
    assert '<span class="badge restricted"' in body


def test_header_shows_countdowns_and_flags_missed_deadlines(
    login: Login, commander: User, outage: Incident
) -> None:
    # Reported an hour ago: the high level's 5-minute acknowledge target is missed.
    Incident.objects.filter(pk=outage.pk).update(
        due_acknowledge=timezone.now() - dt.timedelta(minutes=55),
        due_assess=timezone.now() + dt.timedelta(minutes=5),
    )
    body = login(commander).get(url(outage)).content.decode()
    ack = re.search(r'<li class="deadline-acknowledge missed">(.*?)</li>', body, re.S)
    assert ack is not None
    assert "overdue by 0:5" in ack.group(1)
    assert '<span class="flag">missed</span>' in ack.group(1)
    assess_item = re.search(r'<li class="deadline-assess">(.*?)</li>', body, re.S)
    assert assess_item is not None
    assert re.search(r'data-left="(29\d|300)">0:0[45]:\d\d left<', assess_item.group(1))


def test_header_poll_says_when_someone_else_changed_the_state(
    login: Login, commander: User, ops_rep: User, outage: Incident
) -> None:
    services.acknowledge_incident(outage, actor=ops_rep)
    client = login(commander)
    stale = client.get(url(outage, "section/header"), {"seen": "reported"}, headers=HTMX)
    body = stale.content.decode()
    assert body.startswith('<section id="incident-header"')
    assert "The incident is now “Acknowledged”." in body
    assert "?seen=reported" in body
    fresh = client.get(url(outage, "section/header"), {"seen": "acknowledged"}, headers=HTMX)
    assert "The incident is now" not in fresh.content.decode()


def test_timeline_poll_answers_the_timeline_in_the_active_language(
    login: Login, commander: User, outage: Incident
) -> None:
    body = login(commander).get(url(outage, "section/timeline"), headers=HTMX).content.decode()
    assert body.startswith('<section id="incident-timeline"')
    assert 'hx-trigger="every 30s"' in body
    assert "<strong>Rita</strong> reported: CRM is down" in body
    assert "<strong>warroom</strong> emergency team notified: cai, chen" in body


def test_systems_section_names_what_is_also_at_risk(
    login: Login, commander: User, outage: Incident
) -> None:
    body = login(commander).get(url(outage)).content.decode()
    section = body[body.index('id="incident-systems"') : body.index('id="incident-team"')]
    assert ">CRM</a>" in section
    assert "Also at risk" in section
    assert ">Website</a>" in section
    assert "Customer DB" not in section


# The list and the dashboard


def test_list_filters_open_all_state_and_search(
    login: Login, commander: User, outage: Incident, reporter: User
) -> None:
    other = services.report_incident(reporter=reporter, title="Printer on fire")
    services.cancel_incident(other, actor=commander, reason="false alarm")
    client = login(commander)

    def titles(**query: str) -> list[str]:
        return [r.incident.title for r in client.get("/incidents/", query).context["rows"]]

    assert titles() == ["CRM is down"]
    assert titles(show="all") == ["Printer on fire", "CRM is down"]
    assert titles(state="cancelled") == ["Printer on fire"]
    assert titles(show="all", q="printer") == ["Printer on fire"]
    assert titles(q="printer") == []


def test_list_answers_htmx_with_the_rows(login: Login, commander: User, outage: Incident) -> None:
    response = login(commander).get("/incidents/", {"show": "all"}, headers=HTMX)
    body = response.content.decode()
    assert body.startswith('<tbody id="incident-rows">')
    assert f'<a href="/incidents/{outage.pk}/">INC-{outage.pk} CRM is down</a>' in body


def _many_incidents(
    n: int, reporter: User, systems: list[System], commander: User, start: int = 0
) -> None:
    for i in range(start, start + n):
        incident = services.report_incident(
            reporter=reporter, title=f"Incident {i}", systems=systems
        )
        if i % 2:
            assess(incident, commander)


def test_list_queries_do_not_grow_with_rows(
    login: Login,
    commander: User,
    reporter: User,
    crm: System,
    django_assert_max_num_queries: Any,
) -> None:
    client = login(commander)
    _many_incidents(3, reporter, [crm], commander)
    client.get("/incidents/")  # warm the parsed-plan cache, as in a running server
    # session, user, plan roles (visibility), count, incidents, their systems, plan version
    with django_assert_max_num_queries(8):
        small = client.get("/incidents/", {"show": "all"})
    _many_incidents(20, reporter, [crm], commander, start=3)
    with django_assert_max_num_queries(8):
        large = client.get("/incidents/", {"show": "all"})
    assert (len(small.context["rows"]), len(large.context["rows"])) == (3, 23)


def test_dashboard_shows_open_incidents_my_tasks_orders_and_missed_deadlines(
    login: Login, commander: User, ops_rep: User, outage: Incident
) -> None:
    incident = services.start_response(assess(outage, commander), actor=commander)
    task = incident.tasks.get(code="troubleshoot")
    services.update_task(task, actor=commander, assignee=ops_rep)
    services.issue_order(
        incident, actor=commander, text="Check the load balancer", to_person=ops_rep
    )
    Incident.objects.filter(pk=outage.pk).update(
        due_mitigate=timezone.now() - dt.timedelta(minutes=1)
    )
    response = login(ops_rep).get("/")
    body = response.content.decode()
    assert [r.incident for r in response.context["incidents_open"]] == [outage]
    assert [t.code for t in response.context["my_tasks"]] == ["troubleshoot"]
    assert [o.text for o in response.context["my_orders"]] == ["Check the load balancer"]
    assert [(i, str(label)) for i, label, _d in response.context["missed"]] == [
        (outage, "Mitigate")
    ]
    assert 'href="/incidents/report/">Report an incident</a>' in body
    assert "Troubleshoot and draw up a fix plan" in body
    assert '<span class="badge state state-responding">Responding</span>' in body


def test_dashboard_queries_do_not_grow_with_incidents(
    login: Login,
    commander: User,
    reporter: User,
    crm: System,
    django_assert_max_num_queries: Any,
) -> None:
    client = login(commander)
    _many_incidents(2, reporter, [crm], commander)
    client.get("/")
    # session, user; the overview's own 7 (plan version, three counts, overdue risks, unfilled
    # roles, plan for the names); the incident blocks 9: open incidents and their systems, my
    # tasks, my orders, missed deadlines, and the viewer's plan roles once per query of
    # visible incidents (3)
    with django_assert_max_num_queries(19) as small:
        client.get("/")
    _many_incidents(15, reporter, [crm], commander, start=2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        large = client.get("/")
    assert len(large.context["incidents_open"]) == 17


def test_incident_page_follows_the_ui_language(
    login: Login, commander: User, outage: Incident
) -> None:
    client = login(commander)
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    response = client.get(url(outage))
    body = response.content.decode()
    assert '<html lang="zh-hans">' in body
    with translation.override("zh-hans"):
        reported = describe_event("reported", {"title": "CRM is down"})
        state = str(Status.REPORTED.label)
    assert f"<strong>Rita</strong> {reported}</li>" in body
    assert f'data-state="reported">{state}</span>' in body
    english = login(commander).get(url(outage)).content.decode()
    assert "<strong>Rita</strong> reported: CRM is down</li>" in english


def test_unknown_section_is_404(login: Login, commander: User, outage: Incident) -> None:
    assert login(commander).get(url(outage, "section/nope")).status_code == 404
