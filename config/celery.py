"""The Celery app (used when CELERY_BROKER_URL is set): the same task functions as the in-process
scheduler (`kesu.core.tasks` registry), named `kesu.<name>`, with beat running `SCHEDULE`."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import django
from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from django.conf import settings  # noqa: E402

from kesu.core import scheduler, tasks  # noqa: E402

app = Celery("kesu")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
app.conf.broker_connection_retry_on_startup = True
app.conf.worker_hijack_root_logger = False
app.conf.task_acks_late = True  # tasks are idempotent: a crashed worker's task runs again
app.conf.worker_prefetch_multiplier = 1


def _register(name: str, function: Any) -> None:
    def run() -> Any:
        from django.db import close_old_connections

        close_old_connections()
        try:
            return function()
        finally:
            close_old_connections()

    run.__name__ = name
    app.task(name=f"kesu.{name}", ignore_result=True)(run)


for _name, _function in tasks.registry().items():
    _register(_name, _function)

app.conf.beat_schedule = {
    f"kesu.{name}": {"task": f"kesu.{name}", "schedule": timedelta(seconds=interval)}
    for name, interval in scheduler.SCHEDULE.items()
}
