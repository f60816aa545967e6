"""The post-incident report (plan §4.6) as a document in one language, before it is rendered
as Markdown, HTML or PDF (export.py).

The report's headings and labels come from WORDS, a bilingual table, not from gettext: the
export's language is chosen per request (independent of the UI's), and its Chinese headings
are the seed plan's own words — 事件经过, 处理措施, 经验教训 — which must appear exactly as
written whatever the state of the translation catalogue, like the plan's texts, which are
bilingual data too. The timeline's lines are described by `describe_event` in the export's
language (gettext), as on the incident page.
"""

from __future__ import annotations

import datetime as dt
import importlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.utils import timezone, translation

from warroom.incidents.models import Incident, Report
from warroom.incidents.services.review import describe_event, timings
from warroom.people.forms import display_name
from warroom.plan.queries import plan_of
from warroom.plan.schema import parse_duration

LANGS = ("zh-hans", "en")

# key → (Chinese, English)
WORDS: dict[str, tuple[str, str]] = {
    "title": ("事后报告", "Post-incident report"),
    "what_happened": ("事件经过", "What happened"),
    "impact": ("影响", "Impact"),
    "root_cause": ("根本原因", "Root cause"),
    "what_was_done": ("处理措施", "What was done"),
    "timeline": ("时间线", "Timeline"),
    "targets": ("目标达成情况", "Targets met"),
    "went_well": ("做得好的", "What went well"),
    "went_badly": ("做得不好的", "What went badly"),
    "lessons": ("经验教训", "Lessons learned"),
    "action_items": ("改进措施", "Action items"),
    "feedback": ("用户反馈", "User feedback"),
    # facts
    "incident": ("事件", "Incident"),
    "level": ("影响等级", "Impact level"),
    "category": ("风险类别", "Risk category"),
    "systems": ("受影响系统", "Affected systems"),
    "reported": ("报告时间", "Reported"),
    "resolved": ("解决时间", "Resolved"),
    "plan_version": ("预案版本", "Plan version"),
    "review_state": ("审核状态", "Review state"),
    "approved": ("批准", "Approved"),
    "published": ("发布时间", "Published"),
    "generated": ("生成时间", "Generated"),
    "drill": ("演练（非真实事件）", "Drill (not a real incident)"),
    # table headers
    "target": ("目标", "Target"),
    "plan_target": ("预案要求", "Plan target"),
    "due": ("截止时间", "Due"),
    "reached": ("达成时间", "Reached"),
    "minutes": ("用时（分钟）", "Minutes taken"),
    "result": ("结果", "Result"),
    "when": ("时间", "Time"),
    "who": ("人员", "Who"),
    "what": ("经过", "What"),
    "action": ("措施", "Action"),
    "owner": ("负责人", "Owner"),
    "status": ("状态", "Status"),
    "plan_change": ("预案修订", "Plan change"),
    "responses": ("反馈数", "Responses"),
    "average": ("平均分（1–5）", "Average score (1–5)"),
    "comments": ("意见", "Comments"),
    "answered_of": ("%(sent)s 份问卷中 %(count)s 份已答", "%(count)s of %(sent)s surveys answered"),
    "source_reporter": ("上报人：%(count)s 份", "reporter: %(count)s"),
    "source_subscriber": ("状态页订阅者：%(count)s 份", "status page subscribers: %(count)s"),
    # values
    "met": ("达成", "met"),
    "missed": ("未达成", "missed"),
    "not_reached": ("未达到", "not reached"),
    "minute_unit": ("分钟", "min"),
    "none": ("无", "none"),
    "acknowledge": ("确认", "Acknowledge"),
    "assess": ("评估", "Assess"),
    "mitigate": ("缓解", "Mitigate"),
    "resolve": ("解决", "Resolve"),
    "state_draft": ("草稿", "draft"),
    "state_in_review": ("审核中", "in review"),
    "state_approved": ("已批准", "approved"),
    "state_published": ("已发布", "published"),
    "action_open": ("未完成", "open"),
    "action_done": ("已完成", "done"),
    "action_cancelled": ("已取消", "cancelled"),
    "revision": ("修订 #%(id)s", "revision #%(id)s"),
    "revision_effective": (
        "修订 #%(id)s（已生效：v%(number)s）",
        "revision #%(id)s (in effect: v%(number)s)",
    ),
}


def word(key: str, lang: str) -> str:
    zh, en = WORDS[key]
    return zh if lang.startswith("zh") else en


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]
    # A class per row (e.g. "missed" for a missed target), for the HTML and the PDF.
    classes: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[tuple[str, list[str]]]:
        """(class, cells) per row."""
        classes = self.classes + [""] * (len(self.rows) - len(self.classes))
        return list(zip(classes, self.rows, strict=True))


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    text: str = ""
    table: Table | None = None


@dataclass(frozen=True)
class ReportDocument:
    lang: str
    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    filename: str


@dataclass(frozen=True)
class Feedback:
    count: int  # answers
    average: float | None
    comments: list[str]
    sent: int | None = None  # surveys sent, when known
    # (source, answers, average) per source of the answers ("reporter", "subscriber"), when
    # the answers say where they came from.
    by_source: list[tuple[str, int, float | None]] = field(default_factory=list)


def _when(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "—"


def _iso(text: str | None) -> str:
    return _when(dt.datetime.fromisoformat(text)) if text else "—"


def build_document(report: Report, *, lang: str) -> ReportDocument:
    """The report of `report.incident` in `lang` ("zh-hans" or "en"). Reads the incident, its
    plan version, systems, timeline, action items and (when the evaluation app provides it)
    user feedback."""
    if lang not in LANGS:
        raise ValueError(f"language {lang!r}: one of {', '.join(LANGS)}")
    incident = report.incident
    with translation.override(lang):
        return _build(report, incident, lang)


def _build(report: Report, incident: Incident, lang: str) -> ReportDocument:
    def w(key: str) -> str:
        return word(key, lang)

    plan = plan_of(incident.plan_version)
    level = plan.level(incident.level) if incident.level else None
    category = plan.category(incident.category) if incident.category else None
    systems = ", ".join(incident.systems.order_by("name").values_list("name", flat=True))

    facts = [
        (w("incident"), f"{incident.reference} {incident.title}"),
        (w("level"), level.name.get(lang) if level else incident.level or "—"),
        (w("category"), category.name.get(lang) if category else incident.category or "—"),
        (w("systems"), systems or "—"),
        (w("reported"), _when(incident.reported_at)),
        (w("resolved"), _when(incident.resolved_at)),
        (w("plan_version"), f"v{incident.plan_version.number}"),
        (w("review_state"), w(f"state_{report.state}")),
    ]
    if report.approved_at:
        who = display_name(report.approved_by) if report.approved_by else "—"
        facts.append((w("approved"), f"{who}, {_when(report.approved_at)}"))
    if report.published_at:
        facts.append((w("published"), _when(report.published_at)))
    if incident.is_drill:
        facts.insert(0, (w("drill"), "✓"))

    sections = [
        Section("what_happened", w("what_happened"), report.what_happened),
        Section("impact", w("impact"), report.impact),
        Section("root_cause", w("root_cause"), report.root_cause),
        Section("what_was_done", w("what_was_done"), report.what_was_done),
        _timeline(incident, lang),
        _targets(report, incident, level.targets if level else None, lang),
        Section("went_well", w("went_well"), report.went_well),
        Section("went_badly", w("went_badly"), report.went_badly),
        Section("lessons", w("lessons"), report.lessons),
        _action_items(incident, lang),
    ]
    feedback = feedback_of(incident)
    if feedback is not None:
        sections.append(_feedback(feedback, lang))
    return ReportDocument(
        lang=lang,
        title=f"{w('title')}: {incident.reference} {incident.title}",
        subtitle=f"{w('generated')} {_when(timezone.now())}",
        facts=facts,
        sections=sections,
        filename=f"{incident.reference}-report-{lang}",
    )


def _timeline(incident: Incident, lang: str) -> Section:
    rows = [
        [
            _when(e.at),
            display_name(e.actor) if e.actor else "warroom",
            describe_event(e.kind, e.data),
        ]
        for e in incident.timeline.select_related("actor").order_by("seq")
    ]
    headers = [word("when", lang), word("who", lang), word("what", lang)]
    return Section("timeline", word("timeline", lang), table=Table(headers, rows))


def _targets(report: Report, incident: Incident, targets: Any, lang: str) -> Section:
    """Each of the plan's targets: what the plan asks, when it was due and reached, met or
    missed. The stored rows of the draft, else computed now."""
    minute = word("minute_unit", lang)
    rows, classes = [], []
    for row in report.timings or timings(incident):
        name = row["target"]
        allowed = getattr(targets, name, None) if targets is not None else None
        met = row.get("met")
        if met is None:
            result = word("not_reached", lang) if row.get("due") and not row.get("reached") else "—"
        else:
            result = word("met" if met else "missed", lang)
        classes.append("" if met is None else "met" if met else "missed")
        rows.append(
            [
                word(name, lang) if name in WORDS else name,
                f"≤ {parse_duration(allowed) // 60} {minute}" if allowed else "—",
                _iso(row.get("due")),
                _iso(row.get("reached")),
                str(row["minutes"]) if row.get("minutes") is not None else "—",
                result,
            ]
        )
    headers = [
        word(k, lang) for k in ("target", "plan_target", "due", "reached", "minutes", "result")
    ]
    return Section("targets", word("targets", lang), table=Table(headers, rows, classes))


def _action_items(incident: Incident, lang: str) -> Section:
    rows = []
    for item in incident.action_items.select_related("owner", "plan_change__version"):
        change = ""
        if item.plan_change is not None:
            revision = item.plan_change
            change = (
                word("revision_effective", lang)
                % {"id": revision.pk, "number": revision.version.number}
                if revision.version is not None
                else word("revision", lang) % {"id": revision.pk}
            )
        rows.append(
            [
                item.title,
                display_name(item.owner) if item.owner else "—",
                item.due_date.isoformat() if item.due_date else "—",
                word(f"action_{item.status}", lang),
                change or "—",
            ]
        )
    headers = [word(k, lang) for k in ("action", "owner", "due", "status", "plan_change")]
    return Section(
        "action_items",
        word("action_items", lang),
        text="" if rows else word("none", lang),
        table=Table(headers, rows) if rows else None,
    )


def _feedback(feedback: Feedback, lang: str) -> Section:
    average = f"{feedback.average:.1f}" if feedback.average is not None else "—"
    count = str(feedback.count)
    if feedback.sent is not None:
        count = word("answered_of", lang) % {"count": feedback.count, "sent": feedback.sent}
    rows = [[count, average]]
    # Who answered, when the reporter was not the only one asked (plan §6.2: the reporter and
    # the status page's subscribers).
    if any(source != "reporter" for source, _n, _avg in feedback.by_source):
        for source, n, avg in feedback.by_source:
            key = f"source_{source}"
            label = word(key, lang) % {"count": n} if key in WORDS else f"{source}: {n}"
            rows.append([label, f"{avg:.1f}" if avg is not None else "—"])
    text = "\n".join(f"- {c}" for c in feedback.comments)
    return Section(
        "feedback",
        word("feedback", lang),
        text=text,
        table=Table([word("responses", lang), word("average", lang)], rows),
    )


# User feedback, when the evaluation app (plan §6.2) provides it


FEEDBACK_MODULES = (
    "warroom.evaluation.queries",
    "warroom.evaluation",
    "warroom.evaluation.services",
)


def feedback_of(incident: Incident) -> Feedback | None:
    """The users' scores for `incident` from the evaluation app's `feedback_for(incident)`,
    or None when that app (built separately) is not installed or has none.

    `feedback_for` may answer the surveys (`sent`, and `answers` each with `score` and
    `comment`), a summary (`count`, `average` or `mean`, `comments`), or a list of answers.
    """
    if not apps.is_installed("warroom.evaluation"):
        return None
    finder = None
    for name in FEEDBACK_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        finder = getattr(module, "feedback_for", None)
        if finder is not None:
            break
    if finder is None:
        return None
    return _summarise(finder(incident))


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, Mapping) and name in obj:
            return obj[name]
        if not isinstance(obj, Mapping) and hasattr(obj, name):
            return getattr(obj, name)
    return None


def _is_list(value: Any) -> bool:
    return isinstance(value, Iterable) and not isinstance(value, (str, bytes, Mapping))


def _summarise(result: Any) -> Feedback | None:
    if result is None:
        return None
    sent = _get(result, "sent")
    answers = _get(result, "answers", "responses")
    if _is_list(result):
        answers = result
    if _is_list(answers):
        rows = list(answers)
        scores = [float(v) for v in (_get(r, "score") for r in rows) if v is not None]
        average = _get(result, "average") if not _is_list(result) else None
        if average is None and scores:
            average = sum(scores) / len(scores)
        comments = [str(t) for t in (_get(r, "comment") for r in rows) if t]
        if not rows and not sent:
            return None
        return Feedback(
            len(rows),
            float(average) if average is not None else None,
            comments,
            _int(sent),
            _by_source(rows),
        )
    count = _get(result, "count", "responses")
    if isinstance(count, int) and not isinstance(count, bool):
        average = _get(result, "average", "mean", "avg")
        texts = [
            c if isinstance(c, str) else str(_get(c, "comment", "text") or "")
            for c in _get(result, "comments") or []
        ]
        return Feedback(
            count, float(average) if average is not None else None, [t for t in texts if t]
        )
    return None


def _by_source(rows: list[Any]) -> list[tuple[str, int, float | None]]:
    """(source, answers, average score) per source named by the answers, by source name;
    empty when they name none."""
    scores: dict[str, list[float]] = {}
    counts: dict[str, int] = {}
    for row in rows:
        source = _get(row, "source")
        if not isinstance(source, str) or not source:
            continue
        counts[source] = counts.get(source, 0) + 1
        score = _get(row, "score")
        if score is not None:
            scores.setdefault(source, []).append(float(score))
    return [
        (source, n, sum(scores[source]) / len(scores[source]) if scores.get(source) else None)
        for source, n in sorted(counts.items())
    ]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
