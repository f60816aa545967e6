from __future__ import annotations

import json
import os
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.catalog.models import System
from warroom.incidents import queries, services
from warroom.incidents.models import Incident
from warroom.incidents.transitions import TransitionError
from warroom.lib.errors import DomainError

ACTIONS = {
    "ack": services.acknowledge_incident,
    "respond": services.start_response,
    "recover": services.start_recovery,
    "review": services.start_review,
    "close": services.close_incident,
}


class Command(BaseCommand):
    help = "Report incidents and move them through the plan's process."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--user",
            default=os.environ.get("WARROOM_USER", ""),
            help="act as this warroom user (default: $WARROOM_USER)",
        )
        sub = parser.add_subparsers(dest="action", required=True)
        report = sub.add_parser("report", help="report an incident (plan §4.1)")
        report.add_argument("--title", required=True)
        report.add_argument("--description", default="")
        report.add_argument("--system", action="append", default=[], dest="systems")
        report.add_argument("--category", default="")
        report.add_argument("--contact", default="")
        report.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="incidents you may see")
        listing.add_argument("--all", action="store_true", help="closed ones too")
        listing.add_argument("--json", action="store_true")
        show = sub.add_parser("show")
        show.add_argument("id", type=int)
        show.add_argument("--json", action="store_true")
        for name in ACTIONS:
            sub.add_parser(name).add_argument("id", type=int)
        assess = sub.add_parser("assess")
        assess.add_argument("id", type=int)
        assess.add_argument("--level", required=True)
        assess.add_argument("--category", required=True)
        assess.add_argument("--system", action="append", dest="systems")
        assess.add_argument("--scope", default="")
        resolve = sub.add_parser("resolve")
        resolve.add_argument("id", type=int)
        resolve.add_argument(
            "--override",
            default="",
            help="commander: reason to resolve with an open recovery checklist",
        )
        cancel = sub.add_parser("cancel")
        cancel.add_argument("id", type=int)
        cancel.add_argument("--reason", required=True)
        cancel.add_argument("--merge-into", type=int)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            if action == "report":
                self._report(options)
            elif action == "list":
                self._list(options)
            elif action == "show":
                self._show(options)
            else:
                self._act(action, options)
        except (DomainError, TransitionError, PermissionDenied) as exc:
            field = f"{exc.field}: " if isinstance(exc, DomainError) and exc.field else ""
            message = exc.message if isinstance(exc, DomainError) else str(exc)
            raise CommandError(f"{field}{message}", returncode=1) from exc

    def _actor(self, options: dict[str, Any], required: bool = True) -> User | None:
        name = options["user"]
        if not name:
            if required:
                raise CommandError("--user (or WARROOM_USER) is required", returncode=1)
            return None
        user = User.objects.filter(username=name, is_active=True).first()
        if user is None:
            raise CommandError(f"--user: no active user named {name!r}", returncode=1)
        return user

    def _incident(self, options: dict[str, Any], actor: User) -> Incident:
        incident = queries.visible_incidents(actor).filter(pk=options["id"]).first()
        if incident is None:
            raise CommandError(f"no incident INC-{options['id']} that you may see", returncode=1)
        return incident

    def _systems(self, names: list[str] | None) -> list[System] | None:
        if names is None:
            return None
        found = {s.name: s for s in System.objects.filter(name__in=names)}
        missing = [n for n in names if n not in found]
        if missing:
            raise CommandError(f"--system: unknown system {missing[0]!r}", returncode=1)
        return [found[n] for n in names]

    def _emit(self, incident: Incident, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(_summary(incident), ensure_ascii=False))
        else:
            self.stdout.write(
                f"{incident.reference}\t{incident.status}\t{incident.level or '-'}"
                f"\t{incident.title}"
            )

    def _report(self, options: dict[str, Any]) -> None:
        actor = self._actor(options, required=False)
        incident = services.report_incident(
            reporter=actor,
            title=options["title"],
            description=options["description"],
            systems=self._systems(options["systems"]) or [],
            category=options["category"],
            contact=options["contact"],
            source="cli",
        )
        self._emit(incident, options["json"])

    def _list(self, options: dict[str, Any]) -> None:
        actor = self._actor(options)
        assert actor is not None
        items = (
            queries.visible_incidents(actor) if options["all"] else queries.open_incidents(actor)
        )
        for incident in items.order_by("pk"):
            self._emit(incident, options["json"])

    def _show(self, options: dict[str, Any]) -> None:
        actor = self._actor(options)
        assert actor is not None
        incident = self._incident(options, actor)
        self._emit(incident, options["json"])

    def _act(self, action: str, options: dict[str, Any]) -> None:
        actor = self._actor(options)
        assert actor is not None
        incident = self._incident(options, actor)
        if action == "assess":
            incident = services.assess_incident(
                incident,
                actor=actor,
                level=options["level"],
                category=options["category"],
                systems=self._systems(options["systems"]),
                scope=options["scope"],
            )
        elif action == "resolve":
            incident = services.resolve_incident(
                incident, actor=actor, override_reason=options["override"]
            )
        elif action == "cancel":
            into = None
            if options["merge_into"]:
                into = self._incident({"id": options["merge_into"]}, actor)
            incident = services.cancel_incident(
                incident, actor=actor, reason=options["reason"], merged_into=into
            )
        else:
            incident = ACTIONS[action](incident, actor=actor)
        self._emit(incident, False)


def _summary(incident: Incident) -> dict[str, Any]:
    return {
        "id": incident.pk,
        "reference": incident.reference,
        "title": incident.title,
        "status": incident.status,
        "level": incident.level,
        "category": incident.category,
        "restricted": incident.restricted,
        "systems": sorted(incident.systems.values_list("name", flat=True)),
        "reported_at": incident.reported_at.isoformat(),
    }
