"""Bulk import of historical complaints on PostgreSQL (`kesu import FILE --historical --bulk`,
issue 15 item 4).

The rows are checked by the same `RowChecker` as the row-by-row import (kesu/imports/services.py)
and graded, routed and built by the same functions as `complaint_register`
(kesu/complaints/services/intake.py), so a file imported either way stores the same rows; only
the writing differs. The rows are prepared (checks, severity, search document) in a pool of
worker processes, then written a chunk per transaction with COPY:

- the month counters: each month's block of serials reserved in one statement per month, the
  rows numbered in the order of their time received (the file is read first and its rows
  processed in that order, so numbers ascend with the time received across chunks) and gap-free
  (a chunk that fails rolls its reservation back);
- customers deduplicated by normalised phone (then e-mail), the known ones reused, the new ones
  inserted with `ON CONFLICT DO NOTHING`;
- complaints, their two timeline events (`registered`, `historical_outcome`) and audit records,
  triage suggestions (and the overrides a severity given in the file makes), the imported-row
  records; then the daily tallies of the new complaints (kesu/reports/tallies.py).

Historical only: no deadlines are started and nobody is notified, so nothing else is written.
A bad row is reported as the row-by-row import reports it and stores nothing; a row imported
before (its `external_ref`, or its values) is skipped. On SQLite the command imports row by row.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import secrets
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.utils import translation
from django.utils.dateparse import parse_datetime

from kesu.accounts.models import User
from kesu.audit.models import AuditRecord
from kesu.audit.services import audit_content, keyed_digester
from kesu.complaints.events import event_build
from kesu.complaints.models import Complaint, ComplaintEvent, Status
from kesu.complaints.numbering import format_number, period_of
from kesu.complaints.search import _converter, _jieba, number_tokens, phone_key, search_document_halves
from kesu.complaints.selectors import visible_complaints
from kesu.complaints.services.intake import (
    COMPLAINT_DESK,
    complaint_build,
    registered_event_data,
    registration_triage,
    route,
    takes_agent_on_duty,
)
from kesu.complaints.validation import IntakeData, category_with_ancestors
from kesu.core.errors import FieldError, ValidationFailed
from kesu.core.reference import reference_scope, remembered, scope_version
from kesu.customers.models import Customer
from kesu.imports.columns import GENERIC
from kesu.imports.models import BatchState, ImportBatch, ImportedRecord
from kesu.imports.reading import read_table
from kesu.imports.services import (
    CellError,
    HistoricalOutcome,
    PreparedRow,
    Progress,
    RowChecker,
    RowProblem,
    _require,
    _upload_errors,
    historical_outcome,
    parse_when,
)
from kesu.reports.tallies import COMPLAINT_FIELDS as TALLIED
from kesu.reports.tallies import complaint_cells, tallies_add_new, tally_keys
from kesu.triage.intelligence import active_model, intake_rows
from kesu.triage.models import TriageOverride, TriagePolicy, TriageSuggestion
from kesu.triage.services import suggest_severity

BULK_CHUNK = 5000
# Rows per task handed to a worker process: small enough to keep every worker busy to the end.
TASK_ROWS = 500


def bulk_supported() -> bool:
    """COPY and the set-based writes are PostgreSQL's; elsewhere the rows are imported one by one."""
    return connection.vendor == "postgresql"


# --- preparing rows (in the worker processes) ------------------------------------------------------


@dataclass
class Ready:
    """A row that passed, prepared for writing: its rows as COPY text lines, cut where the parent
    process fills in what only it knows (ids, number, serial, customer, the earlier complaint it
    names, the audit digests, which are over the number)."""

    row: int
    key: str
    received_at: dt.datetime
    period: str
    name: str
    phone: str | None
    email: str | None
    related_to: str
    complaint: list[str]  # the line cut at COMPLAINT_SLOTS
    events: list[list[str]]  # each line cut at its complaint_id
    audits: list[tuple[list[str], bytes, bytes]]  # the line cut at object_id and digest; the content around the number
    triage: list[tuple[str, list[str]]]  # (model label, its line cut at its complaint_id)
    record: list[str]  # the imported-row record, cut at its complaint_id
    tally: tuple[dict[str, str], list[Any]]  # its group keys and cells (kesu/reports/tallies.py)


@dataclass
class Rejected:
    row: int
    key: str
    problems: list[RowProblem]


def _columns(model: type[models.Model], *, skip: Sequence[str] = ()) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if not f.generated and f.attname not in skip]


COMPLAINT_FIELDS = _columns(Complaint)
COMPLAINT_COLUMNS = [str(f.column) for f in COMPLAINT_FIELDS]
# What the parent process fills in, in the order of the columns.
COMPLAINT_SLOTS = ("id", "number", "serial", "customer_id", "related_to_id")
_SLOT_ORDER = sorted([*COMPLAINT_SLOTS, "search_text"], key=COMPLAINT_COLUMNS.index)
EVENT_FIELDS = _columns(ComplaintEvent, skip=("id",))
AUDIT_FIELDS = _columns(AuditRecord, skip=("id",))
TRIAGE_MODELS: dict[str, type[models.Model]] = {"suggestion": TriageSuggestion, "override": TriageOverride}
TRIAGE_FIELDS = {label: _columns(model, skip=("id", "complaint_id")) for label, model in TRIAGE_MODELS.items()}


def _value(instance: models.Model, f: models.Field[Any, Any]) -> Any:
    value = getattr(instance, f.attname)
    if isinstance(f, models.JSONField) and value is not None:
        return json.dumps(value, cls=f.encoder, ensure_ascii=False)
    return value


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: Any) -> str:
    """A value as COPY's text format writes it."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    if isinstance(value, dt.date):  # and datetimes: ISO 8601 with the offset
        return value.isoformat()
    return str(value).translate(_ESCAPES)


def _cut(values: list[Any], slot: str) -> list[str]:
    """A COPY line of `values` cut at the `slot` markers they hold (the markers are
    per-import random, so no cell of the file can hold one)."""
    return "\t".join(copy_text(v) for v in values).split(slot)


def _fill(pieces: list[str], values: Sequence[str]) -> str:
    out = [pieces[0]]
    for value, piece in zip(values, pieces[1:], strict=True):
        out.append(value)
        out.append(piece)
    return "".join(out)


def _no_digest(content: bytes) -> str:
    return ""


@dataclass
class _Context:
    checker: RowChecker
    actor: User
    on_duty: User | None
    now: dt.datetime
    language: str
    version: object
    batch_id: int
    tally_keys: Any
    slot: str = field(default_factory=lambda: "\x02" + secrets.token_hex(8) + "\x02")


_context: _Context | None = None


@dataclass
class Known:
    """A good row imported before: skipped."""

    row: int


def _prepare(row_number: int, cells: list[str], known: bool, context: _Context) -> Ready | Rejected | Known:
    prepared, problems, data = context.checker.check(row_number, cells)
    if problems or data is None:
        return Rejected(row_number, prepared.key, problems)
    if known:
        return Known(row_number)
    return _ready(prepared, data, context)


def _ready(prepared: PreparedRow, data: IntakeData, context: _Context) -> Ready:
    """What `complaint_register` and `_record_outcome` (historical=True) would write for the row."""
    now, actor = context.now, context.actor
    triage = registration_triage(data)
    department = route(data)
    takes = takes_agent_on_duty(channel=data.channel, department=department, actor=actor)
    on_duty = context.on_duty if takes else None
    period = period_of(data.received_at)
    complaint = complaint_build(
        data=data,
        triage=triage,
        number="",
        period=period,
        serial=0,
        customer=None,
        department=department,
        on_duty=on_duty,
        actor=actor,
        related=None,
        deadlines=None,
        now=now,
    )
    # Indexed as the intake indexes it: before the outcome is recorded (kesu/complaints/search.py).
    before, after = search_document_halves(
        title=complaint.title,
        description=complaint.description,
        demand=complaint.demand,
        location=complaint.location,
        product=complaint.product_name,
        sku=complaint.product_sku,
        result=complaint.result,
        name=complaint.contact_name,
        external_ref=complaint.external_ref,
    )
    complaint.phone_key = phone_key(complaint.contact_phone)
    outcome: HistoricalOutcome = historical_outcome(prepared, received_at=data.received_at, now=now)
    for name, value in outcome.fields.items():
        setattr(complaint, name, value)
    slot = context.slot
    values = [_value(complaint, f) for f in COMPLAINT_FIELDS]
    for name in COMPLAINT_SLOTS:
        values[COMPLAINT_COLUMNS.index(name)] = slot
    values[COMPLAINT_COLUMNS.index("search_text")] = " ".join(piece for piece in (before, slot, after) if piece)
    # The events and audit records as `complaint_register` and `_record_outcome` build them, the
    # complaint's id and number standing in as markers.
    complaint.number = slot
    registered = registered_event_data(
        data=data, triage=triage, department=department, on_duty=on_duty, related=None, historical=True
    )
    # The earlier complaint named is the one of that number (or the row is rejected, _Writer._related).
    registered["related_to"] = data.related_to or None
    events: list[list[str]] = []
    audits: list[tuple[list[str], bytes, bytes]] = []
    for arguments in (
        {"kind": "registered", "to_status": Status.REGISTERED, "data": registered, "internal": False},
        outcome.event_arguments(),
    ):
        event, audit = event_build(complaint=complaint, actor=actor, at=now, digester=_no_digest, **arguments)
        event.complaint_id = slot
        audit.digest = slot
        content = audit_content(audit).split(json.dumps(slot).encode()[1:-1])
        if len(content) != 2:
            raise RuntimeError("an audit record's content names its complaint once")
        events.append(_cut([_value(event, f) for f in EVENT_FIELDS], slot))
        audits.append((_cut([_value(audit, f) for f in AUDIT_FIELDS], slot), content[0], content[1]))
    triage_lines: list[tuple[str, list[str]]] = []
    for row in intake_rows(
        complaint=complaint, advice=triage.advice, actor=actor, chose_severity=data.severity or "", now=now
    ):
        label = "suggestion" if isinstance(row, TriageSuggestion) else "override"
        triage_lines.append((label, _cut([slot, *(_value(row, f) for f in TRIAGE_FIELDS[label])], slot)))
    return Ready(
        row=prepared.row,
        key=prepared.key,
        received_at=data.received_at,
        period=period,
        name=data.customer_name,
        phone=data.customer_phone,
        email=data.customer_email,
        related_to=data.related_to,
        complaint=_cut(values, slot),
        events=events,
        audits=audits,
        triage=triage_lines,
        record=_cut([prepared.key, slot, context.batch_id, prepared.row, now], slot),
        tally=complaint_cells(
            # The earlier complaint it names is there (or the row is rejected): its id counts as one.
            {name: getattr(complaint, name) for name in TALLIED if name != "related_to_id"}
            | {"related_to_id": 1 if data.related_to else None},
            context.tally_keys,
        ),
    )


def _prepare_task(rows: list[tuple[int, list[str], bool]]) -> list[Ready | Rejected | Known]:
    context = _context
    assert context is not None
    with reference_scope(version=context.version):
        return [_prepare(number, cells, known, context) for number, cells, known in rows]


def _order_task(rows: list[tuple[int, list[str]]]) -> list[tuple[str, float]]:
    """Each row's key and the time received it will have (to number the rows in that order)."""
    context = _context
    assert context is not None
    checker = context.checker
    now = context.now
    column = next((i for i, key in checker.mapping.items() if key == "received_at"), None)
    out = []
    for _number, cells in rows:
        when = now
        text = cells[column].strip() if column is not None and column < len(cells) else ""
        if text:
            try:
                # As the checker reads it: the cell's time as ISO text, then parse_received_at.
                parsed = parse_datetime(parse_when(text).isoformat())
                when = min(parsed, now) if parsed is not None else now
            except (CellError, ValueError):  # a bad cell: the row is rejected; its place does not matter
                when = now
        out.append((checker.key_of(cells), when.timestamp()))
    return out


class _NoDatabase:
    """Worker processes share the parent's connection socket: they must never use it."""

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        raise RuntimeError("the bulk import's worker processes do not use the database")


def _worker_start(language: str) -> None:
    connection.execute_wrappers.append(_NoDatabase())
    translation.activate(language)


def _warm(context: _Context) -> None:
    """Load, in the parent, everything the preparation reads from the database or from disk, so
    the worker processes inherit it (and never query)."""
    with reference_scope(version=context.version):
        category_with_ancestors("")
        suggest_severity(text="", channel="")
        active_model()
        remembered("triage.policy", TriagePolicy.current)
        route(
            IntakeData(
                channel="letter",
                customer_name="",
                customer_phone=None,
                customer_email=None,
                description="",
                received_at=context.now,
            )
        )
    _jieba()
    _converter()


class _Preparer:
    """Rows → prepared rows, in `workers` processes (or in this one)."""

    def __init__(self, context: _Context, workers: int) -> None:
        global _context
        _context = context
        self.pool = None
        if workers > 1:
            _warm(context)
            fork = multiprocessing.get_context("fork")
            self.pool = fork.Pool(workers, initializer=_worker_start, initargs=(context.language,))

    def map(self, function: Callable[[list[Any]], list[Any]], rows: list[Any]) -> Iterator[Any]:
        tasks = [rows[i : i + TASK_ROWS] for i in range(0, len(rows), TASK_ROWS)]
        if self.pool is None:
            for task in tasks:
                yield from function(task)
            return
        for result in self.pool.imap(function, tasks):
            yield from result

    def close(self) -> None:
        global _context
        if self.pool is not None:
            self.pool.close()
            self.pool.join()
        _context = None


# --- writing (in this process) ---------------------------------------------------------------------


@dataclass
class BulkResult:
    created: int = 0
    skipped: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def import_file_bulk(
    *,
    actor: User,
    name: str,
    content: bytes,
    now: dt.datetime,
    preset: str = GENERIC,
    default_channel: str = "",
    progress: Progress | None = None,
    chunk: int = BULK_CHUNK,
    workers: int | None = None,
) -> ImportBatch:
    """The command line's `--historical --bulk`: read, check and import the file at once, a chunk
    of `chunk` rows per transaction, the rows prepared in `workers` processes (default: one per
    CPU). PostgreSQL only (`bulk_supported`)."""
    if not bulk_supported():
        raise RuntimeError("the bulk import needs PostgreSQL")
    _require(actor, historical=True)
    errors = _upload_errors(preset=preset, default_channel=default_channel)
    if errors:
        raise ValidationFailed(errors)
    table = read_table(name=name, content=content, limited=False)
    from kesu.imports.columns import guess_mapping

    # The rows are not kept in the batch (a million of them would be a row of gigabytes): the
    # batch records the run, the file stays the source.
    batch = ImportBatch.objects.create(
        filename=name[-200:],
        preset=preset,
        historical=True,
        default_channel=default_channel,
        headers=table.headers,
        mapping=guess_mapping(table.headers, preset),
        rows=[],
        total=len(table.rows),
        created_by=actor,
        created_at=now,
        started_at=now,
        state=BatchState.RUNNING,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )
    with translation.override(batch.language):
        try:
            result = _run(batch, table.rows, actor=actor, now=now, progress=progress, chunk=chunk, workers=workers)
        except Exception as exc:
            ImportBatch.objects.filter(pk=batch.pk).update(
                state=BatchState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=now
            )
            raise
    problems = sorted(result.problems, key=lambda p: p.row)
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=BatchState.DONE,
        processed=batch.total,
        created_count=result.created,
        skipped_count=result.skipped,
        rejected_count=len({p.row for p in problems}),
        problems=[p.as_dict() for p in problems],
        finished_at=now,
    )
    batch.refresh_from_db()
    batch.bulk_timings = result.timings  # type: ignore[attr-defined]
    return batch


def _run(
    batch: ImportBatch,
    rows: list[list[str]],
    *,
    actor: User,
    now: dt.datetime,
    progress: Progress | None,
    chunk: int,
    workers: int | None,
) -> BulkResult:
    result = BulkResult()
    numbered = list(enumerate(rows, start=2))
    with reference_scope():
        context = _Context(
            checker=RowChecker(batch, now=now),
            actor=actor,
            on_duty=_on_duty(actor=actor, now=now),
            now=now,
            language=batch.language,
            version=scope_version(),
            batch_id=batch.pk,
            tally_keys=tally_keys(),
        )
        preparer = _Preparer(context, max(1, workers or os.cpu_count() or 1) if len(rows) > TASK_ROWS else 1)
        try:
            started = time.perf_counter()
            order = list(preparer.map(_order_task, numbered))
            ordering = time.perf_counter() - started
            # Rows that share a key: the first good one in the file is imported, the later good ones
            # repeat it (batch_check's rule); decided here, in file order, before any is written.
            by_key: dict[str, list[int]] = defaultdict(list)
            for index, (key, _when) in enumerate(order):
                by_key[key].append(index)
            contested = sorted(i for indexes in by_key.values() if len(indexes) > 1 for i in indexes)
            left_out: set[int] = set()
            seen: dict[str, int] = {}
            for index in contested:
                number, cells = numbered[index]
                prepared, problems, _data = context.checker.check(number, cells)
                earlier = seen.get(prepared.key)
                if earlier is not None and not problems:
                    problems.append(context.checker.repeats(number, earlier))
                if problems:
                    result.problems.extend(problems)
                    left_out.add(index)
                else:
                    seen[prepared.key] = number
            queue = sorted((i for i in range(len(numbered)) if i not in left_out), key=lambda i: (order[i][1], i))
            # Imported before (its reference or its record): checked, not prepared, skipped. The
            # chunk's transaction looks at the records again (another import may have run since).
            known = _known_keys([order[i][0] for i in queue])
            tasks = [(*numbered[i], order[i][0] in known) for i in queue]
            writer = _Writer(batch=batch, actor=actor, now=now)
            writer.timings["order"] = ordering
            handled = len(left_out)
            pending: list[Ready] = []
            prepared_rows = preparer.map(_prepare_task, tasks)
            while True:
                # The time this process waits for the prepared rows (all of the preparing, without workers).
                started = time.perf_counter()
                prepared_row = next(prepared_rows, None)
                writer.timings["prepare (wait)"] += time.perf_counter() - started
                if prepared_row is None:
                    break
                handled += 1
                if isinstance(prepared_row, Rejected):
                    result.problems.extend(prepared_row.problems)
                elif isinstance(prepared_row, Known):
                    result.skipped += 1
                else:
                    pending.append(prepared_row)
                if len(pending) >= chunk:
                    writer.write(pending, result)
                    pending = []
                    _progress(batch, result, handled, progress)
            if pending:
                writer.write(pending, result)
            _progress(batch, result, len(numbered), progress)
        finally:
            preparer.close()
    result.timings = dict(writer.timings)
    return result


def _progress(batch: ImportBatch, result: BulkResult, handled: int, progress: Progress | None) -> None:
    ImportBatch.objects.filter(pk=batch.pk).update(
        processed=handled, created_count=result.created, skipped_count=result.skipped
    )
    if progress is not None:
        progress(handled, batch.total)


def _on_duty(*, actor: User, now: dt.datetime) -> User | None:
    """The agent a phone or walk-in complaint at the complaint desk goes to: the same for every row
    of the import (one `now`), so asked once."""
    from kesu.accounts.models import Department

    desk = Department.objects.filter(code=COMPLAINT_DESK).first()
    if not takes_agent_on_duty(channel="phone", department=desk, actor=actor):
        return None
    from kesu.desk.roster import agent_on_duty

    return agent_on_duty(now=now, prefer=actor)


def _known_keys(keys: list[str]) -> set[str]:
    """The keys imported before: a record of them, or a complaint with their external reference
    (however it was registered). One statement each for the whole file (external_ref has no
    index: one scan of the complaints)."""
    refs = [k[4:] for k in keys if k.startswith("ref:")]
    with connection.cursor() as cursor:
        records = ImportedRecord._meta.db_table
        cursor.execute(f"SELECT key FROM {records} WHERE key = ANY(%s)", [keys])  # noqa: S608 (a table name)
        found = {key for (key,) in cursor.fetchall()}
        if refs:
            cursor.execute(
                "SELECT DISTINCT external_ref FROM complaints_complaint WHERE external_ref = ANY(%s)", [refs]
            )
            found.update("ref:" + ref for (ref,) in cursor.fetchall())
    return found


_RESERVE = (
    "INSERT INTO complaints_monthlycounter (period, last_value) VALUES (%s, %s) "
    "ON CONFLICT (period) DO UPDATE SET last_value = complaints_monthlycounter.last_value + EXCLUDED.last_value "
    "RETURNING last_value"
)


class _Writer:
    def __init__(self, *, batch: ImportBatch, actor: User, now: dt.datetime) -> None:
        self.batch = batch
        self.actor = actor
        self.now = now
        self.digest = keyed_digester()
        self.timings: dict[str, float] = defaultdict(float)

    def write(self, rows: list[Ready], result: BulkResult) -> None:
        """One chunk, one transaction."""
        with transaction.atomic():
            rows = self._timed("skip", self._not_imported, rows, result)
            rows = self._timed("related", self._related, rows, result)
            if not rows:
                return
            rows.sort(key=lambda r: (r.received_at, r.row))
            customers = self._timed("customers", self._customers, rows)
            serials = self._timed("numbers", self._serials, rows)
            ids = self._ids("complaints_complaint", len(rows))
            self._timed("copy", self._copy, rows, ids, serials, customers)
            tallied = [(pk, *r.tally) for pk, r in zip(ids, rows, strict=True)]
            self._timed("tallies", tallies_add_new, tallied)
            started = time.perf_counter()
        self.timings["commit"] += time.perf_counter() - started
        result.created += len(rows)

    def _timed(self, phase: str, function: Callable[..., Any], *args: Any) -> Any:
        started = time.perf_counter()
        try:
            return function(*args)
        finally:
            self.timings[phase] += time.perf_counter() - started

    def _not_imported(self, rows: list[Ready], result: BulkResult) -> list[Ready]:
        keys = [r.key for r in rows]
        found = set(ImportedRecord.objects.filter(key__in=keys).values_list("key", flat=True))
        if found:
            result.skipped += sum(1 for r in rows if r.key in found)
            rows = [r for r in rows if r.key not in found]
        return rows

    def _related(self, rows: list[Ready], result: BulkResult) -> list[Ready]:
        """The earlier complaints the rows name, looked up as the intake does (only those the actor
        may read); a row naming an unknown one is rejected as the row-by-row import rejects it."""
        wanted = {r.related_to for r in rows if r.related_to}
        self.related: dict[str, int] = {}
        if not wanted:
            return rows
        self.related = dict(visible_complaints(self.actor).filter(number__in=wanted).values_list("number", "pk"))
        kept = []
        for r in rows:
            if r.related_to and r.related_to not in self.related:
                refusal = ValidationFailed([FieldError("related_to", str(_no_such_complaint()), "not_found")])
                result.problems.append(RowProblem(r.row, "", "", str(refusal.message)))
                continue
            kept.append(r)
        return kept

    def _customers(self, rows: list[Ready]) -> list[int]:
        """Each row's customer, found by phone then e-mail as `customer_get_or_create` finds it;
        the new ones inserted at once, the known ones given a phone or e-mail they lacked."""
        phones = sorted({r.phone for r in rows if r.phone})
        emails = sorted({r.email for r in rows if r.email})
        by_phone: dict[str, list[Any]] = {}
        by_email: dict[str, list[Any]] = {}
        for pk, phone, email in Customer.objects.filter(
            models.Q(phone__in=phones) | models.Q(email__in=emails)
        ).values_list("pk", "phone", "email"):
            record: list[Any] = [pk, phone, email, False]
            if phone:
                by_phone[phone] = record
            if email:
                by_email[email] = record
        new: list[list[Any]] = []
        owners: list[list[Any]] = []
        for r in rows:
            known = (by_phone.get(r.phone) if r.phone else None) or (by_email.get(r.email) if r.email else None)
            if known is None:
                record = [None, r.phone, r.email, False, r.name]
                new.append(record)
                if r.phone:
                    by_phone[r.phone] = record
                if r.email:
                    by_email[r.email] = record
            else:
                record = known
                if r.phone and not record[1]:
                    record[1], record[3] = r.phone, True
                    by_phone[r.phone] = record
                if r.email and not record[2] and r.email not in by_email:
                    record[2], record[3] = r.email, True
                    by_email[r.email] = record
            owners.append(record)
        if new:
            created_at = Customer._meta.get_field("created_at").get_db_prep_save(self.now, connection)
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO customers_customer (name, phone, email, created_at) "
                    "SELECT name, phone, email, %s "
                    "FROM unnest(%s::text[], %s::text[], %s::text[]) AS t(name, phone, email) "
                    "ON CONFLICT DO NOTHING RETURNING id, phone, email",
                    [created_at, [c[4] for c in new], [c[1] for c in new], [c[2] for c in new]],
                )
                made = {(phone, email): pk for pk, phone, email in cursor.fetchall()}
            late = []
            for record in new:
                record[0] = made.get((record[1], record[2]))
                if record[0] is None:
                    late.append(record)
            for record in late:  # registered meanwhile by another process: theirs
                record[0] = Customer.objects.filter(
                    models.Q(phone=record[1]) if record[1] else models.Q(email=record[2])
                ).values_list("pk", flat=True)[0]
        for record in {id(r): r for r in owners if r[3] and r[0] is not None}.values():
            Customer.objects.filter(pk=int(record[0])).update(phone=record[1], email=record[2])
            record[3] = False
        return [record[0] for record in owners]

    def _serials(self, rows: list[Ready]) -> list[int]:
        """Each month's block reserved in one statement, the rows numbered in it in order."""
        counts: dict[str, int] = defaultdict(int)
        for r in rows:
            counts[r.period] += 1
        next_of: dict[str, int] = {}
        with connection.cursor() as cursor:
            for period in sorted(counts):
                cursor.execute(_RESERVE, [period, counts[period]])
                last = int(cursor.fetchone()[0])
                next_of[period] = last - counts[period] + 1
        serials = []
        for r in rows:
            serials.append(next_of[r.period])
            next_of[r.period] += 1
        return serials

    def _ids(self, table: str, count: int) -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [pk for (pk,) in cursor.fetchall()]

    def _copy(self, rows: list[Ready], ids: list[int], serials: list[int], customers: list[int]) -> None:
        complaints: list[str] = []
        events: list[str] = []
        audits: list[str] = []
        triage: dict[str, list[str]] = defaultdict(list)
        records: list[str] = []
        digest = self.digest
        for r, pk, serial, customer in zip(rows, ids, serials, customers, strict=True):
            number = format_number(r.period, serial)
            related = self.related.get(r.related_to) if r.related_to else None
            fill = {
                "id": str(pk),
                "number": copy_text(number),
                "serial": str(serial),
                "customer_id": str(customer),
                "related_to_id": str(related) if related else "\\N",
                "search_text": number_tokens(number),
            }
            complaints.append(_fill(r.complaint, [fill[name] for name in _SLOT_ORDER]))
            key = str(pk)
            events.extend(_fill(pieces, [key]) for pieces in r.events)
            number_json = json.dumps(number, ensure_ascii=False)[1:-1].encode()
            for pieces, before, after in r.audits:
                audits.append(_fill(pieces, [fill["number"], digest(before + number_json + after)]))
            for label, pieces in r.triage:
                triage[label].append(_fill(pieces, [key]))
            records.append(_fill(r.record, [key]))
        self._copy_lines("complaints_complaint", COMPLAINT_COLUMNS, complaints)
        self._copy_lines("complaints_complaintevent", [str(f.column) for f in EVENT_FIELDS], events)
        self._copy_lines("audit_auditrecord", [str(f.column) for f in AUDIT_FIELDS], audits)
        for label, model in TRIAGE_MODELS.items():
            if triage[label]:
                columns = ["complaint_id", *(str(f.column) for f in TRIAGE_FIELDS[label])]
                self._copy_lines(model._meta.db_table, columns, triage[label])
        self._copy_lines(
            ImportedRecord._meta.db_table, ["key", "complaint_id", "batch_id", "row", "created_at"], records
        )

    def _copy_lines(self, table: str, columns: list[str], lines: list[str]) -> None:
        names = ", ".join(f'"{c}"' for c in columns)
        sql = f'COPY "{table}" ({names}) FROM STDIN'
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            copy.write(("\n".join(lines) + "\n").encode())


def _no_such_complaint() -> str:
    from django.utils.translation import gettext as _

    return _("No complaint has this number.")
