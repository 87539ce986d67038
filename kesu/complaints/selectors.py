"""Reads of complaints, always through `visible_complaints(user)`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import sees_whole_organisation
from kesu.complaints.models import OPEN_STATUSES, Complaint, ComplaintEvent
from kesu.complaints.search import SearchPage
from kesu.core.errors import NotFound


def visible_complaints(user: User) -> QuerySet[Complaint]:
    """Organisation-wide roles see everything; handlers their department's, their own, and what
    they registered until it is handed over (IN-6, 首问负责制); everyone only what the complaint's
    confidentiality level admits (PV-1, kesu.complaints.confidentiality)."""
    from kesu.complaints.confidentiality import confidentiality_q

    queryset = Complaint.objects.all()
    if not sees_whole_organisation(user):
        first_contact = Q(recorded_by_id=user.pk, status__in=NOT_HANDED_OVER)
        queryset = queryset.filter(Q(department_id=user.department_id) | Q(assignee_id=user.pk) | first_contact)
    return queryset.filter(confidentiality_q(user))


# Until it is assigned, a complaint is still with whoever registered it (IN-6).
NOT_HANDED_OVER = ("registered", "acknowledged")


@dataclass(frozen=True)
class ComplaintFilters:
    status: str | None = None
    severity: str | None = None
    channel: str | None = None
    category: str | None = None
    department: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    q: str | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None
    # "relevance" (the default with `q`), "-received_at" (the default without) or "received_at".
    sort: str | None = None


SORT_RELEVANCE = "relevance"
SORTS = (SORT_RELEVANCE, "-received_at", "received_at")


def complaint_list(*, user: User, filters: ComplaintFilters, now: dt.datetime) -> QuerySet[Complaint]:
    queryset = _filtered(user=user, filters=filters, now=now)
    ordering: tuple[Any, ...] = ("-received_at", "-id")
    if filters.q and filters.q.strip():
        from django.db.models import F

        from kesu.complaints.search import complaint_search_q, search_rank, text_rank

        queryset = queryset.filter(complaint_search_q(filters.q))
        # With `q`, by relevance (API.md) unless `sort` says otherwise: exact keys first, then the
        # best text matches, then the newest.
        if filters.sort in (None, "", SORT_RELEVANCE):
            queryset = queryset.annotate(search_rank=search_rank(filters.q), text_rank=text_rank(filters.q))
            ordering = ("search_rank", F("text_rank").asc(nulls_last=True), *ordering)
    if filters.sort == "received_at":
        ordering = ("received_at", "id")
    return with_list_relations(queryset, now=now).order_by(*ordering)


def with_list_relations(queryset: QuerySet[Complaint], *, now: dt.datetime) -> QuerySet[Complaint]:
    """What a list row shows beside the complaint's own columns."""
    from kesu.deadlines.selectors import complaint_overdue_exists

    # `overdue_now` lets is_overdue answer each row of the page without a query of its own.
    return queryset.select_related(
        "customer", "category", "department", "assignee", "recorded_by", "related_to", "merged_into"
    ).annotate(overdue_now=complaint_overdue_exists(now))


def searched_in_one_statement(filters: ComplaintFilters) -> bool:
    """Whether `complaint_search_page` answers this list: `q` by relevance or newest first (oldest
    first reads the other end of time, and stays with `complaint_list`)."""
    return bool(filters.q and filters.q.strip()) and filters.sort in (None, "", SORT_RELEVANCE, "-received_at")


def complaint_search_page(
    *, user: User, filters: ComplaintFilters, now: dt.datetime, offset: int, limit: int
) -> SearchPage:
    """The ids of one page of `complaint_list`'s rows for a `q` (`searched_in_one_statement`) and
    their count, in one statement (kesu.complaints.search.search_page): the order is the same,
    relevance is computed among the newest visible text matches, the count exact up to 1,000."""
    from kesu.complaints.search import search_page

    return search_page(
        _filtered(user=user, filters=filters, now=now),
        filters.q or "",
        now=now,
        offset=offset,
        limit=limit,
        by_relevance=filters.sort in (None, "", SORT_RELEVANCE),
    )


def _filtered(*, user: User, filters: ComplaintFilters, now: dt.datetime) -> QuerySet[Complaint]:
    """The complaints `user` sees that pass every filter but `q`, in no order."""
    queryset = visible_complaints(user)
    if filters.status:
        queryset = queryset.filter(status__in=filters.status.split(","))
    if filters.severity:
        queryset = queryset.filter(severity=filters.severity)
    if filters.channel:
        queryset = queryset.filter(channel=filters.channel)
    if filters.category:
        # A category filter includes its sub-categories.
        queryset = queryset.filter(
            Q(category__code=filters.category) | Q(category__code__startswith=filters.category + ".")
        )
    if filters.department:
        # Resolve code or name first so the (status, department, received_at) index serves the filter.
        named = Q(code=filters.department) | Q(name=filters.department)
        department_ids = list(Department.objects.filter(named).values_list("id", flat=True))
        queryset = queryset.filter(department_id__in=department_ids)
    if filters.assignee:
        queryset = queryset.filter(assignee__username=filters.assignee)
    if filters.overdue is not None:
        condition = overdue_q(now)
        queryset = queryset.filter(condition) if filters.overdue else queryset.exclude(condition)
    if filters.received_from:
        queryset = queryset.filter(received_at__gte=filters.received_from)
    if filters.received_to:
        queryset = queryset.filter(received_at__lt=filters.received_to)
    return queryset


def complaint_get(*, user: User, number: str) -> Complaint | None:
    # Few joins: PostgreSQL spends longer planning a nine-table join than running it; the
    # rarer relations (recorded_by, related_to, merged_into, severity_rule) load by primary key.
    rows = list(
        visible_complaints(user)
        .select_related("customer", "category", "department", "assignee")
        .filter(number=number)
        .order_by()[:1]
    )
    return rows[0] if rows else None


def complaint_for(*, user: User, number: str) -> Complaint:
    """The complaint `number` as `user` may read it, or NotFound (the same 404 whether it does not
    exist or is not visible to `user`)."""
    complaint = complaint_get(user=user, number=number)
    if complaint is None:
        raise NotFound(_("No complaint has this number."))
    return complaint


def complaint_timeline(complaint: Complaint, *, public_only: bool = False) -> QuerySet[ComplaintEvent]:
    events = complaint.events.select_related("actor").order_by("at", "id")
    if public_only:
        events = events.filter(internal=False)
    return events


def customer_open_complaints(*, user: User, customer_id: int, exclude_number: str | None = None) -> QuerySet[Complaint]:
    queryset = visible_complaints(user).filter(customer_id=customer_id, status__in=OPEN_STATUSES)
    if exclude_number:
        queryset = queryset.exclude(number=exclude_number)
    return queryset.order_by("-received_at")


def overdue_q(now: dt.datetime) -> Q:
    """Open complaints with a deadline missed or passed and not met (the on-time records of
    kesu.deadlines: pauses stop the clock, extensions move it)."""
    from kesu.deadlines.selectors import complaint_overdue_exists

    return Q(status__in=OPEN_STATUSES) & (Q(overdue=True) | Q(complaint_overdue_exists(now)))


def is_overdue(complaint: Complaint, now: dt.datetime) -> bool:
    if complaint.status not in OPEN_STATUSES:
        return False
    if complaint.overdue:
        return True
    annotated: bool | None = getattr(complaint, "overdue_now", None)
    if annotated is not None:
        return annotated
    # Without a due time passed there is nothing to look up (keeps list pages at one query).
    if not (
        (complaint.acknowledged_at is None and complaint.acknowledge_due and complaint.acknowledge_due < now)
        or (complaint.replied_at is None and complaint.reply_due and complaint.reply_due < now)
        or (complaint.closed_at is None and complaint.close_due and complaint.close_due < now)
    ):
        return False
    from kesu.deadlines.models import ComplaintDeadline
    from kesu.deadlines.selectors import overdue_deadline_q

    return ComplaintDeadline.objects.filter(overdue_deadline_q(now), complaint_id=complaint.pk).exists()


def customer_history(
    *, user: User, customer_id: int, exclude_number: str | None = None, limit: int = 20
) -> list[Complaint]:
    """The customer's complaints the user may read, newest first: the earlier results at hand for a
    repeat complaint (IN-10)."""
    queryset = visible_complaints(user).filter(customer_id=customer_id)
    if exclude_number:
        queryset = queryset.exclude(number=exclude_number)
    return list(queryset.only("number", "status", "received_at", "title", "result").order_by("-received_at")[:limit])
