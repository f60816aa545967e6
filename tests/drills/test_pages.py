"""The drill pages: the calendar with its OVERDUE flags and open findings (in a fixed number of
queries), a drill's page, its report and the exports in both languages."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from tests.drills.conftest import MakeDrill
from warroom.drills import services
from warroom.drills.models import Drill, Inject
from warroom.plan import queries as plan_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_drill(commander: User, ops_rep: User, make_drill: MakeDrill) -> Drill:
    drill = make_drill(commander, scheduled_for=timezone.localdate())
    services.start_drill(drill, actor=commander)
    services.finish_drill(drill, actor=commander)
    services.add_finding(
        drill,
        actor=commander,
        text="The restore runbook is out of date",
        owner=ops_rep,
        due_date=timezone.localdate() - dt.timedelta(days=1),
    )
    return drill


def test_the_list_flags_overdue_drills_and_shows_open_findings(
    client: Client,
    commander: User,
    make_drill: MakeDrill,
    finished_drill: Drill,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    today = timezone.localdate()
    missed = make_drill(commander, "ddos_drill", scheduled_for=today - dt.timedelta(days=3))
    for days in (10, 20, 30):
        make_drill(commander, "misconfig_drill", scheduled_for=today + dt.timedelta(days=days))
    client.force_login(commander)
    client.get("/drills/")  # the session, the plan's parse cache: warm

    plan_queries._parse.cache_clear()
    # session, user, can_manage, overdue (3), next due, running, upcoming, past, findings,
    # the plan parsed once per version, messages.
    with django_assert_num_queries(12):
        response = client.get("/drills/")

    page = response.content.decode()
    assert response.status_code == 200
    assert f"{missed.reference} DDoS attack drill" in page
    assert "planned for" in page and "OVERDUE" in page
    assert page.count("Misconfiguration drill") == 3
    assert "The restore runbook is out of date" in page
    assert 'id="findings"' in page and "Olga" in page
    assert "Plan drills by the plan's cadence" in page


def test_the_plan_drills_form_puts_drills_on_the_calendar(client: Client, commander: User) -> None:
    client.force_login(commander)

    response = client.post("/drills/schedule/", {"from_date": "2027-01-04", "count": 3})

    assert response.status_code == 302
    assert list(
        Drill.objects.order_by("scheduled_for").values_list("scheduled_for", "scenario")
    ) == [
        (dt.date(2027, 1, 4), "db_crash_drill"),
        (dt.date(2027, 4, 4), "data_leak_drill"),
        (dt.date(2027, 7, 3), "ddos_drill"),
    ]


def test_injects_are_added_on_the_drill_page(
    client: Client, commander: User, make_drill: MakeDrill
) -> None:
    drill = make_drill(commander)
    client.force_login(commander)

    response = client.post(
        f"/drills/{drill.pk}/injects/new/",
        {
            "kind": "report",
            "offset_seconds": "300",
            "title": "Call centre: orders fail",
            "category": "system_failure",
            "level": "high",
        },
    )

    assert response.status_code == 302
    added = Inject.objects.get(drill=drill, kind="report")
    assert (added.offset_seconds, added.title, added.payload) == (
        300,
        "Call centre: orders fail",
        {},
    )
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert "+300 s" in page and "Call centre: orders fail" in page
    bad = client.post(
        f"/drills/{drill.pk}/injects/new/",
        {"kind": "alert", "offset_seconds": "0", "title": "x", "payload": '{"alerts": 1}'},
    )
    assert bad.status_code == 200 and Inject.objects.filter(drill=drill).count() == 2


def test_the_report_page_and_exports(
    client: Client, commander: User, finished_drill: Drill
) -> None:
    client.force_login(commander)

    page = client.get(f"/drills/{finished_drill.pk}/report").content.decode()
    md = client.get(f"/drills/{finished_drill.pk}/report.md?lang=en")
    zh = client.get(f"/drills/{finished_drill.pk}/report.md?lang=zh-hans").content.decode()
    html = client.get(f"/drills/{finished_drill.pk}/report.html?lang=zh-hans")

    assert "Drill report: Database crash drill" in page
    assert md["Content-Type"] == "text/markdown; charset=utf-8"
    assert md["Content-Disposition"] == (
        f'attachment; filename="drill-{finished_drill.pk}-report-en.md"'
    )
    text = md.content.decode()
    assert text.startswith("# Drill report: Database crash drill\n")
    assert f"- **Drill**: {finished_drill.reference}" in text
    assert "## Findings" in text and "| The restore runbook is out of date | Olga |" in text
    assert zh.startswith("# 演练报告：数据库崩溃演练\n")
    assert "## 发现的问题" in zh
    assert html.status_code == 200 and "演练报告" in html.content.decode()
    assert client.get(f"/drills/{finished_drill.pk}/report.doc").status_code == 404


@pytest.mark.skipif(
    importlib.util.find_spec("weasyprint") is None, reason="WeasyPrint is not installed"
)
def test_the_pdf_export_holds_the_chinese_headings(
    client: Client, commander: User, finished_drill: Drill
) -> None:
    client.force_login(commander)

    response = client.get(f"/drills/{finished_drill.pk}/report.pdf?lang=zh-hans")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    pypdf = pytest.importorskip("pypdf")
    text = "".join(
        page.extract_text() for page in pypdf.PdfReader(io.BytesIO(response.content)).pages
    )
    assert "演练报告" in text and "发现的问题" in text


def test_a_drill_is_planned_on_the_new_drill_page(client: Client, commander: User) -> None:
    client.force_login(commander)
    assert "Data leak drill" in client.get("/drills/new/").content.decode()

    response = client.post(
        "/drills/new/", {"scenario": "data_leak_drill", "scheduled_for": "2027-02-01"}
    )

    drill = Drill.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/drills/{drill.pk}/"
    assert (drill.scenario, drill.scheduled_for, drill.created_by) == (
        "data_leak_drill",
        dt.date(2027, 2, 1),
        commander,
    )
    page = client.get(f"/drills/{drill.pk}/").content.decode()
    assert "Start the drill now" in page and "Add an inject" in page


def test_a_finished_drill_page_offers_findings_not_injects(
    client: Client, commander: User, finished_drill: Drill
) -> None:
    client.force_login(commander)

    page = client.get(f"/drills/{finished_drill.pk}/").content.decode()
    added = client.post(
        f"/drills/{finished_drill.pk}/findings/", {"text": "Page the backup DBA too"}
    )

    assert "Add the finding" in page and "Add an inject" not in page
    assert "Finish and score" not in page
    assert added.status_code == 302
    assert finished_drill.findings.filter(text="Page the backup DBA too").exists()
