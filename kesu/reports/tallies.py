"""Daily tallies: the indicators' counts (SPEC RP-2) kept per local day and per local month, per
group, so a report for a year at a million complaints sums a few thousand small rows instead of
scanning the complaints (kesu/reports/kpis.py reads them through `tally_figures`).

How they stay in step: each complaint's contribution (its cells: a local day, a figure, a count;
and its group keys) is recorded in ComplaintTally when counted. `refresh_tallies(now)` finds the
complaints that changed since the last refresh (their row, a timeline event or a deadline record
stamped since then, less an overlap for transactions that were still open), recomputes their
contribution from the base tables, and applies the difference to the DailyTally rows of both
grains. Reports refresh before they read, and the scheduler refreshes every minute, so a figure
is never older than the request. `refresh_tallies(now, rebuild=True)` (`kesu tallies --rebuild`)
recounts everything at once: after a restore or a bulk load that bypassed the services.
`reconcile_tallies(now)` (`kesu tallies --reconcile`, and every night between 02:00 and 05:00)
recounts everything a chunk at a time and corrects what the refreshes could not see.

The figures (docs/indicators.md):

- on the local day a complaint was received: `received`, `first_contact`, `repeats`, `escalated`,
  `invalid`;
- on the day it was (last) closed, if closed now: `closed`, and its handling time in `hours`;
- on the day it was finished (closed; or withdrawn, merged or ruled invalid, by `updated_at`):
  `finished` (open at the end = received before the end − finished before the end);
- on a deadline's due day, for records met or recorded as missed: `due:<kind>`, `met:<kind>`;
- on a callback's day, for callbacks that reached the customer: `callbacks`, `satisfied`;
- on each day with a close or a reopen event: `closings`, `reopened` (once per day; a complaint
  closed on several days of a period is counted once by the correction in `tally_figures`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from kesu.accounts.models import Department, User
from kesu.complaints.models import Complaint, ComplaintEvent, Status
from kesu.deadlines.models import ComplaintDeadline, DeadlineState
from kesu.reports.models import ComplaintTally, DailyTally, TallyMark
from kesu.resolution.models import Callback
from kesu.triage.models import Category

DIMENSIONS = ("department", "category", "channel", "person", "severity")
TOTAL_DIMENSION = ""
# A transaction stamps its rows with its own `now` and may commit a little later: each refresh
# looks this far behind the previous one (recounting an unchanged complaint changes nothing).
OVERLAP = dt.timedelta(minutes=15)
CHUNK = 2000
FINISHED_OTHERWISE = (Status.WITHDRAWN, Status.MERGED, Status.INVALID)

Cell = tuple[int, str, int]  # (local day as an ordinal, figure, count)
RowKey = tuple[str, dt.date, str, str]  # (grain, day, dimension, key)


def minutes_bucket(seconds: float) -> int:
    """A handling time as whole minutes rounded to 3 significant digits: exact to the minute
    below 1,000 minutes (16.7 hours), to 10 minutes below 10,000, and so on (at most 0.5%)."""
    minutes = max(0, round(seconds / 60))
    if minutes < 1000:
        return minutes
    step = 10 ** (len(str(minutes)) - 3)
    return int(math.floor(minutes / step + 0.5) * step)


class _Keys:
    """Raw complaint fields → the report's group keys (as kesu/reports/kpis.py `_Folder` does)."""

    def __init__(self) -> None:
        self.top = {pk: code.split(".")[0] for pk, code in Category.objects.values_list("id", "code")}
        self.departments = dict(Department.objects.values_list("id", "code"))
        self.users = dict(User.objects.values_list("id", "username"))

    def of(self, row: dict[str, Any]) -> dict[str, str]:
        return {
            "department": self.departments.get(row["department_id"], "") if row["department_id"] else "",
            "category": self.top.get(row["category_id"], "") if row["category_id"] else "",
            "channel": row["channel"] or "",
            "person": self.users.get(row["assignee_id"], "") if row["assignee_id"] else "",
            "severity": row["severity"] or "",
        }


COMPLAINT_FIELDS = (
    "id",
    "received_at",
    "status",
    "closed_at",
    "updated_at",
    "escalation_level",
    "related_to_id",
    "is_resolved_contact",
    "settled_on_spot",
    "department_id",
    "category_id",
    "channel",
    "assignee_id",
    "severity",
)


def tally_keys() -> _Keys:
    """What `complaint_cells` needs to name a complaint's groups (three queries)."""
    return _Keys()


def complaint_cells(row: dict[str, Any], keys: _Keys) -> tuple[dict[str, str], list[Cell]]:
    """A complaint's group keys and the cells its own row gives (COMPLAINT_FIELDS): the day it was
    received and what it counts there, the day it was closed or otherwise finished. Its deadlines,
    callbacks and close or reopen events add theirs in `contributions`."""
    tz = timezone.get_default_timezone()

    def day(value: dt.datetime) -> int:
        return value.astimezone(tz).date().toordinal()

    out: list[Cell] = []
    received = day(row["received_at"])
    out.append((received, "received", 1))
    if row["is_resolved_contact"] or row["settled_on_spot"]:
        out.append((received, "first_contact", 1))
    if row["related_to_id"]:
        out.append((received, "repeats", 1))
    if row["escalation_level"]:
        out.append((received, "escalated", 1))
    status = row["status"]
    if status == Status.INVALID:
        out.append((received, "invalid", 1))
    finished: int | None = None
    if status == Status.CLOSED and row["closed_at"] is not None:
        closed = day(row["closed_at"])
        out.append((closed, "closed", 1))
        seconds = (row["closed_at"] - row["received_at"]).total_seconds()
        out.append((closed, f"h:{minutes_bucket(seconds)}", 1))
        finished = closed
    elif status in FINISHED_OTHERWISE:
        finished = day(row["updated_at"])
    if finished is not None:
        out.append((max(finished, received), "finished", 1))
    return keys.of(row), out


def contributions(ids: list[int], keys: _Keys) -> dict[int, tuple[dict[str, str], list[Cell], bool]]:
    """What each complaint of `ids` adds now: (group keys, cells, counted on several close or
    reopen days). Four queries, whatever the number of complaints."""
    tz = timezone.get_default_timezone()

    def day(value: dt.datetime) -> int:
        return value.astimezone(tz).date().toordinal()

    cells: dict[int, list[Cell]] = defaultdict(list)
    found: dict[int, dict[str, str]] = {}
    for row in Complaint.objects.filter(pk__in=ids).order_by().values(*COMPLAINT_FIELDS):
        pk = row["id"]
        found[pk], cells[pk] = complaint_cells(row, keys)
    counted = Q(state=DeadlineState.MET) | Q(missed_at__isnull=False)
    for complaint_id, kind, due_at, on_time in (
        ComplaintDeadline.objects.filter(counted, complaint_id__in=ids)
        .order_by()
        .values_list("complaint_id", "kind", "due_at", "on_time")
    ):
        due = day(due_at)
        cells[complaint_id].append((due, f"due:{kind}", 1))
        if on_time:
            cells[complaint_id].append((due, f"met:{kind}", 1))
    for complaint_id, at, satisfied in (
        Callback.objects.filter(complaint_id__in=ids, reached=True)
        .order_by()
        .values_list("complaint_id", "at", "satisfied")
    ):
        cells[complaint_id].append((day(at), "callbacks", 1))
        if satisfied:
            cells[complaint_id].append((day(at), "satisfied", 1))
    event_days: dict[tuple[int, str], set[int]] = defaultdict(set)
    for complaint_id, kind, at in (
        ComplaintEvent.objects.filter(complaint_id__in=ids, kind__in=["close", "reopen"])
        .order_by()
        .values_list("complaint_id", "kind", "at")
    ):
        event_days[(complaint_id, kind)].add(day(at))
    multi: set[int] = set()
    for (complaint_id, kind), days in event_days.items():
        figure = "closings" if kind == "close" else "reopened"
        cells[complaint_id].extend((d, figure, 1) for d in days)
        if len(days) > 1:
            multi.add(complaint_id)
    return {pk: (dims, sorted(cells[pk]), pk in multi) for pk, dims in found.items()}


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _spread(
    deltas: dict[RowKey, Counter[str]], dims: dict[str, str], cells: Iterable[Cell | list[Any]], sign: int
) -> None:
    """Add (sign=1) or take away (sign=-1) a complaint's cells to every row they count in."""
    targets = [(TOTAL_DIMENSION, ""), *((d, dims.get(d, "")) for d in DIMENSIONS)]
    for ordinal, figure, count in cells:
        when = dt.date.fromordinal(int(ordinal))
        for grain, day in (("d", when), ("m", _month(when))):
            for dimension, key in targets:
                deltas[(grain, day, dimension, key)][figure] += sign * int(count)


def _apply(deltas: dict[RowKey, Counter[str]]) -> None:
    """Add the differences to the DailyTally rows (creating, updating, deleting empty ones)."""
    touched = {k: c for k, c in deltas.items() if any(c.values())}
    if not touched:
        return
    rows: dict[RowKey, DailyTally] = {}
    by_dimension: dict[str, set[dt.date]] = defaultdict(set)
    for _grain, day, dimension, _key in touched:
        by_dimension[dimension].add(day)
    for dimension, days in by_dimension.items():
        for found in DailyTally.objects.filter(dimension=dimension, day__in=sorted(days)):
            rows[(found.grain, found.day, found.dimension, found.key)] = found
    creates: list[DailyTally] = []
    updates: list[DailyTally] = []
    deletes: list[int] = []
    for row_key, change in touched.items():
        existing = rows.get(row_key)
        is_new = existing is None
        if existing is None:
            grain, day, dimension, key = row_key
            row = DailyTally(grain=grain, day=day, dimension=dimension, key=key, counts={}, hours={})
        else:
            row = existing
        counts: dict[str, int] = dict(row.counts)
        hours: dict[str, int] = dict(row.hours)
        for figure, count in change.items():
            if not count:
                continue
            target, name = (hours, figure[2:]) if figure.startswith("h:") else (counts, figure)
            value = target.get(name, 0) + count
            if value:
                target[name] = value
            else:
                target.pop(name, None)
        row.counts, row.hours = counts, hours
        if not counts and not hours:
            if not is_new:
                deletes.append(row.pk)
        elif is_new:
            creates.append(row)
        else:
            updates.append(row)
    if deletes:
        DailyTally.objects.filter(pk__in=deletes).delete()
    if updates:
        DailyTally.objects.bulk_update(updates, ["counts", "hours"], batch_size=500)
    if creates:
        DailyTally.objects.bulk_create(creates, batch_size=1000)


def _changed_since(since: dt.datetime) -> set[int]:
    changed = set(Complaint.objects.filter(updated_at__gte=since).values_list("pk", flat=True))
    changed.update(ComplaintEvent.objects.filter(at__gte=since).values_list("complaint_id", flat=True))
    changed.update(ComplaintDeadline.objects.filter(updated_at__gte=since).values_list("complaint_id", flat=True))
    return changed


def _all_ids() -> Iterator[list[int]]:
    last = 0
    while True:
        ids = list(Complaint.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:CHUNK])
        if not ids:
            return
        yield ids
        last = ids[-1]


def _count(ids: list[int], keys: _Keys, *, rebuild: bool) -> tuple[dict[RowKey, Counter[str]], int]:
    """The differences the complaints of `ids` make now, and the records of them brought in step."""
    deltas: dict[RowKey, Counter[str]] = defaultdict(Counter)
    old = {} if rebuild else {t.complaint_id: t for t in ComplaintTally.objects.filter(complaint_id__in=ids)}
    new = contributions(ids, keys)
    creates: list[ComplaintTally] = []
    updates: list[ComplaintTally] = []
    for pk, (dims, cells, multi) in new.items():
        record = old.pop(pk, None)
        listed = [list(c) for c in cells]
        if record is not None and record.dims == dims and record.cells == listed and record.multi == multi:
            continue
        if record is not None:
            _spread(deltas, record.dims, record.cells, -1)
            record.dims, record.cells, record.multi = dims, listed, multi
            updates.append(record)
        else:
            creates.append(ComplaintTally(complaint_id=pk, dims=dims, cells=listed, multi=multi))
        _spread(deltas, dims, cells, 1)
    if updates:
        ComplaintTally.objects.bulk_update(updates, ["dims", "cells", "multi"], batch_size=500)
    if creates:
        ComplaintTally.objects.bulk_create(creates, batch_size=1000)
    return deltas, len(creates) + len(updates)


def refresh_tallies(
    *, now: dt.datetime, rebuild: bool = False, progress: Callable[[int, int], None] | None = None
) -> int:
    """Bring the tallies in step with the complaints as of `now`; returns how many complaints'
    contributions changed. One refresh at a time (the TallyMark row is locked)."""
    with transaction.atomic():
        mark = _locked_mark()
        keys = _Keys()
        changed = 0
        if rebuild or mark.refreshed_at is None:
            ComplaintTally.objects.all().delete()
            DailyTally.objects.all().delete()
            total = Complaint.objects.count()
            deltas: dict[RowKey, Counter[str]] = defaultdict(Counter)
            done = 0
            for ids in _all_ids():
                piece, n = _count(ids, keys, rebuild=True)
                for row_key, change in piece.items():
                    deltas[row_key].update(change)
                changed += n
                done += len(ids)
                if progress is not None:
                    progress(done, total)
            _apply(deltas)
        else:
            # The services never delete a complaint; one deleted through the admin leaves its
            # record (no foreign key), taken away with its cells by the nightly check.
            ids = sorted(_changed_since(mark.refreshed_at - OVERLAP))
            for start in range(0, len(ids), CHUNK):
                piece, n = _count(ids[start : start + CHUNK], keys, rebuild=False)
                _apply(piece)
                changed += n
        mark.refreshed_at = now
        mark.save(update_fields=["refreshed_at"])
    return changed


def tallies_add_new(counted: Sequence[tuple[int, dict[str, str], list[Cell]]]) -> int:
    """Add complaints just written without the services (the bulk import, kesu/imports/bulk.py),
    with their group keys and cells (`complaint_cells`: complaints with no deadline, callback or
    close event yet), in the caller's transaction: a few statements for the whole list, so a
    refresh later finds them counted (their records equal) instead of recounting them. Locks the
    TallyMark row until the caller commits (a refresh then waits); nothing to do before the first
    refresh, which counts everything. Returns how many complaints were added."""
    mark = _locked_mark()
    if mark.refreshed_at is None or not counted:
        return 0
    deltas: dict[RowKey, Counter[str]] = defaultdict(Counter)
    records = []
    for pk, dims, cells in counted:
        cells = sorted(cells)
        _spread(deltas, dims, cells, 1)
        records.append(ComplaintTally(complaint_id=pk, dims=dims, cells=[list(c) for c in cells], multi=False))
    ComplaintTally.objects.bulk_create(records, batch_size=2000)
    _apply(deltas)
    return len(records)


# The nightly check: between these local hours, once a day (the hourly task asks `reconcile_due`).
RECONCILE_HOURS = range(2, 5)
RECONCILE_EVERY = dt.timedelta(hours=20)


def _locked_mark() -> TallyMark:
    TallyMark.objects.get_or_create(pk=1)
    return TallyMark.objects.select_for_update().get(pk=1)


def reconcile_tallies(*, now: dt.datetime, progress: Callable[[int, int], None] | None = None) -> int:
    """The nightly check: recount every complaint and apply what differs, a chunk per transaction
    (reports wait for one chunk at most, not for the whole recount, as they do for a rebuild), then
    take away the contributions of complaints deleted since they were counted (through the admin:
    their record outlives them). Catches what a refresh cannot see: a transaction that committed
    more than OVERLAP after the time it stamped, a write straight into the tables. Returns how many
    complaints' contributions it corrected."""
    with transaction.atomic():
        if _locked_mark().refreshed_at is None:  # never counted: a rebuild is the same work, at once
            return refresh_tallies(now=now, rebuild=True, progress=progress)
    keys = _Keys()
    total = Complaint.objects.count()
    changed = done = 0
    for ids in _all_ids():
        with transaction.atomic():
            _locked_mark()
            piece, n = _count(ids, keys, rebuild=False)
            _apply(piece)
        changed += n
        done += len(ids)
        if progress is not None:
            progress(done, total)
    with transaction.atomic():
        mark = _locked_mark()
        orphans = list(ComplaintTally.objects.exclude(complaint_id__in=Complaint.objects.values("pk")))
        deltas: dict[RowKey, Counter[str]] = defaultdict(Counter)
        for record in orphans:
            _spread(deltas, record.dims, record.cells, -1)
        _apply(deltas)
        ComplaintTally.objects.filter(pk__in=[r.pk for r in orphans]).delete()
        mark.reconciled_at = now
        mark.save(update_fields=["reconciled_at"])
    return changed + len(orphans)


def reconcile_due(now: dt.datetime) -> bool:
    """Whether the nightly check is due: in the small hours (local), not yet done in the last 20 h."""
    if timezone.localtime(now).hour not in RECONCILE_HOURS:
        return False
    last = TallyMark.objects.filter(pk=1).values_list("reconciled_at", flat=True).first()
    return last is None or now - last >= RECONCILE_EVERY


# --- reading -------------------------------------------------------------------------------------


def _pieces(date_from: dt.date, date_to: dt.date) -> tuple[list[dt.date], list[tuple[dt.date, dt.date]]]:
    """The period as the whole months inside it (month rows) and the days left at its ends."""
    months: list[dt.date] = []
    days: list[tuple[dt.date, dt.date]] = []
    cursor = date_from
    while cursor <= date_to:
        month = _month(cursor)
        next_month = (month + dt.timedelta(days=32)).replace(day=1)
        last = min(date_to, next_month - dt.timedelta(days=1))
        if cursor == month and last == next_month - dt.timedelta(days=1):
            months.append(month)
        else:
            days.append((cursor, last))
        cursor = last + dt.timedelta(days=1)
    return months, days


def _period_filter(date_from: dt.date, date_to: dt.date) -> Q:
    months, days = _pieces(date_from, date_to)
    where = Q(grain="m", day__in=months) if months else Q(pk__in=[])
    for first, last in days:
        where |= Q(grain="d", day__gte=first, day__lte=last)
    return where


def tally_sums(
    *, dimension: str, date_from: dt.date, date_to: dt.date
) -> tuple[dict[str, Counter[str]], dict[str, Counter[int]]]:
    """Per group key of `dimension` ("" for the whole organisation): the counts of the period and
    the histogram of handling minutes, with the several-days correction of closings and reopens."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    hours: dict[str, Counter[int]] = defaultdict(Counter)
    rows = DailyTally.objects.filter(_period_filter(date_from, date_to), dimension=dimension)
    for key, row_counts, row_hours in rows.values_list("key", "counts", "hours").iterator(chunk_size=2000):
        counts[key].update(row_counts)
        target = hours[key]
        for minutes, n in row_hours.items():
            target[int(minutes)] += n
    first, last = date_from.toordinal(), date_to.toordinal()
    for dims, cells in ComplaintTally.objects.filter(multi=True).values_list("dims", "cells"):
        key = "" if dimension == TOTAL_DIMENSION else dims.get(dimension, "")
        for figure in ("closings", "reopened"):
            inside = sum(1 for ordinal, name, _n in cells if name == figure and first <= ordinal <= last)
            if inside > 1:
                counts[key][figure] -= inside - 1
    return counts, hours


def finished_before(*, dimension: str, end: dt.date) -> dict[str, tuple[int, int]]:
    """Per group key: (received, finished) on the days before `end` (open at the end is the
    difference), read from the month rows and the day rows of the month `end` falls in."""
    month = _month(end)
    where = Q(grain="m", day__lt=month) | Q(grain="d", day__gte=month, day__lt=end)
    found: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for key, row_counts in DailyTally.objects.filter(where, dimension=dimension).values_list("key", "counts"):
        found[key][0] += row_counts.get("received", 0)
        found[key][1] += row_counts.get("finished", 0)
    return {key: (a, b) for key, (a, b) in found.items()}


def histogram_median(histogram: Counter[int]) -> float | None:
    """The median of a histogram of minutes, in hours (2 places): the middle value, or the mean of
    the two middle ones for an even count."""
    total = sum(histogram.values())
    if not total:
        return None
    if total % 2:
        value = float(_nth(histogram, total // 2))
    else:
        value = (_nth(histogram, total // 2 - 1) + _nth(histogram, total // 2)) / 2
    return round(value / 60, 2)


def histogram_p90(histogram: Counter[int]) -> float | None:
    """The nearest-rank 90th percentile of a histogram of minutes, in hours (2 places)."""
    total = sum(histogram.values())
    if not total:
        return None
    return round(_nth(histogram, max(0, math.ceil(0.9 * total) - 1)) / 60, 2)


def _nth(histogram: Counter[int], rank: int) -> int:
    """The value at 0-based `rank` in the sorted multiset."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if rank < seen:
            return value
    raise IndexError(rank)
