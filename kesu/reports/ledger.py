"""The ledger (跟踪台账, SPEC RP-1): one row per complaint, as JSON, CSV or XLSX.

Rows are read in chunks, one SQL statement each (the page of keys, then the deadlines' record, the
latest solution and the latest callback joined set-wise; the small reference tables are looked up
in memory), built as plain lists and written as they are read, so memory does not grow with the
rows. The XLSX file is written by kesu.reports.xlsx, a streaming writer of its own."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connections
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesu.accounts.models import Department, User
from kesu.accounts.permissions import can_view_personal_data
from kesu.complaints.models import Channel, Complaint, Status
from kesu.core.privacy import mask_name, mask_phone
from kesu.customers.services import display_phone
from kesu.deadlines.models import ComplaintDeadline
from kesu.reports.xlsx import write_xlsx
from kesu.resolution.models import Callback, Remedy, RemedyType, Solution, SolutionStatus
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


def headers() -> list[str]:
    return [str(label) for _key, label in COLUMNS]


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


# The complaint's columns the ledger reads, as the page's CTE names them (values() may not reuse a
# field's own name for an expression).
PAGE_COLUMNS = {
    "ledger_key": "pk",
    "ledger_number": "number",
    "ledger_received": "received_at",
    "ledger_channel": "channel",
    "ledger_name": "contact_name",
    "ledger_phone": "contact_phone",
    "ledger_category": "category_id",
    "ledger_severity": "severity",
    "ledger_department": "department_id",
    "ledger_assignee": "assignee_id",
    "ledger_status": "status",
    "ledger_result": "result",
    "ledger_closed": "closed_at",
}

PIECE_SQL = """
WITH p AS ({page})
SELECT p.ledger_key, p.ledger_number, {received_at}, p.ledger_channel, p.ledger_name, p.ledger_phone,
       p.ledger_category, p.ledger_severity, p.ledger_department, p.ledger_assignee, p.ledger_status,
       p.ledger_result, {closed_at}, COALESCE(d.met, 0), COALESCE(d.missed, 0), s.id, s.total, cb.satisfied
FROM p
LEFT JOIN (
    SELECT complaint_id,
           COUNT(CASE WHEN on_time THEN 1 END) AS met,
           COUNT(CASE WHEN NOT on_time THEN 1 END) AS missed
    FROM {deadline} WHERE complaint_id IN (SELECT ledger_key FROM p) GROUP BY complaint_id
) d ON d.complaint_id = p.ledger_key
LEFT JOIN (
    SELECT complaint_id, id, total,
           ROW_NUMBER() OVER (PARTITION BY complaint_id ORDER BY round DESC, id DESC) AS n
    FROM {solution} WHERE status <> %s AND complaint_id IN (SELECT ledger_key FROM p)
) s ON s.complaint_id = p.ledger_key AND s.n = 1
LEFT JOIN (
    SELECT complaint_id, satisfied,
           ROW_NUMBER() OVER (PARTITION BY complaint_id ORDER BY at DESC, id DESC) AS n
    FROM {callback} WHERE reached = %s AND complaint_id IN (SELECT ledger_key FROM p)
) cb ON cb.complaint_id = p.ledger_key AND cb.n = 1
ORDER BY p.ledger_received DESC, p.ledger_key DESC
"""


def _piece_sql(page: QuerySet[Complaint]) -> tuple[str, list[Any]]:
    """One statement for a piece of the ledger: the page of complaints (the caller's filters, order
    and slice, compiled by the ORM; one index range read) in a CTE, joined to their deadline counts,
    latest solution and latest reached callback, each read set-wise for the page alone (no per-row
    subqueries, no list of ids sent back). Plain SQL that PostgreSQL and SQLite both run."""
    columns = {alias: F(name) for alias, name in PAGE_COLUMNS.items()}
    page_sql, page_params = page.values(**columns).query.sql_with_params()
    connection = connections[page.db]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # Seconds since the epoch as float8: psycopg's pure-Python timestamp parsing was a fifth of
        # the export's time; fromtimestamp() is exact to the microsecond for these (|error| < 0.2 µs).
        received_at = "EXTRACT(EPOCH FROM p.ledger_received)::float8"
        closed_at = "EXTRACT(EPOCH FROM p.ledger_closed)::float8"
    else:
        received_at, closed_at = "p.ledger_received", "p.ledger_closed"
    sql = PIECE_SQL.format(
        received_at=received_at,
        closed_at=closed_at,
        page=page_sql,
        deadline=quote(ComplaintDeadline._meta.db_table),
        solution=quote(Solution._meta.db_table),
        callback=quote(Callback._meta.db_table),
    )
    return sql, [*page_params, SolutionStatus.SUPERSEDED.value, True]


def _fetch(page: QuerySet[Complaint]) -> list[tuple[Any, ...]]:
    sql, params = _piece_sql(page)
    connection = connections[page.db]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows: list[tuple[Any, ...]] = cursor.fetchall()
    if connection.vendor != "postgresql":
        rows = [_plain(r) for r in rows]
    return rows


def _plain(r: tuple[Any, ...]) -> tuple[Any, ...]:
    """A row as PostgreSQL returns it (times as seconds since the epoch, Decimal, bool), from a
    backend that hands back naive UTC or text datetimes, numbers for decimals and 0/1 for booleans
    (SQLite)."""
    return (
        *r[:2],
        _epoch(r[2]),
        *r[3:12],
        _epoch(r[12]),
        r[13],
        r[14],
        r[15],
        Decimal(str(r[16])) if r[16] is not None else None,
        bool(r[17]) if r[17] is not None else None,
    )


def _epoch(value: Any) -> float | None:
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return float(value.timestamp())


def _chunks(queryset: QuerySet[Complaint]) -> Iterator[list[tuple[Any, ...]]]:
    """The rows in pieces of CHUNK, newest first, each piece one statement whose keys are read by
    keyset on (received_at, id): no server-side cursor held open, and every piece is an index range
    read, however deep."""
    if queryset.query.is_sliced:
        yield _fetch(queryset)
        return
    ordered = queryset.order_by("-received_at", "-id")
    last: tuple[Any, Any] | None = None
    while True:
        page = ordered
        if last is not None:
            # `received_at <= last` bounds the index range; the OR alone was read as a filter,
            # so every piece scanned (and dropped) all the rows before it.
            page = ordered.filter(Q(received_at__lte=last[0]), Q(received_at__lt=last[0]) | Q(pk__lt=last[1]))
        rows = _fetch(page[:CHUNK])
        if rows:
            yield rows
        if len(rows) < CHUNK:
            return
        last = (dt.datetime.fromtimestamp(rows[-1][2], dt.UTC), rows[-1][0])


def ledger_table(*, user: User, queryset: QuerySet[Complaint], limit: int | None = None) -> Iterator[list[Any]]:
    """The ledger's rows as lists in the order of COLUMNS (plain values: str, int, Decimal, local
    aware datetime or None), newest first. The customer's name and phone are masked unless the
    reader may see them."""
    personal = can_view_personal_data(user)
    look = _lookups()
    tz = timezone.get_current_timezone()
    local = dt.datetime.fromtimestamp  # the zone's own rules (zoneinfo), about 1 µs a value
    satisfaction = {True: _("satisfied"), False: _("not satisfied")}
    channels, severities, statuses = look.channels, look.severities, look.statuses
    categories, departments, users = look.categories, look.departments, look.users
    for chunk in _chunks(queryset if limit is None else queryset.order_by("-received_at", "-id")[:limit]):
        remedies = _remedies([r[15] for r in chunk if r[15]], look.remedies)
        for r in chunk:
            phone = display_phone(r[5])
            total = r[16]
            yield [
                r[1],
                local(r[2], tz),
                channels.get(r[3], r[3]),
                r[4] if personal else (mask_name(r[4]) or ""),
                phone if personal else (mask_phone(phone) or ""),
                categories.get(r[6], ""),
                severities.get(r[7], r[7]),
                departments.get(r[8], ""),
                users.get(r[9], ""),
                statuses.get(r[10], r[10]),
                r[13],
                r[14],
                remedies.get(r[15], ""),
                total.quantize(CENT) if total is not None else None,
                r[11],
                satisfaction.get(r[17], ""),
                local(r[12], tz) if r[12] is not None else None,
            ]


KEYS = [key for key, _label in COLUMNS]


def ledger_rows(*, user: User, queryset: QuerySet[Complaint], limit: int | None = None) -> Iterator[dict[str, Any]]:
    """The ledger's rows keyed by column (the API's JSON), as ledger_table reads them."""
    for row in ledger_table(user=user, queryset=queryset, limit=limit):
        yield dict(zip(KEYS, row, strict=True))


def _local_minute(value: dt.datetime | None) -> str:
    return value.isoformat(" ", "minutes")[:16] if value is not None else ""


def csv_stream(rows: Iterable[list[Any]]) -> Iterator[bytes]:
    """CSV in UTF-8 with a byte-order mark (so Excel opens Chinese text), written row by row from
    ledger_table's rows (times to the minute, local)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    buffer.seek(0)
    buffer.truncate()
    for row in rows:
        row[1] = _local_minute(row[1])
        row[16] = _local_minute(row[16])
        writer.writerow(row)  # None is written empty, numbers and Decimal as str() gives them
        if buffer.tell() > 65536:  # a piece of about 64 KB at a time, not one per row
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode("utf-8")


def xlsx_file(rows: Iterable[list[Any]], *, title: str) -> Any:
    """ledger_table's rows as an XLSX workbook in a temporary file, written as a stream (times as
    date cells in local time, amounts and counts as numbers); returns the open file, positioned
    at its start."""
    handle = tempfile.TemporaryFile()  # noqa: SIM115 (the response closes it after sending)
    write_xlsx(handle, title=title, headers=headers(), rows=rows)
    handle.seek(0)
    return handle


def ledger_count(queryset: QuerySet[Complaint]) -> int:
    return queryset.order_by().count()
