"""`kesu worker`: a Celery worker for the background tasks (needs CELERY_BROKER_URL)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Run a Celery worker (sweep, reminders, notification delivery, audit sealing)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
        parser.add_argument("--loglevel", default="INFO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError("CELERY_BROKER_URL is not set; `kesu serve` runs the tasks in-process.")
        from config.celery import app

        app.worker_main(
            [
                "worker",
                f"--loglevel={options['loglevel']}",
                f"--pool={options['pool']}",
                f"--concurrency={options['concurrency']}",
                "-Q",
                settings.CELERY_TASK_DEFAULT_QUEUE,
                "--without-gossip",
                "--without-mingle",
            ]
        )
