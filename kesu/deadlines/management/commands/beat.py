"""`kesu beat`: Celery beat, sending each registered task at the interval it declares (`kesu.core.tasks`)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run Celery beat (the periodic sweep, outbox delivery and audit sealing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError("CELERY_BROKER_URL is not set; `kesu serve` runs the tasks in-process.")
        from config.celery import app

        schedule = settings.DATA_DIR / "celerybeat-schedule"
        app.start(["beat", f"--loglevel={options['loglevel']}", f"--schedule={schedule}"])
