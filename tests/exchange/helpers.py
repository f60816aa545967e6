"""Running the catalog command and taking stock of what is stored."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from warroom.catalog.models import Dependency, Risk, System
from warroom.people.models import ContactMethod, Profile, TeamMembership
from warroom.resources.models import ExternalContact, Resource


@dataclass
class Run:
    out: str
    err: str
    error: str = ""  # the CommandError message, when the command failed
    returncode: int = 0

    @property
    def problems(self) -> list[str]:
        return self.err.splitlines()


def run(command: str, *args: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(command, *args, stdout=out, stderr=err)
    except CommandError as exc:
        return Run(out.getvalue(), err.getvalue(), str(exc), exc.returncode)
    return Run(out.getvalue(), err.getvalue())


def catalog(*args: str) -> Run:
    return run("catalog", *args)


def stored() -> dict[str, int]:
    """How many records of each kind the database holds."""
    return {
        "systems": System.objects.count(),
        "dependencies": Dependency.objects.count(),
        "risks": Risk.objects.count(),
        "users": get_user_model().objects.count(),
        "profiles": Profile.objects.count(),
        "contact_methods": ContactMethod.objects.count(),
        "memberships": TeamMembership.objects.count(),
        "resources": Resource.objects.count(),
        "contacts": ExternalContact.objects.count(),
    }


def export(*args: str) -> str:
    result = catalog("export", *args)
    assert result.returncode == 0, result.error
    return result.out
