"""The calendar table: seeded from chinese-calendar, editable, extendable, loud about missing years."""

from __future__ import annotations

import datetime as dt
import logging

import pytest
import time_machine
from django.core import checks
from django.core.management import call_command

from kesu.deadlines.calendar import calendar_import_year, calendar_load_package, parse_calendar_csv
from kesu.deadlines.checks import calendar_years_check
from kesu.deadlines.models import CalendarDay, CalendarYear, DayKind
from kesu.deadlines.selectors import calendar_missing_years, deadline_config

from .conftest import at, end_of, rows

pytestmark = pytest.mark.django_db

# A stand-in for the 2027 schedule (the real one is published in late 2026).
SCHEDULE_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-09-30,workday,国庆节调休
2027-10-01,holiday,国庆节
2027-10-04,holiday,国庆节
2027-10-05,holiday,国庆节
"""


def test_official_years_are_loaded_from_the_package():
    years = set(CalendarYear.objects.values_list("year", flat=True))
    assert {2024, 2025, 2026} <= years
    assert 2027 not in years
    assert CalendarDay.objects.get(date=dt.date(2026, 2, 14)).kind == DayKind.WORKDAY
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).kind == DayKind.HOLIDAY
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name == "National Day"


def test_loading_again_keeps_administrators_edits():
    CalendarDay.objects.filter(date=dt.date(2026, 10, 10)).update(kind=DayKind.HOLIDAY, name="edited")
    assert calendar_load_package(now=at(2026, 11, 23)) == []
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).name == "edited"


def test_the_snapshot_follows_the_table():
    calendar = deadline_config().calendar
    assert calendar.is_working_day(dt.date(2026, 9, 20))
    assert not calendar.is_working_day(dt.date(2026, 10, 5))
    assert not calendar.covers(2027)


def test_missing_years_and_the_check_warn_about_next_year():
    assert calendar_missing_years(now=at(2026, 11, 23)) == [2027]
    assert calendar_missing_years(now=at(2026, 6, 1)) == []
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        warnings = calendar_years_check()
    assert [w.id for w in warnings] == ["kesu.deadlines.W001"]
    assert "2027" in warnings[0].msg
    assert warnings[0].level == checks.WARNING


def test_kesu_check_reports_the_missing_year(capsys):
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        call_command("check")
    assert "kesu.deadlines.W001" in capsys.readouterr().err


def test_a_deadline_in_a_year_without_data_logs_a_warning(reg, caplog):
    with caplog.at_level(logging.WARNING, logger="kesu.deadlines.services"):
        complaint = reg(at(2026, 12, 29, 10), now=at(2026, 12, 29, 10, 1))
    assert "2027" in caplog.text and "Monday to Friday" in caplog.text
    assert complaint.close_due == end_of(2027, 1, 13)


def test_importing_next_years_schedule_replaces_the_fallback_and_recomputes(reg, users):
    # Received Wed 29 Sep 2027 (the clock is moved there): reply within 3 working days.
    with time_machine.travel(at(2027, 9, 29, 9), tick=False):
        complaint = reg(at(2027, 9, 29, 9), now=at(2027, 9, 29, 9, 1))
        assert complaint.reply_due == end_of(2027, 10, 4)  # Mon–Fri fallback: 30 Sep, 1 Oct, 4 Oct
        imported = calendar_import_year(
            actor=users["admin"], year=2027, days=parse_calendar_csv(SCHEDULE_2027), now=at(2027, 9, 29, 10)
        )
    assert (imported.holidays, imported.workdays, imported.recomputed) == (4, 1, 1)
    complaint.refresh_from_db()
    # 30 Sep (Thu), 6 Oct (Wed), 7 Oct (Thu): 1, 4 and 5 Oct are now holidays.
    assert complaint.reply_due == end_of(2027, 10, 7)
    assert rows(complaint)["reply"].due_at == end_of(2027, 10, 7)
    event = complaint.events.get(kind="deadlines_recomputed")
    assert dt.datetime.fromisoformat(event.data["deadlines"]["reply"]["from"]) == end_of(2027, 10, 4)
    assert deadline_config().calendar.covers(2027)
    assert calendar_missing_years(now=at(2026, 11, 23)) == []


def test_the_import_refuses_bad_lines_and_other_years(users):
    from kesu.core.errors import ValidationFailed

    with pytest.raises(ValidationFailed):
        parse_calendar_csv("2027-13-01,holiday,x\n2027-01-02,party,y\n")
    with pytest.raises(ValidationFailed):
        calendar_import_year(
            actor=users["admin"], year=2027, days=[(dt.date(2028, 1, 1), "holiday", "")], now=at(2026, 11, 23)
        )
    assert not CalendarYear.objects.filter(year=2027).exists()


def test_the_calendar_command_imports_a_file(tmp_path, capsys):
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")
    with time_machine.travel(at(2026, 11, 23, 10), tick=False):
        call_command("calendar", "import", str(path), "--year", "2027")
    out = capsys.readouterr().out
    assert "2027: 4 holidays, 1 make-up working days" in out
    assert CalendarYear.objects.get(year=2027).source == "import"
