"""`kesu report weekly|monthly|statistics [--at ISO8601] [--out DIR]` (API.md "CLI")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.dateparse import parse_datetime

from kesu.core import clock
from kesu.reports.scheduled import KINDS, write_report


class Command(BaseCommand):
    help = "Write a report (XLSX and PDF) for the period that ends before --at (default now)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("--at", help="ISO 8601 instant; the report covers the period that ends before it")
        parser.add_argument("--out", default=".", help="directory the files are written to (default: here)")
        parser.add_argument("--language", default=None, help="zh-hans (default), zh-hant or en")

    def handle(self, *args: Any, **options: Any) -> None:
        at = clock.now()
        if options["at"]:
            parsed = parse_datetime(options["at"])
            if parsed is None or parsed.tzinfo is None:
                raise CommandError("--at: give an ISO 8601 instant with its offset, e.g. 2026-12-07T08:00:00+08:00")
            at = parsed
        xlsx, pdf = write_report(options["kind"], at=at, out=Path(options["out"]), language=options["language"])
        self.stdout.write(f"{xlsx}\n{pdf}\n")
