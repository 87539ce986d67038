"""`kesu backup [--output PATH]`: a consistent copy of the database while Kesu runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.core import clock
from kesu.operations.backup import (
    BackupError,
    backup_database,
    backup_media,
    default_destination,
    media_destination,
)


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup; PostgreSQL pg_dump)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--output", help="file to write (default: $KESU_DATA_DIR/backups/kesu-<time>.*)")
        parser.add_argument(
            "--media", action="store_true", help="also archive the evidence files, to <output>.media.tar.gz"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        destination = Path(options["output"]) if options["output"] else default_destination(clock.now())
        try:
            written = backup_database(destination=destination)
            if options["media"]:
                media = backup_media(destination=media_destination(written))
                self.stdout.write(f"evidence files written to {media}")
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"backup written to {written}")
