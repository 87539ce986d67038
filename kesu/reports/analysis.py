"""Trend and cause analysis (SPEC RP-4): Pareto of reasons (levels 1–4) and root causes, monthly
trends, responsibility shares by department and person, repeat customers and products/lots.
The same figures feed the workspace's analysis page and the scheduled reports."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import sees_whole_organisation
from kesu.complaints.models import Complaint, Status
from kesu.reports.kpis import _scope, local_bounds, rate
from kesu.reports.models import DailyTally
from kesu.reports.tallies import TOTAL_DIMENSION
from kesu.resolution.models import CauseClass, Investigation, Responsibility
from kesu.triage.models import Category

ZERO = Decimal("0.00")


@dataclass
class ParetoRow:
    key: str
    label: str
    count: int
    share: float | None
    cumulative: float | None


@dataclass
class ShareRow:
    key: str
    label: str
    complaints: int
    share: float | None
    our_fault: int = 0
    loss: Decimal = ZERO
    penalty: Decimal = ZERO


@dataclass
class RepeatRow:
    key: str
    label: str
    count: int


@dataclass
class Analysis:
    date_from: dt.date
    date_to: dt.date
    level: int
    reasons: list[ParetoRow] = field(default_factory=list)
    root_causes: list[ParetoRow] = field(default_factory=list)
    responsibility: list[ParetoRow] = field(default_factory=list)
    trend_months: list[str] = field(default_factory=list)
    trend_received: list[int] = field(default_factory=list)
    trend_closed: list[int] = field(default_factory=list)
    departments: list[ShareRow] = field(default_factory=list)
    people: list[ShareRow] = field(default_factory=list)
    repeat_customers: list[RepeatRow] = field(default_factory=list)
    repeat_products: list[RepeatRow] = field(default_factory=list)
    repeat_lots: list[RepeatRow] = field(default_factory=list)


def pareto(counts: dict[str, int], labels: dict[str, str]) -> list[ParetoRow]:
    """Rows by count, largest first (ties by key), with each one's share and the running share."""
    total = sum(counts.values())
    rows, running = [], 0
    for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        running += count
        rows.append(ParetoRow(key, labels.get(key, key), count, rate(count, total), rate(running, total)))
    return rows


def _month_starts(end: dt.date, months: int) -> list[dt.date]:
    year, month = end.year, end.month
    starts = []
    for _index in range(months):
        starts.append(dt.date(year, month, 1))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(starts))


def monthly_trend(
    *, user: User | None, end: dt.date, months: int, source: str | None = None
) -> tuple[list[str], list[int], list[int]]:
    """Received and closed per local month, the `months` months up to the one `end` falls in.
    For the whole organisation the month rows of the daily tallies (kesu/reports/tallies.py, brought
    in step by the caller), `months` rows whatever the number of complaints; for a reader who sees
    part of it, counted from the complaints (`source` forces one, for the tests)."""
    starts = _month_starts(end, months)
    if source is None:
        source = "tallies" if user is None or sees_whole_organisation(user) else "base"
    if source == "tallies":
        return _tallied_trend(starts)
    tz = timezone.get_default_timezone()
    first = dt.datetime.combine(starts[0], dt.time.min, tzinfo=tz)
    last_day = dt.date(end.year + (end.month == 12), end.month % 12 + 1, 1)
    stop = dt.datetime.combine(last_day, dt.time.min, tzinfo=tz)
    labels = [f"{s.year:04d}-{s.month:02d}" for s in starts]
    received: dict[str, int] = defaultdict(int)
    closed: dict[str, int] = defaultdict(int)
    scope = Complaint.objects.filter(_scope(user))
    # Complaint.period is the local month of received_at (numbering), so intake groups by an indexed column.
    for period, n in (
        scope.filter(received_at__gte=first, received_at__lt=stop).values("period").annotate(n=Count("pk")).order_by()
    ).values_list("period", "n"):
        received[f"{period[:4]}-{period[4:]}"] += n
    for closed_at in (
        scope.filter(status=Status.CLOSED, closed_at__gte=first, closed_at__lt=stop)
        .values_list("closed_at", flat=True)
        .iterator(chunk_size=5000)
    ):
        if closed_at is None:
            continue
        local = closed_at.astimezone(tz)
        closed[f"{local.year:04d}-{local.month:02d}"] += 1
    return labels, [received[m] for m in labels], [closed[m] for m in labels]


def _tallied_trend(starts: list[dt.date]) -> tuple[list[str], list[int], list[int]]:
    found = dict(
        DailyTally.objects.filter(grain="m", dimension=TOTAL_DIMENSION, day__in=starts).values_list("day", "counts")
    )
    labels = [f"{s.year:04d}-{s.month:02d}" for s in starts]
    received = [found.get(s, {}).get("received", 0) for s in starts]
    closed = [found.get(s, {}).get("closed", 0) for s in starts]
    return labels, received, closed


def analysis(*, user: User | None, date_from: dt.date, date_to: dt.date, level: int = 1, months: int = 12) -> Analysis:
    start, end = local_bounds(date_from, date_to)
    result = Analysis(date_from=date_from, date_to=date_to, level=level)
    received = Complaint.objects.filter(_scope(user), received_at__gte=start, received_at__lt=end)

    nodes = {c.pk: c for c in Category.objects.all()}
    by_code = {c.code: c for c in nodes.values()}
    reason_counts: dict[str, int] = defaultdict(int)
    for category_id, n in (
        received.values("category_id").annotate(n=Count("pk")).order_by().values_list("category_id", "n")
    ):
        node = nodes.get(category_id) if category_id else None
        if node is None or node.level < level:
            key = node.code if node is not None else ""
        else:
            key = ".".join(node.code.split(".")[:level])
        reason_counts[key] += n
    labels = {code: c.localized_name for code, c in by_code.items()}
    labels[""] = _("not classified")
    result.reasons = pareto(reason_counts, labels)

    closed = Complaint.objects.filter(_scope(user), status=Status.CLOSED, closed_at__gte=start, closed_at__lt=end)
    investigations = Investigation.objects.filter(complaint__in=closed)
    causes: dict[str, int] = defaultdict(int)
    for cause, n in (
        investigations.values("cause_class").annotate(n=Count("pk")).order_by().values_list("cause_class", "n")
    ):
        causes[cause or ""] += n
    cause_labels = {c.value: str(c.label) for c in CauseClass} | {"": _("not recorded")}
    result.root_causes = pareto(causes, cause_labels)
    responsibilities: dict[str, int] = defaultdict(int)
    for value, n in (
        investigations.values("responsibility").annotate(n=Count("pk")).order_by().values_list("responsibility", "n")
    ):
        responsibilities[value or ""] += n
    result.responsibility = pareto(
        responsibilities, {r.value: str(r.label) for r in Responsibility} | {"": _("not recorded")}
    )

    result.departments = _shares(
        investigations,
        "responsible_department",
        dict(Department.objects.values_list("id", "name")),
        dict(Department.objects.values_list("id", "code")),
    )
    people = {u.pk: (u.get_full_name() or u.username) for u in User.objects.all()}
    result.people = _shares(
        investigations, "responsible_person", people, dict(User.objects.values_list("id", "username"))
    )

    result.trend_months, result.trend_received, result.trend_closed = monthly_trend(
        user=user, end=date_to, months=months
    )

    repeat = received.values("customer_id").annotate(n=Count("pk")).filter(n__gte=2).order_by("-n", "customer_id")[:20]
    names = dict(
        Complaint.objects.filter(customer_id__in=[r["customer_id"] for r in repeat])
        .order_by("customer_id", "-received_at")
        .values_list("customer_id", "contact_name")
    )
    from kesu.accounts.permissions import can_view_personal_data
    from kesu.core.privacy import mask_name

    personal = user is not None and can_view_personal_data(user)
    result.repeat_customers = [
        RepeatRow(
            str(r["customer_id"]),
            names.get(r["customer_id"], "") if personal else (mask_name(names.get(r["customer_id"], "")) or ""),
            r["n"],
        )
        for r in repeat
    ]
    for field_name, target in (("product_name", result.repeat_products), ("product_lot", result.repeat_lots)):
        rows = (
            received.exclude(**{field_name: ""})
            .values(field_name)
            .annotate(n=Count("pk"))
            .filter(n__gte=2)
            .order_by("-n", field_name)[:20]
        )
        target.extend(RepeatRow(r[field_name], r[field_name], r["n"]) for r in rows)
    return result


def _shares(investigations: Any, column: str, labels: dict[int, str], keys: dict[int, str]) -> list[ShareRow]:
    rows = list(
        investigations.exclude(**{f"{column}__isnull": True})
        .values(column)
        .annotate(
            n=Count("pk"),
            ours=Count("pk", filter=Q(responsibility=Responsibility.OURS)),
            loss=Sum("loss_amount"),
            penalty=Sum("penalty_amount"),
        )
        .order_by()
    )
    total = sum(r["n"] for r in rows)
    out = [
        ShareRow(
            key=keys.get(r[column], ""),
            label=labels.get(r[column], ""),
            complaints=r["n"],
            share=rate(r["n"], total),
            our_fault=r["ours"],
            loss=r["loss"] or ZERO,
            penalty=r["penalty"] or ZERO,
        )
        for r in rows
    ]
    return sorted(out, key=lambda row: (-row.complaints, row.key))
