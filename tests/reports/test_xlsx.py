"""The streaming XLSX writer: what openpyxl reads back is what was written (text escaped, characters
XML cannot carry dropped, numbers, booleans and times as real cells), with a bold header."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo
from decimal import Decimal

from openpyxl import load_workbook

from kesu.reports.xlsx import column_letter, sheet_title, write_xlsx, xml_text


def _book(rows, headers=("A", "B", "C"), title="Sheet"):
    handle = io.BytesIO()
    write_xlsx(handle, title=title, headers=list(headers), rows=rows)
    handle.seek(0)
    return load_workbook(handle)


def test_text_is_escaped_and_illegal_characters_dropped():
    sheet = _book([["<a & b>", "bell\x07 nul\x00 esc\x1b", " padded ", "tab\tnew\nline"]]).active
    values = [c.value for c in sheet[2]]
    assert values == ["<a & b>", "bell nul esc", " padded ", "tab\tnew\nline"]


def test_numbers_booleans_and_times_are_real_cells():
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    received = dt.datetime(2026, 5, 3, 12, 5, 6, tzinfo=shanghai)
    sheet = _book([[3, Decimal("50.00"), 1.25, True, received, dt.date(2026, 1, 31)]]).active
    cells = list(sheet[2])
    assert [c.value for c in cells[:4]] == [3, 50, 1.25, True]
    assert cells[0].data_type == "n" and cells[1].data_type == "n" and cells[3].data_type == "b"
    assert cells[4].is_date and cells[4].value == dt.datetime(2026, 5, 3, 12, 5, 6)  # wall clock
    assert cells[4].number_format == "yyyy-mm-dd hh:mm"
    assert cells[5].is_date and cells[5].value == dt.datetime(2026, 1, 31)


def test_empty_values_leave_empty_cells_in_their_columns():
    sheet = _book([[None, "", "x"], ["y", None, 0]]).active
    assert [c.value for c in sheet[2]] == [None, None, "x"]
    assert [c.value for c in sheet[3]] == ["y", None, 0]


def test_header_is_bold_and_frozen_and_the_title_valid():
    book = _book([["v"]], headers=["编号", "受理时间"], title="台账: a/b [2026] and a very long tail")
    sheet = book.active
    assert [c.value for c in sheet[1]] == ["编号", "受理时间"]
    assert sheet["A1"].font.b and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.title == sheet_title("台账: a/b [2026] and a very long tail")
    assert len(sheet.title) <= 31 and not set(sheet.title) & set("[]:*?/\\")


def test_rows_wider_than_the_header_and_past_column_z():
    row = list(range(30))
    sheet = _book([row], headers=["only"]).active
    assert [c.value for c in sheet[2]] == row
    assert sheet.cell(row=2, column=28).coordinate == "AB2"


def test_helpers():
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
    assert xml_text("plain") == "plain"
    assert xml_text("a<b>&\x01c") == "a&lt;b&gt;&amp;c"
    assert sheet_title("") == "Sheet1"
