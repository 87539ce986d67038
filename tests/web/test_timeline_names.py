"""The timeline names the department and person of every assignment from one read of each."""

from __future__ import annotations

from kesu.complaints.models import ComplaintEvent
from kesu.web.selectors import timeline_entries


def test_assignments_are_named_from_one_read(register, users, django_assert_num_queries):
    complaint = register()
    for who in ("handler", "supervisor", "agent"):
        ComplaintEvent.objects.create(
            complaint=complaint,
            kind="assign",
            from_status="acknowledged",
            to_status="assigned",
            actor=users["supervisor"],
            at=complaint.received_at,
            data={"department": users["handler"].department.code, "assignee": who},
        )
    events = list(complaint.events.filter(kind="assign").order_by("id"))
    with django_assert_num_queries(2):  # the departments, the people
        entries = timeline_entries(events)
    names = [" ".join(entry.details) for entry in entries]
    assert all(users["handler"].department.name in n for n in names)
    assert str(users["handler"]) in names[0] and str(users["agent"]) in names[2]


def test_an_extended_deadline_of_a_later_kind_is_named_in_the_readers_language(register, users):
    from django.utils import translation

    complaint = register()
    ComplaintEvent.objects.create(
        complaint=complaint,
        kind="deadline_extended",
        actor=users["supervisor"],
        at=complaint.received_at,
        data={"deadline": "investigation_report", "from": "2026-12-01T10:00:00Z", "to": "2026-12-03T10:00:00Z"},
    )
    events = list(complaint.events.filter(kind="deadline_extended"))
    with translation.override("zh-hans"):
        text = " ".join(timeline_entries(events)[0].details)
    assert text.startswith("调查报告") and "investigation_report" not in text
