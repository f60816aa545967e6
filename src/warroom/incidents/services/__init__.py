"""Writes of the incident process. Importing this package registers the state effects."""

from warroom.incidents.services.logistics import (
    allocate_resource,
    record_outside_outcome,
    release_resource,
    request_outside_help,
)
from warroom.incidents.services.orders import (
    Proposal,
    acknowledge_incident,
    acknowledge_order,
    assess_incident,
    issue_order,
    propose_team,
    set_team,
)
from warroom.incidents.services.report import (
    approve_report,
    publish_report,
    reject_report,
    submit_report,
    update_report,
)
from warroom.incidents.services.reporting import report_incident
from warroom.incidents.services.response import (
    check_item,
    post_user_update,
    record_leak_assessment,
    record_legal_decision,
    record_restore,
    resume_response,
    sign_recovery_item,
    start_recovery,
    start_response,
    update_task,
)
from warroom.incidents.services.review import (
    add_action_item,
    cancel_incident,
    close_incident,
    resolve_incident,
    set_action_status,
    start_review,
    update_action_item,
)

__all__ = [
    "Proposal",
    "acknowledge_incident",
    "acknowledge_order",
    "add_action_item",
    "allocate_resource",
    "approve_report",
    "assess_incident",
    "cancel_incident",
    "check_item",
    "close_incident",
    "issue_order",
    "post_user_update",
    "propose_team",
    "publish_report",
    "record_leak_assessment",
    "record_legal_decision",
    "record_outside_outcome",
    "record_restore",
    "reject_report",
    "release_resource",
    "report_incident",
    "request_outside_help",
    "resolve_incident",
    "resume_response",
    "set_action_status",
    "set_team",
    "sign_recovery_item",
    "start_recovery",
    "start_response",
    "start_review",
    "submit_report",
    "update_action_item",
    "update_report",
    "update_task",
]
