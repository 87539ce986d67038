"""Timeline events and their audit records, always written together in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from kesu.audit.models import AuditRecord
from kesu.audit.services import audit_build
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.workflow import Action


class EventKind(models.TextChoices):
    """Every kind of timeline event, with its label. A lifecycle action's event has the action's code
    (kesu/complaints/workflow.py Action); tests/complaints/test_action_spec.py checks that every kind
    the code writes is here."""

    REGISTERED = "registered", _("Registered")
    ACKNOWLEDGE = Action.ACKNOWLEDGE.value, _("Acknowledged")
    ASSIGN = Action.ASSIGN.value, _("Assigned")
    START_INVESTIGATION = Action.START_INVESTIGATION.value, _("Investigation started")
    PROPOSE_SOLUTION = Action.PROPOSE_SOLUTION.value, _("Solution proposed")
    APPROVE = Action.APPROVE.value, _("Solution approved")
    REJECT_APPROVAL = Action.REJECT_APPROVAL.value, _("Approval refused")
    CUSTOMER_ACCEPT = Action.CUSTOMER_ACCEPT.value, _("Customer accepted the solution")
    CUSTOMER_REJECT = Action.CUSTOMER_REJECT.value, _("Customer rejected the solution")
    RESOLVE = Action.RESOLVE.value, _("Resolved")
    RECORD_CALLBACK = Action.RECORD_CALLBACK.value, _("Callback recorded")
    CLOSE = Action.CLOSE.value, _("Closed")
    REOPEN = Action.REOPEN.value, _("Reopened")
    ESCALATE = Action.ESCALATE.value, _("Escalated")
    WITHDRAW = Action.WITHDRAW.value, _("Withdrawn")
    MERGE = Action.MERGE.value, _("Merged")
    RULE_INVALID = Action.RULE_INVALID.value, _("Ruled invalid")
    RESOLVED_CONTACT = Action.RESOLVED_CONTACT.value, _("Resolved contact")
    ON_THE_SPOT = Action.ON_THE_SPOT.value, _("Settled on the spot")
    AUTO_CLOSED_UNREACHABLE = Action.AUTO_CLOSE_UNREACHABLE.value, _("Closed automatically: customer unreachable")
    MERGED_IN = "merged_in", _("Another complaint merged in")
    EVIDENCE_ADDED = "evidence_added", _("Evidence added")
    CUSTOMER_RATING = "customer_rating", _("Customer rated the handling")
    INVESTIGATION_RECORDED = "investigation_recorded", _("Investigation recorded")
    RECLASSIFIED = "reclassified", _("Reclassified")
    LANGUAGE_CHANGED = "language_changed", _("Customer's language changed")
    LETTER_SENT = "letter_sent", _("Letter sent")
    DEADLINE_MISSED = "deadline_missed", _("Deadline missed")
    DEADLINE_EXTENDED = "deadline_extended", _("Deadline extended")
    DEADLINES_PAUSED = "deadlines_paused", _("Deadlines paused")
    DEADLINES_RESUMED = "deadlines_resumed", _("Deadlines resumed")
    DEADLINES_RECOMPUTED = "deadlines_recomputed", _("Deadlines recomputed")
    CALLBACK_UNREACHABLE = "callback_unreachable", _("Customer not reached at the callback")
    COORDINATOR_SET = "coordinator_set", _("Coordinator set")
    DEPARTMENT_TASK_ADDED = "department_task_added", _("Department task added")
    DEPARTMENT_TASK_CANCELLED = "department_task_cancelled", _("Department task cancelled")
    FOLLOW_UP_SCHEDULED = "follow_up_scheduled", _("Follow-up visit scheduled")
    FOLLOW_UP_CANCELLED = "follow_up_cancelled", _("Follow-up visit cancelled")
    RETURN_DOCUMENT_ISSUED = "return_document_issued", _("Return document issued")
    RETURN_RECEIVED = "return_received", _("Returned goods received")
    # --- imports and platforms (kesu/imports, kesu/platforms) ---
    HISTORICAL_OUTCOME = "historical_outcome", _("Historical status and outcome imported")
    DEADLINE_SET_EXTERNALLY = "deadline_set_externally", _("Deadline set by the referring body or platform")
    REFERRAL_REGISTERED = "referral_registered", _("Referral registered")
    REFERRAL_REPORTED = "referral_reported", _("Result reported to the referring body")
    PLATFORM_REPLY = "platform_reply", _("Answer sent to the complaint platform")
    PLATFORM_UPDATE = "platform_update", _("Complaint platform reported a change")
    QUALITY_REVIEWED = "quality_reviewed", _("Quality review recorded")
    ADJUDICATED = "adjudicated", _("Adjudicated")
    APPEAL_LODGED = "appeal_lodged", _("Appeal lodged")
    APPEAL_ANSWERED = "appeal_answered", _("Appeal answered")
    APPEAL_OVERDUE = "appeal_overdue", _("Appeal not answered in time")
    CAPA_LINKED = "capa_linked", _("Corrective action linked")
    CAPA_ASSIGNED = "capa_assigned", _("Corrective action assigned")
    # --- major incidents (DP-5, DP-6) and money at the desk (RS-6…RS-8, IV-2) ---
    CHECKLIST_OPENED = "checklist_opened", _("Major-complaint checklist opened")
    CHECKLIST_ITEM_DONE = "checklist_item_done", _("Checklist item done")
    CHECKLIST_ITEM_REASSIGNED = "checklist_item_reassigned", _("Checklist item handed over")
    CHECKLIST_ITEM_OVERDUE = "checklist_item_overdue", _("Checklist item overdue")
    CRISIS_TEAM_CONVENED = "crisis_team_convened", _("Crisis team convened")
    CRISIS_TEAM_RECORDED = "crisis_team_recorded", _("Crisis team decisions recorded")
    MEDIA_ENQUIRY_RECEIVED = "media_enquiry_received", _("Media enquiry received")
    MEDIA_ENQUIRY_ANSWERED = "media_enquiry_answered", _("Media enquiry answered")
    VOUCHER_REQUESTED = "voucher_requested", _("Petty-cash voucher requested")
    VOUCHER_PAID = "voucher_paid", _("Petty-cash voucher approved and paid")
    VOUCHER_REJECTED = "voucher_rejected", _("Petty-cash voucher rejected")
    VOUCHER_COUNTERSIGNED = "voucher_countersigned", _("Petty-cash voucher countersigned")
    VOUCHER_COUNTERSIGN_OVERDUE = "voucher_countersign_overdue", _("Petty-cash voucher not countersigned in time")
    RECEIVABLE_HELD = "receivable_held", _("Receivable held back")
    RECEIVABLE_RELEASED = "receivable_released", _("Receivable released to finance")
    RECEIVABLE_OFFSET = "receivable_offset", _("Receivable offset against the compensation")
    SUPPLIER_CLAIMED = "supplier_claimed", _("Cost claimed from the supplier")
    SUPPLIER_ANSWERED = "supplier_answered", _("Supplier answered the claim")
    SUPPLIER_COST_DECIDED = "supplier_cost_decided", _("GM decided on the supplier's cost")
    LOSS_ASSESSED = "loss_assessed", _("Loss and penalty assessed")
    MAIL_RECEIVED = "mail_received", _("E-mail received from the customer")  # kesu.channels.mail
    # the procedure rules (issue 13)
    CONFIDENTIALITY_SET = "confidentiality_set", _("Confidentiality level set")
    DOCUMENT_CONFIDENTIALITY_SET = "document_confidentiality_set", _("Document confidentiality level set")
    OBJECTION_FILED = "objection_filed", _("Formal objection filed")
    OBJECTION_DECIDED = "objection_decided", _("Formal objection decided")
    # triage intelligence (kesu/triage): same-matter links and the escalation-risk flag
    COMPLAINT_LINKED = "complaint_linked", _("Linked as the same matter")
    RISK_FLAGGED = "risk_flagged", _("Flagged as an escalation risk")
    VIOLATION_FOUND = "violation_found", _("Violation found (to report to internal audit)")
    INTERNAL_AUDIT_REPORTED = "internal_audit_reported", _("Violation reported to internal audit")
    OUTCOME_PUBLISHED = "outcome_published", _("Outcome published in the public register")
    OUTCOME_WITHDRAWN = "outcome_withdrawn", _("Outcome withdrawn from the public register")


def event_kind_label(kind: str) -> str:
    """The label of an event kind in the active language; an unknown kind goes by its code."""
    return str(EventKind(kind).label) if kind in EventKind.values else kind


def record_event(
    *,
    complaint: Complaint,
    kind: str,
    actor: Any,
    at: dt.datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
    internal: bool = True,
) -> ComplaintEvent:
    event, audit = event_build(
        complaint=complaint,
        kind=kind,
        actor=actor,
        at=at,
        note=note,
        data=data,
        from_status=from_status,
        to_status=to_status,
        internal=internal,
    )
    event.save(force_insert=True)
    audit.save(force_insert=True)
    events_recorded(event=event, complaint=complaint, at=at)
    return event


def event_build(
    *,
    complaint: Complaint,
    kind: str,
    actor: Any,
    at: dt.datetime,
    note: str = "",
    data: dict[str, Any] | None = None,
    from_status: str = "",
    to_status: str = "",
    internal: bool = True,
    digester: Callable[[bytes], str] | None = None,
) -> tuple[ComplaintEvent, AuditRecord]:
    """The event and its audit record, unsaved, for a caller that writes them with its other new
    rows (kesu/core/inserts.py) and then calls `events_recorded`; `record_event` does all three.
    `digester`: the audit's `keyed_digester()`, for a caller that builds many."""
    payload = data or {}
    event = ComplaintEvent(
        complaint=complaint,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        at=at,
        note=note,
        data=payload,
        from_status=from_status,
        to_status=to_status,
        internal=internal,
    )
    audit = audit_build(
        actor=actor,
        action=f"complaint.{kind}",
        object_type="complaint",
        object_id=complaint.number,
        data={"from": from_status, "to": to_status, "note": note, **payload},
        at=at,
        digester=digester,
    )
    return event, audit


def events_recorded(*, event: ComplaintEvent, complaint: Complaint, at: dt.datetime) -> None:
    # Webhook deliveries and robot announcements the event sets off, in the same transaction.
    from kesu.channels.events import complaint_events_recorded

    complaint_events_recorded(events=[event], complaints={complaint.pk: complaint}, now=at)
