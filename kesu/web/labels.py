"""Labels of the timeline's event kinds in the reader's language: a code is never shown."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

EVENT_KINDS: dict[str, Any] = {
    "registered": _("Registered"),
    "acknowledge": _("Acknowledged"),
    "assign": _("Assigned"),
    "start_investigation": _("Investigation started"),
    "propose_solution": _("Solution proposed"),
    "approve": _("Solution approved"),
    "reject_approval": _("Approval refused"),
    "customer_accept": _("Customer accepted the solution"),
    "customer_reject": _("Customer rejected the solution"),
    "resolve": _("Resolved"),
    "record_callback": _("Callback recorded"),
    "close": _("Closed"),
    "reopen": _("Reopened"),
    "escalate": _("Escalated"),
    "withdraw": _("Withdrawn"),
    "merge": _("Merged"),
    "merged_in": _("Another complaint merged in"),
    "rule_invalid": _("Ruled invalid"),
    "evidence_added": _("Evidence added"),
    "customer_rating": _("Customer rated the handling"),
    "on_the_spot": _("Settled on the spot"),
    "resolved_contact": _("Resolved contact"),
    "investigation_recorded": _("Investigation recorded"),
    "overdue": _("Overdue"),
    "note": _("Note"),
    "reclassified": _("Reclassified"),
    "deadlines_paused": _("Deadlines paused"),
    "deadlines_resumed": _("Deadlines resumed"),
    "deadline_extended": _("Deadline extended"),
    "deadlines_recomputed": _("Deadlines recalculated"),
    "deadline_missed": _("Deadline missed"),
    "auto_closed_unreachable": _("Closed: the customer could not be reached"),
    "callback_unreachable": _("Customer not reached for the callback"),
    "letter_sent": _("Letter sent"),
    "language_changed": _("Customer's language changed"),
    "adjudicated": _("Validity ruled"),
    "appeal_lodged": _("Appeal lodged"),
    "appeal_answered": _("Appeal answered"),
    "appeal_overdue": _("Appeal not answered in time"),
    "coordinator_set": _("Coordinator set"),
    "department_task_added": _("Department task added"),
    "department_task_done": _("Department task done"),
    "department_task_cancelled": _("Department task cancelled"),
    "follow_up_scheduled": _("Follow-up visit scheduled"),
    "follow_up_done": _("Follow-up visit done"),
    "follow_up_cancelled": _("Follow-up visit cancelled"),
    "return_document_issued": _("Return document issued"),
    "return_received": _("Returned goods received"),
    "capa_linked": _("Linked to a corrective action"),
    "quality_reviewed": _("Quality review"),
    "confidentiality_set": _("Confidentiality level set"),
    "document_confidentiality_set": _("Document confidentiality level set"),
    "objection_filed": _("Formal objection filed"),
    "objection_decided": _("Formal objection decided"),
}


def event_label(kind: str) -> str:
    label = EVENT_KINDS.get(kind)
    if label is None:
        # Kinds not listed here take their label from the one declaration (kesu/complaints/events.py).
        from kesu.complaints.events import EventKind

        label = EventKind(kind).label if kind in EventKind.values else None
    return str(label) if label is not None else str(_("Other change"))
