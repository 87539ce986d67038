"""Spreadsheet import (SPEC IN-9, API.md `kesu import FILE [--historical]`).

An uploaded file is read and kept (ImportBatch), its columns mapped to Kesu's fields by their
headers (kesu/imports/columns.py), and every row checked before anything is stored: the
report names each bad row's number (as the spreadsheet numbers it, the header being row 1), its
column and the reason, in the user's language. Importing then stores the good rows, each once:
a row whose `external_ref` (or, without one, whose values) was imported before is skipped, so
running the same file twice changes nothing. Bad rows are never stored; with `all_or_nothing`
one bad row stops the whole file.

Historical mode keeps the rows' dates, status and outcome and starts no SLA clock, so nothing is
reminded, escalated, swept as overdue or notified (kesu.complaints.services.intake, `historical`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.complaints.events import record_event
from kesu.complaints.models import TERMINAL_STATUSES, Channel, Complaint, Status
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.validation import IntakeData, parse_intake
from kesu.core import tasks
from kesu.core.errors import DomainError, FieldError, NotFound, PermissionDenied, ValidationFailed
from kesu.core.reference import reference_scope
from kesu.imports.columns import BY_KEY, GENERIC, ODR_DUE, PRESETS, column_label, guess_mapping, mappable
from kesu.imports.models import BatchState, ImportBatch, ImportedRecord
from kesu.imports.reading import read_table
from kesu.triage.models import Category, Severity, Urgency

IMPORT_ROLES = frozenset({Role.ADMIN, Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.GM})
# Past complaints carry their status and outcome: entered by supervisors and managers only.
HISTORICAL_ROLES = frozenset({Role.ADMIN, Role.SUPERVISOR, Role.MANAGER, Role.GM})
CHUNK = 100
PREVIEW_ROWS = 20


def may_import(user: User) -> bool:
    return user.role in IMPORT_ROLES


def may_import_historical(user: User) -> bool:
    return user.role in HISTORICAL_ROLES


@dataclass(frozen=True)
class RowProblem:
    row: int  # as the spreadsheet numbers it (the header is row 1)
    column: str  # the header as written in the file, "" when the problem is the row's
    field: str  # the column key (kesu/imports/columns.py)
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "field": self.field, "message": self.message}


@dataclass
class PreparedRow:
    row: int
    key: str
    payload: dict[str, Any]
    status: str = ""
    result: str = ""
    closed_at: dt.datetime | None = None
    platform_due: dt.datetime | None = None


@dataclass
class Check:
    """The report shown before anything is stored."""

    total: int
    good: list[PreparedRow] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    already_imported: int = 0
    unmapped_required: list[str] = field(default_factory=list)

    @property
    def bad_rows(self) -> int:
        return len({p.row for p in self.problems})

    @property
    def to_import(self) -> int:
        return len(self.good) - self.already_imported


# --- reading values -----------------------------------------------------------------------------

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
)


class CellError(Exception):
    pass


def parse_when(text: str) -> dt.datetime:
    """A local or offset time as spreadsheets write it (naive times are local wall-clock time)."""
    value = text.strip().replace("T", " ", 1) if "T" in text and "年" not in text else text.strip()
    iso = re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([+-]\d{2}:?\d{2}|Z)$", value)
    if iso:
        try:
            return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            pass
    for fmt in _DATE_FORMATS:
        try:
            parsed = dt.datetime.strptime(value, fmt)  # noqa: DTZ007 (local wall-clock time, made aware below)
        except ValueError:
            continue
        return timezone.make_aware(parsed, timezone.get_default_timezone())
    raise CellError(_("Enter a date and time such as 2026-11-02 09:30."))


class _Vocabulary:
    """Codes and labels (in every language Kesu ships) for the choice columns, read once."""

    def __init__(self) -> None:
        self.channel = self._choices(Channel.choices)
        self.channel.update(
            {
                "电话": "phone",
                "热线": "phone",
                "電話": "phone",
                "邮件": "email",
                "电子邮件": "email",
                "郵件": "email",
                "网站": "web",
                "网页": "web",
                "在线": "web",
                "微博": "social",
                "微信": "social",
                "社交媒体": "social",
                "来人": "walk_in",
                "上门": "walk_in",
                "来访": "walk_in",
                "來訪": "walk_in",
                "来信": "letter",
                "信件": "letter",
                "來信": "letter",
                "意见单": "suggestion_box",
                "意见箱": "suggestion_box",
                "意見單": "suggestion_box",
                "12315": "regulator",
                "12378": "regulator",
                "监管部门转办": "regulator",
                "转办": "regulator",
                "監管部門轉辦": "regulator",
                "媒体": "media",
                "媒體": "media",
                "内部": "internal",
                "內部": "internal",
            }
        )
        self.severity = self._choices(Severity.choices)
        self.severity.update({"一般": "general", "严重": "serious", "嚴重": "serious", "重大": "major"})
        self.urgency = self._choices(Urgency.choices)
        self.urgency.update({"一般": "normal", "普通": "normal", "加急": "urgent", "特急": "critical"})
        self.status = self._choices(Status.choices)
        self.status.update(
            {
                "已办结": "closed",
                "办结": "closed",
                "已结案": "closed",
                "结案": "closed",
                "已關閉": "closed",
                "已关闭": "closed",
                "已處理": "resolved",
                "已处理": "resolved",
                "已解决": "resolved",
                "处理中": "investigating",
                "處理中": "investigating",
                "撤诉": "withdrawn",
                "撤訴": "withdrawn",
                "无效": "invalid",
                "無效": "invalid",
            }
        )
        self.category: dict[str, str] = {}
        for code, *names in Category.objects.filter(active=True).values_list(
            "code", "name_zh_hans", "name_zh_hant", "name_en"
        ):
            self.category[code.lower()] = code
            for name in names:
                if name:
                    self.category.setdefault(name.strip().lower(), code)

    @staticmethod
    def _choices(choices: Iterable[tuple[str, Any]]) -> dict[str, str]:
        found: dict[str, str] = {}
        pairs = list(choices)
        for code, _label in pairs:
            found[code.lower()] = code
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for code, label in pairs:
                    found.setdefault(str(label).strip().lower(), code)
        return found


def _choice(vocabulary: dict[str, str], text: str) -> str:
    code = vocabulary.get(text.strip().lower())
    if code is None:
        raise CellError(_("“%(value)s” is not one of the known values.") % {"value": text[:40]})
    return code


_TRUE = {"1", "true", "yes", "y", "是", "对", "對", "√"}
_FALSE = {"0", "false", "no", "n", "否", "不是", ""}


def _convert(key: str, text: str, vocabulary: _Vocabulary) -> Any:
    if key in ("received_at", "closed_at", ODR_DUE.key):
        return parse_when(text)
    if key == "channel":
        return _choice(vocabulary.channel, text)
    if key == "severity":
        return _choice(vocabulary.severity, text)
    if key == "urgency":
        return _choice(vocabulary.urgency, text)
    if key == "status":
        return _choice(vocabulary.status, text)
    if key == "category":
        return vocabulary.category.get(text.strip().lower(), text.strip())
    if key == "amount_claimed":
        return re.sub(r"[¥￥,，元\s]|CNY|RMB", "", text)
    if key == "overseas":
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise CellError(_("Enter yes or no (是/否)."))
    return text


# --- checking --------------------------------------------------------------------------------------


def _rows_of(batch: ImportBatch) -> Iterator[tuple[int, list[str]]]:
    yield from enumerate(batch.rows, start=2)


def _row_key(values: dict[str, str]) -> str:
    ref = values.get("external_ref", "").strip()
    if ref:
        return "ref:" + ref[:100]
    digest = hashlib.sha256(
        "\x1f".join(f"{k}={values[k]}" for k in sorted(values) if values[k]).encode("utf-8")
    ).hexdigest()
    return "row:" + digest[:40]


def _target_to_key() -> dict[str, str]:
    return {c.target: c.key for c in BY_KEY.values() if c.target}


class RowChecker:
    """The checks of one row, the same for every way of importing (row by row here, in bulk in
    kesu/imports/bulk.py): its cells converted, the intake payload built and validated with the
    API's rules (`parse_intake`), and, in historical mode, its status and outcome read. Nothing is
    written; `check` needs no database once the checker is built (the vocabulary is read here and
    the reference data the intake consults is kept by `reference_scope`)."""

    def __init__(self, batch: ImportBatch, *, now: dt.datetime) -> None:
        self.now = now
        self.historical = batch.historical
        self.mapping = {int(index): key for index, key in batch.mapping.items() if key}
        self.header_of = {key: batch.headers[index] for index, key in self.mapping.items()}
        self.preset = PRESETS.get(batch.preset, PRESETS[GENERIC])
        self.channel = batch.default_channel or self.preset.channel
        self.vocabulary = _Vocabulary()
        self.to_key = _target_to_key()

    def unmapped_required(self) -> list[str]:
        mapped = set(self.mapping.values())
        required = ["customer_name", "description"]
        if not self.channel:
            required.append("channel")
        missing = [column_label(k) for k in required if k not in mapped]
        if "customer_phone" not in mapped and "customer_email" not in mapped:
            missing.append(column_label("customer_phone"))
        return missing

    def values_of(self, cells: list[str]) -> dict[str, str]:
        return {key: cells[index] if index < len(cells) else "" for index, key in self.mapping.items()}

    def key_of(self, cells: list[str]) -> str:
        return _row_key(self.values_of(cells))

    def check(self, row_number: int, cells: list[str]) -> tuple[PreparedRow, list[RowProblem], IntakeData | None]:
        """The row prepared for registering, its problems (none when it may be imported) and,
        when it passed, what the intake's validation made of it."""
        header_of = self.header_of
        problems: list[RowProblem] = []
        values = self.values_of(cells)
        converted: dict[str, Any] = {}
        for key, text in values.items():
            if not text.strip():
                continue
            try:
                converted[key] = _convert(key, text, self.vocabulary)
            except CellError as exc:
                problems.append(RowProblem(row_number, header_of[key], key, str(exc)))
        payload: dict[str, Any] = {"channel": self.channel}
        for key, value in converted.items():
            target = BY_KEY[key].target if key in BY_KEY else ""
            if not target:
                continue
            if isinstance(value, dt.datetime):
                value = value.isoformat()
            head, _dot, tail = target.partition(".")
            if tail:
                payload.setdefault(head, {})[tail] = value
            else:
                payload[head] = value
        failed = {p.field for p in problems}
        data: IntakeData | None = None
        try:
            data = parse_intake(payload, now=self.now)
        except ValidationFailed as failure:
            for error in failure.errors:
                key = self.to_key.get(error.field or "", "")
                if key in failed:
                    continue  # already reported with the cell's own reason
                column = header_of.get(key, "")
                if not column and key:
                    column = column_label(key)
                problems.append(RowProblem(row_number, column, key, str(error.message)))
        prepared = PreparedRow(row=row_number, key=_row_key(values), payload=payload)
        if self.historical:
            status = converted.get("status") or Status.CLOSED
            prepared.status = str(status)
            prepared.result = str(converted.get("result", ""))[:10000]
            closed_at = converted.get("closed_at")
            if isinstance(closed_at, dt.datetime):
                if closed_at > self.now:
                    problems.append(
                        RowProblem(
                            row_number, header_of["closed_at"], "closed_at", _("The time cannot be in the future.")
                        )
                    )
                prepared.closed_at = closed_at
        due = converted.get(ODR_DUE.key)
        if isinstance(due, dt.datetime):
            prepared.platform_due = due
        return prepared, problems, (data if not problems else None)

    def repeats(self, row_number: int, earlier: int) -> RowProblem:
        """A row whose key an earlier good row of the file has."""
        column = self.header_of.get("external_ref", "")
        return RowProblem(
            row_number,
            column,
            "external_ref" if column else "",
            _("This row repeats row %(row)d.") % {"row": earlier},
        )


def batch_check(batch: ImportBatch, *, now: dt.datetime) -> Check:
    """Check every row of `batch` with its current mapping; nothing is written."""
    checker = RowChecker(batch, now=now)
    check = Check(total=len(batch.rows))
    check.unmapped_required = checker.unmapped_required()
    seen: dict[str, int] = {}
    for row_number, cells in _rows_of(batch):
        prepared, problems, _data = checker.check(row_number, cells)
        earlier = seen.get(prepared.key)
        if earlier is not None and not problems:
            problems.append(checker.repeats(row_number, earlier))
        if problems:
            check.problems.extend(problems)
            continue
        seen[prepared.key] = row_number
        check.good.append(prepared)
    check.already_imported = len(_existing_keys([p.key for p in check.good]))
    return check


def _existing_keys(keys: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found.update(ImportedRecord.objects.filter(key__in=chunk).values_list("key", flat=True))
        refs = [k[4:] for k in chunk if k.startswith("ref:")]
        if refs:
            found.update(
                "ref:" + ref
                for ref in Complaint.objects.filter(external_ref__in=refs).values_list("external_ref", flat=True)
            )
    return found


# --- uploading and mapping ---------------------------------------------------------------------


def import_upload(
    *,
    actor: User,
    name: str,
    content: bytes,
    now: dt.datetime,
    historical: bool = False,
    preset: str = GENERIC,
    default_channel: str = "",
) -> ImportBatch:
    """Read the file and keep it for the preview (nothing is imported yet)."""
    _require(actor, historical=historical)
    errors = _upload_errors(preset=preset, default_channel=default_channel)
    if errors:
        raise ValidationFailed(errors)
    table = read_table(name=name, content=content)
    return ImportBatch.objects.create(
        filename=name[-200:],
        preset=preset,
        historical=historical,
        default_channel=default_channel,
        headers=table.headers,
        mapping=guess_mapping(table.headers, preset),
        rows=table.rows,
        total=len(table.rows),
        created_by=actor,
        created_at=now,
        language=translation.get_language() or settings.LANGUAGE_CODE,
    )


def _upload_errors(*, preset: str, default_channel: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if preset not in PRESETS:
        errors.append(FieldError("preset", _("Choose one of the kinds of file offered."), "invalid_choice"))
    if default_channel and default_channel not in Channel.values:
        errors.append(FieldError("default_channel", _("Choose one of the channels offered."), "invalid_choice"))
    return errors


def _require(actor: User, *, historical: bool) -> None:
    if not may_import(actor):
        raise PermissionDenied(_("Your role may not import complaints."))
    if historical and not may_import_historical(actor):
        raise PermissionDenied(_("Historical complaints are imported by supervisors and managers."))


def import_batch_for(*, actor: User, batch_id: int) -> ImportBatch:
    """A batch its uploader (or a manager) may look at; 404 otherwise."""
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or (batch.created_by_id != actor.pk and actor.role not in HISTORICAL_ROLES):
        raise NotFound(_("No import has this number."))
    return batch


def import_set_mapping(*, actor: User, batch: ImportBatch, mapping: dict[str, str]) -> ImportBatch:
    _require(actor, historical=batch.historical)
    if batch.state != BatchState.PREVIEW:
        raise ValidationFailed([FieldError(None, _("This file has already been imported."), "already_started")])
    allowed = {c.key for c in mappable(historical=batch.historical, preset=batch.preset)}
    clean: dict[str, str] = {}
    used: dict[str, str] = {}
    errors: list[FieldError] = []
    for index in range(len(batch.headers)):
        key = mapping.get(str(index), "")
        if key and key not in allowed:
            errors.append(FieldError(f"col_{index}", _("Choose one of the fields offered."), "invalid_choice"))
            continue
        if key and key in used:
            errors.append(
                FieldError(
                    f"col_{index}",
                    _("“%(field)s” is already taken by the column “%(other)s”.")
                    % {"field": column_label(key), "other": used[key]},
                    "duplicate",
                )
            )
            continue
        if key:
            used[key] = batch.headers[index]
        clean[str(index)] = key
    if errors:
        raise ValidationFailed(errors)
    batch.mapping = clean
    batch.save(update_fields=["mapping"])
    return batch


# --- importing -------------------------------------------------------------------------------------

Progress = Callable[[int, int], None]


def import_start(*, actor: User, batch: ImportBatch, now: dt.datetime, run_now: bool = False) -> ImportBatch:
    """Queue the batch for the background importer (or import it at once with `run_now`)."""
    _require(actor, historical=batch.historical)
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, state=BatchState.PREVIEW).update(state=BatchState.QUEUED)
        if not updated:
            raise ValidationFailed([FieldError(None, _("This file has already been imported."), "already_started")])
        if not run_now:
            tasks.dispatch_after_commit("run_imports")
    if run_now:
        return import_run(batch_id=batch.pk, now=now)
    batch.refresh_from_db()
    return batch


def import_run(
    *, batch_id: int, now: dt.datetime, progress: Progress | None = None, all_or_nothing: bool = False
) -> ImportBatch:
    """Import a queued batch: check again, then store the good rows in chunks (each chunk one
    transaction, its progress visible to the page as soon as it commits)."""
    claimed = ImportBatch.objects.filter(pk=batch_id, state=BatchState.QUEUED).update(
        state=BatchState.RUNNING, started_at=now, processed=0
    )
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if not claimed:
        return batch
    with translation.override(batch.language):
        try:
            _run(batch, now=now, progress=progress, all_or_nothing=all_or_nothing)
        except BatchRefused:
            pass
        except Exception as exc:
            ImportBatch.objects.filter(pk=batch.pk).update(
                state=BatchState.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000], finished_at=now
            )
            raise
    batch.refresh_from_db()
    return batch


class BatchRefused(Exception):
    """All-or-nothing import with bad rows: nothing was stored."""


def _run(batch: ImportBatch, *, now: dt.datetime, progress: Progress | None, all_or_nothing: bool) -> None:
    check = batch_check(batch, now=now)
    actor = batch.created_by
    rejected = {p.row for p in check.problems}
    problems = [p.as_dict() for p in check.problems]
    if all_or_nothing and check.problems:
        ImportBatch.objects.filter(pk=batch.pk).update(
            state=BatchState.DONE, rejected_count=len(rejected), problems=problems, finished_at=now, processed=0
        )
        raise BatchRefused
    created = skipped = 0
    handled = len(rejected)
    chunk_size = len(check.good) if all_or_nothing else CHUNK
    for start in range(0, len(check.good), max(chunk_size, 1)):
        chunk = check.good[start : start + chunk_size]
        # The rules, settings and classifier every registration consults, read once per chunk.
        with transaction.atomic(), reference_scope():
            existing = _existing_keys([p.key for p in chunk])
            records = []
            for prepared in chunk:
                if prepared.key in existing:
                    skipped += 1
                    continue
                try:
                    complaint = complaint_register(
                        actor=actor, payload=prepared.payload, now=now, historical=batch.historical
                    )
                except DomainError as exc:  # e.g. an earlier complaint it names was removed meanwhile
                    rejected.add(prepared.row)
                    problems.append(RowProblem(prepared.row, "", "", str(exc.message)).as_dict())
                    continue
                if batch.historical:
                    _record_outcome(complaint, prepared, actor=actor, now=now)
                elif batch.preset != GENERIC:
                    _platform_clock(complaint, prepared, batch=batch, actor=actor, now=now)
                existing.add(prepared.key)
                records.append(
                    ImportedRecord(key=prepared.key, complaint=complaint, batch=batch, row=prepared.row, created_at=now)
                )
                created += 1
            ImportedRecord.objects.bulk_create(records)
            handled_now = handled + start + len(chunk)
            ImportBatch.objects.filter(pk=batch.pk).update(
                processed=handled_now, created_count=created, skipped_count=skipped
            )
        if progress is not None:
            progress(handled_now, check.total)
    ImportBatch.objects.filter(pk=batch.pk).update(
        state=BatchState.DONE,
        processed=check.total,
        created_count=created,
        skipped_count=skipped,
        rejected_count=len(rejected),
        problems=problems,
        finished_at=now,
    )
    if progress is not None:
        progress(check.total, check.total)


def historical_outcome(prepared: PreparedRow, *, received_at: dt.datetime, now: dt.datetime) -> HistoricalOutcome:
    """What a historical row's status and outcome change on its complaint, and the event saying so."""
    status = prepared.status or Status.CLOSED
    ended = prepared.closed_at or received_at
    fields: dict[str, Any] = {"status": status, "result": prepared.result, "updated_at": now}
    if status != Status.REGISTERED:
        fields["acknowledged_at"] = received_at
    if status in (Status.RESOLVED, Status.CLOSED):
        fields["resolved_at"] = ended
        fields["replied_at"] = ended
    if status in TERMINAL_STATUSES:
        fields["closed_at"] = ended
    return HistoricalOutcome(
        fields=fields,
        status=status,
        note=prepared.result[:2000],
        data={"status": status, "closed_at": ended.isoformat() if status in TERMINAL_STATUSES else None},
    )


@dataclass(frozen=True)
class HistoricalOutcome:
    fields: dict[str, Any]
    status: str
    note: str
    data: dict[str, Any]

    def event_arguments(self) -> dict[str, Any]:
        """`record_event`'s arguments for the `historical_outcome` event (less complaint, actor, at)."""
        return {
            "kind": "historical_outcome",
            "from_status": Status.REGISTERED,
            "to_status": self.status,
            "note": self.note,
            "data": self.data,
        }


def _record_outcome(complaint: Complaint, prepared: PreparedRow, *, actor: User, now: dt.datetime) -> None:
    """A historical row's status and outcome, as the spreadsheet gives them (no clocks, no messages)."""
    outcome = historical_outcome(prepared, received_at=complaint.received_at, now=now)
    Complaint.objects.filter(pk=complaint.pk).update(**outcome.fields)
    for name, value in outcome.fields.items():
        setattr(complaint, name, value)
    record_event(complaint=complaint, actor=actor, at=now, **outcome.event_arguments())


def _platform_clock(
    complaint: Complaint, prepared: PreparedRow, *, batch: ImportBatch, actor: User, now: dt.datetime
) -> None:
    """A platform export's settlement clock: its own due time when the file gives one, else the
    preset's working days from receipt (the 12315 ODR's 10 working days)."""
    from kesu.deadlines import engine
    from kesu.deadlines.external import deadline_set_external
    from kesu.deadlines.selectors import deadline_config

    preset = PRESETS[batch.preset]
    due = prepared.platform_due
    if due is None and preset.settle_working_days:
        due = engine.deadline(
            complaint.received_at,
            engine.Rule(engine.WORKING_DAYS, preset.settle_working_days),
            deadline_config().calendar,
        )
    if due is None:
        return
    deadline_set_external(
        complaint=complaint,
        kind="close",
        due_at=due,
        source=preset.code,
        reference=complaint.external_ref,
        actor=actor,
        now=now,
    )


def import_file(
    *,
    actor: User,
    name: str,
    content: bytes,
    now: dt.datetime,
    historical: bool = False,
    preset: str = GENERIC,
    default_channel: str = "",
    progress: Progress | None = None,
    all_or_nothing: bool = False,
) -> ImportBatch:
    """The command line's import: read, check, import at once."""
    batch = import_upload(
        actor=actor,
        name=name,
        content=content,
        now=now,
        historical=historical,
        preset=preset,
        default_channel=default_channel,
    )
    ImportBatch.objects.filter(pk=batch.pk).update(state=BatchState.QUEUED)
    return import_run(batch_id=batch.pk, now=now, progress=progress, all_or_nothing=all_or_nothing)


def run_queued_imports(*, now: dt.datetime) -> int:
    """The background importer: every queued batch, oldest first."""
    done = 0
    for batch_id in ImportBatch.objects.filter(state=BatchState.QUEUED).order_by("id").values_list("id", flat=True):
        import_run(batch_id=batch_id, now=now)
        done += 1
    return done


def preview_rows(batch: ImportBatch) -> list[tuple[int, list[str]]]:
    return [(index, cells) for index, cells in _rows_of(batch)][:PREVIEW_ROWS]
