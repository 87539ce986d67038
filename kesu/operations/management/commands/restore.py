"""`kesu restore PATH`: replace the database's content with a backup (stop Kesu first)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.audit.services import audit_verify
from kesu.core import clock
from kesu.operations.backup import BackupError, restore_database, restore_media


class Command(BaseCommand):
    help = "Restore the database from a `kesu backup` file, then verify the audit chain."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")
        parser.add_argument("--media", help="also unpack this evidence archive (from `kesu backup --media`)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["yes"] and input("This replaces every record in the database. Type 'yes': ") != "yes":
            raise CommandError("restore cancelled")
        try:
            if options["media"]:
                restore_media(source=Path(options["media"]))
            restore_database(source=Path(options["path"]), now=clock.now())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        result = audit_verify()
        if not result.ok:
            raise CommandError(f"restored, but the audit trail does not verify: {result.reason}")
        self.stdout.write(f"restored from {options['path']}; audit trail OK ({result.checked} record(s))")
