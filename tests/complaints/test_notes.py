"""Notes without a status change: internal or for the customer (issue 8, items 6 and 8)."""

from __future__ import annotations

import pytest

from kesu.audit.models import AuditRecord
from kesu.complaints.models import ComplaintEvent
from kesu.complaints.services.notes import complaint_note_add
from kesu.core.errors import NotFound, PermissionDenied, ValidationFailed
from kesu.deadlines.models import ComplaintDeadline
from tests.complaints.lifecycle import snapshot


def test_an_internal_note_keeps_the_status_and_writes_event_and_audit(users, complaint_in, now):
    complaint = complaint_in("investigating")
    event = complaint_note_add(
        actor=users["handler"], number=complaint.number, text="顾客情绪激动，注意语气", visibility="internal", now=now
    )
    complaint.refresh_from_db()
    assert complaint.status == "investigating"
    assert (event.kind, event.internal, event.note, event.from_status, event.to_status) == (
        "note",
        True,
        "顾客情绪激动，注意语气",
        "",
        "",
    )
    assert complaint.replied_at is None
    record = AuditRecord.objects.filter(object_id=complaint.number, action="complaint.note").get()
    assert record.data["visibility"] == "internal"


def test_a_note_for_the_customer_is_public_and_meets_the_reply_deadline(users, complaint_in, now):
    complaint = complaint_in("assigned")
    event = complaint_note_add(
        actor=users["agent"], number=complaint.number, text="您好，我们正在调查。", visibility="customer", now=now
    )
    complaint.refresh_from_db()
    assert event.internal is False
    assert complaint.replied_at == now
    reply = ComplaintDeadline.objects.get(complaint=complaint, kind="reply")
    assert reply.state == "met" and reply.met_at == now


@pytest.mark.parametrize(
    ("who", "number", "text", "visibility", "error"),
    [
        ("agent", None, "", "internal", ValidationFailed),
        ("agent", None, "   ", "customer", ValidationFailed),
        ("agent", None, "x" * 2001, "internal", ValidationFailed),
        ("agent", None, "好的", "everyone", ValidationFailed),
        ("auditor", None, "好的", "internal", PermissionDenied),
        ("agent", "TS000000000000", "好的", "internal", NotFound),
        ("handler", "other-department", "好的", "customer", NotFound),
    ],
)
def test_refusals_write_nothing(users, register, complaint_in, now, who, number, text, visibility, error):
    complaint = complaint_in("assigned")
    if number == "other-department":
        number = register(category="service_attitude.rude").number
    before = snapshot()
    with pytest.raises(error):
        complaint_note_add(
            actor=users[who], number=number or complaint.number, text=text, visibility=visibility, now=now
        )
    assert snapshot() == before
    assert not ComplaintEvent.objects.filter(kind="note").exists()
