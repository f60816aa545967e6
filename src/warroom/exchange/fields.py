"""Reading the fields of one import row: conversion, checks, and the stored state they use.

`RowCheck` turns each raw value (text from a CSV cell, or a YAML scalar, list or mapping) into
what the save services take, and notes a `Problem` against the row's line for each value it
refuses. `Context` holds what values are checked against: the codes of the plan in force and
the records already stored, each loaded once per import.

Missing and blank values: a field left out is KEEP (keep the stored value, or use the model's
default for a new record). A blank value (an empty CSV cell, `null` or `""` in YAML) clears the
field, or is KEEP when the field cannot be empty (criticality, state, quantity, language, team
role).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from functools import cached_property
from typing import Any, Final

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models

from warroom.catalog.models import Dependency, Risk, System
from warroom.exchange.parse import KINDS, Batch, Row
from warroom.lib.errors import DomainError
from warroom.people.models import Department
from warroom.people.services import check_apprise_url
from warroom.plan.queries import current_plan
from warroom.plan.validation import Problem
from warroom.resources.models import ExternalContact, Resource

User = get_user_model()


class _Keep:
    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()
"""A value that was not given: keep the stored value, or use the default for a new record."""

# In CSV these hold several items separated by ';' (contact methods as label=url).
LIST_SEPARATOR = ";"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def max_length(model: type[models.Model], name: str) -> int | None:
    field = model._meta.get_field(name)
    return getattr(field, "max_length", None)


def allowed(values: Sequence[str]) -> str:
    return ", ".join(values)


class Context:
    """What the rows are checked against: the plan in force and what is stored, loaded once."""

    def __init__(self) -> None:
        plan = current_plan()
        self.system_kinds = [kind.code for kind in plan.scope.system_kinds]
        self.categories = [category.code for category in plan.risk_categories]
        self.levels = [level.code for level in plan.impact_levels]
        self.materials = [item.code for item in plan.materials.items]
        self.roles = [role.code for role in plan.team.roles]
        stored = {d.code: d for d in Department.objects.filter(in_plan=True)}
        # In the plan's order, which is how people read the list of allowed values.
        self.departments = {d.code: stored[d.code] for d in plan.departments if d.code in stored}
        self.languages = [code for code, _ in settings.LANGUAGES]
        # Keys of every row in the file, so rows may refer to records defined further on.
        self.in_file: dict[str, set[Any]] = {kind: set() for kind in KINDS}

    @cached_property
    def systems(self) -> dict[str, System]:
        return {s.name: s for s in System.objects.select_related("owner_department")}

    @cached_property
    def dependencies(self) -> dict[str, set[str]]:
        """What each stored system depends on, by name."""
        graph: dict[str, set[str]] = {}
        links = Dependency.objects.values_list("system__name", "depends_on__name")
        for name, target in links:
            graph.setdefault(name, set()).add(target)
        return graph

    @cached_property
    def users(self) -> dict[str, AbstractUser]:
        people = User.objects.select_related("profile__department")
        return {user.get_username(): user for user in people}

    @cached_property
    def risks(self) -> dict[tuple[str, str], Risk]:
        return {(r.system.name, r.title): r for r in Risk.objects.select_related("system", "owner")}

    @cached_property
    def resources(self) -> dict[str, Resource]:
        return {r.name: r for r in Resource.objects.select_related("department", "custodian")}

    @cached_property
    def contacts(self) -> dict[str, ExternalContact]:
        return {c.name: c for c in ExternalContact.objects.all()}

    def has_system(self, name: str) -> bool:
        return name in self.systems or name in self.in_file["systems"]

    def has_person(self, username: str) -> bool:
        return username in self.users or username in self.in_file["people"]


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class RowCheck:
    """Reads the fields of one row, converting each and noting problems against the row."""

    def __init__(self, batch: Batch, row: Row, ctx: Context, problems: list[Problem]) -> None:
        self.batch = batch
        self.row = row
        self.ctx = ctx
        self.problems = problems
        self.creating = True
        self.failed = False

    @property
    def csv(self) -> bool:
        return self.batch.fmt == "csv"

    def fail(self, field: str, message: str) -> _Keep:
        self.problems.append(Problem((field,), message, self.row.line))
        self.failed = True
        return KEEP

    def raw(self, name: str, *, required: bool = False) -> Any:
        """The value as given; KEEP when it is missing (or required and blank, noted)."""
        if name not in self.row.values:
            # A CSV header without a required column is reported once, for the header.
            if required and self.creating and not self.csv:
                return self.fail(name, "required")
            return KEEP
        value = self.row.values[name]
        if required and _blank(value):
            return self.fail(name, "required")
        return value

    def key(self, name: str, limit: int | None) -> str | None:
        value = self.text(name, limit, required=True)
        return value if isinstance(value, str) and value else None

    def text(self, name: str, limit: int | None = None, *, required: bool = False) -> Any:
        value = self.raw(name, required=required)
        if value is KEEP:
            return KEEP
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return self.fail(name, "must be text")
        text = str(value).strip()
        if limit is not None and len(text) > limit:
            return self.fail(name, f"at most {limit} characters (has {len(text)})")
        return text

    def choice(
        self, name: str, options: Sequence[str], what: str, *, required: bool = False
    ) -> Any:
        """A code from `options`; KEEP when blank."""
        value = self.text(name, 64, required=required)
        if value is KEEP or value == "":
            return KEEP
        if value not in options:
            return self.fail(name, f"unknown {what} {value!r} (allowed: {allowed(options)})")
        return value

    def department(self, name: str, *, required: bool = False) -> Any:
        if not required and name in self.row.values and _blank(self.row.values[name]):
            return None  # a person may belong to no department
        code = self.choice(name, list(self.ctx.departments), "department", required=required)
        return KEEP if code is KEEP else self.ctx.departments[code]

    def date(self, name: str, *, required: bool = False) -> Any:
        value = self.raw(name, required=required)
        if value is KEEP:
            return KEEP
        if _blank(value):
            return None
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str) and _DATE.fullmatch(value.strip()):
            try:
                return dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        return self.fail(name, f"not a date: {value!r} (use YYYY-MM-DD)")

    def integer(self, name: str, low: int, high: int | None, *, required: bool = False) -> Any:
        value = self.raw(name, required=required)
        if value is KEEP or _blank(value):
            return KEEP
        number: int | None = None
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        elif isinstance(value, str) and value.strip().isdigit():
            number = int(value.strip())
        if number is None or number < low or (high is not None and number > high):
            bounds = f" from {low} to {high}" if high is not None else f", {low} or more"
            return self.fail(name, f"must be a whole number{bounds}, not {value!r}")
        return number

    def items(self, name: str) -> Any:
        """A list of texts: ';'-separated in CSV, a YAML list. Blank is the empty list."""
        value = self.raw(name)
        if value is KEEP:
            return KEEP
        if _blank(value):
            return []
        if self.csv and isinstance(value, str):
            return [part.strip() for part in value.split(LIST_SEPARATOR) if part.strip()]
        if not isinstance(value, list) or not all(isinstance(x, str) and x.strip() for x in value):
            return self.fail(name, "must be a list of texts")
        return [x.strip() for x in value]

    def urls(self, name: str) -> Any:
        links = self.items(name)
        if links is KEEP:
            return KEEP
        for link in links:
            if not link.startswith(("http://", "https://")):
                return self.fail(name, f"not an http(s) URL: {link!r}")
        return links

    def email(self, name: str, limit: int | None) -> Any:
        value = self.text(name, limit)
        if isinstance(value, str) and value:
            try:
                validate_email(value)
            except ValidationError:
                return self.fail(name, f"not an email address: {value!r}")
        return value

    def person(self, name: str) -> Any:
        """A username of someone in the file or the database; None when blank."""
        value = self.text(name, 150)
        if value is KEEP:
            return KEEP
        if not value:
            return None
        if not self.ctx.has_person(value):
            return self.fail(name, f"no person with username {value!r} in the file or the database")
        return value

    def contact_methods(self, name: str = "contact_methods") -> Any:
        """[{label, url}] from `label=url;label=url` (CSV) or a YAML list of {label, url}."""
        value = self.raw(name)
        if value is KEEP:
            return KEEP
        if _blank(value):
            return []
        pairs: list[tuple[Any, Any]] = []
        if self.csv and isinstance(value, str):
            for index, part in enumerate(p for p in value.split(LIST_SEPARATOR) if p.strip()):
                label, sep, url = part.partition("=")
                if not sep:
                    return self.fail(f"{name}[{index}]", f"write label=apprise-url, not {part!r}")
                pairs.append((label, url))
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if not isinstance(item, dict) or set(item) - {"label", "url"}:
                    return self.fail(f"{name}[{index}]", "must be a mapping of label and url")
                pairs.append((item.get("label"), item.get("url")))
        else:
            return self.fail(name, "must be a list of {label, url}")
        methods: list[dict[str, str]] = []
        for index, (label, url) in enumerate(pairs):
            where = f"{name}[{index}]"
            if not isinstance(label, str) or not label.strip():
                return self.fail(f"{where}.label", "required")
            if len(label.strip()) > 80:
                return self.fail(f"{where}.label", "at most 80 characters")
            if label.strip() in {m["label"] for m in methods}:
                return self.fail(f"{where}.label", f"duplicate label {label.strip()!r}")
            try:
                checked = check_apprise_url(url if isinstance(url, str) else "", f"{where}.url")
            except DomainError as exc:
                return self.fail(exc.field, exc.message)
            methods.append({"label": label.strip(), "url": checked})
        return methods


def given(**values: Any) -> dict[str, Any]:
    """The values that were given (not KEEP)."""
    return {name: value for name, value in values.items() if value is not KEEP}
