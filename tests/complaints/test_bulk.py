"""Bulk actions: each complaint through complaint_transition on its own; refusals write nothing."""

from __future__ import annotations

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.services.bulk import complaints_bulk_transition


def test_acknowledge_in_bulk_does_the_allowed_and_lists_each_refusal(users, register, complaint_in, now):
    first, second = register(), register()
    already = complaint_in("acknowledged")
    events_before = ComplaintEvent.objects.filter(complaint=already).count()
    audits_before = AuditRecord.objects.filter(object_id=already.number).count()
    result = complaints_bulk_transition(
        actor=users["agent"],
        numbers=[first.number, already.number, second.number, "209901-99999"],
        action="acknowledge",
        payload={},
        now=now,
    )
    assert result.done == [first.number, second.number]
    assert [number for number, _why in result.refused] == [already.number, "209901-99999"]
    assert "已受理" in result.refused[0][1] or "acknowledged" in result.refused[0][1]
    assert set(Complaint.objects.filter(number__in=result.done).values_list("status", flat=True)) == {"acknowledged"}
    # Nothing was written for the refused one.
    assert ComplaintEvent.objects.filter(complaint=already).count() == events_before
    assert AuditRecord.objects.filter(object_id=already.number).count() == audits_before


def test_assign_in_bulk_refuses_what_the_role_may_not_do(users, complaint_in, now):
    acknowledged = complaint_in("acknowledged")
    result = complaints_bulk_transition(
        actor=users["agent"],
        numbers=[acknowledged.number],
        action="assign",
        payload={"department": "quality", "assignee": "handler"},
        now=now,
    )
    assert result.done == []
    assert len(result.refused) == 1
    acknowledged.refresh_from_db()
    assert (acknowledged.status, acknowledged.assignee_id) == ("acknowledged", None)
    done = complaints_bulk_transition(
        actor=users["supervisor"],
        numbers=[acknowledged.number],
        action="assign",
        payload={"department": "quality", "assignee": "handler"},
        now=now,
    )
    assert done.done == [acknowledged.number]


def test_a_complaint_the_user_may_not_see_is_refused_as_unknown(users, register, now):
    elsewhere = register(category="service_attitude.rude")
    result = complaints_bulk_transition(
        actor=users["handler"], numbers=[elsewhere.number], action="acknowledge", payload={}, now=now
    )
    assert result.done == []
    assert result.refused[0][0] == elsewhere.number
    elsewhere.refresh_from_db()
    assert elsewhere.status == "registered"


def test_an_action_outside_the_bulk_set_is_refused_for_each(users, register, now):
    complaint = register()
    result = complaints_bulk_transition(
        actor=users["supervisor"], numbers=[complaint.number], action="close", payload={}, now=now
    )
    assert result.done == [] and len(result.refused) == 1
