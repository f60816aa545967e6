"""Incidents and everything the plan's §4 process records on them."""

from warroom.incidents.models.incident import Incident, IncidentSystem, Participant, Status
from warroom.incidents.models.logistics import OutsideHelp, ResourceAllocation
from warroom.incidents.models.response import (
    BackupRestore,
    CheckItem,
    LeakAssessment,
    Order,
    RecoveryItem,
    Task,
    UserUpdate,
)
from warroom.incidents.models.review import ActionItem, Report
from warroom.incidents.models.timeline import TimelineEvent

__all__ = [
    "ActionItem",
    "BackupRestore",
    "CheckItem",
    "Incident",
    "IncidentSystem",
    "LeakAssessment",
    "Order",
    "OutsideHelp",
    "Participant",
    "RecoveryItem",
    "Report",
    "ResourceAllocation",
    "Status",
    "Task",
    "TimelineEvent",
    "UserUpdate",
]
