"""`kesu tallies [--rebuild | --reconcile]`: bring the indicators' daily tallies in step
(kesu/reports/tallies.py). Without an option, what changed since the last refresh (the scheduler
does this every minute); `--rebuild` recounts everything at once, with a progress bar (after a
restore, after complaints were loaded straight into the tables); `--reconcile` recounts everything
a chunk at a time and corrects what differs (the nightly check, also run by the scheduler)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from kesu.core import clock
from kesu.reports.tallies import reconcile_tallies, refresh_tallies

BAR = 30


class Command(BaseCommand):
    help = "Bring the indicators' daily tallies in step; --rebuild recounts every complaint."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument("--rebuild", action="store_true", help="recount every complaint at once")
        mode.add_argument(
            "--reconcile",
            action="store_true",
            help="recount every complaint a chunk at a time, correcting what differs",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        tty = self.stdout.isatty()

        def progress(done: int, total: int) -> None:
            share = done / total if total else 1.0
            filled = int(BAR * share)
            line = f"[{'#' * filled}{'-' * (BAR - filled)}] {done:,}/{total:,} {share:4.0%}"
            self.stdout.write(("\r" + line) if tty else line, ending="" if tty else "\n")
            self.stdout.flush()

        if options["reconcile"]:
            changed = reconcile_tallies(now=clock.now(), progress=progress)
        else:
            changed = refresh_tallies(now=clock.now(), rebuild=options["rebuild"], progress=progress)
        if tty and (options["rebuild"] or options["reconcile"]):
            self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Counted {changed:,} complaints in {time.monotonic() - started:.1f} s."))
