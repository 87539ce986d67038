"""The Celery application, configured from Django settings. `config/celery.py` (the worker's and
beat's entry point) registers the tasks on it; web processes use it only to send tasks."""

from __future__ import annotations

import functools

from celery import Celery
from django.conf import settings


def make_app() -> Celery:
    app = Celery("kesu")
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.task_default_queue = settings.CELERY_TASK_DEFAULT_QUEUE
    app.conf.broker_connection_retry_on_startup = True
    app.conf.worker_hijack_root_logger = False
    app.conf.task_acks_late = True  # tasks are idempotent: a crashed worker's task runs again
    app.conf.worker_prefetch_multiplier = 1
    return app


@functools.cache
def producer() -> Celery:
    """The app tasks are sent with (`kesu.<name>` to the configured queue)."""
    return make_app()
