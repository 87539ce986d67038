"""Timeline events and their audit records, always written together in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from kesu.audit.services import audit_record
from kesu.complaints.models import Complaint, ComplaintEvent


def record_event(*, complaint: Complaint, kind: str, actor: Any, at: dt.datetime, note: str = "",
                 data: dict[str, Any] | None = None, from_status: str = "", to_status: str = "",
                 internal: bool = True) -> ComplaintEvent:
    payload = data or {}
    event = ComplaintEvent.objects.create(
        complaint=complaint, kind=kind, actor=actor if getattr(actor, "pk", None) else None, at=at,
        note=note, data=payload, from_status=from_status, to_status=to_status, internal=internal,
    )
    audit_record(
        actor=actor, action=f"complaint.{kind}", object_type="complaint", object_id=complaint.number,
        data={"from": from_status, "to": to_status, "note": note, **payload}, at=at,
    )
    return event
