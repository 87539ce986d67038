"""`kesu import FILE [--historical [--bulk [--chunk N] [--workers N]]]`: complaints from an XLSX or
CSV file (API.md, SPEC IN-9).

Every row is checked before any is stored; the bad ones are listed (row, column, reason) and
never stored; the good ones are imported once, however often the file is run. `--bulk` writes
historical rows with COPY on PostgreSQL (kesu/imports/bulk.py); elsewhere row by row."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from kesu.accounts.models import Role, User
from kesu.core import clock
from kesu.core.errors import DomainError
from kesu.imports.bulk import BULK_CHUNK, bulk_supported, import_file_bulk
from kesu.imports.columns import PRESETS
from kesu.imports.services import import_file


class Command(BaseCommand):
    help = "Import complaints from an XLSX or CSV file (Chinese or English headers)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--historical",
            action="store_true",
            help="past complaints: keep their dates, status and outcome; no deadlines, nobody notified",
        )
        parser.add_argument("--user", help="username of the staff member entering the file (default: an administrator)")
        parser.add_argument("--preset", default="generic", choices=sorted(PRESETS), help="kind of file")
        parser.add_argument("--channel", default="", help="channel code for rows that give none")
        parser.add_argument("--all-or-nothing", action="store_true", help="store nothing when any row has a problem")
        parser.add_argument(
            "--bulk",
            action="store_true",
            help="with --historical, on PostgreSQL: prepare the rows in worker processes and write them with COPY",
        )
        parser.add_argument("--chunk", type=int, default=BULK_CHUNK, help="bulk: rows per transaction")
        parser.add_argument("--workers", type=int, default=None, help="bulk: worker processes (default: one per CPU)")

    def handle(self, *args: Any, **options: Any) -> None:
        bulk = options["bulk"]
        if bulk and not options["historical"]:
            raise CommandError(
                _(
                    "Bulk mode imports historical complaints only (no deadlines, nobody notified): "
                    "add --historical, or import without --bulk."
                )
            )
        if bulk and options["all_or_nothing"]:
            raise CommandError(_("Bulk mode stores each chunk as it goes: import without --all-or-nothing."))
        if options["chunk"] < 1 or (options["workers"] is not None and options["workers"] < 1):
            raise CommandError(_("--chunk and --workers take a number of at least 1."))
        actor = self._actor(options.get("user"))
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        if bulk and not bulk_supported():
            self.stderr.write(_("Bulk mode needs PostgreSQL: on this database the rows are imported one by one."))
            bulk = False
        try:
            if bulk:
                batch = import_file_bulk(
                    actor=actor,
                    name=path.name,
                    content=path.read_bytes(),
                    now=clock.now(),
                    preset=options["preset"],
                    default_channel=options["channel"],
                    progress=self._progress,
                    chunk=options["chunk"],
                    workers=options["workers"],
                )
            else:
                batch = import_file(
                    actor=actor,
                    name=path.name,
                    content=path.read_bytes(),
                    now=clock.now(),
                    historical=options["historical"],
                    preset=options["preset"],
                    default_channel=options["channel"],
                    progress=self._progress,
                    all_or_nothing=options["all_or_nothing"],
                )
        except DomainError as exc:
            for error in exc.errors:
                self.stderr.write(f"{error.field or '-'}: {error.message}")
            raise CommandError(str(exc.message)) from exc
        self.stderr.write("")
        for problem in batch.problems:
            column = problem["column"] or "-"
            self.stderr.write(f"row {problem['row']}: {column} ({problem['field'] or '-'}): {problem['message']}")
        summary = (
            f"imported {batch.created_count}, already imported {batch.skipped_count}, "
            f"rejected {batch.rejected_count} of {batch.total} row(s)"
        )
        if options["all_or_nothing"] and batch.rejected_count:
            raise CommandError("nothing was imported: " + summary)
        self.stdout.write(summary)

    def _actor(self, username: str | None) -> User:
        users = User.objects.filter(is_active=True)
        actor = users.filter(username=username).first() if username else users.filter(role=Role.ADMIN).first()
        if actor is None:
            raise CommandError(f"unknown user {username!r}" if username else "no active administrator; give --user")
        return actor

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = int(width * done / total) if total else width
        bar = "#" * filled + "." * (width - filled)
        percent = int(100 * done / total) if total else 100
        self.stderr.write(f"\r[{bar}] {percent:3d}% {done}/{total}", ending="")
        if hasattr(sys.stderr, "flush"):
            sys.stderr.flush()
