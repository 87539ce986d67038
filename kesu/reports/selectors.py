"""Figures for the manager dashboard: today's intake, open, overdue and major complaints,
and daily intake by channel, category and department (SPEC RP-1, RP-4)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import sees_whole_organisation
from kesu.complaints.models import OPEN_STATUSES, Channel
from kesu.complaints.selectors import overdue_q, visible_complaints
from kesu.triage.models import Category

OPEN = [s.value for s in OPEN_STATUSES]
Labeller = Callable[[Any], tuple[str, str]]  # raw value → (label, filter code)


def _series(rows: Iterable[dict[str, Any]], field: str, label_of: Labeller, dates: list[dt.date]) -> dict[str, Any]:
    table: dict[tuple[str, str], dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        table[label_of(row[field])][row["day"]] += row["n"]
    ordered = sorted(table, key=lambda key: (-sum(table[key].values()), key[0]))
    return {
        "dates": [d.isoformat() for d in dates],
        "series": [
            {"name": label, "code": code, "data": [table[(label, code)].get(d, 0) for d in dates]}
            for label, code in ordered
        ],
    }


def dashboard_figures_cached(*, user: User, now: dt.datetime, days: int = 30) -> dict[str, Any]:
    """`dashboard_figures`, computed at most once a minute per scope of visibility and language:
    the counts scan the whole table, and a dashboard a minute old is still today's picture."""
    scope = "org" if sees_whole_organisation(user) else f"dept{user.department_id}-user{user.pk}"
    minute = timezone.localtime(now).strftime("%Y%m%d%H%M")
    key = f"kesu:dashboard:{scope}:{get_language()}:{days}:{minute}"
    cached: dict[str, Any] | None = cache.get(key)
    if cached is None:
        cached = dashboard_figures(user=user, now=now, days=days)
        cache.set(key, cached, timeout=120)
    return cached


def dashboard_figures(*, user: User, now: dt.datetime, days: int = 30) -> dict[str, Any]:
    """Counts and per-day series over the last `days` local days, today included."""
    tz = timezone.get_current_timezone()
    today = timezone.localtime(now, tz).date()
    first_day = today - dt.timedelta(days=days - 1)
    start = dt.datetime.combine(first_day, dt.time.min, tzinfo=tz)
    start_today = dt.datetime.combine(today, dt.time.min, tzinfo=tz)
    visible = visible_complaints(user)
    counts = visible.aggregate(
        today=Count("pk", filter=Q(received_at__gte=start_today)),
        open=Count("pk", filter=Q(status__in=OPEN)),
        overdue=Count("pk", filter=overdue_q(now)),
        major=Count("pk", filter=Q(severity="major", status__in=OPEN)),
    )
    dates = [first_day + dt.timedelta(days=i) for i in range(days)]
    # One narrow read of the window, grouped here: cheaper than three GROUP BYs on a
    # per-row time-zone conversion, on SQLite and PostgreSQL alike.
    window = visible.filter(received_at__gte=start).values_list(
        "received_at", "channel", "category_id", "department_id"
    )
    by_channel: dict[tuple[dt.date, Any], int] = defaultdict(int)
    by_category: dict[tuple[dt.date, Any], int] = defaultdict(int)
    by_department: dict[tuple[dt.date, Any], int] = defaultdict(int)
    for received_at, channel, category_id, department_id in window.iterator(chunk_size=5000):
        day = received_at.astimezone(tz).date()
        by_channel[(day, channel)] += 1
        by_category[(day, category_id)] += 1
        by_department[(day, department_id)] += 1

    def by(counts: dict[tuple[dt.date, Any], int], field: str) -> list[dict[str, Any]]:
        return [{"day": day, field: key, "n": n} for (day, key), n in counts.items()]

    channel_names = {c.value: str(c.label) for c in Channel}
    all_categories = {c.pk: c for c in Category.objects.all()}
    top_categories = {c.code: c for c in all_categories.values() if c.level == 1}
    departments = {d.pk: d for d in Department.objects.all()}

    def channel_label(code: str) -> tuple[str, str]:
        return channel_names.get(code, code), code

    def category_label(pk: int | None) -> tuple[str, str]:
        # Sub-categories count under their top-level category.
        node = all_categories.get(pk) if pk else None
        top = top_categories.get(node.code.split(".")[0]) if node else None
        return (top.localized_name, top.code) if top else (_("not classified"), "")

    def department_label(pk: int | None) -> tuple[str, str]:
        department = departments.get(pk) if pk else None
        return (department.name, department.code) if department else (_("no department"), "")

    return {
        "counts": counts,
        "days": days,
        "by_channel": _series(by(by_channel, "channel"), "channel", channel_label, dates),
        "by_category": _series(by(by_category, "category"), "category", category_label, dates),
        "by_department": _series(by(by_department, "department"), "department", department_label, dates),
    }
