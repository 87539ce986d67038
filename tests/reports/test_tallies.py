"""The daily tallies (kesu/reports/tallies.py): what a refresh counts, that it follows changes, and
that the indicators summed from them are the ones counted from the complaints themselves."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter

import pytest

from kesu.accounts.models import Department, User
from kesu.complaints.models import Complaint, ComplaintEvent
from kesu.complaints.services.transitions import complaint_transition
from kesu.deadlines.models import ComplaintDeadline
from kesu.reports.kpis import GROUPS, kpi_report
from kesu.reports.models import ComplaintTally, DailyTally, TallyMark
from kesu.reports.tallies import (
    histogram_median,
    histogram_p90,
    minutes_bucket,
    reconcile_due,
    reconcile_tallies,
    refresh_tallies,
)
from kesu.resolution.models import Callback
from kesu.triage.models import Category

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=TZ)


def both(manager: User, date_from: dt.date, date_to: dt.date, group_by: str | None = None) -> tuple[dict, dict]:
    return (
        kpi_report(user=manager, date_from=date_from, date_to=date_to, group_by=group_by, source="tallies"),
        kpi_report(user=manager, date_from=date_from, date_to=date_to, group_by=group_by, source="base"),
    )


PERIODS = [
    (dt.date(2026, 9, 1), dt.date(2026, 9, 30)),  # a whole month (month rows)
    (dt.date(2026, 9, 10), dt.date(2026, 10, 20)),  # parts of two months (day rows)
    (dt.date(2026, 8, 15), dt.date(2026, 11, 14)),  # a part, whole months, a part
    (dt.date(2026, 1, 1), dt.date(2026, 12, 31)),  # a year
]


def assert_agree(manager: User) -> None:
    for date_from, date_to in PERIODS:
        for group_by in (None, *GROUPS):
            tallied, counted = both(manager, date_from, date_to, group_by)
            assert _differences(tallied, counted) == [], (date_from, date_to, group_by)


def _differences(a: object, b: object, path: str = "") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        return [d for k in sorted(set(a) | set(b), key=str) for d in _differences(a.get(k), b.get(k), f"{path}.{k}")]
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [d for i, (x, y) in enumerate(zip(a, b, strict=True)) for d in _differences(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} != {b!r}"]


def test_minutes_are_kept_to_three_significant_digits():
    assert [minutes_bucket(s * 60) for s in (0, 59, 999, 1004, 1005, 2880, 12345, 123456)] == [
        0,
        59,
        999,
        1000,
        1010,
        2880,
        12300,
        123000,
    ]
    assert minutes_bucket(-60) == 0  # closed "before" it was received (bad imported data): 0


def test_median_and_percentile_of_a_histogram_are_those_of_the_values():
    values = Counter({0: 1, 2880: 1, 5760: 1})  # 0, 48 and 96 hours
    assert (histogram_median(values), histogram_p90(values)) == (48.0, 96.0)
    even = Counter({60: 2, 120: 1, 600: 1})  # 1, 1, 2, 10 hours: the mean of the middle two
    assert (histogram_median(even), histogram_p90(even)) == (1.5, 10.0)
    assert histogram_median(Counter()) is None and histogram_p90(Counter()) is None


@pytest.fixture
def world(register, users):
    """Forty complaints spread over 2026 with every kind of figure, written as the services leave
    them (each change stamps `updated_at`, and events and deadline records carry their times)."""
    rng = random.Random(20261202)
    departments = [None, *Department.objects.all()]
    categories = list(Category.objects.filter(active=True, level__lte=3).values_list("code", flat=True))
    channels = ["phone", "email", "web", "walk_in"]
    people = [None, users["handler"], users["supervisor"]]
    made = []
    for i in range(40):
        received = at(rng.randint(1, 11), rng.randint(1, 28), rng.randint(0, 23))
        complaint = register(now_=received, channel=rng.choice(channels), category=rng.choice(categories))
        ComplaintDeadline.objects.filter(complaint=complaint).delete()
        ComplaintEvent.objects.filter(complaint=complaint).delete()
        status = rng.choice(["registered", "investigating", "closed", "closed", "withdrawn", "invalid", "merged"])
        closed_at = received + dt.timedelta(hours=rng.randint(0, 400), minutes=rng.randint(0, 59))
        Complaint.objects.filter(pk=complaint.pk).update(
            department=rng.choice(departments),
            assignee=rng.choice(people),
            status=status,
            closed_at=closed_at if status == "closed" else None,
            updated_at=received + dt.timedelta(days=rng.randint(0, 20)),
            escalation_level=rng.choice([0, 0, 1]),
            related_to=made[-1] if made and i % 7 == 0 else None,
            settled_on_spot=i % 9 == 0,
            severity=rng.choice(["general", "major"]),
        )
        if status == "closed":
            ComplaintEvent.objects.create(complaint=complaint, kind="close", at=closed_at)
            if i % 5 == 0:  # closed, reopened, closed again days later
                ComplaintEvent.objects.create(complaint=complaint, kind="close", at=closed_at - dt.timedelta(days=3))
                ComplaintEvent.objects.create(complaint=complaint, kind="reopen", at=closed_at - dt.timedelta(days=2))
            Callback.objects.create(
                complaint=complaint, at=closed_at, by=users["agent"], reached=True, satisfied=i % 3 > 0
            )
        for kind in ("acknowledge", "reply", "close"):
            due = received + dt.timedelta(days=rng.randint(1, 15))
            outcome = rng.choice(["met", "late", "missed", "open"])
            ComplaintDeadline.objects.create(
                complaint=complaint,
                kind=kind,
                unit="calendar_days",
                amount=1,
                started_at=received,
                due_at=due,
                state="met" if outcome in ("met", "late") else "open",
                met_at=due if outcome in ("met", "late") else None,
                missed_at=due if outcome == "missed" else None,
                on_time=outcome == "met" if outcome != "open" else None,
                created_at=received,
                updated_at=due,
            )
        made.append(complaint)
    return made


def test_the_tallies_agree_with_the_complaints_on_every_period_and_group(world, users):
    refresh_tallies(now=at(12, 1))
    assert ComplaintTally.objects.count() == 40
    assert ComplaintTally.objects.filter(multi=True).exists()  # closed on two days, counted once
    assert_agree(users["manager"])


def test_a_refresh_follows_what_changed_and_only_that(world, users):
    refresh_tallies(now=at(12, 1))
    assert refresh_tallies(now=at(12, 1, 10)) == 0  # nothing changed: nothing recounted
    quality = Department.objects.get(code="quality")
    moved, reopened, ruled = world[0], world[1], world[2]
    later = at(12, 1, 11)
    # as the services would leave them: reassigned, reopened (its close undone), ruled invalid
    Complaint.objects.filter(pk=moved.pk).update(department=quality, updated_at=later)
    Complaint.objects.filter(pk=reopened.pk).update(status="investigating", closed_at=None, updated_at=later)
    ComplaintEvent.objects.create(complaint=reopened, kind="reopen", at=later)
    Complaint.objects.filter(pk=ruled.pk).update(status="invalid", updated_at=later)
    deadline = ComplaintDeadline.objects.filter(complaint=world[3], kind="reply").get()
    deadline.state, deadline.met_at, deadline.missed_at, deadline.on_time = "met", later, None, True
    deadline.due_at, deadline.updated_at = at(11, 30), later
    deadline.save()
    assert refresh_tallies(now=at(12, 1, 12)) == 4
    assert_agree(users["manager"])


def test_a_complaint_changed_through_the_services_is_recounted(complaint_in, users, now):
    refresh_tallies(now=now)
    complaint = complaint_in("closed")  # registered, handled, called back and closed, all at `now`
    assert refresh_tallies(now=now + dt.timedelta(minutes=1)) == 1
    today = dt.datetime.now(TZ).date()
    tallied, counted = both(users["manager"], today.replace(day=1), today)
    assert tallied == counted
    assert tallied["total"]["received"] == tallied["total"]["closed"] == 1
    complaint_transition(
        actor=users["manager"],
        number=complaint.number,
        action="reopen",
        payload={"action": "reopen", "reason": "客户不满意"},
        now=now + dt.timedelta(minutes=2),
    )
    assert refresh_tallies(now=now + dt.timedelta(minutes=3)) == 1
    tallied, counted = both(users["manager"], today.replace(day=1), today)
    assert tallied == counted
    assert tallied["total"]["closed"] == 0 and tallied["total"]["open_at_end"] == 1


def test_a_group_left_empty_leaves_no_rows_and_a_rebuild_gives_the_same_rows(world, users):
    refresh_tallies(now=at(12, 1))
    Complaint.objects.filter(pk__in=[c.pk for c in world]).update(department=None, updated_at=at(12, 1, 10))
    refresh_tallies(now=at(12, 1, 11))
    assert not DailyTally.objects.filter(dimension="department").exclude(key="").exists()
    rows = sorted(DailyTally.objects.values_list("grain", "day", "dimension", "key", "counts", "hours"))
    refresh_tallies(now=at(12, 1, 12), rebuild=True)
    assert sorted(DailyTally.objects.values_list("grain", "day", "dimension", "key", "counts", "hours")) == rows
    assert TallyMark.objects.get().refreshed_at == at(12, 1, 12)


def test_the_command_rebuilds_with_a_progress_bar(world, users):
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("tallies", "--rebuild", stdout=out)
    assert "40/40" in out.getvalue() and "Counted 40 complaints" in out.getvalue()
    assert_agree(users["manager"])


def _rows() -> list[tuple]:
    return sorted(DailyTally.objects.values_list("grain", "day", "dimension", "key", "counts", "hours"))


def test_the_nightly_check_corrects_what_a_refresh_could_not_see(world, users):
    refresh_tallies(now=at(12, 1))
    quality = Department.objects.get(code="quality")
    # a transaction that stamped its change an hour before it committed (beyond the overlap), and
    # a complaint deleted through the admin: no refresh sees either
    Complaint.objects.filter(pk=world[0].pk).update(department=quality, status="invalid", updated_at=at(12, 1, 8))
    gone = world[1].pk
    world[1].delete()
    assert refresh_tallies(now=at(12, 1, 10)) == 0
    assert ComplaintTally.objects.filter(complaint_id=gone).exists()  # its record outlived it
    assert reconcile_tallies(now=at(12, 2, 3)) == 2
    assert_agree(users["manager"])
    assert not ComplaintTally.objects.filter(complaint_id=gone).exists()
    rows = _rows()
    refresh_tallies(now=at(12, 2, 4), rebuild=True)
    assert _rows() == rows  # what the check left is what a rebuild gives
    assert TallyMark.objects.get().reconciled_at == at(12, 2, 3)
    assert reconcile_tallies(now=at(12, 3, 3)) == 0  # nothing left to correct


def test_the_nightly_check_on_tallies_never_counted_counts_them_all(world, users):
    assert reconcile_tallies(now=at(12, 2, 3)) == 40
    assert_agree(users["manager"])


def test_the_nightly_check_is_due_once_a_night_in_the_small_hours(db):
    assert not reconcile_due(at(12, 2, 1))  # 01:00 local
    assert reconcile_due(at(12, 2, 2))  # 02:00 local, never done
    assert not reconcile_due(at(12, 2, 5))
    TallyMark.objects.create(pk=1, reconciled_at=at(12, 2, 2))
    assert not reconcile_due(at(12, 2, 4))  # done two hours ago
    assert reconcile_due(at(12, 3, 2))  # the next night


def test_the_scheduled_check_runs_only_when_due(world, users, monkeypatch):
    from kesu.core import clock, tasks

    monkeypatch.setattr(clock, "now", lambda: at(12, 2, 14))
    assert tasks.run("reconcile_tallies") == {"corrected": 0}
    assert not ComplaintTally.objects.exists()
    monkeypatch.setattr(clock, "now", lambda: at(12, 3, 3))
    assert tasks.run("reconcile_tallies") == {"corrected": 40}
    assert tasks.schedule()["reconcile_tallies"] == 3600.0


def test_the_command_reconciles_with_a_progress_bar(world, users):
    import io

    from django.core.management import call_command

    refresh_tallies(now=at(12, 1))
    out = io.StringIO()
    call_command("tallies", "--reconcile", stdout=out)
    assert "40/40" in out.getvalue() and "Counted 0 complaints" in out.getvalue()


def test_the_monthly_trend_from_the_tallies_is_the_one_counted_from_the_complaints(world, users):
    from kesu.reports.analysis import monthly_trend

    refresh_tallies(now=at(12, 1))
    for end, months in ((dt.date(2026, 11, 20), 12), (dt.date(2026, 12, 1), 24), (dt.date(2026, 6, 30), 3)):
        tallied = monthly_trend(user=None, end=end, months=months, source="tallies")
        counted = monthly_trend(user=None, end=end, months=months, source="base")
        assert tallied == counted, (end, months)
    labels, received, closed = monthly_trend(user=users["manager"], end=dt.date(2026, 12, 1), months=24)
    assert len(labels) == 24 and labels[0] == "2025-01" and sum(received) == 40
    assert sum(closed) == Complaint.objects.filter(status="closed").count() > 0
