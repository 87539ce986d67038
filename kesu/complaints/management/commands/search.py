"""`kesu search rebuild`: rewrite the full-text index of every complaint (kesu.complaints.search),
with a progress bar. Needed after changing how text is cut into tokens, or after loading
complaints straight into the tables."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kesu.complaints.search import rebuild_index

BAR = 30


class Command(BaseCommand):
    help = "Full-text search of complaints. `rebuild`: rewrite the index of every complaint."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["rebuild"])
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        tty = self.stdout.isatty()

        def progress(done: int, total: int) -> None:
            share = done / total if total else 1.0
            filled = int(BAR * share)
            line = f"[{'#' * filled}{'-' * (BAR - filled)}] {done:,}/{total:,} {share:4.0%}"
            # On a terminal one line redrawn; in a log one line per batch.
            self.stdout.write(("\r" + line) if tty else line, ending="" if tty else "\n")
            self.stdout.flush()

        count = rebuild_index(batch_size=options["batch_size"], progress=progress)
        if tty:
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Indexed {count:,} complaints in {time.monotonic() - started:.1f} s."))
