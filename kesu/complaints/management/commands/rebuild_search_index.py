"""`kesu rebuild_search_index`: the same as `kesu search rebuild`."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "Rewrite the full-text index of every complaint (the same as `kesu search rebuild`)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("search", "rebuild", batch_size=options["batch_size"], stdout=self.stdout)
