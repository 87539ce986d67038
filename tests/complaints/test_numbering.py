"""Complaint numbers `YYYYMM-NNNNN` (API.md "Numbers"): local month, restart monthly, gap-free, unique."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from kesu.complaints.models import Complaint, MonthlyCounter
from kesu.complaints.services.intake import complaint_register
from kesu.core.errors import PermissionDenied
from tests.conftest import SHANGHAI, intake_payload

NOW = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SHANGHAI)
BASE_DIR = Path(__file__).resolve().parents[2]


def test_number_is_month_dash_five_digit_serial(register):
    complaint = register(now_=NOW, received_at="2026-11-20T09:00:00+08:00")

    assert complaint.number == "202611-00001"
    assert re.fullmatch(r"\d{6}-\d{5}", complaint.number)


def test_serials_follow_each_other_within_a_month(register):
    numbers = [register(now_=NOW, received_at="2026-11-20T09:00:00+08:00").number for _ in range(3)]

    assert numbers == ["202611-00001", "202611-00002", "202611-00003"]


def test_serial_restarts_at_00001_in_a_new_month(register):
    register(now_=NOW, received_at="2026-10-30T09:00:00+08:00")
    register(now_=NOW, received_at="2026-10-30T10:00:00+08:00")

    november = register(now_=NOW, received_at="2026-11-01T09:00:00+08:00")

    assert november.number == "202611-00001"


def test_backdated_complaint_is_numbered_in_its_own_month(register):
    register(now_=NOW)  # 202611-00001

    backdated = register(now_=NOW, received_at="2026-09-15T09:00:00+08:00")

    assert backdated.number == "202609-00001"


def test_month_is_the_shanghai_month_late_on_the_last_day(register):
    # 2026-10-31T15:30Z: still October in Shanghai.
    complaint = register(now_=NOW, received_at="2026-10-31T23:30:00+08:00")

    assert complaint.number == "202610-00001"


def test_month_is_the_shanghai_month_when_utc_is_still_the_previous_month(register):
    # 2026-10-31T17:00Z is 2026-11-01T01:00 in Shanghai.
    complaint = register(now_=NOW, received_at="2026-10-31T17:00:00Z")

    assert complaint.number == "202611-00001"


def test_month_follows_time_zone_setting_even_when_another_zone_is_active(register):
    with timezone.override("UTC"):
        complaint = register(now_=NOW, received_at="2026-10-31T17:00:00Z")

    assert complaint.number == "202611-00001"


def test_period_and_serial_are_stored(register):
    complaint = register(now_=NOW, received_at="2026-11-20T09:00:00+08:00")

    complaint.refresh_from_db()
    assert (complaint.period, complaint.serial) == ("202611", 1)


def test_serial_widens_past_99999(register):
    MonthlyCounter.objects.create(period="202611", last_value=99999)

    complaint = register(now_=NOW, received_at="2026-11-20T09:00:00+08:00")

    assert complaint.number == "202611-100000"


def test_failed_registration_leaves_no_gap(register):
    # A settlement needs a member of staff; the failure comes after the serial was taken.
    payload = intake_payload(
        received_at="2026-11-20T09:00:00+08:00", settlement={"kind": "on_the_spot", "result": "当场退款"}
    )
    with pytest.raises(PermissionDenied):
        complaint_register(actor=None, payload=payload, now=NOW)

    complaint = register(now_=NOW, received_at="2026-11-20T10:00:00+08:00")

    assert complaint.number == "202611-00001"


def test_failed_registration_leaves_the_counter_unchanged(register):
    register(now_=NOW, received_at="2026-11-20T09:00:00+08:00")
    payload = intake_payload(
        received_at="2026-11-20T09:00:00+08:00", settlement={"kind": "on_the_spot", "result": "当场退款"}
    )
    with pytest.raises(PermissionDenied):
        complaint_register(actor=None, payload=payload, now=NOW)

    assert MonthlyCounter.objects.get(period="202611").last_value == 1


def test_configured_prefix_comes_before_the_number(register, settings):
    settings.KESU_NUMBER_PREFIX = "SH-"

    complaint = register(now_=NOW, received_at="2026-11-20T09:00:00+08:00")

    assert complaint.number == "SH-202611-00001"


# --- real concurrency -------------------------------------------------------------------

THREADS = 8
PER_THREAD = 5


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_threads_get_unique_gap_free_numbers(users):
    agent = users["agent"]
    numbers: list[str] = []
    failures: list[BaseException] = []
    lock = threading.Lock()
    start = threading.Barrier(THREADS)

    def work() -> None:
        try:
            start.wait()
            for _ in range(PER_THREAD):
                payload = intake_payload(received_at="2026-11-20T09:00:00+08:00")
                number = complaint_register(actor=agent, payload=payload, now=NOW).number
                with lock:
                    numbers.append(number)
        except BaseException as exc:
            with lock:
                failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    total = THREADS * PER_THREAD
    assert sorted(numbers) == [f"202611-{serial:05d}" for serial in range(1, total + 1)]
    assert MonthlyCounter.objects.get(period="202611").last_value == total


WORKER = """
import json, sys
import django
django.setup()
from kesu.accounts.models import User
from kesu.complaints.services.intake import complaint_register
import datetime as dt
worker, count, now = int(sys.argv[1]), int(sys.argv[2]), dt.datetime.fromisoformat(sys.argv[3])
agent = User.objects.get(username="agent")
print("ready", flush=True)
sys.stdin.readline()
numbers = []
for i in range(count):
    payload = {"channel": "phone", "customer": {"name": "进程", "phone": f"139{worker:04d}{i:04d}"},
               "description": "并发登记", "received_at": "2026-11-20T09:00:00+08:00"}
    numbers.append(complaint_register(actor=agent, payload=payload, now=now).number)
print(json.dumps(numbers), flush=True)
"""
PROCESSES = 4
PER_PROCESS = 8


def _database_url() -> str:
    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_processes_get_unique_gap_free_numbers(users):
    if connection.vendor != "postgresql":
        pytest.skip("several processes writing at once need PostgreSQL")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": _database_url()}
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(index), str(PER_PROCESS), NOW.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=BASE_DIR,
        )
        for index in range(PROCESSES)
    ]
    for worker in workers:  # every process is connected and waiting before any registers
        assert worker.stdout is not None
        assert worker.stdout.readline().strip() == "ready", worker.stderr.read() if worker.stderr else ""
    numbers: list[str] = []
    for worker in workers:
        assert worker.stdin is not None
        worker.stdin.write("go\n")
        worker.stdin.flush()
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        numbers.extend(json.loads(out.strip().splitlines()[-1]))

    total = PROCESSES * PER_PROCESS
    assert sorted(numbers) == [f"202611-{serial:05d}" for serial in range(1, total + 1)]
    assert Complaint.objects.filter(period="202611").count() == total


KILLED_WORKER = """
import datetime as dt, sys, time
import django
django.setup()
from django.db import transaction
from kesu.accounts.models import User
from kesu.complaints.services.intake import complaint_register
now = dt.datetime.fromisoformat(sys.argv[1])
agent = User.objects.get(username="agent")
with transaction.atomic():
    payload = {"channel": "phone", "customer": {"name": "进程", "phone": "13900000001"},
               "description": "登记到一半", "received_at": "2026-11-20T09:00:00+08:00"}
    complaint_register(actor=agent, payload=payload, now=now)
    print("registered", flush=True)
    time.sleep(120)  # holding the month's counter until killed
"""


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_process_killed_while_it_holds_the_counter_leaves_no_gap(users):
    if connection.vendor != "postgresql":
        pytest.skip("a second process writing at once needs PostgreSQL")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": _database_url()}
    worker = subprocess.Popen(
        [sys.executable, "-c", KILLED_WORKER, NOW.isoformat()],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=BASE_DIR,
    )
    assert worker.stdout is not None
    assert worker.stdout.readline().strip() == "registered", worker.stderr.read() if worker.stderr else ""
    worker.kill()  # SIGKILL: no rollback from the process, the server ends its transaction
    worker.wait(timeout=30)

    complaint = complaint_register(
        actor=users["agent"], payload=intake_payload(received_at="2026-11-20T10:00:00+08:00"), now=NOW
    )

    assert complaint.number == "202611-00001"
    assert MonthlyCounter.objects.get(period="202611").last_value == 1
