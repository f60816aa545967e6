"""The drill report: what was injected, how the team did against the plan's targets per
incident, role and department, and the findings — as Markdown, HTML and (with WeasyPrint
installed) PDF, in either language.

One `DrillDocument` is built from the drill and its stored score, then rendered. The HTML is a
Django template (every text escaped) with its style inline; the PDF is that HTML laid out by
WeasyPrint with the CJK font named in the style (Debian's fonts-noto-cjk).
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass, field
from typing import Any, Literal

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from warroom.drills.models import Drill
from warroom.plan.queries import plan_of
from warroom.plan.schema import Plan, format_duration

Format = Literal["md", "html", "pdf"]
CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}
LANGS = ("en", "zh-hans")


def pdf_available() -> bool:
    """Whether PDF export is offered: WeasyPrint is an optional dependency."""
    return importlib.util.find_spec("weasyprint") is not None


def formats() -> tuple[Format, ...]:
    return ("md", "html", "pdf") if pdf_available() else ("md", "html")


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Section:
    heading: str
    table: Table | None = None
    text: str = ""


@dataclass
class DrillDocument:
    title: str
    lang: str
    filename: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def export_drill_report(drill: Drill, *, fmt: str, lang: str) -> Export:
    """The report in `fmt` and `lang` ("en" or "zh-hans"). Raises ValueError for a format
    that is not offered (pdf without WeasyPrint) or an unknown language."""
    if fmt not in formats():
        raise ValueError(f"format {fmt!r}: one of {', '.join(formats())}")
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: one of {', '.join(LANGS)}")
    document = build_document(drill, lang=lang)
    if fmt == "md":
        content = render_markdown(document).encode()
    elif fmt == "html":
        content = render_html(document).encode()
    else:
        content = render_pdf(document)
    return Export(content, CONTENT_TYPES[fmt], f"{document.filename}.{fmt}")


def _duration(seconds: int | None) -> str:
    return format_duration(seconds) if seconds is not None and seconds >= 0 else "—"


def _time(value: Any) -> str:
    if not value:
        return "—"
    moment = parse_datetime(value) if isinstance(value, str) else value
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def _yes(value: bool | None) -> str:
    if value is None:
        return "—"
    return _("met") if value else _("missed")


def build_document(drill: Drill, *, lang: str) -> DrillDocument:
    """Everything the report says, in `lang`. Reads the stored score: a drill not finished
    yet has none, and says so."""
    with translation.override(lang):
        plan = plan_of(drill.plan_version)
        doc = DrillDocument(
            title=_("Drill report: %(title)s") % {"title": drill.display_title},
            lang=lang,
            filename=f"drill-{drill.pk}-report-{lang}",
        )
        score = drill.score or {}
        doc.facts = _facts(drill, plan, score)
        doc.sections.append(_injects(drill))
        if not score:
            doc.sections.append(
                Section(_("Score"), text=_("The drill is not finished, so it is not scored yet."))
            )
        for row in score.get("incidents", []):
            doc.sections += _incident_sections(row, plan)
        if score:
            doc.sections.append(_roles(score, plan))
            doc.sections.append(_departments(score, plan))
        doc.sections.append(_findings(drill))
    return doc


def _facts(drill: Drill, plan: Plan, score: dict[str, Any]) -> list[tuple[str, str]]:
    scenario = next((s for s in plan.evaluation.drills.scenarios if s.code == drill.scenario), None)
    category = plan.category(scenario.category) if scenario else None
    level = plan.level(scenario.level) if scenario else None
    lang = translation.get_language() or "en"
    percent = score.get("percent")
    points = score.get("points", {})
    return [
        (_("Drill"), drill.reference),
        (_("Scenario"), scenario.title.get(lang) if scenario else drill.scenario),
        (_("Risk category"), category.name.get(lang) if category else "—"),
        (_("Impact level"), level.name.get(lang) if level else "—"),
        (_("Status"), str(drill.get_status_display())),
        (_("Scheduled for"), drill.scheduled_for.isoformat()),
        (_("Started"), _time(drill.started_at)),
        (_("Finished"), _time(drill.finished_at)),
        (_("Plan version"), f"v{drill.plan_version.number}"),
        (
            _("Overall score"),
            _("%(percent)s %% (%(earned)s of %(possible)s points)")
            % {
                "percent": percent,
                "earned": points.get("earned", 0),
                "possible": points.get("possible", 0),
            }
            if percent is not None
            else "—",
        ),
    ]


def _injects(drill: Drill) -> Section:
    rows = [
        [
            f"+{_duration(i.offset_seconds)}",
            str(i.get_kind_display()),
            i.title,
            _time(i.done_at),
            i.incident.reference if i.incident else (i.error or "—"),
        ]
        for i in drill.injects.select_related("incident").order_by("offset_seconds", "id")
    ]
    headers = [_("At"), _("Kind"), _("Title"), _("Sent"), _("Incident")]
    return Section(_("Injects"), Table(headers, rows))


def _role_names(plan: Plan, codes: list[str]) -> str:
    lang = translation.get_language() or "en"
    names = []
    for code in codes:
        role = plan.role(code)
        names.append(role.name.get(lang) if role else code)
    return ", ".join(names) or "—"


def _incident_sections(row: dict[str, Any], plan: Plan) -> list[Section]:
    lang = translation.get_language() or "en"
    names = {
        "acknowledge": _("Acknowledge"),
        "assess": _("Assess"),
        "mitigate": _("Mitigate"),
        "resolve": _("Resolve"),
    }
    timing = Table(
        [_("Target"), _("Plan's target"), _("Took"), _("Result"), _("By"), _("Roles")],
        [
            [
                names.get(m["name"], m["name"]),
                _duration(m["target_seconds"]),
                _duration(m["seconds"]),
                _yes(m["met"]),
                m["by"],
                _role_names(plan, m["roles"]),
            ]
            for m in row["milestones"]
        ],
    )
    a = row["assessment"]
    assessed = Table(
        [_("Assessed"), _("Expected"), _("Given"), _("Result")],
        [
            [_("Impact level"), a["expected_level"], a["level"] or "—", _yes(a["level_correct"])],
            [
                _("Risk category"),
                a["expected_category"],
                a["category"] or "—",
                _yes(a["category_correct"]),
            ],
        ],
    )
    departments = {d.code: d.name.get(lang) for d in plan.departments}
    tasks = Table(
        [_("Task"), _("Department"), _("Due"), _("Done"), _("Margin"), _("Result")],
        [
            [
                (t["title_zh"] if lang.startswith("zh") and t["title_zh"] else t["title"]),
                departments.get(t["department"], t["department"]),
                _time(t["due_at"]),
                _time(t["completed_at"]),
                _margin(t["margin_seconds"]),
                _yes(t["met"]) if t["status"] != "skipped" else _("not needed"),
            ]
            for t in row["tasks"]
        ],
    )
    heading = f"{row['reference']} {row['title']}"
    sections = [
        Section(
            heading,
            timing,
            _("%(earned)s of %(possible)s points.")
            % {"earned": row["points"]["earned"], "possible": row["points"]["possible"]},
        ),
        Section(_("Assessment of %(ref)s") % {"ref": row["reference"]}, assessed),
    ]
    if row["tasks"]:
        sections.append(Section(_("Playbook tasks of %(ref)s") % {"ref": row["reference"]}, tasks))
    return sections


def _margin(seconds: int | None) -> str:
    if seconds is None:
        return "—"
    if seconds >= 0:
        return _("%(time)s early") % {"time": _duration(seconds)}
    return _("%(time)s late") % {"time": _duration(-seconds)}


def _roles(score: dict[str, Any], plan: Plan) -> Section:
    rows = [
        [
            _role_names(plan, [r["role"]]) if r["role"] != "warroom" else "warroom",
            str(r["milestones"]),
            str(r["met"]),
        ]
        for r in score.get("roles", [])
    ]
    return Section(
        _("By role"), Table([_("Role"), _("Milestones reached"), _("Within target")], rows)
    )


def _departments(score: dict[str, Any], plan: Plan) -> Section:
    lang = translation.get_language() or "en"
    names = {d.code: d.name.get(lang) for d in plan.departments}
    rows = [
        [
            names.get(d["department"], d["department"]),
            str(d["tasks"]),
            str(d["done"]),
            str(d["on_time"]),
            _duration(d["slowest_seconds"]),
        ]
        for d in score.get("departments", [])
    ]
    headers = [_("Department"), _("Tasks"), _("Done"), _("On time"), _("Slowest task")]
    return Section(
        _("By department"),
        Table(headers, rows),
        "" if rows else _("No playbook tasks were handed out."),
    )


def _findings(drill: Drill) -> Section:
    items = list(drill.findings.select_related("owner").order_by("due_date", "id"))
    rows = [
        [
            f.text,
            (f.owner.get_full_name() or f.owner.get_username()) if f.owner else "—",
            f.due_date.isoformat() if f.due_date else "—",
            str(f.get_status_display()),
        ]
        for f in items
    ]
    headers = [_("Finding"), _("Owner"), _("Due"), _("Status")]
    return Section(
        _("Findings"), Table(headers, rows) if rows else None, "" if rows else _("None yet.")
    )


def _cell(value: str) -> str:
    return (value or "—").replace("|", "\\|").replace("\n", " ")


def render_markdown(document: DrillDocument) -> str:
    lines = [f"# {document.title}", ""]
    lines += [f"- **{label}**: {value}" for label, value in document.facts] + [""]
    for section in document.sections:
        lines += [f"## {section.heading}", ""]
        if section.table is not None:
            table = section.table
            lines.append("| " + " | ".join(_cell(h) for h in table.headers) + " |")
            lines.append("|" + "---|" * len(table.headers))
            lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
            lines.append("")
        if section.text:
            lines += [section.text, ""]
    return "\n".join(lines).rstrip() + "\n"


def render_html(document: DrillDocument) -> str:
    """A standalone page (inline style, no outside resources)."""
    with translation.override(document.lang):
        return render_to_string("drills/export.html", {"doc": document})


def render_pdf(document: DrillDocument) -> bytes:
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(document)).write_pdf()
    return pdf
