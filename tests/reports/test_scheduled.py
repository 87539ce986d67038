"""Scheduled reports (SPEC RP-3): the right period, produced on the right local day (the working
day before when the day is not one), XLSX and PDF holding the figures, archived and mailed."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from kesu.deadlines.calendar import bump_version
from kesu.deadlines.engine import WorkingCalendar
from kesu.deadlines.models import CalendarDay
from kesu.notifications.models import OutboxMessage
from kesu.reports.models import ReportRun, ReportSubscription
from kesu.reports.scheduled import produce_due_reports, report_period, reports_due

TZ = dt.timezone(dt.timedelta(hours=8))


def local(y: int, m: int, d: int, h: int = 8) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=TZ)


def test_the_period_ends_before_the_instant():
    assert report_period("weekly", local(2026, 12, 7)) == (dt.date(2026, 11, 30), dt.date(2026, 12, 6))
    # Sunday evening: that week is not over, so the week before.
    assert report_period("weekly", local(2026, 12, 6, 23)) == (dt.date(2026, 11, 23), dt.date(2026, 11, 29))
    assert report_period("monthly", local(2026, 12, 5)) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert report_period("statistics", local(2027, 1, 10)) == (dt.date(2026, 12, 1), dt.date(2026, 12, 31))
    # 00:30 on 1 December in Shanghai is still 30 November in UTC: the local day decides.
    assert report_period("monthly", dt.datetime(2026, 11, 30, 16, 30, tzinfo=dt.UTC)) == (
        dt.date(2026, 11, 1),
        dt.date(2026, 11, 30),
    )


def test_due_days_move_to_the_working_day_before():
    # National Day: 1–7 October off, Saturday 10 October a make-up working day (as in 2026-style calendars).
    calendar = WorkingCalendar(
        holidays=frozenset(dt.date(2026, 10, d) for d in range(1, 8)), workdays=frozenset({dt.date(2026, 10, 10)})
    )
    working = calendar.is_working_day
    # Monday 5 October is a holiday: the weekly summary and the monthly summary (the 5th) come out on
    # Wednesday 30 September, the last working day before.
    assert reports_due(dt.date(2026, 9, 30), working) == [
        ("weekly", dt.date(2026, 10, 5)),
        ("monthly", dt.date(2026, 10, 5)),
    ]
    assert reports_due(dt.date(2026, 10, 5), working) == []
    # Saturday 10 October is a make-up working day: the statistics come out that day.
    assert reports_due(dt.date(2026, 10, 10), working) == [("statistics", dt.date(2026, 10, 10))]
    assert reports_due(dt.date(2026, 10, 9), working) == []
    # An ordinary month: Saturday 5 December 2026 → Friday 4 December; Thursday 10 December itself.
    plain = WorkingCalendar().is_working_day
    assert reports_due(dt.date(2026, 12, 4), plain) == [("monthly", dt.date(2026, 12, 5))]
    assert reports_due(dt.date(2026, 12, 10), plain) == [("statistics", dt.date(2026, 12, 10))]
    assert reports_due(dt.date(2026, 12, 7), plain) == [("weekly", dt.date(2026, 12, 7))]


def test_the_scheduler_produces_once_archives_and_mails_the_subscribers(users, now):
    CalendarDay.objects.create(date=dt.date(2027, 3, 1), kind="holiday", name="test", source="admin", updated_at=now)
    bump_version()
    ReportSubscription.objects.create(user=users["manager"], kind="weekly")
    ReportSubscription.objects.create(user=users["gm"], kind="monthly")
    friday = local(2027, 2, 26, 9)
    produced = produce_due_reports(now=friday)
    assert [(r.kind, r.period_start, r.period_end) for r in produced] == [
        ("weekly", dt.date(2027, 2, 22), dt.date(2027, 2, 28))
    ]
    mails = list(OutboxMessage.objects.filter(kind="report"))
    assert [m.recipient for m in mails] == ["manager@example.com"]
    assert "/reports/archive/" in mails[0].body
    assert produce_due_reports(now=friday + dt.timedelta(hours=1)) == []  # once
    assert produce_due_reports(now=local(2027, 3, 1, 9)) == []  # the holiday itself
    assert ReportRun.objects.count() == 1 and OutboxMessage.objects.filter(kind="report").count() == 1


@pytest.mark.django_db
def test_cli_writes_xlsx_and_pdf_with_chinese_text(complaint_in, tmp_path):
    closed = complaint_in("closed")
    month = closed.closed_at.astimezone(TZ)
    at = dt.datetime(month.year + (month.month == 12), month.month % 12 + 1, 10, 8, tzinfo=TZ).isoformat()
    call_command("report", "statistics", "--at", at, "--out", str(tmp_path))
    xlsx = next(tmp_path.glob("statistics-*.xlsx"))
    pdf = next(tmp_path.glob("statistics-*.pdf"))
    workbook = load_workbook(xlsx, read_only=True)
    assert "指标" in workbook.sheetnames and "结案投诉" in workbook.sheetnames
    rows = [list(r) for r in workbook["结案投诉"].iter_rows(values_only=True)]
    assert rows[0][0] == "编号" and rows[1][0] == closed.number
    indicators = {r[0]: r[1] for r in workbook["指标"].iter_rows(values_only=True) if r and r[0]}
    assert indicators["结案数"] == "1"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "月度结案统计" in text and "各部门责任占比" in text and "满意率" in text
