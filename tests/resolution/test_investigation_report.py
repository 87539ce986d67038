"""IV-3: the investigation report is due within 3 days of the investigation starting, tracked as
the `investigation_report` deadline and met when the record is complete."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from kesu.core.clock import iso_utc
from kesu.deadlines.models import ComplaintDeadline, Escalation
from kesu.deadlines.sweep import sweep
from tests.complaints.lifecycle import INVESTIGATION, act, events_of, investigate

SHANGHAI = ZoneInfo("Asia/Shanghai")


def report(complaint) -> ComplaintDeadline:
    return ComplaintDeadline.objects.get(complaint=complaint, kind="investigation_report")


def three_days_after(now: dt.datetime) -> dt.datetime:
    day = timezone.localtime(now, SHANGHAI).date() + dt.timedelta(days=3)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=SHANGHAI)


def test_starting_the_investigation_opens_the_report_deadline(complaint_in, users, now):
    complaint = complaint_in("assigned")
    act(users, "handler", complaint, "start_investigation", now)
    row = report(complaint)
    assert (row.state, row.started_at, row.due_at, row.unit, row.amount) == (
        "open",
        now,
        three_days_after(now),
        "calendar_days",
        3,
    )
    assert events_of(complaint)[-1].data["report_due"] == iso_utc(three_days_after(now))  # the API's one format


def test_a_partial_record_does_not_meet_it_and_the_complete_one_does(complaint_in, users, now):
    complaint = complaint_in("assigned")
    act(users, "handler", complaint, "start_investigation", now)
    later = now + dt.timedelta(hours=5)
    investigate(users, "handler", complaint, later, responsibility="")
    assert report(complaint).state == "open"
    investigate(users, "handler", complaint, later + dt.timedelta(hours=1))
    row = report(complaint)
    assert (row.state, row.met_at, row.on_time) == ("met", later + dt.timedelta(hours=1), True)


def test_a_record_completed_before_the_start_meets_it_at_once(complaint_in, users, now):
    complaint = complaint_in("assigned")
    investigate(users, "handler", complaint, now)
    act(users, "handler", complaint, "start_investigation", now + dt.timedelta(minutes=1))
    row = report(complaint)
    assert (row.state, row.on_time) == ("met", True)


def test_a_late_report_is_marked_overdue_escalated_and_met_late(complaint_in, users, now):
    complaint = complaint_in("assigned")
    act(users, "handler", complaint, "start_investigation", now)
    late = three_days_after(now) + dt.timedelta(minutes=1)
    sweep(now=late)
    row = report(complaint)
    complaint.refresh_from_db()
    assert (row.missed_at, row.escalated_at, complaint.overdue) == (late, late, True)
    assert "调查报告" in Escalation.objects.get(deadline=row).reason
    investigate(users, "handler", complaint, late + dt.timedelta(hours=1))
    row = report(complaint)
    complaint.refresh_from_db()
    assert (row.state, row.on_time, complaint.overdue) == ("met", False, False)


def test_starting_again_after_a_reassignment_keeps_the_first_clock(complaint_in, users, now):
    complaint = complaint_in("assigned")
    act(users, "handler", complaint, "start_investigation", now)
    first = report(complaint).due_at
    act(users, "supervisor", complaint, "assign", now, department="quality", assignee="handler")
    act(users, "handler", complaint, "start_investigation", now + dt.timedelta(days=1))
    assert report(complaint).due_at == first
    assert ComplaintDeadline.objects.filter(complaint=complaint, kind="investigation_report").count() == 1


def test_the_complaint_in_fixture_records_the_investigation(complaint_in):
    # complaint_in("investigating") records INVESTIGATION: the report is in.
    complaint = complaint_in("investigating")
    assert INVESTIGATION["root_cause"]
    assert report(complaint).state == "met"
