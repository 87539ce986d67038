"""Reading an uploaded XLSX or CSV into a header and rows of text cells."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass

from django.utils.translation import gettext as _

from kesu.core.errors import FieldError, ValidationFailed

MAX_ROWS = 20_000
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[list[str]]  # each row as long as the header, every cell as text


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ") if value.tzinfo else value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a phone number or a quantity typed into a number cell
    return str(value).strip()


def _refuse(message: str, code: str) -> ValidationFailed:
    return ValidationFailed([FieldError("file", message, code)])


def read_table(*, name: str, content: bytes, limited: bool = True) -> Table:
    """The file's first sheet (XLSX) or its rows (CSV in UTF-8, with or without BOM, or GB18030);
    `limited`: at most MAX_BYTES and MAX_ROWS (the bulk import, kesu/imports/bulk.py, takes more)."""
    if limited and len(content) > MAX_BYTES:
        raise _refuse(_("The file is larger than 20 MB."), "too_large")
    if not content:
        raise _refuse(_("The file is empty."), "empty")
    if name.lower().endswith(".xlsx") or content[:2] == b"PK":
        raw = _read_xlsx(content, limited=limited)
    elif name.lower().endswith((".csv", ".txt")):
        raw = _read_csv(content)
    else:
        raise _refuse(_("Upload an XLSX or CSV file."), "file_type")
    if not raw or not any(h.strip() for h in raw[0]):
        raise _refuse(_("The first row must name the columns."), "no_header")
    headers = [h.strip() for h in raw[0]]
    width = len(headers)
    rows = []
    for values in raw[1:]:
        if not any(v.strip() for v in values):
            continue
        cells = (values + [""] * width)[:width]
        rows.append([c.strip() for c in cells])
    if not rows:
        raise _refuse(_("The file has no rows below its header."), "no_rows")
    if limited and len(rows) > MAX_ROWS:
        raise _refuse(_("At most %(max)d rows per file.") % {"max": MAX_ROWS}, "too_many_rows")
    return Table(headers=headers, rows=rows)


def _read_xlsx(content: bytes, *, limited: bool = True) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # a corrupt or mislabelled file: say so, never a 500
        raise _refuse(_("The file could not be read as an XLSX workbook."), "unreadable") from exc
    sheet = book.active
    if sheet is None:
        raise _refuse(_("The workbook has no sheet."), "unreadable")
    out = []
    for values in sheet.iter_rows(values_only=True):
        out.append([_cell(v) for v in values])
        if limited and len(out) > MAX_ROWS + 1:
            break
    book.close()
    return out


def _read_csv(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise _refuse(_("The file is not UTF-8 or GB18030 text."), "encoding")
    if "\x00" in text:
        raise _refuse(_("The file contains invalid characters."), "invalid_characters")
    return [list(row) for row in csv.reader(io.StringIO(text))]
