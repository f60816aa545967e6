from __future__ import annotations

import os
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand

from warroom.lib.env import env_bool
from warroom.plan.models import PlanVersion
from warroom.plan.services import apply_plan


class Command(BaseCommand):
    help = (
        "Prepare a fresh installation: migrate, apply the default plan if none is applied, "
        "create an administrator if none exists, and load the demo when WARROOM_DEMO=1."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        if not PlanVersion.objects.exists():
            result = apply_plan(
                settings.WARROOM_DEFAULT_PLAN.read_text(encoding="utf-8"), comment="default plan"
            )
            self.stdout.write(f"applied the default plan as v{result.version.number}")
        User = get_user_model()
        if not User.objects.filter(is_superuser=True).exists():
            password = os.environ.get("WARROOM_ADMIN_PASSWORD", "")
            generated = not password
            password = password or secrets.token_urlsafe(12)
            User.objects.create_superuser("admin", "", password)
            if generated:
                self.stdout.write(
                    self.style.WARNING(
                        f"created administrator 'admin' with password: {password}\n"
                        "(shown once; set WARROOM_ADMIN_PASSWORD to choose it)"
                    )
                )
            else:
                self.stdout.write(
                    "created administrator 'admin' (password from WARROOM_ADMIN_PASSWORD)"
                )
        if env_bool("WARROOM_DEMO", False):
            call_command("demo")
