"""Staff endpoints: register, list, read and move complaints."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.http import FileResponse, HttpResponse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from kesu.accounts.models import Department, User
from kesu.api.access import AuthedRequest, complaint_of
from kesu.api.body import json_object
from kesu.api.openapi import json_body
from kesu.api.schemas import (
    AttachmentOut,
    ClassificationIn,
    ComplaintIn,
    ComplaintListOut,
    ComplaintOut,
    ErrorOut,
    TransitionIn,
)
from kesu.api.serializers import LIST_COLUMNS, ListRows, complaint_dict, complaint_out, json_response
from kesu.complaints.cursor import Cursor, cursor_after, cursor_decode
from kesu.complaints.models import Channel, Complaint
from kesu.complaints.models import Status as ComplaintStatus
from kesu.complaints.selectors import SORTS as LIST_SORTS
from kesu.complaints.selectors import (
    ComplaintFilters,
    complaint_list,
    complaint_search_page,
    complaint_timeline,
    searched_in_one_statement,
)
from kesu.complaints.services.classification import complaint_reclassify
from kesu.complaints.services.evidence import attachment_add, attachment_dict, attachment_get
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.services.transitions import complaint_transition
from kesu.complaints.validation import Collector, parse_timestamp
from kesu.core import clock
from kesu.triage.models import Category, Severity

router = Router(tags=["complaints"])
MAX_PAGE = 100_000  # beyond it the offset alone overflows the databases' integers
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 422: ErrorOut}


class ListQuery(Schema):
    status: str | None = None
    severity: str | None = None
    channel: str | None = None
    category: str | None = None
    department: str | None = None
    assignee: str | None = None
    overdue: bool | None = None
    q: str | None = None
    received_from: str | None = None
    received_to: str | None = None
    # relevance (the default with q), -received_at (the default without), received_at
    sort: str | None = None
    page: int = 1
    page_size: int = 20
    # keyset paging (docs/README.md, "Listing"): the `next_cursor` of the previous page
    cursor: str | None = None


@router.post(
    "/complaints",
    response={201: ComplaintOut, **ERRORS},
    openapi_extra=json_body(ComplaintIn, "A complaint from any channel."),
)
def register(request: AuthedRequest) -> Status[dict[str, Any]]:
    now = clock.now()
    complaint = complaint_register(actor=request.user, payload=json_object(request), now=now)
    return Status(201, complaint_dict(complaint, user=request.user, now=now))


@router.get("/complaints", response={200: ComplaintListOut, **ERRORS})
def list_complaints(request: AuthedRequest, filters: Query[ListQuery]) -> HttpResponse:
    now = clock.now()
    c = Collector()
    if filters.page < 1:
        c.add("page", _("Give a page number of 1 or more."), "invalid")
    elif filters.page > MAX_PAGE:
        c.add("page", _("Give a page number of at most %(max)d.") % {"max": MAX_PAGE}, "invalid")
    if not 1 <= filters.page_size <= 100:
        c.add("page_size", _("Give a page size from 1 to 100."), "invalid")
    received_from = received_to = None
    if filters.received_from:
        received_from = parse_time_or_date(filters.received_from, "received_from", c)
    if filters.received_to:
        received_to = parse_time_or_date(filters.received_to, "received_to", c)
    if filters.q and len(filters.q) > 200:
        c.add("q", _("Enter at most %(max)d characters (it has %(length)d).") % {"max": 200, "length": len(filters.q)})
    check_filter_values(filters, c)
    cursor = _cursor_of(filters, c)
    c.raise_if_any()
    list_filters = ComplaintFilters(
        status=filters.status,
        severity=filters.severity,
        channel=filters.channel,
        category=filters.category,
        department=filters.department,
        assignee=filters.assignee,
        overdue=filters.overdue,
        q=filters.q,
        received_from=received_from,
        received_to=received_to,
        sort=filters.sort,
    )
    offset = (filters.page - 1) * filters.page_size
    limit = filters.page_size
    if cursor is None and searched_in_one_statement(list_filters):
        # The page's ids and the count in one statement (kesu.complaints.search.search_page), then
        # those rows: a frequent word matches hundreds of thousands of complaints at a million.
        page = complaint_search_page(user=request.user, filters=list_filters, now=now, offset=offset, limit=limit)
        rows = rows_in_order(complaint_list(user=request.user, filters=ComplaintFilters(), now=now), page.ids)
        count, exact = page.count, page.exact
    else:
        queryset = complaint_list(user=request.user, filters=list_filters, now=now)
        counted = queryset
        if cursor is not None:
            queryset = queryset.filter(cursor.after())
        if filters.q and filters.q.strip():
            # The page's ids first (a narrow sort: with `q` a frequent word matches thousands of
            # rows, and sorting whole rows with their joins costs seconds), then those rows.
            rows = rows_in_order(queryset, list(queryset.values_list("pk", flat=True)[offset : offset + limit]))
        else:
            # Newest first along the (status, department, received_at) indexes: the rows at once.
            rows = list(queryset.values("id", *LIST_COLUMNS)[offset : offset + limit])
        if cursor is None:
            count, exact = page_count(queryset, offset=offset, limit=limit, found=len(rows))
        else:  # the rows before the cursor are not known here: the whole list's count (capped)
            count, exact = page_count(counted, offset=0, limit=1, found=1)
    time_sort = _time_sort(filters)
    next_cursor = cursor_after(time_sort, rows[-1]) if time_sort and len(rows) == limit else None
    serializer = ListRows(request.user)
    return json_response(
        {
            "count": count,
            "page": filters.page,
            "page_size": filters.page_size,
            "results": [serializer.row(r) for r in rows],
            "count_exact": exact,
            "next_cursor": next_cursor,
        }
    )


def rows_in_order(queryset: QuerySet[Complaint], ids: list[int]) -> list[dict[str, Any]]:
    """The list rows of these complaints, in the order of `ids` (no query for none)."""
    if not ids:
        return []
    loaded = {r["id"]: r for r in queryset.order_by().filter(pk__in=ids).values("id", *LIST_COLUMNS)}
    return [loaded[pk] for pk in ids if pk in loaded]


def _time_sort(filters: ListQuery) -> str | None:
    """The time order the list is in, if it is in one (a cursor can continue only those)."""
    if filters.sort in ("-received_at", "received_at"):
        return filters.sort
    if not filters.sort and not (filters.q and filters.q.strip()):
        return "-received_at"
    return None


def _cursor_of(filters: ListQuery, c: Collector) -> Cursor | None:
    if filters.cursor is None:
        return None
    try:
        cursor = cursor_decode(filters.cursor.strip())
    except ValueError:
        c.add("cursor", _("This is not a cursor of this list: give the next_cursor of the page before."), "invalid")
        return None
    if filters.page != 1:
        c.add("cursor", _("Give either a cursor or a page number, not both."), "invalid")
    elif cursor.sort != _time_sort(filters):
        c.add(
            "cursor",
            _("This cursor continues a list in another order: keep the sort of the page it came from."),
            "invalid",
        )
    return cursor


COUNT_CAP = 10_000  # counted exactly up to here; beyond, a lower bound (docs/README.md, "Listing")


def page_count(queryset: QuerySet[Complaint], *, offset: int, limit: int, found: int) -> tuple[int, bool]:
    """How many rows the list has, and whether that is exact. A page that is not full ends the list
    (no query); otherwise a count of at most COUNT_CAP + 1 rows, cheap at a million."""
    if found < limit and (found or not offset):
        return offset + found, True
    counted = queryset.order_by().values("pk")[: COUNT_CAP + 1].count()
    if counted <= COUNT_CAP:
        return counted, True
    return max(COUNT_CAP, offset + found), False


def parse_time_or_date(value: str, name: str, c: Collector) -> dt.datetime | None:
    """A timestamp with its offset, or a plain date: that day's local midnight (TIME_ZONE)."""
    day = parse_date(value.strip()) if len(value.strip()) == 10 else None
    if day is not None:
        return dt.datetime.combine(day, dt.time(), tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return parse_timestamp(value, name, c)


def check_filter_values(filters: ListQuery, c: Collector) -> None:
    """An unknown value in a filter is a 422 naming it, like any other bad filter (not an empty list)."""
    unknown = _("Unknown value: %(value)s.")
    statuses = {s.value for s in ComplaintStatus}
    for value in (filters.status or "").split(",") if filters.status else []:
        if value not in statuses:
            c.add("status", unknown % {"value": value}, "unknown_value")
            break
    if filters.severity and filters.severity not in {s.value for s in Severity}:
        c.add("severity", unknown % {"value": filters.severity}, "unknown_value")
    if filters.channel and filters.channel not in {ch.value for ch in Channel}:
        c.add("channel", unknown % {"value": filters.channel}, "unknown_value")
    if filters.category and not Category.objects.filter(code=filters.category).exists():
        c.add("category", unknown % {"value": filters.category}, "unknown_value")
    if (
        filters.department
        and not Department.objects.filter(Q(code=filters.department) | Q(name=filters.department)).exists()
    ):
        c.add("department", unknown % {"value": filters.department}, "unknown_value")
    if filters.assignee and not User.objects.filter(username=filters.assignee).exists():
        c.add("assignee", unknown % {"value": filters.assignee}, "unknown_value")
    if filters.sort and filters.sort not in LIST_SORTS:
        c.add("sort", unknown % {"value": filters.sort}, "unknown_value")


def detail_body(request: AuthedRequest, number: str) -> dict[str, Any]:
    """The complaint with its timeline as the caller may see it (404 when they may not): the
    answer of the detail view and of every endpoint that changes a complaint."""
    complaint = complaint_of(request, number)
    return complaint_dict(complaint, user=request.user, now=clock.now(), timeline=list(complaint_timeline(complaint)))


def detail_response(request: AuthedRequest, number: str) -> HttpResponse:
    """detail_body JSON-ready and encoded, without the schema's validation (kesu.api.serializers)."""
    complaint = complaint_of(request, number)
    timeline = list(complaint_timeline(complaint))
    return json_response(complaint_out(complaint, user=request.user, now=clock.now(), timeline=timeline))


@router.get("/complaints/{number}", response={200: ComplaintOut, **ERRORS})
def detail(request: AuthedRequest, number: str) -> HttpResponse:
    return detail_response(request, number)


@router.post(
    "/complaints/{number}/transitions",
    response={200: ComplaintOut, **ERRORS},
    openapi_extra=json_body(TransitionIn, "An action of the lifecycle and its parameters."),
)
def transition(request: AuthedRequest, number: str) -> HttpResponse:
    now = clock.now()
    payload = json_object(request)
    complaint_transition(actor=request.user, number=number, action=payload.get("action", ""), payload=payload, now=now)
    return detail_response(request, number)


@router.post(
    "/complaints/{number}/classification",
    response={200: ComplaintOut, **ERRORS},
    openapi_extra=json_body(ClassificationIn, "New severity, urgency or category."),
)
def reclassify(request: AuthedRequest, number: str) -> HttpResponse:
    complaint_reclassify(actor=request.user, number=number, payload=json_object(request), now=clock.now())
    return detail_response(request, number)


@router.post("/complaints/{number}/attachments", response={201: AttachmentOut, **ERRORS})
def upload_attachment(
    request: AuthedRequest, number: str, file: File[UploadedFile], description: Form[str] = ""
) -> Status[dict[str, Any]]:
    complaint = complaint_of(request, number)
    attachment = attachment_add(
        actor=request.user,
        complaint=complaint,
        upload=file,
        name=file.name or "",
        size=file.size or 0,
        description=description.strip(),
        now=clock.now(),
    )
    return Status(201, attachment_dict(attachment))


@router.get("/complaints/{number}/attachments", response={200: list[AttachmentOut], **ERRORS})
def list_attachments(request: AuthedRequest, number: str) -> list[dict[str, Any]]:
    complaint = complaint_of(request, number)
    from kesu.complaints.confidentiality import readable_attachments

    return [attachment_dict(a) for a in readable_attachments(request.user, complaint, complaint.attachments.all())]


@router.get("/complaints/{number}/attachments/{attachment_id}/content", response={200: None, **ERRORS})
def download_attachment(request: AuthedRequest, number: str, attachment_id: int) -> FileResponse:
    complaint = complaint_of(request, number)
    attachment = attachment_get(complaint=complaint, attachment_id=attachment_id, user=request.user)
    response = FileResponse(
        attachment.file.open("rb"),
        content_type=attachment.content_type,
        as_attachment=not attachment.content_type.startswith("image/"),
        filename=attachment.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
