"""The Celery app (used when CELERY_BROKER_URL is set): the same task functions as the in-process
scheduler (`kesu.core.tasks` registry, filled by each app's `tasks.py` at start-up), named
`kesu.<name>`, with beat running each task at the interval it declares."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
django.setup()

from kesu.core import tasks  # noqa: E402
from kesu.core.celery_app import producer  # noqa: E402

app = producer()


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
    for name, interval in tasks.schedule().items()
}
