"""`kesu runtask <name>`: run one registered background task now (cron, or by hand)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kesu.core import tasks


class Command(BaseCommand):
    help = "Run one registered background task (deliver_outbox, seal_audit, …) once."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("name")

    def handle(self, *args: Any, **options: Any) -> None:
        registry = tasks.registry()
        if options["name"] not in registry:
            raise CommandError(f"unknown task {options['name']!r}; known: {', '.join(sorted(registry))}")
        self.stdout.write(f"{options['name']}: {tasks.run(options['name'])}")
