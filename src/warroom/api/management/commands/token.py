from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from warroom.api.auth import create_token, revoke_token
from warroom.api.models import ApiToken


class Command(BaseCommand):
    help = "Create, list and revoke API tokens."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token; it is shown once")
        create.add_argument("--user", required=True)
        create.add_argument("--name", default="cli")
        create.add_argument("--read-only", action="store_true")
        listing = sub.add_parser("list", help="list tokens (prefixes only)")
        listing.add_argument("--user")
        revoke = sub.add_parser("revoke", help="revoke a token by its prefix")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"--user: no user named {options['user']!r}")
            _, raw = create_token(user, name=options["name"], read_only=options["read_only"])
            # The raw token exists only here: it is stored as a hash.
            self.stdout.write(raw)
        elif action == "list":
            tokens = ApiToken.objects.select_related("user")
            if options["user"]:
                tokens = tokens.filter(user__username=options["user"])
            for t in tokens:
                state = (
                    "revoked" if t.revoked_at else ("read-only" if t.read_only else "read-write")
                )
                used = t.last_used_at.isoformat() if t.last_used_at else "never"
                self.stdout.write(f"{t.prefix}\t{t.user.get_username()}\t{t.name}\t{state}\t{used}")
        else:
            matches = list(ApiToken.objects.filter(prefix=options["prefix"]))
            if len(matches) != 1:
                raise CommandError(f"{options['prefix']!r} matches {len(matches)} tokens")
            revoke_token(matches[0])
            self.stdout.write(f"revoked {matches[0].prefix}")
