"""Notes on a complaint without a status change (issue 8, item 6).

An internal note is for the staff only; a customer-visible note is a reply the customer reads on
the portal, so it also counts as the first reply (the reply deadline is met). Like every write it
runs in one transaction with its timeline event and audit record; refusals write nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.accounts.permissions import STAFF_ROLES
from kesu.complaints.events import record_event
from kesu.complaints.models import ComplaintEvent
from kesu.complaints.search import complaint_reindex
from kesu.complaints.services.access import complaint_for_action
from kesu.complaints.workflow import DeadlineEffect
from kesu.core.errors import FieldError, PermissionDenied, ValidationFailed
from kesu.deadlines.services import deadlines_after_transition
from kesu.desk.phrases import check_outgoing

NOTE_KIND = "note"
INTERNAL, CUSTOMER = "internal", "customer"
VISIBILITIES = (INTERNAL, CUSTOMER)
MAX_NOTE = 2000


def complaint_note_add(*, actor: User, number: str, text: str, visibility: str, now: dt.datetime) -> ComplaintEvent:
    """Add a note; `visibility` is "internal" (staff only) or "customer" (shown on the portal)."""
    if actor.role not in STAFF_ROLES:
        raise PermissionDenied(_("Auditors have read-only access."))
    errors = []
    text = (text or "").strip()
    if not text:
        errors.append(FieldError("text", _("Write the note."), "required"))
    elif len(text) > MAX_NOTE:
        errors.append(FieldError("text", _("Write at most %(max)d characters.") % {"max": MAX_NOTE}, "too_long"))
    if visibility not in VISIBILITIES:
        errors.append(
            FieldError(
                "visibility", _("Say who may read the note: the staff only or the customer too."), "invalid_choice"
            )
        )
    if errors:
        raise ValidationFailed(errors)
    if visibility == CUSTOMER:
        # OP-4: a note the customer reads must not contain a forbidden service phrase.
        check_outgoing({"text": text})
    with transaction.atomic():
        complaint = complaint_for_action(actor=actor, number=number, staff_only=False)  # role checked above
        for_customer = visibility == CUSTOMER
        if for_customer and complaint.replied_at is None:
            # A reply the customer reads: the reply deadline is met (issue 8, item 8).
            complaint.replied_at = now
            complaint.updated_at = now
            complaint.save(update_fields=["replied_at", "updated_at"])
        event = record_event(
            complaint=complaint,
            kind=NOTE_KIND,
            actor=actor,
            at=now,
            note=text,
            data={"visibility": visibility},
            internal=not for_customer,
        )
        complaint_reindex(complaint)  # notes are searchable
        if for_customer:
            deadlines_after_transition(complaint=complaint, effect=DeadlineEffect.SETTLE, actor=actor, now=now)
    return event
