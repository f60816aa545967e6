"""Errors raised by services for bad input, naming the field at fault."""

from __future__ import annotations


class DomainError(ValueError):
    """Input a service refuses. `field` names the input at fault (dotted path or '')."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}" if field else message)
        self.field = field
        self.message = message


class Conflict(DomainError):
    """The request clashes with what is stored (a duplicate name, an object still in use)."""
