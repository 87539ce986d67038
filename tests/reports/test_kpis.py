"""Indicators on a fixture whose every answer was worked out by hand (docs/indicators.md).

Period: November 2026 (local, Asia/Shanghai); the previous period is the 30 days before it,
2 October to 31 October. The complaints (received, local time):

  A 11-02 10:00 quality   phone    closed 11-04 10:00 (48 h); acknowledge due 11-03 met on time,
                                   close due 11-10 met on time; callback reached, satisfied; close event
  B 11-05 09:00 quality   email    closed 11-06, reopened 11-07, closed 11-09 09:00 (96 h); escalated;
                                   reply due 11-08 missed; callback reached, not satisfied
  C 11-10 09:00 logistics phone    investigating; repeat of A; acknowledge due 11-11 met late
  D 11-20 12:00 (none)    walk_in  settled on the spot, closed 11-20 12:00 (0 h)
  E 11-25 09:00 (none)    web      ruled invalid 11-26
  H 11-30 23:30 (none)    phone    registered (the last half hour of the period)
  G 12-01 01:00 (none)    phone    after the period
  F 10-15 09:00 quality   phone    assigned (the previous period)

Sales: 2026-11 1,000 units in all, 400 of product quality; nothing for October.

Every answer is checked twice: summed from the daily tallies (what a manager's report reads,
kesu/reports/tallies.py) and counted from the complaints themselves (a department reader's)."""

from __future__ import annotations

import datetime as dt

import pytest

from kesu.accounts.models import Department
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.deadlines.models import ComplaintDeadline
from kesu.reports.kpis import kpi_report
from kesu.reports.models import SalesVolume
from kesu.reports.tallies import refresh_tallies
from kesu.resolution.models import Callback
from kesu.triage.models import Category

TZ = dt.timezone(dt.timedelta(hours=8))
NOV_FROM, NOV_TO = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture(params=["tallies", "base"])
def kpi(request, users):
    """kpi_report for the manager, from the tallies (refreshed first) or from the complaints."""

    def report(**kwargs):
        if request.param == "tallies":
            refresh_tallies(now=at(12, 2))
        return kpi_report(user=users["manager"], source=request.param, **kwargs)

    return report


@pytest.fixture
def fixture(register, users):
    dept = {d.code: d for d in Department.objects.all()}
    made: dict[str, Complaint] = {}

    def make(name: str, received: dt.datetime, *, department: str | None, channel: str, category: str, **fields):
        complaint = register(now_=received, channel=channel, category=category)
        ComplaintDeadline.objects.filter(complaint=complaint).delete()
        ComplaintEvent.objects.filter(complaint=complaint).delete()
        Complaint.objects.filter(pk=complaint.pk).update(
            department=dept[department] if department else None, updated_at=received, **fields
        )
        made[name] = complaint
        return complaint

    def deadline(complaint: Complaint, kind: str, due: dt.datetime, *, on_time: bool | None, missed: bool = False):
        ComplaintDeadline.objects.create(
            complaint=complaint,
            kind=kind,
            unit="calendar_days",
            amount=1,
            started_at=complaint.received_at,
            due_at=due,
            state="open" if missed else "met",
            met_at=None if missed else due,
            missed_at=due if missed else None,
            on_time=on_time,
            created_at=complaint.received_at,
            updated_at=due,
        )

    def event(complaint: Complaint, kind: str, when: dt.datetime):
        ComplaintEvent.objects.create(complaint=complaint, kind=kind, at=when)

    def callback(complaint: Complaint, when: dt.datetime, satisfied: bool):
        Callback.objects.create(complaint=complaint, at=when, by=users["agent"], reached=True, satisfied=satisfied)

    a = make(
        "A", at(11, 2, 10), department="quality", channel="phone", category="product_quality.food.expired",
        status="closed", closed_at=at(11, 4, 10),
    )  # fmt: skip
    deadline(a, "acknowledge", at(11, 3), on_time=True)
    deadline(a, "close", at(11, 10), on_time=True)
    callback(a, at(11, 4, 11), True)
    event(a, "close", at(11, 4, 10))
    b = make(
        "B", at(11, 5), department="quality", channel="email", category="product_quality.defect",
        status="closed", closed_at=at(11, 9), escalation_level=1,
    )  # fmt: skip
    deadline(b, "reply", at(11, 8), on_time=False, missed=True)
    callback(b, at(11, 6, 8), False)
    event(b, "close", at(11, 6))
    event(b, "reopen", at(11, 7))
    event(b, "close", at(11, 9))
    c = make(
        "C", at(11, 10), department="logistics", channel="phone", category="logistics.late",
        status="investigating", related_to=a,
    )  # fmt: skip
    deadline(c, "acknowledge", at(11, 11), on_time=False)
    d = make(
        "D", at(11, 20, 12), department=None, channel="walk_in", category="service_attitude.rude",
        status="closed", closed_at=at(11, 20, 12), settled_on_spot=True,
    )  # fmt: skip
    event(d, "close", at(11, 20, 12))
    e = make("E", at(11, 25), department=None, channel="web", category="other", status="invalid")
    Complaint.objects.filter(pk=e.pk).update(updated_at=at(11, 26))
    make("H", at(11, 30, 23, 30), department=None, channel="phone", category="other", status="registered")
    make("G", at(12, 1, 1), department=None, channel="phone", category="other", status="registered")
    make("F", at(10, 15), department="quality", channel="phone", category="product_quality.defect", status="assigned")
    SalesVolume.objects.create(period="2026-11", units=1000, entered_by=users["manager"], entered_at=at(12, 1))
    SalesVolume.objects.create(
        period="2026-11",
        category=Category.objects.get(code="product_quality"),
        units=400,
        entered_by=users["manager"],
        entered_at=at(12, 1),
    )
    return made


def test_totals_for_the_period_and_the_one_before(fixture, kpi):
    report = kpi(date_from=NOV_FROM, date_to=NOV_TO)
    assert (report["from"], report["to"]) == ("2026-11-01", "2026-11-30")
    assert (report["previous_from"], report["previous_to"]) == ("2026-10-02", "2026-10-31")
    total = report["total"]
    assert total["received"] == 6  # A B C D E H (G is December, F October)
    assert total["closed"] == 3  # A B D
    assert total["open_at_end"] == 3  # C F H
    assert total["deadlines_due"] == 4 and total["deadlines_met"] == 2
    assert total["on_time_rate"] == 0.5
    by_kind = total["on_time_by_kind"]
    assert {kind: by_kind.pop(kind) for kind in ("acknowledge", "reply", "close", "callback_contact")} == {
        "acknowledge": 0.5,
        "reply": 0.0,
        "close": 1.0,
        "callback_contact": None,
    }
    assert set(by_kind.values()) == {None}  # the other kinds (the scenic set, the 48 h limit) had nothing due
    assert total["satisfaction_rate"] == 0.5  # A satisfied, B not
    assert total["incidence_rate"] == 0.006  # 6 / 1,000
    assert total["units_sold"] == 1000
    assert total["reopen_rate"] == 0.3333  # B reopened / A B D closed
    assert total["first_contact_rate"] == 0.1667  # D / 6
    assert total["median_handling_hours"] == 48.0  # 0, 48, 96
    assert total["p90_handling_hours"] == 96.0
    assert total["repeat_rate"] == 0.1667  # C
    assert total["escalation_rate"] == 0.1667  # B
    assert total["valid_rate"] == 0.8333  # all but E
    previous = total["previous"]
    assert previous["received"] == 1 and previous["closed"] == 0 and previous["open_at_end"] == 1
    assert previous["on_time_rate"] is None
    assert previous["satisfaction_rate"] is None
    assert previous["incidence_rate"] is None  # no sales volume for October
    assert previous["reopen_rate"] is None
    assert previous["median_handling_hours"] is None and previous["p90_handling_hours"] is None
    assert previous["first_contact_rate"] == 0.0 and previous["valid_rate"] == 1.0


def test_grouped_by_department(fixture, kpi):
    report = kpi(date_from=NOV_FROM, date_to=NOV_TO, group_by="department")
    groups = {g["key"]: g for g in report["groups"]}
    assert [g["key"] for g in report["groups"]] == ["", "quality", "logistics"]  # by received, then key
    quality = groups["quality"]
    assert quality["label"] == "品质部"
    assert (quality["received"], quality["closed"], quality["open_at_end"]) == (2, 2, 1)
    assert quality["on_time_rate"] == 0.6667  # A ack, A close on time; B reply missed
    assert quality["satisfaction_rate"] == 0.5
    assert quality["incidence_rate"] == 0.002  # 2 / 1,000: a department shares the total
    assert quality["reopen_rate"] == 0.5
    assert quality["median_handling_hours"] == 72.0 and quality["p90_handling_hours"] == 96.0
    assert quality["escalation_rate"] == 0.5
    assert quality["previous"]["received"] == 1
    logistics = groups["logistics"]
    assert logistics["on_time_rate"] == 0.0 and logistics["repeat_rate"] == 1.0
    assert logistics["satisfaction_rate"] is None and logistics["reopen_rate"] is None
    none = groups[""]
    assert none["label"] == "无部门"
    assert (none["received"], none["closed"], none["first_contact_rate"]) == (3, 1, 0.3333)


def test_grouped_by_category_takes_the_categorys_own_sales(fixture, kpi):
    report = kpi(date_from=NOV_FROM, date_to=NOV_TO, group_by="category")
    groups = {g["key"]: g for g in report["groups"]}
    assert groups["product_quality"]["received"] == 2
    assert groups["product_quality"]["incidence_rate"] == 0.005  # 2 / 400
    assert groups["logistics"]["incidence_rate"] is None  # no figure for logistics
    assert groups["other"]["received"] == 2  # E H


def test_grouped_by_channel_person_and_severity(fixture, kpi):
    by_channel = kpi(date_from=NOV_FROM, date_to=NOV_TO, group_by="channel")
    assert {g["key"]: g["received"] for g in by_channel["groups"]} == {"phone": 3, "email": 1, "walk_in": 1, "web": 1}
    assert {g["key"]: g["label"] for g in by_channel["groups"]}["walk_in"] == "来访"
    by_severity = kpi(date_from=NOV_FROM, date_to=NOV_TO, group_by="severity")
    assert sum(g["received"] for g in by_severity["groups"]) == 6
    by_person = kpi(date_from=NOV_FROM, date_to=NOV_TO, group_by="person")
    assert sum(g["received"] for g in by_person["groups"]) == 6


def test_an_empty_period_has_zero_counts_and_no_rates(fixture, kpi):
    report = kpi(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 1, 31))
    total = report["total"]
    assert (total["received"], total["closed"], total["open_at_end"]) == (0, 0, 0)
    for name in (
        "on_time_rate",
        "satisfaction_rate",
        "incidence_rate",
        "reopen_rate",
        "first_contact_rate",
        "repeat_rate",
        "escalation_rate",
        "valid_rate",
        "median_handling_hours",
        "p90_handling_hours",
    ):
        assert total[name] is None, name
    assert report["groups"] == []


def test_the_api_answers_api_md_shape_and_refuses_bad_input(fixture, api):
    manager = api("manager")
    response = manager.get("/api/v1/reports/kpis", **{"from": "2026-11-01", "to": "2026-11-30", "group_by": "severity"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) >= {"from", "to", "total", "groups"}
    for bucket in [body["total"], *body["groups"]]:
        for key in ("received", "closed", "on_time_rate", "satisfaction_rate", "incidence_rate", "reopen_rate"):
            assert key in bucket
    assert all({"key", "label"} <= set(g) for g in body["groups"])
    bad = manager.get("/api/v1/reports/kpis", **{"from": "2026-11-31", "to": "2026-11-01", "group_by": "colour"})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"from", "group_by"}
    reversed_period = manager.get("/api/v1/reports/kpis", **{"from": "2026-11-30", "to": "2026-11-01"})
    assert reversed_period.json()["errors"][0]["field"] == "to"
    assert api("agent").get("/api/v1/reports/kpis", **{"from": "2026-11-01", "to": "2026-11-30"}).status_code == 403
