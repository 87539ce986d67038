"""The ledger (跟踪台账, SPEC RP-1): one row per complaint, as JSON, CSV or XLSX.

Rows are read in chunks through one narrow query (subqueries for the deadlines' record, the
latest solution and the latest callback; the small reference tables are looked up in memory),
and written as they are read, so memory does not grow with the rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import can_view_personal_data
from kesu.complaints.models import Channel, Complaint, Status
from kesu.core.privacy import mask_name, mask_phone
from kesu.customers.services import display_phone
from kesu.deadlines.models import ComplaintDeadline
from kesu.resolution.models import Callback, Remedy, RemedyType, Solution
from kesu.triage.models import Category, Severity

CHUNK = 2000
CENT = Decimal("0.01")

# (key, header msgid): the ledger's columns, in order (JSON keys and file headers).
COLUMNS: list[tuple[str, Any]] = [
    ("number", gettext_lazy("Number")),
    ("received_at", gettext_lazy("Received")),
    ("channel", gettext_lazy("Channel")),
    ("customer", gettext_lazy("Customer")),
    ("phone", gettext_lazy("Phone")),
    ("category", gettext_lazy("Category")),
    ("severity", gettext_lazy("Severity")),
    ("department", gettext_lazy("Department")),
    ("handler", gettext_lazy("Handler")),
    ("status", gettext_lazy("Status")),
    ("deadlines_met", gettext_lazy("Deadlines met")),
    ("deadlines_missed", gettext_lazy("Deadlines missed")),
    ("solution", gettext_lazy("Solution")),
    ("amount", gettext_lazy("Amount (CNY)")),
    ("result", gettext_lazy("Result")),
    ("satisfaction", gettext_lazy("Satisfaction")),
    ("closed_at", gettext_lazy("Closed")),
]

FIELDS = (
    "pk",
    "number",
    "received_at",
    "channel",
    "contact_name",
    "contact_phone",
    "category_id",
    "severity",
    "department_id",
    "assignee_id",
    "status",
    "result",
    "closed_at",
    "met",
    "missed",
    "solution_id",
    "solution_total",
    "satisfied",
)


def headers() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


def _annotated(queryset: QuerySet[Complaint]) -> QuerySet[Complaint]:
    deadlines = ComplaintDeadline.objects.filter(complaint=OuterRef("pk")).order_by().values("complaint")
    met = deadlines.filter(on_time=True).annotate(n=Count("pk")).values("n")
    missed = deadlines.filter(on_time=False).annotate(n=Count("pk")).values("n")
    solution = Solution.objects.filter(complaint=OuterRef("pk")).exclude(status="superseded").order_by("-round", "-id")
    callback = Callback.objects.filter(complaint=OuterRef("pk"), reached=True).order_by("-at", "-id")
    return queryset.annotate(
        met=Coalesce(Subquery(met, output_field=IntegerField()), 0),
        missed=Coalesce(Subquery(missed, output_field=IntegerField()), 0),
        solution_id=Subquery(solution.values("pk")[:1]),
        solution_total=Subquery(
            solution.values("total")[:1], output_field=DecimalField(max_digits=12, decimal_places=2)
        ),
        satisfied=Subquery(callback.values("satisfied")[:1]),
    )


@dataclass
class _Lookups:
    categories: dict[int, str]
    departments: dict[int, str]
    users: dict[int, str]
    channels: dict[str, str]
    severities: dict[str, str]
    statuses: dict[str, str]
    remedies: dict[str, str]


def _lookups() -> _Lookups:
    nodes = {c.pk: c for c in Category.objects.all()}

    def path(category: Category) -> str:
        names = [category.localized_name]
        parent = nodes.get(category.parent_id) if category.parent_id else None
        while parent is not None:
            names.append(parent.localized_name)
            parent = nodes.get(parent.parent_id) if parent.parent_id else None
        return " / ".join(reversed(names))

    return _Lookups(
        categories={pk: path(c) for pk, c in nodes.items()},
        departments=dict(Department.objects.values_list("id", "name")),
        users={u.pk: (u.get_full_name() or u.username) for u in User.objects.all()},
        channels={c.value: str(c.label) for c in Channel},
        severities={s.value: str(s.label) for s in Severity},
        statuses={s.value: str(s.label) for s in Status},
        remedies={r.value: str(r.label) for r in RemedyType},
    )


def _remedies(solution_ids: list[int], labels: dict[str, str]) -> dict[int, str]:
    """The remedies of a chunk's solutions, one query per chunk ("refund 50.00; apology")."""
    found: dict[int, list[str]] = {}
    rows = Remedy.objects.filter(solution_id__in=solution_ids).order_by("solution_id", "alternative", "id")
    for solution_id, kind, amount in rows.values_list("solution_id", "type", "amount"):
        text = labels.get(kind, kind)
        found.setdefault(solution_id, []).append(f"{text} {amount}" if amount else text)
    return {key: "; ".join(value) for key, value in found.items()}


def _chunks(queryset: QuerySet[Complaint]) -> Iterator[list[tuple[Any, ...]]]:
    """The rows in pieces of CHUNK, newest first, each piece read by keyset on (received_at, id):
    no server-side cursor held open, and every piece is an index range read, however deep."""
    if queryset.query.is_sliced:
        yield list(_annotated(queryset).values_list(*FIELDS))
        return
    ordered = queryset.order_by("-received_at", "-id")
    last: tuple[Any, Any] | None = None
    while True:
        page = ordered
        if last is not None:
            page = ordered.filter(Q(received_at__lt=last[0]) | Q(received_at=last[0], pk__lt=last[1]))
        # The keys first (a narrow ordered read), then the piece's columns and subqueries by
        # primary key: PostgreSQL would otherwise compute the subqueries for every row it sorts.
        keys = list(page.values_list("pk", "received_at")[:CHUNK])
        if keys:
            found = {
                row[0]: row
                for row in _annotated(Complaint.objects.filter(pk__in=[k[0] for k in keys])).values_list(*FIELDS)
            }
            yield [found[pk] for pk, _received in keys if pk in found]
        if len(keys) < CHUNK:
            return
        last = (keys[-1][1], keys[-1][0])


def ledger_rows(*, user: User, queryset: QuerySet[Complaint], limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The ledger's rows (plain values: str, int, Decimal, datetime or None), newest first. The
    customer's name and phone are masked unless the reader may see them."""
    personal = can_view_personal_data(user)
    look = _lookups()
    tz = timezone.get_current_timezone()
    satisfaction = {True: _("satisfied"), False: _("not satisfied")}

    def flush(chunk: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
        remedies = _remedies([r[15] for r in chunk if r[15]], look.remedies)
        for r in chunk:
            phone = display_phone(r[5]) or ""
            yield {
                "number": r[1],
                "received_at": r[2].astimezone(tz),
                "channel": look.channels.get(r[3], r[3]),
                "customer": r[4] if personal else (mask_name(r[4]) or ""),
                "phone": phone if personal else (mask_phone(phone) or ""),
                "category": look.categories.get(r[6], "") if r[6] else "",
                "severity": look.severities.get(r[7], r[7]),
                "department": look.departments.get(r[8], "") if r[8] else "",
                "handler": look.users.get(r[9], "") if r[9] else "",
                "status": look.statuses.get(r[10], r[10]),
                "deadlines_met": r[13],
                "deadlines_missed": r[14],
                "solution": remedies.get(r[15], "") if r[15] else "",
                "amount": Decimal(r[16]).quantize(CENT) if r[16] is not None else None,
                "result": r[11],
                "satisfaction": satisfaction.get(r[17], "") if r[17] is not None else "",
                "closed_at": r[12].astimezone(tz) if r[12] else None,
            }

    for chunk in _chunks(queryset if limit is None else queryset.order_by("-received_at", "-id")[:limit]):
        yield from flush(chunk)


def _cell(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value)
    return str(_cell(value))


def csv_stream(rows: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """CSV in UTF-8 with a byte-order mark (so Excel opens Chinese text), written row by row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    keys = [key for key, _label in COLUMNS]
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        writer.writerow([_text(row[key]) for key in keys])
        if buffer.tell() > 65536:  # a piece of about 64 KB at a time, not one per row
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def xlsx_file(rows: Iterator[dict[str, Any]], *, title: str) -> Any:
    """The rows as an XLSX workbook in a temporary file (openpyxl's write-only mode streams the
    sheet to disk, so memory stays flat); returns the open file, positioned at its start."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    bold = Font(bold=True)
    header_cells = []
    for text in headers():
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    keys = [key for key, _label in COLUMNS]
    for row in rows:
        sheet.append([_xlsx_value(row[key]) for key in keys])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it after sending)
    workbook.save(handle)
    handle.seek(0)
    return handle


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)  # local time; Excel has no time zones
    return value  # openpyxl writes Decimal as a number


def ledger_count(queryset: QuerySet[Complaint]) -> int:
    return queryset.order_by().count()
