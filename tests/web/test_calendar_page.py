"""工作日历: the banner an administrator sees while a year's official schedule is missing, and
the import of that schedule from a file. Refusals write nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesu.audit.models import AuditRecord
from kesu.core import clock
from kesu.deadlines.models import CalendarDay, CalendarYear
from kesu.deadlines.selectors import calendar_missing_years

pytestmark = pytest.mark.django_db

GOOD = "date,kind,name\n{y}-01-01,holiday,元旦\n{y}-02-06,holiday,春节\n{y}-02-07,workday,春节调休\n"


def _missing_year() -> int:
    """Make sure the year after this one has no schedule (whatever today's date) and return it."""
    year = clock.now().year + 1
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarYear.objects.filter(year=year).delete()
    return year


def _snapshot() -> tuple[object, ...]:
    return (
        list(CalendarYear.objects.order_by("year").values_list("year", "source")),
        CalendarDay.objects.count(),
        AuditRecord.objects.count(),
    )


def _upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("calendar.csv", text.encode("utf-8"), content_type="text/csv")


def test_the_admin_sees_a_banner_while_next_years_schedule_is_missing(as_user):
    year = _missing_year()
    if year not in calendar_missing_years(now=clock.now()):
        # More than 90 days before the new year the check does not look ahead yet.
        CalendarYear.objects.filter(year=clock.now().year).delete()
        year = clock.now().year
    body = as_user("admin").get("/").content.decode()
    assert "calendar-banner" in body
    assert str(year) in body
    assert 'href="/settings/calendar/"' in body
    assert "calendar-banner" not in as_user("manager").get("/").content.decode()  # administrators only


def test_no_banner_when_the_years_are_known(as_user):
    now = clock.now()
    for year in {now.year, (now + dt.timedelta(days=90)).year}:
        CalendarYear.objects.get_or_create(year=year, defaults={"source": "admin", "updated_at": now})
    assert "calendar-banner" not in as_user("admin").get("/").content.decode()


def test_an_admin_imports_next_years_schedule(as_user):
    year = _missing_year()
    client = as_user("admin")
    response = client.post("/settings/calendar/", {"year": str(year), "file": _upload(GOOD.format(y=year))})
    assert response.status_code == 302
    assert CalendarYear.objects.get(year=year).source == "import"
    assert CalendarDay.objects.filter(date__year=year).count() == 3
    assert CalendarDay.objects.get(date=dt.date(year, 2, 7)).kind == "workday"
    assert AuditRecord.objects.filter(action="calendar.import", object_id=str(year)).count() == 1
    page = client.get("/settings/calendar/").content.decode()
    assert str(year) in page


@pytest.mark.parametrize(
    ("text", "year_offset", "field_text"),
    [
        ("date,kind,name\nnot-a-date,holiday,x\n", 1, "Line 2"),
        ("date,kind,name\n{y}-01-01,party,x\n", 1, "Line 2"),
        ("date,kind,name\n{other}-01-01,holiday,x\n", 1, "-01-01"),
        ("", 1, "CSV"),
    ],
)
def test_a_bad_file_is_refused_naming_the_line_and_nothing_is_written(as_user, text, year_offset, field_text):
    year = _missing_year()
    before = _snapshot()
    response = as_user("admin").post(
        "/settings/calendar/",
        {"year": str(year), "file": _upload(text.format(y=year, other=year + 1) or " ")},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422
    assert field_text in response.content.decode()
    assert _snapshot() == before


def test_a_manager_reads_the_calendar_but_may_not_import(as_user):
    year = _missing_year()
    client = as_user("manager")
    page = client.get("/settings/calendar/")
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' not in page.content.decode()
    before = _snapshot()
    response = client.post("/settings/calendar/", {"year": str(year), "file": _upload(GOOD.format(y=year))})
    assert response.status_code == 403
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["agent", "supervisor", "handler", "auditor"])
def test_other_roles_do_not_see_the_calendar(as_user, role):
    assert as_user(role).get("/settings/calendar/").status_code == 403


def test_the_service_refuses_anyone_but_an_administrator(users):
    from kesu.core.errors import PermissionDenied
    from kesu.deadlines.calendar import calendar_import_file

    year = _missing_year()
    before = _snapshot()
    with pytest.raises(PermissionDenied):
        calendar_import_file(actor=users["manager"], year=year, text=GOOD.format(y=year), now=clock.now())
    assert _snapshot() == before


def test_the_calendar_page_reads_in_a_fixed_number_of_queries(as_user, django_assert_max_num_queries):
    client = as_user("admin")
    client.get("/settings/calendar/")  # warm the session
    with django_assert_max_num_queries(12):
        assert client.get("/settings/calendar/").status_code == 200
