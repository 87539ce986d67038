"""Batch intake (SPEC IN-9): opinion cards entered the next day, historical and referred complaints
imported from spreadsheets. All rows or none: one bad row stores nothing and every problem is listed."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.accounts.models import User
from kesu.complaints.models import Complaint
from kesu.complaints.services.intake import complaint_register
from kesu.core.errors import DomainError, FieldError, ValidationFailed

# Spreadsheet column → field of the API body (nested fields with a dot).
COLUMNS = {
    "channel": "channel",
    "customer_name": "customer.name",
    "customer_phone": "customer.phone",
    "customer_email": "customer.email",
    "description": "description",
    "title": "title",
    "received_at": "received_at",
    "category": "category",
    "severity": "severity",
    "urgency": "urgency",
    "product_name": "product.name",
    "product_sku": "product.sku",
    "product_lot": "product.lot",
    "order_no": "product.order_no",
    "quantity": "product.quantity",
    "location": "location",
    "demand": "demand",
    "amount_claimed": "amount_claimed",
    "overseas": "overseas",
    "external_ref": "external_ref",
    "related_to": "related_to",
}
MAX_ROWS = 10_000


@dataclass(frozen=True)
class RowError:
    row: int
    field: str | None
    message: str


class BatchRejected(DomainError):
    def __init__(self, errors: list[RowError]):
        super().__init__(
            message=_("The batch was not imported: %(count)d problem(s).") % {"count": len(errors)},
            code="batch_rejected",
            status=422,
        )
        self.row_errors = errors

    @property
    def errors(self) -> list[FieldError]:
        return [
            FieldError(f"rows[{e.row}].{e.field}" if e.field else f"rows[{e.row}]", e.message) for e in self.row_errors
        ]


def row_to_payload(row: dict[str, Any]) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for column, target in COLUMNS.items():
        value = row.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if isinstance(value, str):
            value = value.strip()
        if isinstance(value, dt.datetime) and value.tzinfo is None:
            value = value.isoformat() + "+08:00"  # spreadsheets carry local wall-clock times
        elif isinstance(value, dt.datetime | dt.date):
            value = value.isoformat()
        if column == "quantity" and isinstance(value, float) and value.is_integer():
            value = int(value)
        if column == "amount_claimed" and isinstance(value, int | float):
            value = str(value)
        if column == "overseas":
            value = str(value).lower() in {"1", "true", "yes", "是", "y"}
        head, _dot, tail = target.partition(".")
        if tail:
            payload.setdefault(head, {})[tail] = value
        else:
            payload[head] = value
    return payload


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix.lower() == ".xlsx":
        from openpyxl import load_workbook

        sheet = load_workbook(path, read_only=True, data_only=True).active
        assert sheet is not None
        rows = sheet.iter_rows(values_only=True)
        header = [str(h or "").strip() for h in next(rows, ())]
        for values in rows:
            if any(v not in (None, "") for v in values):
                yield dict(zip(header, values, strict=False))
        return
    text = path.read_bytes().decode("utf-8-sig")
    yield from csv.DictReader(io.StringIO(text))


def complaints_import(*, actor: User, rows: Iterable[dict[str, Any]], now: dt.datetime) -> list[Complaint]:
    created: list[Complaint] = []
    problems: list[RowError] = []
    with transaction.atomic():
        for index, row in enumerate(rows, start=2):  # row 1 is the header
            if index - 1 > MAX_ROWS:
                problems.append(RowError(index, None, _("At most %(max)d rows per batch.") % {"max": MAX_ROWS}))
                break
            try:
                with transaction.atomic():
                    created.append(complaint_register(actor=actor, payload=row_to_payload(row), now=now))
            except ValidationFailed as failure:
                problems.extend(RowError(index, e.field, str(e.message)) for e in failure.errors)
        if problems:
            transaction.set_rollback(True)
    if problems:
        raise BatchRejected(problems)
    return created
