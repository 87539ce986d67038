"""Ledger, indicators, sales volumes and forms (API.md "Ledger, indicators, reports")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from kesu.api.access import ERRORS, AuthedRequest
from kesu.api.complaints import ListQuery, check_filter_values, parse_time_or_date
from kesu.complaints.selectors import ComplaintFilters, complaint_list
from kesu.complaints.validation import Collector
from kesu.core import clock
from kesu.core.errors import NotFound, PermissionDenied
from kesu.reports import ledger
from kesu.reports.kpis import GROUPS, kpi_report
from kesu.reports.services import may_read_reports, sales_volume_set
from kesu.reports.tallies import refresh_tallies

router = Router(tags=["reports"])
LEDGER_FORMATS = ("json", "csv", "xlsx")
MAX_LEDGER_PAGE_SIZE = 1000


class LedgerQuery(ListQuery):
    format: str = "json"
    page_size: int = 100


class LedgerRowOut(Schema):
    number: str
    received_at: Any
    channel: str
    customer: str
    phone: str
    category: str
    severity: str
    department: str
    handler: str
    status: str
    deadlines_met: int
    deadlines_missed: int
    solution: str
    amount: str | None
    result: str
    satisfaction: str
    closed_at: Any


class LedgerOut(Schema):
    count: int
    results: list[LedgerRowOut]


def ledger_filters(query: ListQuery, c: Collector) -> ComplaintFilters:
    """The list's filters (GET /api/v1/complaints), read and checked the same way."""
    received_from = parse_time_or_date(query.received_from, "received_from", c) if query.received_from else None
    received_to = parse_time_or_date(query.received_to, "received_to", c) if query.received_to else None
    if query.q and len(query.q) > 200:
        c.add("q", _("Enter at most %(max)d characters (it has %(length)d).") % {"max": 200, "length": len(query.q)})
    check_filter_values(query, c)
    return ComplaintFilters(
        status=query.status,
        severity=query.severity,
        channel=query.channel,
        category=query.category,
        department=query.department,
        assignee=query.assignee,
        overdue=query.overdue,
        q=query.q,
        received_from=received_from,
        received_to=received_to,
    )


def ledger_response(rows: Any, *, file_format: str) -> HttpResponseBase:
    """The ledger as a downloaded file: CSV streamed as it is read, XLSX from a temporary file."""
    stamp = timezone.localtime(clock.now()).strftime("%Y%m%d-%H%M")
    name = f"ledger-{stamp}.{file_format}"
    if file_format == "csv":
        response = StreamingHttpResponse(ledger.csv_stream(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    handle = ledger.xlsx_file(rows, title=_("Ledger"))
    return FileResponse(
        handle,
        as_attachment=True,
        filename=name,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@router.get("/ledger", response={200: LedgerOut, **ERRORS})
def ledger_view(request: AuthedRequest, query: Query[LedgerQuery]) -> Any:
    """Every complaint the caller may read, one row each (SPEC RP-1), with the list's filters.
    `format=csv` or `format=xlsx` returns every matching row as a file (headers in the request's
    language); JSON pages with `page` and `page_size` (at most 1,000)."""
    now = clock.now()
    c = Collector()
    if query.format not in LEDGER_FORMATS:
        c.add("format", _("Unknown value: %(value)s.") % {"value": query.format}, "unknown_value")
    if query.page < 1:
        c.add("page", _("Give a page number of 1 or more."), "invalid")
    if not 1 <= query.page_size <= MAX_LEDGER_PAGE_SIZE:
        c.add("page_size", _("Give a page size from 1 to %(max)d.") % {"max": MAX_LEDGER_PAGE_SIZE}, "invalid")
    filters = ledger_filters(query, c)
    c.raise_if_any()
    queryset = complaint_list(user=request.user, filters=filters, now=now)
    if query.format != "json":
        return ledger_response(ledger.ledger_table(user=request.user, queryset=queryset), file_format=query.format)
    offset = (query.page - 1) * query.page_size
    page = queryset.order_by("-received_at", "-id")[offset : offset + query.page_size]
    results = [
        {**row, "amount": str(row["amount"]) if row["amount"] is not None else None}
        for row in ledger.ledger_rows(user=request.user, queryset=page)
    ]
    return {"count": ledger.ledger_count(queryset), "results": results}


# --- indicators (SPEC RP-2) ---------------------------------------------------------------------


class KpiQuery(Schema):
    date_from: str | None = Field(None, alias="from")
    date_to: str | None = Field(None, alias="to")
    group_by: str | None = None


def parse_period(date_from: str | None, date_to: str | None, c: Collector) -> tuple[dt.date | None, dt.date | None]:
    """Two local dates, the first not after the second, at most ten years apart."""
    days: list[dt.date | None] = []
    for name, value in (("from", date_from), ("to", date_to)):
        if not value:
            c.add(name, _("This field is required."), "required")
            days.append(None)
            continue
        try:
            day = parse_date(value.strip())
        except ValueError:
            day = None
        if day is None or not 1900 <= day.year <= 2999:
            c.add(name, _("Give a date as YYYY-MM-DD."), "invalid")
        days.append(day)
    first, last = days
    if first and last and last < first:
        c.add("to", _("The period ends before it starts."), "invalid")
    elif first and last and (last - first).days > 3660:
        c.add("to", _("A period is at most ten years long."), "invalid")
    return first, last


@router.get("/reports/kpis", response={200: dict[str, Any], **ERRORS})
def kpis(request: AuthedRequest, query: Query[KpiQuery]) -> Any:
    """Indicators for a period of local days (docs/indicators.md), in total and per group, each
    with `previous`: the same indicators for the period of the same length just before."""
    if not may_read_reports(request.user):
        raise PermissionDenied(_("Indicators are for supervisors, managers and auditors."))
    c = Collector()
    date_from, date_to = parse_period(query.date_from, query.date_to, c)
    if query.group_by and query.group_by not in GROUPS:
        c.add("group_by", _("Unknown value: %(value)s.") % {"value": query.group_by}, "unknown_value")
    c.raise_if_any()
    assert date_from is not None and date_to is not None
    refresh_tallies(now=clock.now())
    return kpi_report(user=request.user, date_from=date_from, date_to=date_to, group_by=query.group_by or None)


class SalesVolumeIn(Schema):
    period: Any = None
    category: Any = None
    units: Any = None


class SalesVolumeOut(Schema):
    period: str
    category: str | None
    units: int


@router.post("/sales-volumes", response={200: SalesVolumeOut, 201: SalesVolumeOut, **ERRORS})
def sales_volume(request: AuthedRequest, body: SalesVolumeIn) -> Any:
    """Units sold in a month (`YYYY-MM`), for a top-level category or in all: the denominator of the
    incidence rate. Entering a month again corrects it (200); a new one answers 201."""
    row, created = sales_volume_set(
        actor=request.user, period=body.period, units=body.units, category=body.category, now=clock.now()
    )
    return Status(
        201 if created else 200,
        {"period": row.period, "category": row.category.code if row.category else None, "units": row.units},
    )


# --- forms (SPEC RP-6) --------------------------------------------------------------------------


def _pdf(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@router.get("/complaints/{number}/forms/{form}.pdf", response={200: None, **ERRORS})
def complaint_form_pdf(request: AuthedRequest, number: str, form: str) -> HttpResponse:
    """`complaint_record` (顾客投诉记录表) or `handling_form` (客户埋怨处理表, with its sign-off chain)."""
    from kesu.reports.forms import complaint_form_html, html_to_pdf

    html = complaint_form_html(user=request.user, number=number, form=form)
    return _pdf(html_to_pdf(html), f"{form}-{number}.pdf")


class PeriodQuery(Schema):
    date_from: str | None = Field(None, alias="from")
    date_to: str | None = Field(None, alias="to")


@router.get("/forms/{form}.pdf", response={200: None, **ERRORS})
def period_form_pdf(request: AuthedRequest, form: str, query: Query[PeriodQuery]) -> HttpResponse:
    """`opinion_card_book` (顾客意见单处理追踪簿) or `record_summary` (顾客投诉记录汇总表), for the
    complaints the caller may read received between `from` and `to` (local dates, inclusive)."""
    from kesu.reports.forms import PERIOD_FORMS, html_to_pdf, period_form_html

    if form not in PERIOD_FORMS:
        raise NotFound(_("No such form."))
    c = Collector()
    date_from, date_to = parse_period(query.date_from, query.date_to, c)
    c.raise_if_any()
    assert date_from is not None and date_to is not None
    html = period_form_html(user=request.user, form=form, date_from=date_from, date_to=date_to)
    return _pdf(html_to_pdf(html), f"{form}-{date_from.isoformat()}-{date_to.isoformat()}.pdf")


# --- disclosure (SPEC RP-5): the public register and the JR/T 0169-2018 export --------------------


class OutcomeOut(Schema):
    month: str
    category: str | None
    category_name: str
    summary: str
    outcome: str
    published_at: Any


class OutcomesOut(Schema):
    count: int
    results: list[OutcomeOut]


class OutcomesQuery(Schema):
    page: int = 1
    page_size: int = 20


@router.get("/public/outcomes", response={200: OutcomesOut, **ERRORS}, auth=None, tags=["public"])
def public_outcomes_view(request: Any, query: Query[OutcomesQuery]) -> Any:
    """The anonymised outcomes the organisation published (no login): the month, the top-level
    category, the summary and the outcome as a manager wrote them for the public; nothing else."""
    from kesu.reports.disclosure import public_outcomes, public_row

    c = Collector()
    if query.page < 1:
        c.add("page", _("Enter a whole number of 1 or more."), "invalid")
    if not 1 <= query.page_size <= 100:
        c.add("page_size", _("Enter a whole number from 1 to 100."), "invalid")
    c.raise_if_any()
    rows = public_outcomes()
    start = (query.page - 1) * query.page_size
    return {"count": rows.count(), "results": [public_row(r) for r in rows[start : start + query.page_size]]}


class PublicationIn(Schema):
    summary: Any = None
    outcome: Any = None


class PublicationOut(Schema):
    number: str
    month: str
    summary: str
    outcome: str
    published_at: Any
    withdrawn_at: Any = None


@router.post("/complaints/{number}/publication", response={200: PublicationOut, 201: PublicationOut, **ERRORS})
def publication_set(request: AuthedRequest, number: str, body: PublicationIn) -> Any:
    """Publish a closed complaint's outcome in the public register (managers; docs/disclosure.md):
    201 when new, 200 when corrected; 422 by the field when the text identifies a person."""
    from kesu.reports.disclosure import outcome_publish

    row, created = outcome_publish(
        actor=request.user, number=number, summary=body.summary, outcome=body.outcome, now=clock.now()
    )
    return Status(
        201 if created else 200,
        {
            "number": number,
            "month": row.period,
            "summary": row.summary,
            "outcome": row.outcome,
            "published_at": row.published_at,
            "withdrawn_at": None,
        },
    )


@router.delete("/complaints/{number}/publication", response={204: None, **ERRORS})
def publication_withdraw(request: AuthedRequest, number: str) -> Any:
    """Take the outcome off the public register (the record stays for the audit trail)."""
    from kesu.reports.disclosure import outcome_withdraw

    outcome_withdraw(actor=request.user, number=number, now=clock.now())
    return Status(204, None)


class DisclosureQuery(Schema):
    date_from: str | None = Field(None, alias="from")
    date_to: str | None = Field(None, alias="to")
    format: str = "json"


@router.get("/reports/disclosure", response={200: dict[str, Any], **ERRORS})
def disclosure_export(request: AuthedRequest, query: Query[DisclosureQuery]) -> Any:
    """Complaints received in the period counted by month and by the JR/T 0169-2018 codes of their
    channel (A), business type (B) and reason (C); `format=csv|xlsx` for a file. Counts only."""
    from kesu.reports.disclosure import export_file, jrt_export

    c = Collector()
    date_from, date_to = parse_period(query.date_from, query.date_to, c)
    if query.format not in LEDGER_FORMATS:
        c.add("format", _("Unknown value: %(value)s.") % {"value": query.format}, "unknown_value")
    c.raise_if_any()
    assert date_from is not None and date_to is not None
    rows = jrt_export(user=request.user, date_from=date_from, date_to=date_to)
    if query.format == "json":
        return {"from": date_from.isoformat(), "to": date_to.isoformat(), "results": rows}
    content, content_type = export_file(rows, file_format=query.format)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="jrt0169-{date_from:%Y%m%d}-{date_to:%Y%m%d}.{query.format}"'
    )
    return response
