"""Regulatory presets with their extensions, and pauses that stop the clocks."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from kesu.core.errors import Conflict, PermissionDenied
from kesu.deadlines.calendar import bump_version
from kesu.deadlines.models import DeadlineExtension, DeadlinePause, RegulatoryPreset
from kesu.deadlines.policies import (
    BANKING_INSURANCE,
    MARKET_12315,
    ODR_12315,
    SCENIC_AREA,
    TELECOM,
    UK_FCA,
    US_CFPB,
    WECHAT_PAY,
)
from kesu.deadlines.services import deadline_extend, deadlines_pause, deadlines_resume
from kesu.deadlines.sweep import sweep

from .conftest import at, end_of, rows

pytestmark = pytest.mark.django_db


def enable(code: str) -> None:
    RegulatoryPreset.objects.filter(code=code).update(enabled=True)
    bump_version()


def test_presets_are_off_until_switched_on(reg):
    assert set(RegulatoryPreset.objects.values_list("code", "enabled")) == {
        (BANKING_INSURANCE, False),
        (MARKET_12315, False),
        (US_CFPB, False),
        (UK_FCA, False),
        (SCENIC_AREA, False),
        (TELECOM, False),
        (WECHAT_PAY, False),
        (ODR_12315, False),
    }
    assert reg(at(2026, 3, 2, 10), channel="regulator", severity="general").acknowledge_due == at(2026, 3, 3, 10)


def test_banking_and_insurance_decision_in_15_days_extended_to_30_then_60(reg, users):
    enable(BANKING_INSURANCE)
    complaint = reg(at(2026, 3, 2, 10), severity="major")  # the regulation wins over the major policy
    assert complaint.close_due == end_of(2026, 3, 17)
    assert rows(complaint)["close"].preset == BANKING_INSURANCE
    with pytest.raises(PermissionDenied):
        deadline_extend(
            actor=users["supervisor"], number=complaint.number, kind="close", reason="复杂", now=at(2026, 3, 10)
        )
    deadline_extend(
        actor=users["manager"], number=complaint.number, kind="close", reason="情况复杂", now=at(2026, 3, 10)
    )
    complaint.refresh_from_db()
    assert complaint.close_due == end_of(2026, 4, 1)
    with pytest.raises(PermissionDenied):  # the further 30 days need senior management
        deadline_extend(
            actor=users["manager"], number=complaint.number, kind="close", reason="特别复杂", now=at(2026, 3, 25)
        )
    deadline_extend(actor=users["gm"], number=complaint.number, kind="close", reason="特别复杂", now=at(2026, 3, 25))
    complaint.refresh_from_db()
    assert complaint.close_due == end_of(2026, 5, 1)
    with pytest.raises(Conflict):
        deadline_extend(actor=users["gm"], number=complaint.number, kind="close", reason="再延", now=at(2026, 4, 1))
    extensions = list(DeadlineExtension.objects.order_by("step").values_list("step", "approved_by__username"))
    assert extensions == [(1, "manager"), (2, "gm")]
    events = list(complaint.events.filter(kind="deadline_extended").values_list("data", flat=True))
    assert [dt.datetime.fromisoformat(e["from"]) for e in events] == [end_of(2026, 3, 17), end_of(2026, 4, 1)]


def test_banking_external_appraisal_time_is_excluded(reg, users):
    enable(BANKING_INSURANCE)
    complaint = reg(at(2026, 3, 2, 10))
    deadlines_pause(
        actor=users["agent"], number=complaint.number, reason="external_appraisal", note="送检", now=at(2026, 3, 5, 10)
    )
    deadlines_resume(actor=users["agent"], number=complaint.number, now=at(2026, 3, 12, 16))
    complaint.refresh_from_db()
    assert complaint.close_due == end_of(2026, 3, 24)  # 7 days crossed
    # An extension after a pause keeps the appraisal excluded.
    deadline_extend(actor=users["manager"], number=complaint.number, kind="close", reason="复杂", now=at(2026, 3, 20))
    complaint.refresh_from_db()
    assert complaint.close_due == end_of(2026, 4, 8)


def test_12315_referrals_accept_in_7_and_mediate_in_45_working_days(reg, act):
    enable(MARKET_12315)
    complaint = reg(at(2026, 9, 25, 10), channel="regulator")  # Fri 25 Sep, a holiday ahead
    # 7 working days: 28, 29, 30 Sep, 8, 9, 10 (make-up Sat), 12 Oct.
    assert complaint.acknowledge_due == end_of(2026, 10, 12)
    # Mediation counts from acceptance, not receipt: no clock until the referral is accepted.
    assert "close" not in rows(complaint)
    act(complaint, "acknowledge", "agent", at(2026, 10, 9, 15))  # accepted on Fri 9 Oct
    complaint.refresh_from_db()
    assert rows(complaint)["close"].started_at == at(2026, 10, 9, 15)
    # 45 working days from Fri 9 Oct: Sat 10 Oct (调休) is the 1st, Thu 10 Dec 2026 the 45th.
    assert complaint.close_due == end_of(2026, 12, 10)
    assert rows(complaint)["close"].unit == "working_days"
    assert rows(complaint)["close"].amount == 45
    assert rows(complaint)["close"].preset == MARKET_12315
    assert reg(at(2026, 9, 25, 10), channel="phone", severity="general").acknowledge_due == at(2026, 9, 26, 10)


def test_cfpb_for_international_customers(reg):
    enable(US_CFPB)
    complaint = reg(at(2026, 3, 2, 10), overseas=True)
    # Counted on the rule's own days, in New York: received Sun 1 Mar 21:00 there.
    new_york = ZoneInfo("America/New_York")
    assert (complaint.reply_due, complaint.close_due) == (
        dt.datetime(2026, 3, 16, 23, 59, 59, tzinfo=new_york),
        dt.datetime(2026, 4, 30, 23, 59, 59, tzinfo=new_york),
    )
    assert rows(complaint)["close"].basis["calendar"] == "us"
    assert reg(at(2026, 3, 2, 10)).close_due == end_of(2026, 3, 17)  # domestic: organisation policy


def test_fca_disp_for_international_customers(reg, users):
    enable(UK_FCA)
    complaint = reg(at(2026, 3, 2, 10), overseas=True)
    london = ZoneInfo("Europe/London")
    assert (complaint.reply_due, complaint.close_due) == (
        dt.datetime(2026, 3, 5, 23, 59, 59, tzinfo=london),
        dt.datetime(2026, 4, 27, 23, 59, 59, tzinfo=london),
    )
    with pytest.raises(Conflict):  # DISP names no extension
        deadline_extend(actor=users["gm"], number=complaint.number, kind="close", reason="x", now=at(2026, 3, 3))


def test_a_pause_stops_every_clock_and_is_recorded(reg, users):
    complaint = reg(at(2026, 3, 2, 10))  # ack Tue 3 Mar 10:00, reply Thu 5 Mar, close 17 Mar
    deadlines_pause(
        actor=users["agent"],
        number=complaint.number,
        reason="awaiting_customer",
        note="等客户提供照片",
        now=at(2026, 3, 2, 12),
    )
    # Paused: the sweep does nothing even long after the deadlines.
    assert sweep(now=at(2026, 3, 9, 12)).missed == 0
    deadlines_resume(actor=users["agent"], number=complaint.number, now=at(2026, 3, 9, 12))
    complaint.refresh_from_db()
    assert complaint.acknowledge_due == at(2026, 3, 10, 10)  # + 7 × 24 clock hours
    assert complaint.reply_due == end_of(2026, 3, 12)  # + 5 working days crossed
    assert complaint.close_due == end_of(2026, 3, 24)  # + 7 days crossed
    pause = DeadlinePause.objects.get(complaint=complaint)
    assert (pause.reason, pause.started_at, pause.ended_at) == (
        "awaiting_customer",
        at(2026, 3, 2, 12),
        at(2026, 3, 9, 12),
    )
    kinds = list(complaint.events.values_list("kind", flat=True))
    assert kinds[-2:] == ["deadlines_paused", "deadlines_resumed"]
    assert sweep(now=at(2026, 3, 10, 9)).missed == 0


def test_a_deadline_met_while_paused_is_on_time(reg, users, act):
    complaint = reg(at(2026, 3, 2, 10))
    deadlines_pause(actor=users["agent"], number=complaint.number, reason="awaiting_customer", now=at(2026, 3, 2, 11))
    act(complaint, "acknowledge", "agent", at(2026, 3, 4, 9))
    ack = rows(complaint)["acknowledge"]
    assert (ack.state, ack.on_time, ack.met_at) == ("met", True, at(2026, 3, 4, 9))


def test_pausing_twice_or_resuming_unpaused_is_refused(reg, users):
    complaint = reg(at(2026, 3, 2, 10))
    with pytest.raises(Conflict):
        deadlines_resume(actor=users["agent"], number=complaint.number, now=at(2026, 3, 2, 11))
    deadlines_pause(actor=users["agent"], number=complaint.number, reason="awaiting_customer", now=at(2026, 3, 2, 11))
    with pytest.raises(Conflict):
        deadlines_pause(
            actor=users["agent"], number=complaint.number, reason="external_appraisal", now=at(2026, 3, 2, 12)
        )
    with pytest.raises(PermissionDenied):
        deadlines_pause(
            actor=users["auditor"], number=complaint.number, reason="awaiting_customer", now=at(2026, 3, 2, 12)
        )
    assert DeadlinePause.objects.filter(complaint=complaint).count() == 1
