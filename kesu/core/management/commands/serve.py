"""`kesu serve`: gunicorn in-process, with the background scheduler when there is no broker."""

from __future__ import annotations

import copy
import os
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication


class _Server(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]):
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from config.wsgi import application

        return application


def _post_worker_init(worker: Any) -> None:
    if settings.KESU_SCHEDULER and not settings.CELERY_BROKER_URL:
        from kesu.core import scheduler

        scheduler.start()


def gunicorn_logging() -> dict[str, Any]:
    """Gunicorn's own lines (start-up, worker errors) through the same handlers and formatter as
    Django's (settings.LOGGING: one JSON object per line by default)."""
    config: dict[str, Any] = copy.deepcopy(settings.LOGGING)  # dictConfig consumes "()" keys
    loggers: dict[str, Any] = dict(config.get("loggers", {}))
    loggers["gunicorn.error"] = {"level": "INFO", "handlers": [], "propagate": True}
    # No access log: its lines carry paths and query strings (a tracking query holds the customer's
    # phone); kesu.request logs each request with its route pattern instead.
    loggers["gunicorn.access"] = {"level": "CRITICAL", "handlers": [], "propagate": False}
    return {**config, "disable_existing_loggers": False, "loggers": loggers}


class Command(BaseCommand):
    help = "Serve Kesu (gunicorn) with the in-process scheduler."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--host", default=os.environ.get("KESU_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=1)
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Kesu serving on http://{options['host']}:{options['port']}/")
        _Server(
            {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "post_worker_init": _post_worker_init,
                "accesslog": None,
                "logconfig_dict": gunicorn_logging(),
                "timeout": 60,
            }
        ).run()
