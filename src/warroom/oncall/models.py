"""On-call schedules (plan §3, §4.1): layers of rotations, overrides, calendar feeds and the
record of handoff notices sent.

Which person is on call is never stored: it is computed from the rules here (see
`rotation.py` and `queries.py`), so a changed rule changes the future at once.
"""

from __future__ import annotations

import secrets
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_feed_token() -> str:
    """A secret for a calendar feed's URL: 43 URL-safe characters (256 bits)."""
    return secrets.token_urlsafe(32)


@cache
def zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


def default_time_zone() -> str:
    # A callable, so the migration does not record this installation's setting.
    return settings.TIME_ZONE


def check_time_zone(name: str) -> ZoneInfo:
    """The zone named `name` (an IANA name such as "Asia/Shanghai"), else ValueError."""
    # available_timezones() rules out names zoneinfo would also accept but that are no zones
    # of the database, such as a path to some other file.
    if not name or name not in zone_names():
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as Asia/Shanghai")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


def validate_time_zone(name: str) -> None:
    try:
        check_time_zone(name)
    except ValueError as exc:
        raise ValidationError(str(exc)) from exc


class Schedule(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("IANA name, e.g. Asia/Shanghai or Europe/Berlin; handoffs follow its clock."),
    )
    description = models.TextField(_("description"), blank=True)
    # The key of the public calendar URL: calendar apps cannot sign in. Rotating it cuts off
    # every subscriber holding the old URL.
    feed_token = models.CharField(
        _("feed token"), max_length=64, unique=True, default=new_feed_token, editable=False
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("on-call schedule")
        verbose_name_plural = _("on-call schedules")

    def __str__(self) -> str:
        return self.name

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


class Layer(models.Model):
    """One rotation of a schedule. Where a higher layer (greater position) has someone on,
    the layers below it are not on call."""

    class Rotation(models.TextChoices):
        DAILY = "daily", _("daily")
        WEEKLY = "weekly", _("weekly")
        CUSTOM = "custom", _("custom shift length")

    MAX_SHIFT_HOURS = 24 * 28

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="layers", verbose_name=_("schedule")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), help_text=_("Higher layers override lower ones where they have someone.")
    )
    name = models.CharField(_("name"), max_length=120)
    rotation = models.CharField(
        _("rotation"), max_length=16, choices=Rotation.choices, default=Rotation.WEEKLY
    )
    shift_length = models.PositiveIntegerField(
        _("shift length (hours)"),
        null=True,
        blank=True,
        help_text=_("Custom rotations only."),
    )
    handoff_time = models.TimeField(
        _("handoff time"), help_text=_("Local time of day in the schedule's time zone.")
    )
    starts_at = models.DateField(_("starts on"), help_text=_("The day of the first handoff."))

    class Meta:
        ordering = ["schedule", "-position"]
        verbose_name = _("layer")
        verbose_name_plural = _("layers")
        constraints = [
            models.UniqueConstraint(fields=["schedule", "position"], name="layer_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.name}"

    def clean(self) -> None:
        if self.rotation == self.Rotation.CUSTOM and not self.shift_length:
            raise ValidationError({"shift_length": _("A custom rotation needs a shift length.")})
        if self.shift_length and self.shift_length > self.MAX_SHIFT_HOURS:
            raise ValidationError(
                {"shift_length": _("At most %(n)d hours.") % {"n": self.MAX_SHIFT_HOURS}}
            )


class LayerMember(models.Model):
    """A person's turn in a layer's rotation. A person may take several turns."""

    layer = models.ForeignKey(
        Layer, on_delete=models.CASCADE, related_name="members", verbose_name=_("layer")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oncall_turns",
        verbose_name=_("person"),
    )
    position = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["layer", "position"]
        verbose_name = _("layer member")
        verbose_name_plural = _("layer members")
        constraints = [
            models.UniqueConstraint(fields=["layer", "position"], name="layer_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.layer}: {self.user}"


class Override(models.Model):
    """Someone on call instead of the layers for a while (a swap, a holiday cover)."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="overrides", verbose_name=_("schedule")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oncall_overrides",
        verbose_name=_("person"),
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["schedule", "starts_at"]
        verbose_name = _("override")
        verbose_name_plural = _("overrides")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="override_ends_after"
            )
        ]
        indexes = [models.Index(fields=["schedule", "ends_at"], name="override_window_idx")]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.user} {self.starts_at:%Y-%m-%d %H:%M}"

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("The end must be after the start.")})


class PersonFeed(models.Model):
    """The secret of a person's own calendar feed (their shifts in every schedule)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="oncall_feed",
        verbose_name=_("person"),
    )
    token = models.CharField(
        _("feed token"), max_length=64, unique=True, default=new_feed_token, editable=False
    )

    class Meta:
        verbose_name = _("personal calendar feed")
        verbose_name_plural = _("personal calendar feeds")

    def __str__(self) -> str:
        return str(self.user)


class HandoffNotice(models.Model):
    """A handoff notice sent: the row makes sending it again impossible (unique), so the
    periodic task may run twice, late or in two workers at once."""

    schedule = models.ForeignKey(
        Schedule, on_delete=models.CASCADE, related_name="+", verbose_name=_("schedule")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("person"),
    )
    shift_start = models.DateTimeField(_("shift start"))
    shift_end = models.DateTimeField(_("shift end"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    class Meta:
        ordering = ["-shift_start"]
        verbose_name = _("handoff notice")
        verbose_name_plural = _("handoff notices")
        constraints = [
            models.UniqueConstraint(
                fields=["schedule", "user", "shift_start"], name="handoff_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.user} from {self.shift_start:%Y-%m-%d %H:%M}"
