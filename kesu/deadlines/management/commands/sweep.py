"""`kesu sweep [--at ISO8601]`: evaluate every deadline as of that instant (default now)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.core import clock
from kesu.deadlines.sweep import sweep


class Command(BaseCommand):
    help = "Mark overdue complaints, escalate them and send due reminders, once per deadline."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--at", help="ISO 8601 instant with offset (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        at = clock.now()
        if options.get("at"):
            try:
                at = dt.datetime.fromisoformat(options["at"])
            except ValueError as exc:
                raise CommandError(f"--at: not an ISO 8601 instant: {options['at']}") from exc
            if at.tzinfo is None:
                at = at.replace(tzinfo=clock.local(clock.now()).tzinfo)
        result = sweep(now=at)
        self.stdout.write(json.dumps({"at": at.isoformat(), **result.as_dict()}))
