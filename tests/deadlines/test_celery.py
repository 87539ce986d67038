"""The sweep and notification delivery on a real Celery worker with Redis (db 1, own queue)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from celery import Celery
from django.db import connection

from kesu.core import clock
from kesu.notifications.models import OutboxMessage, OutboxStatus

from .smtp import free_port, smtp_server

REDIS_URL = "redis://127.0.0.1:6379/1"
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "postgresql":
        auth = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db.get("PASSWORD") else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    return f"sqlite:///{Path(db['NAME']).resolve()}"


def wait_for(condition, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.2)
    return condition()


@pytest.fixture
def worker(tmp_path):
    redis.Redis.from_url(REDIS_URL).ping()
    queue = f"kesu-test-{uuid.uuid4().hex[:12]}"
    smtp_port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DATABASE_URL": database_url(),
        "CELERY_BROKER_URL": REDIS_URL,
        "KESU_CELERY_QUEUE": queue,
        "KESU_DATA_DIR": str(tmp_path),
        "KESU_SMTP_HOST": "127.0.0.1",
        "KESU_SMTP_PORT": str(smtp_port),
        "KESU_LOG_LEVEL": "WARNING",
    }
    controller, inbox = smtp_server(smtp_port)
    controller.start()
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "kesu"),
            "worker",
            "--pool",
            "solo",
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    sender = Celery("kesu-test", broker=REDIS_URL)
    try:
        yield sender, queue, inbox
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        controller.stop()
        log.close()
        client = redis.Redis.from_url(REDIS_URL)
        client.delete(queue, *client.keys(f"*{queue}*"))


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sweep_and_delivery_run_on_a_celery_worker(register, worker):
    sender, queue, inbox = worker
    now = clock.now()
    complaint = register(now_=now, received_at=(now - dt.timedelta(hours=30)).isoformat())
    OutboxMessage.objects.all().delete()

    sender.send_task("kesu.sweep_deadlines", queue=queue)

    # The worker sweeps, writes the escalation to the outbox, and after commit dispatches the
    # delivery task (kesu.deliver_outbox) to the same queue, which sends it over SMTP.
    assert wait_for(lambda: inbox.messages), "no mail arrived from the worker"
    complaint.refresh_from_db()
    assert complaint.escalation_level == 1 and complaint.overdue
    message = OutboxMessage.objects.get(kind="escalated")
    assert wait_for(lambda: OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT)
    assert inbox.messages == [(["supervisor@example.com"], message.subject)]
