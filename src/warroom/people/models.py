"""Departments, people and the emergency team (plan §3)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Bilingual(models.Model):
    """A record whose name and description come in zh-Hans and en."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = get_language() or "en"
        return (self.name_zh if lang.startswith("zh") else self.name_en) or self.name_en


class Department(Bilingual):
    code = models.SlugField(_("code"), max_length=64, unique=True)
    duties_en = models.TextField(_("duties (English)"), blank=True)
    duties_zh = models.TextField(_("duties (Chinese)"), blank=True)
    # Departments removed from the plan stay for history but are no longer offered.
    in_plan = models.BooleanField(_("in the plan in force"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    @property
    def duties(self) -> str:
        lang = get_language() or "en"
        return (self.duties_zh if lang.startswith("zh") else self.duties_en) or self.duties_en


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.SET_NULL, related_name="people"
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return str(self.user)


class ContactMethod(models.Model):
    """One way to reach a person, as an Apprise URL (mailto://, dingtalk://, json://, ...).

    The URL may hold a channel token, so it is shown only to its owner and administrators.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contact_methods"
    )
    label = models.CharField(_("label"), max_length=80)
    url = models.CharField(_("Apprise URL"), max_length=1000)
    position = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["user", "position", "id"]
        verbose_name = _("contact method")
        verbose_name_plural = _("contact methods")
        constraints = [
            models.UniqueConstraint(fields=["user", "label"], name="contact_label_unique_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.label}"

    @property
    def scheme(self) -> str:
        return self.url.split("://", 1)[0] if "://" in self.url else ""


class TeamRole(Bilingual):
    """A role of the emergency team, as the plan in force defines it."""

    KIND_CHOICES = [
        ("commander", _("Commander")),
        ("deputy", _("Deputy commander")),
        ("member", _("Member")),
    ]
    code = models.SlugField(_("code"), max_length=64, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=KIND_CHOICES)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="team_roles")
    group = models.OneToOneField(Group, on_delete=models.PROTECT, related_name="team_role")
    in_plan = models.BooleanField(_("in the plan in force"), default=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("team role")
        verbose_name_plural = _("team roles")


class TeamMembership(models.Model):
    """Who holds a team role, with a named backup who stands in when they cannot be reached."""

    role = models.ForeignKey(TeamRole, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="team_memberships"
    )
    backup = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="backup_for",
    )

    class Meta:
        ordering = ["role", "person"]
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        constraints = [
            models.UniqueConstraint(fields=["role", "person"], name="membership_unique"),
            models.CheckConstraint(
                condition=~models.Q(person=models.F("backup")), name="backup_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role}: {self.person}"
