"""The sweep: overdue, one escalation per missed deadline, reminders, idempotence, FU-2."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.management import call_command

from kesu.complaints.models import Complaint
from kesu.complaints.selectors import ComplaintFilters, complaint_list, is_overdue
from kesu.deadlines.calendar import bump_version
from kesu.deadlines.models import DeadlineSettings, Escalation
from kesu.deadlines.selectors import on_time_rate
from kesu.deadlines.sweep import sweep
from kesu.notifications.models import OutboxMessage

from .conftest import at, rows

pytestmark = pytest.mark.django_db


def outbox(kind: str) -> list[tuple[str, str]]:
    return sorted(OutboxMessage.objects.filter(kind=kind).values_list("recipient", "subject"))


def test_nothing_due_does_nothing(reg):
    reg(at(2026, 3, 2, 10))
    result = sweep(now=at(2026, 3, 2, 12))
    assert (result.checked, result.missed, result.reminded) == (0, 0, 0)


def test_a_missed_deadline_marks_overdue_and_escalates_one_level(reg, users):
    complaint = reg(at(2026, 3, 2, 10))
    OutboxMessage.objects.all().delete()
    result = sweep(now=at(2026, 3, 3, 10, 0, 1))  # acknowledge was due at 10:00
    assert (result.missed, result.escalated) == (1, 1)
    complaint.refresh_from_db()
    assert (complaint.overdue, complaint.escalation_level) == (True, 1)
    ack = rows(complaint)["acknowledge"]
    assert (ack.state, ack.on_time, ack.missed_at, ack.escalated_at) == (
        "open",
        False,
        at(2026, 3, 3, 10, 0, 1),
        at(2026, 3, 3, 10, 0, 1),
    )
    escalation = Escalation.objects.get(complaint=complaint)
    assert (escalation.cause, escalation.from_level, escalation.to_level) == ("overdue", 0, 1)
    event = complaint.events.get(kind="deadline_missed")
    assert event.data["deadline"] == "acknowledge"
    assert event.data["escalation"] == {"from_level": 0, "to_level": 1}
    # The supervisor (level 1) is told, and the department's supervisor as the one concerned (once).
    assert [r for r, _s in outbox("escalated")] == ["supervisor@example.com"]
    from kesu.audit.models import AuditRecord

    assert AuditRecord.objects.filter(action="complaint.deadline_missed", object_id=complaint.number).count() == 1


def test_running_twice_at_the_same_instant_does_nothing_the_second_time(reg):
    complaint = reg(at(2026, 3, 2, 10))
    when = at(2026, 3, 4, 11)  # acknowledge and its 48-hour hard limit missed
    first = sweep(now=when)
    counts = (complaint.events.count(), OutboxMessage.objects.count(), Escalation.objects.count())
    second = sweep(now=when)
    assert (first.missed, first.escalated) == (2, 2)
    assert (second.checked, second.missed, second.escalated, second.reminded) == (0, 0, 0, 0)
    assert (complaint.events.count(), OutboxMessage.objects.count(), Escalation.objects.count()) == counts
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2
    # Later sweeps do not escalate the same missed deadlines again.
    assert sweep(now=at(2026, 3, 4, 12)).escalated == 0


def test_each_missed_deadline_climbs_the_ladder(reg):
    complaint = reg(at(2026, 3, 2, 10))
    sweep(now=at(2026, 3, 3, 11))  # acknowledge → supervisor
    sweep(now=at(2026, 3, 4, 11))  # the acknowledgement's 48-hour hard limit → manager
    sweep(now=at(2026, 3, 6, 1))  # reply → supervision team / GM
    sweep(now=at(2026, 3, 18, 1))  # close → company leadership
    complaint.refresh_from_db()
    assert complaint.escalation_level == 4
    assert list(Escalation.objects.filter(complaint=complaint).values_list("to_level", flat=True)) == [1, 2, 3, 4]
    assert "gm@example.com" in [r for r, _s in outbox("escalated")]


def test_a_major_complaint_goes_straight_to_the_gm(reg):
    complaint = reg(at(2026, 3, 2, 10), severity="major")
    OutboxMessage.objects.all().delete()
    sweep(now=at(2026, 3, 2, 12, 1))
    complaint.refresh_from_db()
    assert complaint.escalation_level == 3
    assert "gm@example.com" in [r for r, _s in outbox("escalated")]


def test_manual_dissatisfaction_and_overdue_escalations_share_ladder_and_history(reg, act):
    complaint = reg(at(2026, 3, 2, 10))
    act(complaint, "escalate", "agent", at(2026, 3, 2, 11), reason="客户情绪激动")
    sweep(now=at(2026, 3, 3, 11))
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2
    history = list(Escalation.objects.filter(complaint=complaint).values_list("cause", "from_level", "to_level"))
    assert history == [("manual", 0, 1), ("overdue", 1, 2)]


def test_meeting_a_deadline_records_it_on_time_or_late(reg, act):
    on_time = reg(at(2026, 3, 2, 10))
    late = reg(at(2026, 3, 2, 10))
    act(on_time, "acknowledge", "agent", at(2026, 3, 2, 15))
    sweep(now=at(2026, 3, 3, 12))
    act(late, "acknowledge", "agent", at(2026, 3, 3, 13))
    assert (rows(on_time)["acknowledge"].on_time, rows(late)["acknowledge"].on_time) == (True, False)
    assert rows(late)["acknowledge"].missed_at == at(2026, 3, 3, 12)
    assert rows(late)["acknowledge"].met_at == at(2026, 3, 3, 13)
    rate = on_time_rate(kind="acknowledge")
    assert (rate.met_on_time, rate.finished, rate.rate) == (1, 2, 0.5)
    late.refresh_from_db()
    assert late.overdue is False  # the missed deadline was met late: no longer overdue


def test_overdue_filter_and_flag_follow_the_records(reg, users, act):
    overdue = reg(at(2026, 3, 2, 10))
    fresh = reg(at(2026, 3, 5, 10))
    now = at(2026, 3, 5, 12)
    listed = complaint_list(user=users["manager"], filters=ComplaintFilters(overdue=True), now=now)
    assert [c.number for c in listed] == [overdue.number]  # before any sweep: computed from the records
    assert is_overdue(Complaint.objects.get(pk=overdue.pk), now) and not is_overdue(fresh, now)
    act(overdue, "withdraw", "agent", now)
    assert not complaint_list(user=users["manager"], filters=ComplaintFilters(overdue=True), now=now).exists()
    assert {r.state for r in rows(overdue).values()} == {"cancelled"}


def test_reminders_go_out_once_per_lead_time_to_those_concerned(reg, users, act):
    complaint = reg(at(2026, 3, 2, 10))
    OutboxMessage.objects.all().delete()
    # Leads 1440 and 120 minutes. Acknowledge (a 24-hour deadline) gets only the 2-hour reminder,
    # sent to the department's supervisor while nobody is assigned.
    assert sweep(now=at(2026, 3, 3, 8, 30)).reminded == 1
    assert sweep(now=at(2026, 3, 3, 8, 30)).reminded == 0
    act(complaint, "acknowledge", "agent", at(2026, 3, 3, 9))
    act(complaint, "assign", "supervisor", at(2026, 3, 3, 9, 30), department="quality", assignee="handler")
    # Reply due Thu 5 Mar 23:59:59: a day ahead, then two hours ahead, to the assignee.
    assert sweep(now=at(2026, 3, 5, 0, 0)).reminded == 1
    assert sweep(now=at(2026, 3, 5, 22, 0)).reminded == 1
    assert sweep(now=at(2026, 3, 5, 23, 0)).reminded == 0
    recipients = list(
        OutboxMessage.objects.filter(kind="deadline_reminder").order_by("id").values_list("recipient", flat=True)
    )
    assert recipients == ["supervisor@example.com", "handler@example.com", "handler@example.com"]


def test_lead_times_are_configurable(reg):
    DeadlineSettings.objects.filter(pk=1).update(reminder_leads="30")
    bump_version()
    reg(at(2026, 3, 2, 10))
    assert sweep(now=at(2026, 3, 3, 8, 30)).reminded == 0
    assert sweep(now=at(2026, 3, 3, 9, 31)).reminded == 1


def test_unreachable_customer_gets_the_standard_sms_and_may_be_closed(complaint_in, act, users):
    DeadlineSettings.objects.filter(pk=1).update(auto_close_unreachable=True)
    bump_version()
    complaint = complaint_in("resolved")
    act(complaint, "record_callback", "agent", at(2026, 11, 27, 10), reached=False)  # Friday
    sms = OutboxMessage.objects.get(kind="unreachable_sms")
    assert (sms.channel, sms.recipient) == ("sms", complaint.contact_phone)
    assert complaint.number in sms.body
    wait = rows(complaint)["callback_contact"]
    assert wait.due_at == at(2026, 12, 1, 23, 59, 59)  # 2 working days: Mon 30 Nov, Tue 1 Dec
    assert sweep(now=at(2026, 12, 1, 23)).auto_closed == 0
    result = sweep(now=at(2026, 12, 2, 0, 0, 1))
    assert result.auto_closed == 1 and result.escalated == 0
    complaint.refresh_from_db()
    assert (complaint.status, complaint.closed_at) == ("closed", at(2026, 12, 2, 0, 0, 1))
    event = complaint.events.get(kind="auto_closed_unreachable")
    assert (event.from_status, event.to_status) == ("resolved", "closed")


def test_unreachable_customer_who_calls_back_is_not_closed(complaint_in, act):
    DeadlineSettings.objects.filter(pk=1).update(auto_close_unreachable=True)
    bump_version()
    complaint = complaint_in("resolved")
    act(complaint, "record_callback", "agent", at(2026, 11, 27, 10), reached=False)
    act(complaint, "record_callback", "agent", at(2026, 11, 30, 10), reached=True, satisfied=True)
    assert rows(complaint)["callback_contact"].state == "met"
    assert sweep(now=at(2026, 12, 3)).auto_closed == 0
    complaint.refresh_from_db()
    assert complaint.status == "resolved"


def test_without_the_setting_an_unreachable_customer_is_not_closed(complaint_in, act):
    complaint = complaint_in("resolved")
    act(complaint, "record_callback", "agent", at(2026, 11, 27, 10), reached=False)
    assert sweep(now=at(2026, 12, 3)).auto_closed == 0
    complaint.refresh_from_db()
    assert complaint.status == "resolved"


def test_the_sweep_command_takes_an_instant(reg, capsys):
    complaint = reg(at(2026, 3, 2, 10))
    call_command("sweep", "--at", "2026-03-03T10:30:00+08:00")
    out = json.loads(capsys.readouterr().out)
    assert (out["missed"], out["escalated"]) == (1, 1)
    call_command("sweep", "--at", "2026-03-03T10:30:00+08:00")
    assert json.loads(capsys.readouterr().out)["missed"] == 0
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1


def test_api_shape_of_deadlines_is_kept(api, reg):
    complaint = reg(at(2026, 3, 2, 10))
    sweep(now=at(2026, 3, 3, 11))
    body = api("manager").get(f"/api/v1/complaints/{complaint.number}").json()
    assert set(body["deadlines"]) == {"acknowledge_due", "reply_due", "close_due", "overdue"}
    assert body["deadlines"]["overdue"] is True
    assert dt.datetime.fromisoformat(body["deadlines"]["acknowledge_due"]) == at(2026, 3, 3, 10)
    listed = api("manager").get("/api/v1/complaints", overdue="true").json()
    assert [c["number"] for c in listed["results"]] == [complaint.number]
