"""`warroom integration create --kind KIND --name NAME [--json]` and `warroom integration list`.

The key is printed once, with the URL to configure; warroom keeps only its digest.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.alerts import configure, keys
from warroom.alerts.models import Integration, Kind
from warroom.catalog.models import System
from warroom.lib.errors import DomainError


class Command(BaseCommand):
    help = "Create and list the integrations monitoring tools send alerts through."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create an integration; its key is shown once")
        create.add_argument("--kind", required=True, choices=Kind.values)
        create.add_argument("--name", required=True)
        create.add_argument("--system", default="", help="default system (its name)")
        create.add_argument("--category", default="", help="default risk category code")
        create.add_argument("--level", default="", help="default impact level code")
        create.add_argument(
            "--policy", default="", help="escalation policy (its name); default: the default one"
        )
        create.add_argument("--rate-limit", type=int, default=600, help="requests a minute")
        create.add_argument("--auto-resolve", action="store_true")
        create.add_argument("--json", action="store_true")
        listing = sub.add_parser("list", help="list integrations (key prefixes only)")
        listing.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            self._create(options)
        else:
            self._list(options)

    def _create(self, options: dict[str, Any]) -> None:
        system = None
        if options["system"]:
            system = System.objects.filter(name=options["system"]).first()
            if system is None:
                raise CommandError(f"--system: no system named {options['system']!r}")
        try:
            integration, raw = configure.create_integration(
                kind=options["kind"],
                name=options["name"],
                created_by=None,
                default_system=system,
                default_category=options["category"],
                default_level=options["level"],
                default_escalation_policy=options["policy"],
                rate_limit=options["rate_limit"],
                auto_resolve=options["auto_resolve"],
            )
        except DomainError as exc:
            raise CommandError(str(exc)) from exc
        url = keys.webhook_url(integration.kind, raw)
        if options["json"]:
            data = {
                "id": integration.pk,
                "kind": integration.kind,
                "name": integration.name,
                "key": raw,
                "url": url,
            }
            self.stdout.write(json.dumps(data))
            return
        self.stdout.write(f"integration {integration.pk}: {integration.name} ({integration.kind})")
        self.stdout.write(f"key (shown once): {raw}")
        self.stdout.write(f"url: {url}")
        if integration.kind == Kind.PAGERDUTY:
            self.stdout.write("send PagerDuty Events API v2 events there with this routing_key")

    def _list(self, options: dict[str, Any]) -> None:
        rows = Integration.objects.select_related("default_system")
        if options["json"]:
            data = [
                {
                    "id": i.pk,
                    "kind": i.kind,
                    "name": i.name,
                    "key_prefix": i.key_prefix,
                    "enabled": i.enabled,
                    "rate_limit": i.rate_limit,
                    "system": i.default_system.name if i.default_system else None,
                }
                for i in rows
            ]
            self.stdout.write(json.dumps(data, ensure_ascii=False))
            return
        for i in rows:
            state = "enabled" if i.enabled else "disabled"
            system = i.default_system.name if i.default_system else "-"
            self.stdout.write(
                f"{i.pk}\t{i.kind}\t{i.name}\t{i.key_prefix}…\t{state}\t{i.rate_limit}/min\t{system}"
            )
