"""The clocks added for issue 13 (SPEC §7, CL-3) on real 2026 dates: the acknowledgement's
48-hour hard limit, urgency, clock-time deadlines received after the cut-off, regulator
referrals, the scenic-area set, rules starting at a later step, and foreign calendars."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kesu.deadlines import engine
from kesu.deadlines.calendar import bump_version
from kesu.deadlines.engine import CALENDAR_DAYS, HOURS, WORKING_DAYS, Rule
from kesu.deadlines.foreign import UK, US, foreign_calendar
from kesu.deadlines.models import RegulatoryPreset
from kesu.deadlines.policies import ODR_12315, PRESETS, SCENIC_AREA, TELECOM, WECHAT_PAY
from kesu.deadlines.sweep import sweep

from .conftest import at, end_of, rows

CUT_OFF = dt.time(15, 30)


def by_cut_off(start: dt.datetime, n: int, cal: engine.WorkingCalendar, unit: str = WORKING_DAYS) -> dt.datetime:
    return engine.compute_due(start, Rule(unit, n, CUT_OFF), cal)


# --- clock-time deadlines: received after the cut-off rolls to the next working day -------------


def test_before_the_cut_off_the_same_day(cal):
    assert by_cut_off(at(2026, 3, 2, 14), 0, cal) == at(2026, 3, 2, 15, 30)
    assert by_cut_off(at(2026, 3, 2, 15, 30), 0, cal) == at(2026, 3, 3, 15, 30)  # at the cut-off: no time left


def test_after_the_cut_off_rolls_to_the_next_working_day_not_born_overdue(cal):
    due = by_cut_off(at(2026, 3, 2, 16), 0, cal)  # Mon 16:00
    assert due == at(2026, 3, 3, 15, 30)
    assert due > at(2026, 3, 2, 16)


def test_the_roll_skips_national_day_and_counts_make_up_saturdays(cal):
    # Wed 30 Sep 2026 16:00: 1–7 Oct are off, Thu 8 Oct is the next working day.
    assert by_cut_off(at(2026, 9, 30, 16), 0, cal) == at(2026, 10, 8, 15, 30)
    # Fri 13 Feb 2026 16:00: Sat 14 Feb is a make-up working day (调休).
    assert by_cut_off(at(2026, 2, 13, 16), 0, cal) == at(2026, 2, 14, 15, 30)
    # Received on the make-up Sat 10 Oct after the cut-off: Mon 12 Oct.
    assert by_cut_off(at(2026, 10, 10, 17), 0, cal) == at(2026, 10, 12, 15, 30)
    # On a holiday: the first working day after it, before any cut-off.
    assert by_cut_off(at(2026, 10, 3, 20), 0, cal) == at(2026, 10, 8, 15, 30)


def test_nth_working_day_after_the_cut_off_is_not_pushed_further(cal):
    # N = 1: Tue 15:30 is still ahead of a complaint received Mon 16:00; nothing to roll.
    assert by_cut_off(at(2026, 3, 2, 16), 1, cal) == at(2026, 3, 3, 15, 30)


def test_calendar_days_by_a_clock_time_roll_one_day(cal):
    assert by_cut_off(at(2026, 10, 3, 16), 0, cal, CALENDAR_DAYS) == at(2026, 10, 4, 15, 30)


# --- foreign calendars ---------------------------------------------------------------------------


def test_fca_business_days_skip_uk_bank_holidays_not_chinese_ones():
    uk = foreign_calendar(UK)
    london = ZoneInfo("Europe/London")
    # Thu 2 Apr 2026: Good Friday (3 Apr) and Easter Monday (6 Apr) are bank holidays.
    start = dt.datetime(2026, 4, 2, 12, tzinfo=london)
    assert engine.compute_due(start, Rule(WORKING_DAYS, 3), uk) == dt.datetime(2026, 4, 9, 23, 59, 59, tzinfo=london)
    # China's National Day week is an ordinary week in London.
    start = dt.datetime(2026, 9, 30, 12, tzinfo=london)
    assert engine.compute_due(start, Rule(WORKING_DAYS, 3), uk) == dt.datetime(2026, 10, 5, 23, 59, 59, tzinfo=london)
    # ...and the Chinese make-up Saturday is not a working day there.
    assert not uk.is_working_day(dt.date(2026, 10, 10))
    # Christmas 2026: Fri 25, Boxing Day (observed) Mon 28 Dec.
    start = dt.datetime(2026, 12, 24, 12, tzinfo=london)
    assert engine.compute_due(start, Rule(WORKING_DAYS, 1), uk) == dt.datetime(2026, 12, 29, 23, 59, 59, tzinfo=london)


def test_cfpb_days_are_calendar_days_ending_in_new_york():
    us = foreign_calendar(US)
    ny = ZoneInfo("America/New_York")
    # Received 1 Jul 2026 22:00 New York (2 Jul in Shanghai): 15 days from the US day of receipt.
    start = dt.datetime(2026, 7, 1, 22, tzinfo=ny)
    assert engine.compute_due(start, Rule(CALENDAR_DAYS, 15), us) == dt.datetime(2026, 7, 16, 23, 59, 59, tzinfo=ny)
    assert not us.is_working_day(dt.date(2026, 7, 3))  # Independence Day observed


@pytest.mark.django_db
def test_foreign_presets_count_pauses_on_their_own_calendar(reg, users):
    from kesu.deadlines.policies import UK_FCA
    from kesu.deadlines.services import deadlines_pause, deadlines_resume

    enable(UK_FCA)
    # Received Thu 2 Apr 2026 10:00 London (17:00 Shanghai): business days 7, 8, 9 Apr.
    complaint = reg(at(2026, 4, 2, 17), overseas=True)
    london = ZoneInfo("Europe/London")
    assert complaint.reply_due == dt.datetime(2026, 4, 9, 23, 59, 59, tzinfo=london)
    # A pause over Easter crosses one UK business day (Tue 7 Apr), not three Chinese ones.
    deadlines_pause(actor=users["agent"], number=complaint.number, reason="awaiting_customer", now=at(2026, 4, 3, 12))
    deadlines_resume(actor=users["agent"], number=complaint.number, now=at(2026, 4, 7, 20))
    complaint.refresh_from_db()
    assert complaint.reply_due == dt.datetime(2026, 4, 10, 23, 59, 59, tzinfo=london)


# --- policies on registered complaints -------------------------------------------------------------


def enable(code: str) -> None:
    RegulatoryPreset.objects.filter(code=code).update(enabled=True)
    bump_version()


@pytest.mark.django_db
def test_acknowledge_within_24_hours_at_the_latest_48(reg, act):
    complaint = reg(at(2026, 9, 30, 10))  # the eve of National Day: clock hours ignore holidays
    deadlines = rows(complaint)
    assert deadlines["acknowledge"].due_at == at(2026, 10, 1, 10)
    assert deadlines["acknowledge_limit"].due_at == at(2026, 10, 2, 10)
    act(complaint, "acknowledge", "agent", at(2026, 10, 1, 20))  # past the target, within the limit
    deadlines = rows(complaint)
    assert (deadlines["acknowledge"].state, deadlines["acknowledge"].on_time) == ("met", False)
    assert (deadlines["acknowledge_limit"].state, deadlines["acknowledge_limit"].on_time) == ("met", True)


@pytest.mark.django_db
def test_missing_the_hard_limit_escalates_again(reg):
    complaint = reg(at(2026, 3, 2, 10))
    assert sweep(now=at(2026, 3, 3, 11)).escalated == 1  # the 24-hour target
    assert sweep(now=at(2026, 3, 4, 11)).escalated == 1  # the 48-hour limit
    complaint.refresh_from_db()
    assert complaint.escalation_level == 2
    assert list(complaint.events.filter(kind="deadline_missed").values_list("data__deadline", flat=True)) == [
        "acknowledge",
        "acknowledge_limit",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("urgency", "acknowledge", "reply", "close"),
    [
        # Wed 30 Sep 2026 10:00, National Day ahead (1–7 Oct off, Sat 10 Oct worked).
        ("normal", at(2026, 10, 1, 10), end_of(2026, 10, 10), end_of(2026, 10, 15)),
        ("urgent", at(2026, 9, 30, 22), end_of(2026, 10, 9), end_of(2026, 10, 10)),
        ("critical", at(2026, 9, 30, 14), end_of(2026, 10, 8), end_of(2026, 10, 7)),
    ],
)
def test_urgency_shortens_the_deadlines(reg, urgency, acknowledge, reply, close):
    complaint = reg(at(2026, 9, 30, 10), urgency=urgency)
    assert (complaint.acknowledge_due, complaint.reply_due, complaint.close_due) == (acknowledge, reply, close)


@pytest.mark.django_db
def test_regulator_referrals_are_registered_within_one_working_day(reg):
    # Received Fri 25 Sep 2026; Sun 27 Sep is not a working day: due Mon 28 Sep.
    on_time = reg(at(2026, 9, 25, 10), now=at(2026, 9, 28, 9), channel="regulator")
    late = reg(at(2026, 9, 25, 10), now=at(2026, 9, 29, 9), channel="regulator")
    assert rows(on_time)["register"].due_at == end_of(2026, 9, 28)
    assert (rows(on_time)["register"].state, rows(on_time)["register"].on_time) == ("met", True)
    assert (rows(late)["register"].state, rows(late)["register"].on_time) == ("met", False)
    assert "register" not in rows(reg(at(2026, 9, 25, 10), channel="phone"))


@pytest.mark.django_db
def test_the_scenic_area_set(reg, act):
    enable(SCENIC_AREA)
    complaint = reg(at(2026, 9, 30, 10), now=at(2026, 9, 30, 10, 40))  # registered in 40 minutes
    deadlines = rows(complaint)
    assert deadlines["register"].due_at == at(2026, 9, 30, 11)
    assert (deadlines["register"].state, deadlines["register"].on_time) == ("met", True)
    assert deadlines["investigation_start"].due_at == at(2026, 9, 30, 12)
    assert deadlines["carry_out"].due_at == end_of(2026, 10, 10)  # 8, 9, 10 Oct (make-up Saturday)
    assert "report_result" not in deadlines  # starts when the complaint is resolved
    act(complaint, "acknowledge", "agent", at(2026, 9, 30, 10, 50))
    act(complaint, "assign", "supervisor", at(2026, 9, 30, 11), department="quality", assignee="handler")
    act(complaint, "start_investigation", "handler", at(2026, 9, 30, 11, 30))
    assert (rows(complaint)["investigation_start"].state, rows(complaint)["investigation_start"].on_time) == (
        "met",
        True,
    )


@pytest.mark.django_db
def test_the_scenic_result_report_starts_at_resolution(complaint_in, users):
    from kesu.complaints.services.transitions import complaint_transition

    enable(SCENIC_AREA)
    complaint = complaint_in("implementing")
    assert "report_result" not in rows(complaint)
    resolved_at = at(2026, 12, 4, 16)  # a Friday
    complaint_transition(
        actor=users["handler"],
        number=complaint.number,
        action="resolve",
        payload={"action": "resolve", "result": "已退款。"},
        now=resolved_at,
    )
    row = rows(complaint)["report_result"]
    assert (row.started_at, row.due_at) == (resolved_at, end_of(2026, 12, 7))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("code", "channel", "kind", "due"),
    [
        (TELECOM, "phone", "reply", end_of(2026, 10, 15)),
        (WECHAT_PAY, "wechat_pay", "reply", at(2026, 10, 2, 10)),
        # 10 working days from Wed 30 Sep: 8, 9, 10 (Sat), 12–16, 19, 20 Oct.
        (ODR_12315, "odr_12315", "close", end_of(2026, 10, 20)),
    ],
)
def test_platform_presets(reg, code, channel, kind, due):
    enable(code)
    complaint = reg(at(2026, 9, 30, 10), channel=channel) if channel in ("phone",) else None
    if complaint is None:
        from kesu.deadlines.policies import Inputs, choose
        from kesu.deadlines.selectors import deadline_config

        # The connectors register with their own channel; the preset matches it.
        config = deadline_config()
        inputs = Inputs(severity="general", urgency="normal", channel=channel, category_code=None, overseas=False)
        spec = choose(config.policies, inputs, [kind])[kind]
        assert spec.preset == code
        assert engine.deadline(at(2026, 9, 30, 10), spec.rule, config.calendar) == due
        return
    assert rows(complaint)[kind].preset == code
    assert rows(complaint)[kind].due_at == due


def test_every_preset_names_a_known_calendar_and_start():
    from kesu.deadlines.foreign import CALENDAR_CODES
    from kesu.deadlines.policies import STARTS

    for preset in PRESETS.values():
        for spec in preset.policies:
            assert spec.calendar in CALENDAR_CODES
            assert spec.starts in STARTS
            assert spec.rule.unit in (HOURS, WORKING_DAYS, CALENDAR_DAYS, "business_hours")
