"""The plan as a readable document, laid out like the seed (sections 一–七 / 1–7).

It is generated from the stored plan version together with the live catalog, team, inventory
and outside contacts, so the written plan and the running system cannot drift apart.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

import markdown
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from warroom.catalog.models import Risk, System
from warroom.people.models import TeamMembership
from warroom.plan.models import PlanVersion
from warroom.plan.queries import plan_of
from warroom.plan.schema import Plan, Text
from warroom.resources.models import ExternalContact, Resource

ZH_NUMERALS = "一二三四五六七八九十"


def _cell(value: object) -> str:
    return str(value if value not in (None, "") else "—").replace("|", "\\|").replace("\n", " ")


def _table(headers: Iterable[str], rows: Iterable[Iterable[object]]) -> list[str]:
    headers = list(headers)
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


class _Doc:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.lines: list[str] = []

    def t(self, text: Text | None) -> str:
        return text.get(self.lang) if text else ""

    def section(self, number: int, title: str) -> None:
        label = f"{ZH_NUMERALS[number - 1]}、" if self.lang.startswith("zh") else f"{number}. "
        self.lines += [f"## {label}{title}", ""]

    def sub(self, number: str, title: str) -> None:
        self.lines += [f"### {number} {title}", ""]

    def para(self, text: str) -> None:
        if text:
            self.lines += [text, ""]

    def bullets(self, items: Iterable[str]) -> None:
        self.lines += [f"- {item}" for item in items] + [""]


def plan_markdown(version: PlanVersion, *, lang: str) -> str:
    with translation.override(lang):
        return _build(plan_of(version), version, lang)


def _build(plan: Plan, version: PlanVersion, lang: str) -> str:
    d = _Doc(lang)
    t = d.t
    dept_names = {dept.code: t(dept.name) for dept in plan.departments}
    kind_names = {kind.code: t(kind.name) for kind in plan.scope.system_kinds}
    level_names = {lvl.code: t(lvl.name) for lvl in plan.impact_levels}
    category_names = {cat.code: t(cat.name) for cat in plan.risk_categories}
    phase_names = {phase.code: f"{phase.section} {t(phase.title)}" for phase in plan.phases}
    material_names = {m.code: t(m.name) for m in plan.materials.items}

    d.lines += [f"# {t(plan.title)}", ""]
    d.para(
        _(
            "Plan version %(number)s, applied %(date)s; SHA-256 %(sha)s. Generated %(now)s from "
            "the plan in force and the live catalog, team and inventory."
        )
        % {
            "number": version.number,
            "date": timezone.localtime(version.created_at).strftime("%Y-%m-%d %H:%M"),
            "sha": version.sha256[:12],
            "now": timezone.localtime().strftime("%Y-%m-%d %H:%M"),
        }
    )

    d.section(1, _("Goals and scope"))
    d.sub("1.1", _("Goals"))
    d.para(t(plan.goals_statement))
    d.bullets(t(goal) for goal in plan.goals)
    d.sub("1.2", _("Scope"))
    d.para(t(plan.scope.statement))
    d.bullets(
        f"{t(kind.name)}" + (f": {t(kind.description)}" if kind.description else "")
        for kind in plan.scope.system_kinds
    )
    systems = list(System.objects.select_related("owner_department").prefetch_related("depends_on"))
    d.para("**%s** (%d)" % (_("Systems in the catalog"), len(systems)))
    d.lines += _table(
        [
            _("System"),
            _("Kind"),
            _("Owner"),
            _("Criticality"),
            _("Depends on"),
            _("Backup"),
            _("Last verified restore"),
        ],
        (
            [
                s.name,
                kind_names.get(s.kind, s.kind),
                dept_names.get(s.owner_department.code, s.owner_department.name),
                s.get_criticality_display(),
                ", ".join(dep.name for dep in s.depends_on.all()),
                " / ".join(x for x in (s.backup_location, s.backup_frequency) if x),
                s.last_restore_verified,
            ]
            for s in systems
        ),
    )

    d.section(2, _("Risk analysis"))
    d.sub("2.1", _("Potential risks"))
    d.para(t(plan.risk_statement))
    for cat in plan.risk_categories:
        examples = "; ".join(t(e) for e in cat.examples)
        d.lines.append(
            f"- **{t(cat.name)}**: {t(cat.description)}"
            + (" (%s %s)" % (_("e.g."), examples) if examples else "")
        )
    d.lines.append("")
    risks = list(Risk.objects.select_related("system", "owner"))
    d.para("**%s** (%d)" % (_("Risk register"), len(risks)))
    d.lines += _table(
        [
            _("System"),
            _("Risk"),
            _("Category"),
            _("Likelihood"),
            _("Impact"),
            _("Rating"),
            _("Owner"),
            _("Next review"),
        ],
        (
            [
                r.system.name,
                r.title,
                category_names.get(r.category, r.category),
                r.likelihood,
                level_names.get(r.impact_level, r.impact_level),
                r.rating,
                r.owner.get_full_name() or r.owner.get_username() if r.owner else "",
                r.next_review,
            ]
            for r in risks
        ),
    )
    d.sub("2.2", _("Impact levels"))
    d.para(t(plan.impact_statement))
    d.bullets(f"**{t(lvl.name)}**: {t(lvl.description)}" for lvl in plan.impact_levels)
    d.lines += _table(
        [
            _("Level"),
            _("Acknowledge within"),
            _("Assess within"),
            _("Mitigate within"),
            _("Resolve within"),
            _("Update users every"),
        ],
        (
            [
                t(lvl.name),
                lvl.targets.acknowledge,
                lvl.targets.assess,
                lvl.targets.mitigate,
                lvl.targets.resolve,
                lvl.targets.user_update_every,
            ]
            for lvl in sorted(plan.impact_levels, key=lambda x: x.rank)
        ),
    )

    d.section(3, _("Organisation and duties"))
    d.sub("3.1", _("Organisation"))
    d.para(f"**{t(plan.team.name)}**: {t(plan.team.purpose)}")
    members: dict[str, list[str]] = defaultdict(list)
    for m in TeamMembership.objects.select_related("role", "person", "backup"):
        person = m.person.get_full_name() or m.person.get_username()
        backup = (m.backup.get_full_name() or m.backup.get_username()) if m.backup else ""
        suffix = " (%s: %s)" % (_("backup"), backup) if backup else ""
        members[m.role.code].append(person + suffix)
    d.lines += _table(
        [_("Role"), _("Held by"), _("Department"), _("Members")],
        (
            [
                t(role.name),
                t(role.held_by),
                dept_names[role.department],
                "; ".join(members.get(role.code, [])) or _("not yet named"),
            ]
            for role in plan.team.roles
        ),
    )
    d.sub("3.2", _("Department duties"))
    d.bullets(f"**{t(dept.name)}**: {t(dept.duties)}" for dept in plan.departments)

    d.section(4, _("Emergency handling process"))
    for phase in plan.phases:
        d.sub(phase.section, t(phase.title))
        for n, step in enumerate(phase.steps, 1):
            who = ", ".join(dept_names[c] for c in step.departments)
            d.lines.append(
                f"{n}. **{t(step.title)}**: {t(step.description)}" + (f" ({who})" if who else "")
            )
        d.lines.append("")
        if phase.code == "response":
            _playbooks(d, plan, dept_names, phase_names, level_names, category_names)
        if phase.code == "logistics":
            _contacts(d)
        if phase.code == "recovery":
            d.para("**%s**" % _("Recovery checklist"))
            d.bullets(
                f"{t(item.title)} ({dept_names[item.department]})"
                + (f": {t(item.description)}" if item.description else "")
                for item in plan.recovery_checklist
            )

    d.section(5, _("Materials and resources"))
    d.sub("5.1", _("Materials list"))
    d.para(t(plan.materials.statement))
    d.bullets(
        t(m.name) + (f": {t(m.description)}" if m.description else "") for m in plan.materials.items
    )
    resources = list(Resource.objects.select_related("department", "custodian"))
    d.para("**%s** (%d)" % (_("Inventory"), len(resources)))
    d.lines += _table(
        [
            _("Resource"),
            _("Kind"),
            _("Quantity"),
            _("State"),
            _("Location"),
            _("Custodian"),
            _("Last checked"),
        ],
        (
            [
                r.name,
                material_names.get(r.kind, r.kind),
                r.quantity,
                r.get_state_display(),
                r.location,
                r.custodian.get_full_name() or r.custodian.get_username() if r.custodian else "",
                r.last_checked,
            ]
            for r in resources
        ),
    )
    d.sub("5.2", _("Resource allocation"))
    d.para(t(plan.materials.allocation))
    d.bullets(
        f"**{level_names[rule.level]}**: {t(rule.description)}"
        + (f" ({', '.join(material_names[m] for m in rule.materials)})" if rule.materials else "")
        for rule in plan.materials.allocation_rules
    )

    d.section(6, _("Evaluation"))
    d.sub("6.1", _("Regular drills"))
    d.para(t(plan.evaluation.drills.statement))
    d.para(_("Drill cadence: every %(every)s.") % {"every": plan.evaluation.drills.every})
    d.bullets(
        f"**{t(s.title)}** ({category_names[s.category]}, {level_names[s.level]}): "
        f"{t(s.description)}"
        for s in plan.evaluation.drills.scenarios
    )
    d.sub("6.2", _("Performance evaluation"))
    d.para(t(plan.evaluation.performance))
    d.bullets(t(c) for c in plan.evaluation.criteria)
    d.sub("6.3", _("Continuous improvement"))
    d.para(t(plan.evaluation.improvement))
    d.para(_("Plan review interval: every %(every)s.") % {"every": plan.evaluation.review_every})

    d.section(7, _("Summary"))
    d.para(t(plan.summary))
    return "\n".join(d.lines).rstrip() + "\n"


def _playbooks(
    d: _Doc,
    plan: Plan,
    depts: dict[str, str],
    phases: dict[str, str],
    levels: dict[str, str],
    categories: dict[str, str],
) -> None:
    roles = {role.code: d.t(role.name) for role in plan.team.roles}
    for code, playbook in plan.playbooks.items():
        title = _("Playbook: %(category)s") % {"category": categories.get(code, code)}
        d.para(f"**{title}**: {d.t(playbook.summary)}")
        if playbook.team:
            d.para(
                _("Brings in: %(roles)s") % {"roles": ", ".join(roles[r] for r in playbook.team)}
            )
        d.lines += _table(
            [_("Task"), _("Department"), _("Phase"), _("Checklist")],
            (
                [
                    d.t(task.title)
                    + (
                        " (%s)" % (_("from level %(level)s") % {"level": levels[task.min_level]})
                        if task.min_level
                        else ""
                    ),
                    depts[task.department],
                    phases[task.phase],
                    "; ".join(d.t(item) for item in task.checklist),
                ]
                for task in playbook.tasks
            ),
        )


def _contacts(d: _Doc) -> None:
    contacts = list(ExternalContact.objects.all())
    d.para("**%s** (%d)" % (_("Outside help"), len(contacts)))
    d.lines += _table(
        [_("Contact"), _("Kind"), _("Covers"), _("Contract or SLA"), _("How to reach")],
        (
            [
                c.name,
                c.get_kind_display(),
                c.covers,
                c.contract_ref,
                " / ".join(x for x in (c.phone, c.email, c.how_to_reach) if x),
            ]
            for c in contacts
        ),
    )


def plan_html_fragment(version: PlanVersion, *, lang: str) -> str:
    """The document as HTML (no page around it). Input is our own Markdown with escaped text."""
    source = plan_markdown(version, lang=lang)
    return markdown.markdown(_escape_html(source), extensions=["tables"])


def _escape_html(text: str) -> str:
    # Plan and catalog texts are user data: neutralise HTML before Markdown renders it.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render_plan(version: PlanVersion, *, lang: str, fmt: str) -> str:
    if fmt == "md":
        return plan_markdown(version, lang=lang)
    with translation.override(lang):
        return render_to_string(
            "plan/export.html",
            {"body": plan_html_fragment(version, lang=lang), "lang": lang, "version": version},
        )
