"""The report as Markdown, HTML and PDF, in Chinese and in English: the seed's headings, the
timings against the plan's targets, the timeline, and who may export it."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pypdf
import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import ApiClient
from tests.reports.conftest import Login, resolve
from warroom.catalog.models import System
from warroom.incidents import services
from warroom.incidents.models import Incident, Report
from warroom.reports import document
from warroom.reports.document import Feedback, build_document
from warroom.reports.export import export_report

pytestmark = pytest.mark.django_db

SEED_HEADINGS = ("事件经过", "处理措施", "经验教训")


def pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def _report(incident: Incident) -> Report:
    return Report.objects.get(incident=incident)


def test_pdf_export_contains_the_chinese_headings(resolved: Incident, commander: User) -> None:
    services.update_report(resolved, actor=commander, root_cause="内存泄漏导致工作进程崩溃。")
    result = export_report(_report(resolved), fmt="pdf", lang="zh-hans")
    assert result.content.startswith(b"%PDF-")
    assert (result.content_type, result.filename) == (
        "application/pdf",
        f"INC-{resolved.pk}-report-zh-hans.pdf",
    )
    text = pdf_text(result.content)
    for heading in (*SEED_HEADINGS, "影响", "根本原因", "做得好的", "做得不好的", "时间线"):
        assert heading in text
    assert "目标达成情况" in text
    assert "内存泄漏导致工作进程崩溃。" in text
    assert f"事后报告: INC-{resolved.pk} CRM is down" in text


def test_pdf_export_in_english_has_the_english_headings(resolved: Incident) -> None:
    text = pdf_text(export_report(_report(resolved), fmt="pdf", lang="en").content)
    for heading in ("What happened", "What was done", "Lessons learned", "Targets met"):
        assert heading in text
    assert "事件经过" not in text


def test_markdown_export_has_the_seed_headings_in_order(
    resolved: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Without user feedback (the evaluation app adds its section when it has surveys).
    monkeypatch.setattr(document, "feedback_of", lambda incident: None)
    text = export_report(_report(resolved), fmt="md", lang="zh-hans").content.decode()
    headings = [line[3:] for line in text.splitlines() if line.startswith("## ")]
    assert headings == [
        "事件经过",
        "影响",
        "根本原因",
        "处理措施",
        "时间线",
        "目标达成情况",
        "做得好的",
        "做得不好的",
        "经验教训",
        "改进措施",
    ]
    assert text.startswith(f"# 事后报告: INC-{resolved.pk} CRM is down\n")
    assert "- **预案版本**: v1" in text
    assert "- **审核状态**: 草稿" in text
    assert "- **受影响系统**: CRM" in text


def test_timings_against_the_plan_targets_are_met_or_missed(
    crm: System, reporter: User, commander: User, ops_rep: User
) -> None:
    incident = services.report_incident(reporter=reporter, title="Slow CRM", systems=[crm])
    incident = resolve(
        incident, commander=commander, signer=ops_rep, late_by=dt.timedelta(minutes=5)
    )
    doc = build_document(_report(incident), lang="zh-hans")
    [targets] = [s for s in doc.sections if s.key == "targets"]
    assert targets.table is not None
    assert targets.table.headers == [
        "目标",
        "预案要求",
        "截止时间",
        "达成时间",
        "用时（分钟）",
        "结果",
    ]
    # The default plan's high level: 5 minutes to acknowledge, 15 to assess, 1 h to
    # mitigate, 4 h to resolve.
    assert [(row[0], row[1], row[5]) for row in targets.table.rows] == [
        ("确认", "≤ 5 分钟", "达成"),
        ("评估", "≤ 15 分钟", "达成"),
        ("缓解", "≤ 60 分钟", "达成"),
        ("解决", "≤ 240 分钟", "未达成"),
    ]
    assert targets.table.classes == ["met", "met", "met", "missed"]
    html = export_report(_report(incident), fmt="html", lang="en").content.decode()
    assert '<tr class="missed"><td>Resolve</td>' in html


def test_timeline_lists_the_incidents_events_in_the_export_language(
    resolved: Incident,
) -> None:
    doc = build_document(_report(resolved), lang="en")
    [timeline] = [s for s in doc.sections if s.key == "timeline"]
    assert timeline.table is not None
    whats = [row[2] for row in timeline.table.rows]
    assert whats[0] == "reported: CRM is down"
    assert "state Recovering → Resolved" in whats
    assert whats[-1] == "post-incident report drafted"
    assert timeline.table.rows[0][1] == "Rita"


def test_html_export_escapes_the_reports_texts(resolved: Incident, commander: User) -> None:
    services.update_report(resolved, actor=commander, lessons="<script>alert(1)</script>")
    html = export_report(_report(resolved), fmt="html", lang="en").content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'font: 10.5pt/1.6 "Noto Sans CJK SC"' in html
    assert '<html lang="en">' in html


def test_feedback_appears_when_the_evaluation_app_gives_some(
    resolved: Incident, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        document, "feedback_of", lambda incident: Feedback(2, 4.5, ["Quick fix"], sent=3)
    )
    text = export_report(_report(resolved), fmt="md", lang="zh-hans").content.decode()
    assert "## 用户反馈" in text
    assert "| 3 份问卷中 2 份已答 | 4.5 |" in text
    assert "- Quick fix" in text


def test_feedback_is_read_from_the_evaluation_apps_surveys() -> None:
    class Answer:
        def __init__(self, score: int, comment: str) -> None:
            self.score, self.comment = score, comment

    class Surveys:
        sent = 4
        answers = [Answer(5, "Fast"), Answer(3, "")]
        average = 4.0

    assert document._summarise(Surveys()) == Feedback(2, 4.0, ["Fast"], sent=4)
    assert document._summarise({"count": 1, "average": 2, "comments": ["x"]}) == Feedback(
        1, 2.0, ["x"]
    )
    assert document._summarise([{"score": 4, "comment": "ok"}]) == Feedback(1, 4.0, ["ok"])
    assert document._summarise(None) is None


# Who may export it, and where


def test_export_pages_answer_each_format_and_language(
    login: Login, resolved: Incident, ops_rep: User
) -> None:
    client = login(ops_rep)
    base = f"/incidents/{resolved.pk}/report"
    md = client.get(f"{base}.md?lang=zh-hans")
    assert md.status_code == 200
    assert md["Content-Type"] == "text/markdown; charset=utf-8"
    assert (
        md["Content-Disposition"] == f'attachment; filename="INC-{resolved.pk}-report-zh-hans.md"'
    )
    assert "## 经验教训" in md.content.decode()
    html = client.get(f"{base}.html?lang=en")
    assert (html.status_code, html["Content-Type"]) == (200, "text/html; charset=utf-8")
    assert "<h2>Lessons learned</h2>" in html.content.decode()
    pdf = client.get(f"{base}.pdf?lang=zh-hans")
    assert (pdf.status_code, pdf["Content-Type"]) == (200, "application/pdf")
    assert "处理措施" in pdf_text(pdf.content)
    # Without ?lang= the document follows the UI's language.
    assert "## Lessons learned" in client.get(f"{base}.md").content.decode()
    assert client.get(f"{base}.docx").status_code == 404


def test_the_incident_page_links_the_exports(
    login: Login, resolved: Incident, ops_rep: User
) -> None:
    body = login(ops_rep).get(f"/incidents/{resolved.pk}/").content.decode()
    assert f'href="/incidents/{resolved.pk}/report.pdf?lang=zh-hans"' in body
    assert f'href="/incidents/{resolved.pk}/report.md?lang=en"' in body


def test_a_restricted_incidents_report_does_not_exist_for_an_outsider(
    login: Login, api_as: Any, leak: Incident, outsider: User, ops_rep: User
) -> None:
    for fmt in ("md", "html", "pdf"):
        assert login(outsider).get(f"/incidents/{leak.pk}/report.{fmt}").status_code == 404
        assert login(ops_rep).get(f"/incidents/{leak.pk}/report.{fmt}").status_code == 200
    path = f"/incidents/{leak.pk}/report/export?format=pdf&lang=zh-hans"
    assert api_as(outsider).get(path).status_code == 404
    assert api_as(ops_rep).get(path).status_code == 200


def test_no_report_before_the_incident_is_resolved(
    login: Login, crm: System, reporter: User, commander: User
) -> None:
    incident = services.report_incident(reporter=reporter, title="CRM slow", systems=[crm])
    assert login(commander).get(f"/incidents/{incident.pk}/report.md").status_code == 404
    with pytest.raises(CommandError, match="has no report yet"):
        call_command("report", "export", str(incident.pk))


def test_api_exports_the_pdf_in_chinese(
    api_as: type[ApiClient], resolved: Incident, commander: User
) -> None:
    response = api_as(commander).get(
        f"/incidents/{resolved.pk}/report/export?format=pdf&lang=zh-hans"
    )
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    text = pdf_text(response.content)
    assert all(heading in text for heading in SEED_HEADINGS)
    md = api_as(commander).get(f"/incidents/{resolved.pk}/report/export?format=md&lang=en")
    assert md.content.decode().startswith(f"# Post-incident report: INC-{resolved.pk} ")
    bad = api_as(commander).get(f"/incidents/{resolved.pk}/report/export?format=doc")
    assert bad.status_code == 422


def test_cli_writes_the_pdf(resolved: Incident, tmp_path: Path) -> None:
    target = tmp_path / "report.pdf"
    call_command(
        "report",
        "export",
        str(resolved.pk),
        "--format",
        "pdf",
        "--lang",
        "zh-hans",
        "-o",
        str(target),
    )
    text = pdf_text(target.read_bytes())
    assert all(heading in text for heading in SEED_HEADINGS)


def test_cli_export_as_a_user_follows_the_incidents_visibility(
    leak: Incident, outsider: User, ops_rep: User, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(CommandError, match=f"no incident INC-{leak.pk} that you may see"):
        call_command("report", "--user", "oscar", "export", str(leak.pk))
    call_command("report", "--user", "olga", "export", str(leak.pk), "--lang", "en")
    assert "## What happened" in capsys.readouterr().out


def test_the_evaluation_apps_surveys_appear_in_the_report(resolved: Incident) -> None:
    if not apps.is_installed("warroom.evaluation"):
        pytest.skip("the evaluation app (plan §6.2) is not installed")
    # Resolution sent the reporter a survey; nobody has answered yet.
    text = export_report(_report(resolved), fmt="md", lang="en").content.decode()
    assert "## User feedback" in text
    assert "| 0 of 1 surveys answered | — |" in text
