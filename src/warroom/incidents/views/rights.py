"""What the incident page offers its viewer: decided from `actor_kinds` and
`allowed_transitions`, only to choose which buttons and forms to show. The services check
every write again, so a form posted anyway is still refused."""

from __future__ import annotations

from dataclasses import dataclass

from warroom.incidents.models import Incident, Status
from warroom.incidents.transitions import LEADS, TEAM


@dataclass(frozen=True)
class Rights:
    """What the page offers the viewer."""

    acknowledge: bool = False
    assess: bool = False
    respond: bool = False
    recover: bool = False
    resume: bool = False
    resolve: bool = False
    override: bool = False
    review: bool = False
    close: bool = False
    cancel: bool = False
    team: bool = False
    order: bool = False
    work: bool = False
    sign: bool = False
    leak: bool = False
    legal: bool = False
    edit_report: bool = False
    approve_report: bool = False
    release: bool = False

    @property
    def any_step(self) -> bool:
        steps = ("acknowledge", "assess", "respond", "recover", "resume", "resolve", "review")
        return any(getattr(self, name) for name in (*steps, "close", "cancel"))


def rights_of(incident: Incident, kinds: set[str], allowed: list[str]) -> Rights:
    open_ = incident.is_open
    status = incident.status
    return Rights(
        acknowledge=Status.ACKNOWLEDGED in allowed,
        assess=open_ and bool(kinds & LEADS),
        respond=status == Status.ASSESSED and Status.RESPONDING in allowed,
        recover=Status.RECOVERING in allowed,
        resume=status == Status.RECOVERING and Status.RESPONDING in allowed,
        resolve=Status.RESOLVED in allowed,
        override=Status.RESOLVED in allowed and bool(kinds & {"admin", "commander"}),
        review=Status.REVIEWING in allowed,
        close=Status.CLOSED in allowed,
        cancel=Status.CANCELLED in allowed,
        team=open_ and bool(kinds & LEADS),
        order=open_ and bool(kinds & {"admin", "commander", "deputy"}),
        work=open_ and bool(kinds & TEAM),
        sign=status in (Status.RESPONDING, Status.RECOVERING) and bool(kinds & TEAM),
        leak=open_ and bool(kinds & {"admin", "security", "deputy", "commander"}),
        legal=open_ and bool(kinds & {"admin", "legal"}),
        edit_report=bool(kinds & LEADS),
        approve_report=bool(kinds & {"admin", "commander"}),
        release=bool(kinds & TEAM),
    )
