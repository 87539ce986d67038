"""Writing the working-day calendar: load the `chinese-calendar` package's years, import or
enter a year's official schedule (国务院办公厅关于节假日安排的通知) as soon as it is published."""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kesu.audit.services import audit_record
from kesu.core.errors import FieldError, ValidationFailed
from kesu.deadlines.models import CalendarDay, CalendarSource, CalendarYear, DayKind, DeadlineSettings

logger = logging.getLogger(__name__)


def bump_version() -> None:
    """Renew the settings' version. Any write to the deadline tables, this one included, renews the
    reference-data version by trigger, which has every process build the configuration again
    (kesu/core/reference.py)."""
    DeadlineSettings.objects.filter(pk=1).update(version=uuid.uuid4().hex)


def package_years() -> list[int]:
    """The years the installed `chinese-calendar` package has official data for."""
    try:
        from chinese_calendar.constants import holidays, workdays
    except ImportError:  # pragma: no cover - it is a dependency
        return []
    years = {day.year for day in holidays} | {day.year for day in workdays}
    return sorted(years)


def _package_days(year: int) -> list[tuple[dt.date, str, str]]:
    from chinese_calendar.constants import holidays, workdays

    rows: list[tuple[dt.date, str, str]] = []
    for day, holiday in holidays.items():
        if day.year == year:
            rows.append((day, DayKind.HOLIDAY, str(holiday)))
    for day, holiday in workdays.items():
        if day.year == year:
            rows.append((day, DayKind.WORKDAY, str(holiday)))
    return sorted(rows)


def calendar_load_package(*, now: dt.datetime, years: Iterable[int] | None = None, replace: bool = False) -> list[int]:
    """Load the package's years that the table does not hold yet (or all of `years` with `replace`).
    Years an administrator entered or imported are never overwritten without `replace`."""
    wanted = sorted(set(years) if years is not None else set(package_years()))
    available = set(package_years())
    loaded: list[int] = []
    with transaction.atomic():
        present = set(CalendarYear.objects.filter(year__in=wanted).values_list("year", flat=True))
        for year in wanted:
            if year not in available or (year in present and not replace):
                continue
            _replace_year(year, _package_days(year), source=CalendarSource.PACKAGE, note="chinese-calendar", now=now)
            loaded.append(year)
        if loaded:
            bump_version()
    return loaded


def _replace_year(year: int, days: list[tuple[dt.date, str, str]], *, source: str, note: str, now: dt.datetime) -> None:
    CalendarDay.objects.filter(date__year=year).delete()
    CalendarDay.objects.bulk_create(
        [CalendarDay(date=day, kind=kind, name=name[:80], source=source, updated_at=now) for day, kind, name in days]
    )
    CalendarYear.objects.update_or_create(year=year, defaults={"source": source, "note": note, "updated_at": now})


@dataclass(frozen=True)
class ImportedYear:
    year: int
    holidays: int
    workdays: int
    recomputed: int


def parse_calendar_csv(text: str) -> list[tuple[dt.date, str, str]]:
    """Rows `date,kind,name` (kind: holiday or workday; a header line is allowed)."""
    errors: list[FieldError] = []
    rows: list[tuple[dt.date, str, str]] = []
    for number, record in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not record or not record[0].strip() or record[0].strip().lower() == "date":
            continue
        try:
            day = dt.date.fromisoformat(record[0].strip())
        except ValueError:
            errors.append(
                FieldError(
                    f"line {number}", _("Not a date (YYYY-MM-DD): %(value)s") % {"value": record[0][:20]}, "invalid"
                )
            )
            continue
        kind = record[1].strip().lower() if len(record) > 1 else ""
        if kind not in (DayKind.HOLIDAY, DayKind.WORKDAY):
            errors.append(FieldError(f"line {number}", _("The kind must be holiday or workday."), "invalid_choice"))
            continue
        rows.append((day, kind, record[2].strip() if len(record) > 2 else ""))
    if errors:
        raise ValidationFailed(errors)
    return rows


def calendar_import_year(
    *,
    actor: Any,
    year: int,
    days: list[tuple[dt.date, str, str]],
    now: dt.datetime,
    source: str = CalendarSource.IMPORT,
    note: str = "",
) -> ImportedYear:
    """Replace `year`'s official schedule and recompute the open deadlines that reach into it."""
    outside = [day for day, _kind, _name in days if day.year != year]
    if outside:
        raise ValidationFailed(
            [
                FieldError(
                    "days",
                    _("%(date)s is not in %(year)d.") % {"date": outside[0].isoformat(), "year": year},
                    "invalid",
                )
            ]
        )
    with transaction.atomic():
        _replace_year(year, days, source=source, note=note, now=now)
        bump_version()
        audit_record(
            actor=actor,
            action="calendar.import",
            object_type="calendar_year",
            object_id=str(year),
            data={
                "holidays": sum(k == DayKind.HOLIDAY for _d, k, _n in days),
                "workdays": sum(k == DayKind.WORKDAY for _d, k, _n in days),
                "source": source,
            },
            at=now,
        )
    from kesu.deadlines.services import deadlines_recompute_for_calendar

    recomputed = deadlines_recompute_for_calendar(years=[year], actor=actor, now=now)
    return ImportedYear(
        year=year,
        holidays=sum(k == DayKind.HOLIDAY for _d, k, _n in days),
        workdays=sum(k == DayKind.WORKDAY for _d, k, _n in days),
        recomputed=recomputed,
    )


def calendar_edited(*, actor: Any, years: Iterable[int], now: dt.datetime) -> int:
    """After an administrator edited days in the admin: mark the years as known, reload, recompute."""
    years = sorted(set(years))
    with transaction.atomic():
        for year in years:
            CalendarYear.objects.get_or_create(
                year=year,
                defaults={"source": CalendarSource.ADMIN, "updated_at": now, "note": _("entered by an administrator")},
            )
        bump_version()
    from kesu.deadlines.services import deadlines_recompute_for_calendar

    return deadlines_recompute_for_calendar(years=years, actor=actor, now=now)


MAX_IMPORT_BYTES = 200_000


def calendar_import_file(*, actor: Any, year: int | None, text: str, now: dt.datetime) -> ImportedYear:
    """An administrator imports a year's official schedule from a CSV file (docs/calendar.md):
    refused, with nothing written, for anyone but an administrator, or when the year or a line is
    wrong (each error names the line)."""
    from kesu.accounts.models import Role
    from kesu.core.errors import PermissionDenied

    if getattr(actor, "role", None) != Role.ADMIN:
        raise PermissionDenied(_("Only an administrator imports the holiday calendar."))
    errors: list[FieldError] = []
    if year is None or not 2000 <= year <= 2100:
        errors.append(FieldError("year", _("Give the year, from 2000 to 2100."), "invalid"))
    if not text.strip():
        errors.append(FieldError("file", _("Choose the CSV file of the year's official days."), "required"))
    if errors:
        raise ValidationFailed(errors)
    days = parse_calendar_csv(text)
    if not days:
        raise ValidationFailed([FieldError("file", _("The file lists no days."), "required")])
    assert year is not None
    return calendar_import_year(actor=actor, year=year, days=days, now=now, note=_("imported in the workspace"))
