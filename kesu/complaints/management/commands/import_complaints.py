"""`kesu import_complaints FILE --user USERNAME`: batch intake from CSV or XLSX (all rows or none)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.accounts.models import User
from kesu.complaints.services.batch import COLUMNS, BatchRejected, complaints_import, read_rows
from kesu.core import clock


class Command(BaseCommand):
    help = "Import complaints from a CSV or XLSX file. Columns: " + ", ".join(COLUMNS)

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--user", required=True, help="username of the staff member entering the batch")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = User.objects.filter(username=options["user"], is_active=True).first()
        if actor is None:
            raise CommandError(f"unknown user {options['user']!r}")
        path: Path = options["file"]
        if not path.exists():
            raise CommandError(f"no such file: {path}")
        try:
            created = complaints_import(actor=actor, rows=read_rows(path), now=clock.now())
        except BatchRejected as rejected:
            for problem in rejected.row_errors:
                self.stderr.write(f"row {problem.row}: {problem.field or '-'}: {problem.message}")
            raise CommandError(str(rejected.message)) from rejected
        self.stdout.write(
            f"imported {len(created)} complaint(s): "
            + (f"{created[0].number} … {created[-1].number}" if created else "none")
        )
