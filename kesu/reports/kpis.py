"""Indicators (SPEC RP-2) for a period of local days, in total and per group, each beside the
same indicators for the period of the same length just before. docs/indicators.md defines each
one; tests/reports/test_kpis.py pins them on fixtures worked out by hand.

Every figure is an aggregate grouped by the raw field behind the group (department id, category
id, channel, assignee id, severity), folded into groups here: one query per source table and
period, whatever the number of groups."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import sees_whole_organisation
from kesu.complaints.models import Channel, Complaint, ComplaintEvent, Status
from kesu.deadlines.models import ComplaintDeadline, DeadlineKind, DeadlineState
from kesu.reports.models import SalesVolume
from kesu.reports.tallies import finished_before, histogram_median, histogram_p90, minutes_bucket, tally_sums
from kesu.resolution.models import Callback
from kesu.triage.models import Category, Severity

GROUPS = ("department", "category", "channel", "person", "severity")
# The complaint field each grouping reads.
GROUP_FIELD = {
    "department": "department_id",
    "category": "category_id",
    "channel": "channel",
    "person": "assignee_id",
    "severity": "severity",
}
TOTAL = "__total__"
RATE_DIGITS = 4

# (key, label, kind): the indicators table, in order. kind: count, rate or hours.
INDICATORS: list[tuple[str, Any, str]] = [
    ("received", gettext_lazy("Complaints received"), "count"),
    ("closed", gettext_lazy("Complaints closed"), "count"),
    ("open_at_end", gettext_lazy("Open at the end"), "count"),
    ("on_time_rate", gettext_lazy("On-time rate"), "rate"),
    ("satisfaction_rate", gettext_lazy("Satisfaction rate"), "rate"),
    ("incidence_rate", gettext_lazy("Incidence rate"), "rate"),
    ("reopen_rate", gettext_lazy("Reopen rate"), "rate"),
    ("first_contact_rate", gettext_lazy("First-contact resolution"), "rate"),
    ("median_handling_hours", gettext_lazy("Median handling time (hours)"), "hours"),
    ("p90_handling_hours", gettext_lazy("90th percentile handling time (hours)"), "hours"),
    ("repeat_rate", gettext_lazy("Repeat-complaint rate"), "rate"),
    ("escalation_rate", gettext_lazy("Escalation rate"), "rate"),
    ("valid_rate", gettext_lazy("Valid-complaint rate"), "rate"),
]


def rate(numerator: int, denominator: int) -> float | None:
    """numerator / denominator from 0 to 1, rounded to 4 places; None when there is no denominator."""
    if not denominator:
        return None
    return round(numerator / denominator, RATE_DIGITS)


@dataclass
class Tally:
    """The counts behind one group's indicators in one period."""

    received: int = 0
    first_contact: int = 0
    repeats: int = 0
    escalated: int = 0
    invalid: int = 0
    closed: int = 0
    open_at_end: int = 0
    deadlines_due: int = 0
    deadlines_met: int = 0
    by_kind: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))  # kind → [met, due]
    callbacks_reached: int = 0
    satisfied: int = 0
    closings: int = 0
    reopened: int = 0
    # handling times of the closed complaints: minutes (3 significant digits) → complaints
    minutes: Counter[int] = field(default_factory=Counter)
    units: int | None = None

    def add(self, other: Tally) -> None:
        for name in (
            "received",
            "first_contact",
            "repeats",
            "escalated",
            "invalid",
            "closed",
            "open_at_end",
            "deadlines_due",
            "deadlines_met",
            "callbacks_reached",
            "satisfied",
            "closings",
            "reopened",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, (met, due) in other.by_kind.items():
            self.by_kind[kind][0] += met
            self.by_kind[kind][1] += due
        self.minutes.update(other.minutes)

    def figures(self, kinds: Iterable[str]) -> dict[str, Any]:
        return {
            "received": self.received,
            "closed": self.closed,
            "open_at_end": self.open_at_end,
            "on_time_rate": rate(self.deadlines_met, self.deadlines_due),
            "on_time_by_kind": {kind: rate(*self.by_kind[kind]) if kind in self.by_kind else None for kind in kinds},
            "deadlines_due": self.deadlines_due,
            "deadlines_met": self.deadlines_met,
            "satisfaction_rate": rate(self.satisfied, self.callbacks_reached),
            "callbacks_reached": self.callbacks_reached,
            "incidence_rate": rate(self.received, self.units) if self.units else None,
            "units_sold": self.units,
            "reopen_rate": rate(self.reopened, self.closings),
            "first_contact_rate": rate(self.first_contact, self.received),
            "median_handling_hours": histogram_median(self.minutes),
            "p90_handling_hours": histogram_p90(self.minutes),
            "repeat_rate": rate(self.repeats, self.received),
            "escalation_rate": rate(self.escalated, self.received),
            "valid_rate": rate(self.received - self.invalid, self.received),
        }


def local_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[first local midnight, the midnight after the last day) in the configured time zone."""
    tz = timezone.get_default_timezone()
    return (
        dt.datetime.combine(date_from, dt.time.min, tzinfo=tz),
        dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def previous_period(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same number of days that ends the day before `date_from`."""
    days = (date_to - date_from).days + 1
    return date_from - dt.timedelta(days=days), date_from - dt.timedelta(days=1)


def _months(date_from: dt.date, date_to: dt.date) -> list[str]:
    months = []
    year, month = date_from.year, date_from.month
    while (year, month) <= (date_to.year, date_to.month):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _scope(user: User | None, prefix: str = "") -> Q:
    """What `user` may count: visible_complaints's rule, on a related table through `prefix`
    (None: the whole organisation, for the scheduled reports)."""
    if user is None or sees_whole_organisation(user):
        return Q()
    return Q(**{f"{prefix}department_id": user.department_id}) | Q(**{f"{prefix}assignee_id": user.pk})


class _Folder:
    """Raw field values → group keys (sub-categories count under their top-level category)."""

    def __init__(self, group_by: str) -> None:
        self.group_by = group_by
        self.top: dict[int, str] = {}
        if group_by == "category":
            codes = dict(Category.objects.values_list("id", "code"))
            self.top = {pk: code.split(".")[0] for pk, code in codes.items()}
        self.departments: dict[int, str] = {}
        self.users: dict[int, str] = {}
        if group_by == "department":
            self.departments = dict(Department.objects.values_list("id", "code"))
        if group_by == "person":
            self.users = dict(User.objects.values_list("id", "username"))

    def key(self, raw: Any) -> str:
        if raw is None or raw == "":
            return ""
        if self.group_by == "category":
            return self.top.get(raw, "")
        if self.group_by == "department":
            return self.departments.get(raw, "")
        if self.group_by == "person":
            return self.users.get(raw, "")
        return str(raw)


def _tallies(
    *, user: User | None, date_from: dt.date, date_to: dt.date, group_by: str | None, folder: _Folder | None
) -> dict[str, Tally]:
    start, end = local_bounds(date_from, date_to)
    raw = GROUP_FIELD[group_by] if group_by else None
    tallies: dict[str, Tally] = defaultdict(Tally)

    def key_of(value: Any) -> str:
        return folder.key(value) if folder is not None else TOTAL

    def grouped(queryset: QuerySet[Any], prefix: str, **aggregates: Any) -> Iterable[tuple[str, dict[str, Any]]]:
        if raw is None:
            yield TOTAL, queryset.aggregate(**aggregates)
            return
        column = f"{prefix}{raw}"
        for row in queryset.values(column).annotate(**aggregates).order_by():
            yield key_of(row[column]), row

    complaints = Complaint.objects.filter(_scope(user))
    received = complaints.filter(received_at__gte=start, received_at__lt=end)
    for key, row in grouped(
        received,
        "",
        n=Count("pk"),
        first_contact=Count("pk", filter=Q(is_resolved_contact=True) | Q(settled_on_spot=True)),
        repeats=Count("pk", filter=Q(related_to__isnull=False)),
        escalated=Count("pk", filter=Q(escalation_level__gt=0)),
        invalid=Count("pk", filter=Q(status=Status.INVALID)),
    ):
        t = tallies[key]
        t.received += row["n"] or 0
        t.first_contact += row["first_contact"] or 0
        t.repeats += row["repeats"] or 0
        t.escalated += row["escalated"] or 0
        t.invalid += row["invalid"] or 0

    closed = complaints.filter(status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
    columns = ("received_at", "closed_at", *((raw,) if raw else ()))
    for values in closed.values_list(*columns).order_by().iterator(chunk_size=5000):
        t = tallies[key_of(values[2]) if raw else TOTAL]
        t.closed += 1
        t.minutes[minutes_bucket((values[1] - values[0]).total_seconds())] += 1

    # Open at the end: received before it and, as far as is known now, not finished by then.
    finished_before_end = Q(status=Status.CLOSED, closed_at__lt=end) | (
        Q(status__in=[s.value for s in (Status.WITHDRAWN, Status.MERGED, Status.INVALID)]) & Q(updated_at__lt=end)
    )
    still_open = complaints.filter(received_at__lt=end).exclude(finished_before_end)
    for key, row in grouped(still_open, "", n=Count("pk")):
        tallies[key].open_at_end += row["n"] or 0

    deadlines = ComplaintDeadline.objects.filter(_scope(user, "complaint__"), due_at__gte=start, due_at__lt=end).filter(
        Q(state=DeadlineState.MET) | Q(missed_at__isnull=False)
    )
    if raw is None:
        by_kind = deadlines.values("kind").annotate(due=Count("pk"), met=Count("pk", filter=Q(on_time=True))).order_by()
        for item in by_kind:
            t = tallies[TOTAL]
            t.deadlines_due += item["due"]
            t.deadlines_met += item["met"]
            t.by_kind[item["kind"]][0] += item["met"]
            t.by_kind[item["kind"]][1] += item["due"]
    else:
        column = f"complaint__{raw}"
        rows = (
            deadlines.values(column, "kind")
            .annotate(due=Count("pk"), met=Count("pk", filter=Q(on_time=True)))
            .order_by()
        )
        for row in rows:
            t = tallies[key_of(row[column])]
            t.deadlines_due += row["due"]
            t.deadlines_met += row["met"]
            t.by_kind[row["kind"]][0] += row["met"]
            t.by_kind[row["kind"]][1] += row["due"]

    callbacks = Callback.objects.filter(_scope(user, "complaint__"), at__gte=start, at__lt=end, reached=True)
    for key, row in grouped(callbacks, "complaint__", n=Count("pk"), satisfied=Count("pk", filter=Q(satisfied=True))):
        tallies[key].callbacks_reached += row["n"] or 0
        tallies[key].satisfied += row["satisfied"] or 0

    events = ComplaintEvent.objects.filter(_scope(user, "complaint__"), at__gte=start, at__lt=end)
    for key, row in grouped(
        events.filter(kind__in=["close", "reopen"]),
        "complaint__",
        closings=Count("complaint", filter=Q(kind="close"), distinct=True),
        reopened=Count("complaint", filter=Q(kind="reopen"), distinct=True),
    ):
        tallies[key].closings += row["closings"] or 0
        tallies[key].reopened += row["reopened"] or 0

    _units(tallies, date_from=date_from, date_to=date_to, group_by=group_by)
    return tallies


def _from_tallies(*, date_from: dt.date, date_to: dt.date, group_by: str | None) -> dict[str, Tally]:
    """The same counts as `_tallies`, for the whole organisation, summed from the daily tallies
    (kesu/reports/tallies.py; the caller has refreshed them)."""
    dimension = group_by or ""
    counts, hours = tally_sums(dimension=dimension, date_from=date_from, date_to=date_to)
    tallies: dict[str, Tally] = defaultdict(Tally)

    def key_of(key: str) -> str:
        return key if group_by else TOTAL

    for key, found in counts.items():
        t = tallies[key_of(key)]
        t.received += found["received"]
        t.first_contact += found["first_contact"]
        t.repeats += found["repeats"]
        t.escalated += found["escalated"]
        t.invalid += found["invalid"]
        t.closed += found["closed"]
        t.callbacks_reached += found["callbacks"]
        t.satisfied += found["satisfied"]
        t.closings += found["closings"]
        t.reopened += found["reopened"]
        for name, n in found.items():
            if name.startswith("due:"):
                t.deadlines_due += n
                t.by_kind[name[4:]][1] += n
            elif name.startswith("met:"):
                t.deadlines_met += n
                t.by_kind[name[4:]][0] += n
    for key, histogram in hours.items():
        tallies[key_of(key)].minutes.update(histogram)
    for key, (received, finished) in finished_before(dimension=dimension, end=date_to + dt.timedelta(days=1)).items():
        if received - finished:
            tallies[key_of(key)].open_at_end += received - finished
    _units(tallies, date_from=date_from, date_to=date_to, group_by=group_by)
    return tallies


def _units(tallies: dict[str, Tally], *, date_from: dt.date, date_to: dt.date, group_by: str | None) -> None:
    """Units sold in the calendar months the period touches: per month, the figure entered for all
    categories, or else the sum of the figures entered per category; per category group, that
    category's own figures. Groups other than categories share the total."""
    months = _months(date_from, date_to)
    total_by_month: dict[str, int] = {}
    categorised: dict[str, int] = defaultdict(int)
    per_category: dict[str, int] = defaultdict(int)
    for period, code, units in SalesVolume.objects.filter(period__in=months).values_list(
        "period", "category__code", "units"
    ):
        if code is None:
            total_by_month[period] = units
        else:
            categorised[period] += units
            per_category[code.split(".")[0]] += units
    entered = {month: total_by_month.get(month, categorised.get(month)) for month in months}
    known = [units for units in entered.values() if units is not None]
    total_units = sum(known) if known else None
    for key, tally in tallies.items():
        if group_by == "category" and key != TOTAL:
            tally.units = per_category.get(key)
        else:
            tally.units = total_units


def _labeller(group_by: str) -> Callable[[str], str]:
    if group_by == "department":
        names = dict(Department.objects.values_list("code", "name"))
        return lambda key: names.get(key, key) if key else _("no department")
    if group_by == "category":
        top = {c.code: c.localized_name for c in Category.objects.filter(level=1)}
        return lambda key: top.get(key, key) if key else _("not classified")
    if group_by == "channel":
        channels = {c.value: str(c.label) for c in Channel}
        return lambda key: channels.get(key, key)
    if group_by == "severity":
        severities = {s.value: str(s.label) for s in Severity}
        return lambda key: severities.get(key, key)
    people = {u.username: (u.get_full_name() or u.username) for u in User.objects.all()}
    return lambda key: people.get(key, key) if key else _("unassigned")


def deadline_kinds() -> list[str]:
    return list(DeadlineKind.objects.order_by("id").values_list("code", flat=True)) or [
        "acknowledge",
        "reply",
        "close",
    ]


def kpi_report(
    *,
    user: User | None,
    date_from: dt.date,
    date_to: dt.date,
    group_by: str | None = None,
    source: str | None = None,
) -> dict[str, Any]:
    """API.md's `{"from", "to", "total", "groups"}`; each of `total` and the groups carries its
    indicators and `previous`, the same indicators for the period just before.

    For the whole organisation (`user` None or one who sees it all) the counts come from the daily
    tallies, which the caller brings in step first (`refresh_tallies`, kesu/reports/tallies.py);
    for a reader who sees a department only, from the complaints themselves (a department's
    share is small). `source` ("tallies" or "base") forces one, for the tests that prove both agree."""
    kinds = deadline_kinds()
    before_from, before_to = previous_period(date_from, date_to)
    if source is None:
        source = "tallies" if user is None or sees_whole_organisation(user) else "base"

    def count(first: dt.date, last: dt.date, group: str | None, folder: _Folder | None) -> dict[str, Tally]:
        if source == "tallies":
            return _from_tallies(date_from=first, date_to=last, group_by=group)
        return _tallies(user=user, date_from=first, date_to=last, group_by=group, folder=folder)

    now_total = count(date_from, date_to, None, None)[TOTAL]
    then_total = count(before_from, before_to, None, None)[TOTAL]
    total = {**now_total.figures(kinds), "previous": then_total.figures(kinds)}
    groups: list[dict[str, Any]] = []
    if group_by:
        folder = _Folder(group_by) if source == "base" else None
        current = count(date_from, date_to, group_by, folder)
        previous = count(before_from, before_to, group_by, folder)
        label = _labeller(group_by)
        keys = set(current) | set(previous)
        for tallies, (first, last) in ((current, (date_from, date_to)), (previous, (before_from, before_to))):
            for key in keys:
                tallies.setdefault(key, Tally())
            _units(tallies, date_from=first, date_to=last, group_by=group_by)
        for key in sorted(keys, key=lambda k: (-current[k].received, k)):
            groups.append(
                {
                    "key": key,
                    "label": label(key),
                    **current[key].figures(kinds),
                    "previous": previous[key].figures(kinds),
                }
            )
    return {
        "from": date_from.isoformat(),
        "to": date_to.isoformat(),
        "previous_from": before_from.isoformat(),
        "previous_to": before_to.isoformat(),
        "group_by": group_by,
        "deadline_kinds": kinds,
        "total": total,
        "groups": groups,
    }
