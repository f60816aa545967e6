"""Helpers shared by the API routers."""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import PermissionDenied
from django.db.models import Manager, Model, QuerySet
from django.http import Http404
from ninja import Schema

M = TypeVar("M", bound=Model)


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    detail: list[dict[str, object]]


def require(allowed: bool, message: str = "not allowed") -> None:
    if not allowed:
        raise PermissionDenied(message)


def get_or_404(source: QuerySet[M, M] | Manager[M], what: str, **lookup: object) -> M:
    """The one object matching `lookup`, else Http404 saying which kind of thing is missing."""
    obj = source.filter(**lookup).first()
    if obj is None:
        raise Http404(f"{what} not found")
    return obj
