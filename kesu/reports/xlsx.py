"""A minimal streaming XLSX writer: one sheet, a bold header row, then rows of plain values written
to the zip as they come, so memory does not grow with the rows (and it is several times faster
than openpyxl's write-only mode, which builds an object per cell).

Cells: str as inline strings (XML-escaped, characters XML cannot carry dropped), int, float and
Decimal as numbers, bool as booleans, datetime and date as date cells (their wall-clock time:
Excel has no time zones), None and "" as no cell."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

MAX_TITLE = 31
FLUSH_ROWS = 500
# Days between Excel's epoch (1899-12-30, the 1900 system) and datetime's day 1.
EPOCH_ORDINAL = dt.date(1899, 12, 30).toordinal()
# Style indexes in STYLES' cellXfs.
HEADER, DATETIME, DATE = 1, 2, 3

# Characters XML 1.0 cannot carry (C0 controls other than tab, newline and return; lone
# surrogates; U+FFFE and U+FFFF), and those that must be escaped.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPECIAL = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_SPACES = " \t\n\r"
_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

CONTENT_TYPES = (
    HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    "</Types>"
)
ROOT_RELS = (
    HEAD + f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)
WORKBOOK_RELS = (
    HEAD + f'<Relationships xmlns="{PKG_REL}">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/styles" Target="styles.xml"/>'
    "</Relationships>"
)
STYLES = (
    HEAD + f'<styleSheet xmlns="{NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
SHEET_START = (
    HEAD + f'<worksheet xmlns="{NS}"><sheetViews><sheetView workbookViewId="0">'
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
    "</sheetView></sheetViews><sheetData>"
)
SHEET_END = "</sheetData></worksheet>"


def xml_text(text: str) -> str:
    """Text as XML character data: &, < and > escaped, characters XML cannot carry dropped."""
    if _SPECIAL.search(text) is None:
        return text
    text = _ILLEGAL.sub("", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def column_letter(index: int) -> str:
    """The column's letters for a 0-based index (0 → A, 25 → Z, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def sheet_title(title: str) -> str:
    """A valid sheet name: none of []:*?/\\, at most 31 characters, never empty."""
    return _TITLE_FORBIDDEN.sub(" ", title)[:MAX_TITLE].strip() or "Sheet1"


def _string_cell(ref: str, text: str, style: str = "") -> str:
    text = xml_text(text)
    space = ' xml:space="preserve"' if text and (text[0] in _SPACES or text[-1] in _SPACES) else ""
    return f'<c r="{ref}"{style} t="inlineStr"><is><t{space}>{text}</t></is></c>'


def _cell(ref: str, value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _string_cell(ref, value) if value else ""
    if value is None:
        return ""
    if kind is int or kind is Decimal:
        return f'<c r="{ref}"><v>{value}</v></c>'
    if kind is dt.datetime or isinstance(value, dt.datetime):
        serial = value.toordinal() - EPOCH_ORDINAL
        seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
        return f'<c r="{ref}" s="{DATETIME}"><v>{serial + seconds / 86400!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{DATE}"><v>{value.toordinal() - EPOCH_ORDINAL}</v></c>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | Decimal) and not (isinstance(value, Decimal) and not value.is_finite()):
        return f'<c r="{ref}"><v>{value}</v></c>'
    if isinstance(value, float) and math.isfinite(value):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return _string_cell(ref, str(value))


def write_xlsx(handle: IO[bytes], *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """A workbook of one sheet named `title`: `headers` in bold (the row frozen), then `rows`."""
    with zipfile.ZipFile(handle, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr(
            "xl/workbook.xml",
            HEAD + f'<workbook xmlns="{NS}" xmlns:r="{REL}"><sheets>'
            f'<sheet name="{xml_text(sheet_title(title)).replace(chr(34), "&quot;")}" sheetId="1" r:id="rId1"/>'
            "</sheets></workbook>",
        )
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", STYLES)
        with archive.open("xl/worksheets/sheet1.xml", "w") as sheet:
            letters: list[str] = [column_letter(i) for i in range(max(len(headers), 1))]
            bold = f' s="{HEADER}"'
            head = "".join(_string_cell(f"{letters[i]}1", str(text), bold) for i, text in enumerate(headers))
            parts = [SHEET_START, f'<row r="1">{head}</row>']
            number = 1
            special = _SPECIAL.search
            for row in rows:
                number += 1
                if len(row) > len(letters):
                    letters.extend(column_letter(i) for i in range(len(letters), len(row)))
                tail = str(number)
                cells = []
                for i, value in enumerate(row):
                    if type(value) is str:
                        # The common case inline: plain text, no escapes, no edge spaces.
                        if not value:
                            continue
                        if special(value) is None and value[0] not in _SPACES and value[-1] not in _SPACES:
                            cells.append(f'<c r="{letters[i]}{tail}" t="inlineStr"><is><t>{value}</t></is></c>')
                            continue
                    elif value is None:
                        continue
                    cells.append(_cell(letters[i] + tail, value))
                parts.append(f'<row r="{tail}">{"".join(cells)}</row>')
                if len(parts) >= FLUSH_ROWS:
                    sheet.write("".join(parts).encode("utf-8"))
                    parts.clear()
            parts.append(SHEET_END)
            sheet.write("".join(parts).encode("utf-8"))
