"""API schemas of the comms app."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ninja import Field, Schema

from warroom.comms.models import StatusComponent


class PublicUpdateIn(Schema):
    status: str
    text_en: str = ""
    text_zh: str = ""
    eta: dt.datetime | None = None


class PublicUpdateOut(Schema):
    id: int
    incident: int = Field(alias="incident_id")
    status: str
    text_en: str
    text_zh: str
    eta: dt.datetime | None
    posted_by: str | None
    posted_at: dt.datetime

    @staticmethod
    def resolve_posted_by(obj: Any) -> str | None:
        return obj.posted_by.get_username() if obj.posted_by else None


class ComponentIn(Schema):
    name_en: str = Field(min_length=1, max_length=200)
    name_zh: str = Field("", max_length=200)
    systems: list[str] = []
    position: int = Field(0, ge=0)
    visible: bool = True


class ComponentPatch(Schema):
    name_en: str | None = Field(None, min_length=1, max_length=200)
    name_zh: str | None = Field(None, max_length=200)
    systems: list[str] | None = None
    position: int | None = Field(None, ge=0)
    visible: bool | None = None


class ComponentOut(Schema):
    id: int
    name_en: str
    name_zh: str
    systems: list[str]
    position: int
    visible: bool

    @staticmethod
    def resolve_systems(obj: StatusComponent) -> list[str]:
        return [s.name for s in obj.systems.all()]
