"""The post-incident report rendered as Markdown, HTML or PDF, from one ReportDocument.

The HTML is a Django template (so every text of the report is escaped) with its style inline;
the PDF is that HTML laid out by WeasyPrint, with the CJK font named in the style
("Noto Sans CJK SC", Debian's fonts-noto-cjk), so the Chinese headings are real text in the
PDF, not missing glyphs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.template.loader import render_to_string

from warroom.incidents.models import Report
from warroom.reports.document import ReportDocument, Table, build_document

Format = Literal["md", "html", "pdf"]
FORMATS: tuple[Format, ...] = ("md", "html", "pdf")
CONTENT_TYPES = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


def export_report(report: Report, *, fmt: str, lang: str) -> Export:
    """The report in `fmt` ("md", "html" or "pdf") and `lang` ("zh-hans" or "en").
    Raises ValueError for another format or language."""
    if fmt not in FORMATS:
        raise ValueError(f"format {fmt!r}: one of {', '.join(FORMATS)}")
    document = build_document(report, lang=lang)
    if fmt == "md":
        content = render_markdown(document).encode()
    elif fmt == "html":
        content = render_html(document).encode()
    else:
        content = render_pdf(document)
    return Export(content, CONTENT_TYPES[fmt], f"{document.filename}.{fmt}")


def _cell(value: str) -> str:
    return (value or "—").replace("|", "\\|").replace("\n", " ")


def _md_table(table: Table) -> list[str]:
    lines = ["| " + " | ".join(_cell(h) for h in table.headers) + " |"]
    lines.append("|" + "---|" * len(table.headers))
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in table.rows]
    return [*lines, ""]


def render_markdown(document: ReportDocument) -> str:
    """The report as Markdown; the report's own texts are written as they were entered."""
    lines = [f"# {document.title}", "", f"*{document.subtitle}*", ""]
    lines += [f"- **{label}**: {value}" for label, value in document.facts] + [""]
    for section in document.sections:
        lines += [f"## {section.heading}", ""]
        if section.table is not None:
            lines += _md_table(section.table)
        if section.text.strip():
            lines += [section.text.strip(), ""]
        elif section.table is None:
            lines += ["—", ""]
    return "\n".join(lines).rstrip() + "\n"


def render_html(document: ReportDocument) -> str:
    """The report as a standalone HTML page (inline style, no outside resources)."""
    return render_to_string("reports/export.html", {"doc": document})


def render_pdf(document: ReportDocument) -> bytes:
    """The report as PDF, laid out by WeasyPrint from `render_html`."""
    # Imported here: WeasyPrint loads Pango when imported, which only the PDF needs.
    from weasyprint import HTML

    pdf: bytes = HTML(string=render_html(document)).write_pdf()
    return pdf
