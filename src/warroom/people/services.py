"""Writes of people, contact methods and emergency-team membership."""

from __future__ import annotations

from typing import Any

import apprise
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction

from warroom.lib.errors import Conflict, DomainError
from warroom.people.models import ContactMethod, Department, Profile, TeamMembership, TeamRole


def check_apprise_url(url: str, field: str = "url") -> str:
    """The URL if Apprise knows its scheme and can parse it, else DomainError."""
    url = url.strip()
    if not url or "://" not in url:
        raise DomainError(
            field, "an Apprise URL looks like mailto://user@example.com or json://host/path"
        )
    if not apprise.Apprise().add(url):
        raise DomainError(field, f"Apprise cannot use this URL (scheme {url.split('://')[0]!r})")
    return url


PROFILE_FIELDS = ("department", "phone", "language")
USER_FIELDS = ("first_name", "last_name", "email")


def _check_language(language: str) -> None:
    if language not in ("en", "zh-hans"):
        raise DomainError("language", "must be 'en' or 'zh-hans'")


def create_person(
    *,
    username: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    department: Department | None = None,
    phone: str = "",
    language: str = "zh-hans",
    contact_methods: list[dict[str, Any]] | None = None,
) -> User:
    """A new person (a user who signs in through SSO or a password set later) with a profile.

    Raises DomainError for bad input and Conflict when the username is taken; stores nothing
    then.
    """
    if not username.strip():
        raise DomainError("username", "required")
    _check_language(language)
    user = User(username=username.strip(), first_name=first_name, last_name=last_name, email=email)
    user.set_unusable_password()
    try:
        with transaction.atomic():
            user.save()
            Profile.objects.create(user=user, department=department, phone=phone, language=language)
            if contact_methods:
                set_contact_methods(user, contact_methods)
    except IntegrityError as exc:
        raise Conflict("username", f"a person named {username!r} already exists") from exc
    return user


def update_person(
    user: User, *, contact_methods: list[dict[str, Any]] | None = None, **fields: Any
) -> User:
    """Change a person's details; `contact_methods`, when given, replaces them all."""
    unknown = set(fields) - set(PROFILE_FIELDS) - set(USER_FIELDS)
    if unknown:
        raise DomainError(sorted(unknown)[0], "unknown field")
    if "language" in fields:
        _check_language(fields["language"])
    with transaction.atomic():
        for key in USER_FIELDS:
            if key in fields:
                setattr(user, key, fields[key])
        user.save()
        profile, _ = Profile.objects.get_or_create(user=user)
        for key in PROFILE_FIELDS:
            if key in fields:
                setattr(profile, key, fields[key])
        profile.save()
        if contact_methods is not None:
            set_contact_methods(user, contact_methods)
    return user


def set_contact_methods(user: User, methods: list[dict[str, Any]]) -> list[ContactMethod]:
    """Replace a person's contact methods by [{label, url}, ...] in order of preference."""
    labels: set[str] = set()
    for index, method in enumerate(methods):
        label = str(method.get("label", "")).strip()
        if not label:
            raise DomainError(f"contact_methods[{index}].label", "required")
        if label in labels:
            raise DomainError(f"contact_methods[{index}].label", f"duplicate label {label!r}")
        labels.add(label)
        check_apprise_url(str(method.get("url", "")), f"contact_methods[{index}].url")
    with transaction.atomic():
        ContactMethod.objects.filter(user=user).delete()
        return [
            ContactMethod.objects.create(
                user=user, label=m["label"].strip(), url=m["url"].strip(), position=i
            )
            for i, m in enumerate(methods)
        ]


def add_contact_method(user: User, *, label: str, url: str) -> ContactMethod:
    check_apprise_url(url)
    position = ContactMethod.objects.filter(user=user).count()
    try:
        with transaction.atomic():
            return ContactMethod.objects.create(user=user, label=label, url=url, position=position)
    except IntegrityError as exc:
        raise Conflict("label", f"{user} already has a contact method labelled {label!r}") from exc


def _sync_groups(user: User) -> None:
    """A person is in the Django group of each team role they hold or back up."""
    roles = TeamRole.objects.filter(memberships__person=user) | TeamRole.objects.filter(
        memberships__backup=user
    )
    wanted = {role.group_id for role in roles.filter(in_plan=True)}
    current = set(user.groups.filter(team_role__isnull=False).values_list("id", flat=True))
    user.groups.remove(*(current - wanted))
    user.groups.add(*(wanted - current))


def add_team_member(role: TeamRole, person: User, *, backup: User | None = None) -> TeamMembership:
    """Name `person` for `role`, with an optional backup. Raises DomainError / Conflict."""
    if not role.in_plan:
        raise DomainError("role", f"role {role.code!r} is not in the plan in force")
    if backup is not None and backup.pk == person.pk:
        raise DomainError("backup", "the backup must be someone else")
    try:
        with transaction.atomic():
            membership = TeamMembership.objects.create(role=role, person=person, backup=backup)
            _sync_groups(person)
            if backup is not None:
                _sync_groups(backup)
    except IntegrityError as exc:
        raise Conflict("person", f"{person} already holds {role.code}") from exc
    return membership


def set_backup(membership: TeamMembership, backup: User | None) -> TeamMembership:
    if backup is not None and backup.pk == membership.person_id:
        raise DomainError("backup", "the backup must be someone else")
    with transaction.atomic():
        previous = membership.backup
        membership.backup = backup
        membership.save(update_fields=["backup"])
        for user in {u for u in (previous, backup) if u is not None}:
            _sync_groups(user)
    return membership


def remove_team_member(membership: TeamMembership) -> None:
    with transaction.atomic():
        people = [u for u in (membership.person, membership.backup) if u is not None]
        membership.delete()
        for user in people:
            _sync_groups(user)
