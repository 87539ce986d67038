"""`kesu calendar status|load|import FILE --year YEAR`: the official working-day calendar."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.core import clock
from kesu.core.errors import ValidationFailed
from kesu.deadlines.calendar import calendar_import_year, calendar_load_package, package_years, parse_calendar_csv
from kesu.deadlines.models import CalendarDay, CalendarYear
from kesu.deadlines.selectors import calendar_missing_years


class Command(BaseCommand):
    help = "Show, load (from chinese-calendar) or import (CSV date,kind,name) the official calendar."

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status")
        load = sub.add_parser("load")
        load.add_argument("--replace", action="store_true", help="overwrite years already in the table")
        imp = sub.add_parser("import")
        imp.add_argument("file")
        imp.add_argument("--year", type=int, required=True)

    def handle(self, *args: Any, **options: Any) -> None:
        now = clock.now()
        if options["action"] == "load":
            years = calendar_load_package(now=now, replace=options["replace"])
            self.stdout.write(f"loaded: {', '.join(map(str, years)) or 'nothing new'}")
        elif options["action"] == "import":
            try:
                days = parse_calendar_csv(Path(options["file"]).read_text(encoding="utf-8-sig"))
                result = calendar_import_year(actor=None, year=options["year"], days=days, now=now)
            except ValidationFailed as exc:
                raise CommandError("; ".join(f"{e.field}: {e.message}" for e in exc.errors)) from exc
            self.stdout.write(
                f"{result.year}: {result.holidays} holidays, {result.workdays} make-up working days, "
                f"{result.recomputed} complaints recomputed"
            )
        table = list(CalendarYear.objects.order_by("year").values_list("year", "source"))
        package = package_years()
        self.stdout.write(
            f"package covers {package[0] if package else '-'}–{package[-1] if package else '-'}; "
            f"table: {len(table)} years, {CalendarDay.objects.count()} days; last: "
            f"{table[-1][0] if table else '-'} ({table[-1][1] if table else '-'})"
        )
        for year in calendar_missing_years(now=now):
            self.stderr.write(self.style.WARNING(f"WARNING: no official schedule for {year}: Monday to Friday assumed"))
