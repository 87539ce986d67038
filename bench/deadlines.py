"""Deadline benchmarks (issue: deadlines, item 9).

`run() -> list[dict]` returns rows `{workload, figure, unit, target, met}` for bench/run.py:

1. one sweep over N open complaints (default 200,000; `make bench` asks for 1,000,000, issue 15.3)
   on PostgreSQL when nothing is due (target < 1 s);
2. the same when 10% (20,000) have just missed their acknowledgement (target < 10 s): each is
   marked missed, escalated one level (escalation row, timeline event, audit record, outbox
   notifications), all in batches under row locks;
3. the repeat sweep at the same instant (idempotent: nothing to do);
4. deadline computation per complaint: policy choice and the working-day maths for its three
   deadlines, on the official 2026 calendar (target < 50 µs).

The measurements run in a child process (`python -m bench.deadlines --child`) against a scratch
PostgreSQL database `kesu_bench_deadlines` (recreated, then dropped), so the caller's Django
state does not matter. The 600,000 deadline rows are loaded with COPY; outbox delivery is left to
the background worker, as under `kesu serve` or Celery (the sweep only writes the outbox).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

OPEN_COMPLAINTS = 200_000
NEWLY_DUE = OPEN_COMPLAINTS // 10
COMPUTATIONS = 20_000
DATABASE = "kesu_bench_deadlines"
REPO = Path(__file__).resolve().parent.parent


def run(*, complaints: int = OPEN_COMPLAINTS, database: str = DATABASE, profile: str = "") -> list[dict[str, Any]]:
    """Measure and return the rows (see the module docstring). `profile`: a file to write a
    cProfile of the busy sweep to (pstats format)."""
    import secrets
    import tempfile

    from bench.server import base_env, drop_pg_database, recreate_pg_database

    url = recreate_pg_database(database)
    try:
        with tempfile.TemporaryDirectory(prefix="kesu-bench-deadlines-") as data_dir:
            env = base_env(data_dir=Path(data_dir), database_url=url, password=secrets.token_urlsafe(12))
            result = subprocess.run(
                [sys.executable, "-m", "bench.deadlines", "--child", "--complaints", str(complaints)]
                + (["--profile", str(Path(profile).resolve())] if profile else []),
                env=env,
                cwd=REPO,
                capture_output=True,
                text=True,
                timeout=3600,
            )
            if result.returncode != 0:
                raise RuntimeError(f"bench.deadlines failed:\n{result.stdout}\n{result.stderr}")
            return list(json.loads(result.stdout.strip().splitlines()[-1]))
    finally:
        drop_pg_database(database)


def _row(workload: str, figure: float, unit: str, target: float | None, target_text: str) -> dict[str, Any]:
    return {
        "workload": workload,
        "figure": round(figure, 3),
        "unit": unit,
        "target": target_text,
        "met": None if target is None else figure < target,
    }


# --- the child process ---------------------------------------------------------------------


def _child(complaints: int, profile: str = "") -> list[dict[str, Any]]:
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    from kesu.core import tasks

    tasks.mark_scheduler_running()  # dispatch() wakes a (here absent) worker instead of running inline
    rows = [_computation()]
    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    _load(complaints, now)
    from kesu.deadlines.sweep import sweep

    started = time.perf_counter()
    idle = sweep(now=now)
    idle_seconds = time.perf_counter() - started
    assert idle.checked == 0, idle
    rows.append(
        _row(
            f"deadline sweep, {complaints:,} open complaints, nothing due (PostgreSQL)", idle_seconds, "s", 1.0, "< 1 s"
        )
    )

    later = now + dt.timedelta(minutes=10)
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    started = time.perf_counter()
    busy = sweep(now=later)
    busy_seconds = time.perf_counter() - started
    if profiler is not None:
        profiler.disable()
        profiler.dump_stats(profile)
    due = complaints // 10
    assert busy.missed == due and busy.escalated == due, busy
    rows.append(
        _row(
            f"deadline sweep, {complaints:,} open complaints, {due:,} (10%) newly overdue: marked, "
            f"escalated, notified (PostgreSQL)",
            busy_seconds,
            "s",
            10.0,
            "< 10 s",
        )
    )

    started = time.perf_counter()
    again = sweep(now=later)
    again_seconds = time.perf_counter() - started
    assert again.checked == 0, again
    rows.append(
        _row("the same sweep again at the same instant (idempotent: nothing to do)", again_seconds, "s", None, "-")
    )
    return rows


def _computation() -> dict[str, Any]:
    """Policy choice + the maths of the three deadlines, per complaint, configuration in memory."""
    from kesu.deadlines.policies import Inputs
    from kesu.deadlines.selectors import deadline_config
    from kesu.deadlines.services import plan_deadlines

    config = deadline_config()
    rng = random.Random(7)
    tz = dt.timezone(dt.timedelta(hours=8))
    cases = []
    for _ in range(COMPUTATIONS):
        start = dt.datetime(2026, 1, 1, tzinfo=tz) + dt.timedelta(minutes=rng.randrange(330 * 24 * 60))
        inputs = Inputs(
            severity=rng.choice(["general", "general", "serious", "major"]),
            urgency=rng.choice(["normal", "urgent", "critical"]),
            channel=rng.choice(["phone", "web", "email", "regulator", "walk_in"]),
            category_code=rng.choice([None, "product_quality.food.expired", "logistics", "billing"]),
            overseas=rng.random() < 0.1,
        )
        cases.append((inputs, start))
    for inputs, start in cases[:1000]:  # warm-up
        plan_deadlines(config=config, inputs=inputs, start=start)
    started = time.perf_counter()
    for inputs, start in cases:
        plan_deadlines(config=config, inputs=inputs, start=start)
    per_complaint = (time.perf_counter() - started) / len(cases) * 1e6
    return _row(
        "deadline computation per complaint (policy choice + acknowledge, reply, close on the 2026 "
        "working-day calendar)",
        per_complaint,
        "µs",
        50.0,
        "< 50 µs",
    )


def _values(model: Any, overrides: dict[str, Any]) -> tuple[list[str], list[Any]]:
    """Columns and default values for a COPY into `model`'s table (overrides by attname)."""
    from django.db.models import NOT_PROVIDED
    from psycopg.types.json import Jsonb

    columns, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in overrides:
            value = overrides[field.attname]
        elif field.primary_key or getattr(field, "db_default", NOT_PROVIDED) is not NOT_PROVIDED:
            continue
        elif field.null:
            value = None
        elif field.has_default():
            value = field.get_default()
        else:
            value = ""
        columns.append(field.column)
        values.append(Jsonb(value) if isinstance(value, dict) else value)
    return columns, values


def _load(count: int, now: dt.datetime) -> None:
    """`count` open complaints received an hour ago with their three deadlines; 10% have an
    acknowledgement due five minutes from `now` (missed by the second sweep), the rest are
    days away. No reminder is due at `now`."""
    from django.db import connection

    from kesu.accounts.models import Department, Role, User
    from kesu.complaints.models import Complaint
    from kesu.customers.models import Customer
    from kesu.deadlines.models import ComplaintDeadline
    from kesu.deadlines.policies import Inputs
    from kesu.deadlines.selectors import deadline_config
    from kesu.deadlines.services import next_check_at, plan_deadlines

    desk, _ = Department.objects.get_or_create(code="customer_service", defaults={"name": "客服部"})
    for role in (Role.AGENT, Role.SUPERVISOR, Role.MANAGER, Role.GM):
        User.objects.get_or_create(
            username=f"bench-{role}", defaults={"role": role, "department": desk, "email": f"{role}@bench.invalid"}
        )
    customer = Customer.objects.create(name="基准客户", phone="13800000000", created_at=now)
    config = deadline_config()
    received = now - dt.timedelta(hours=1)
    inputs = Inputs(severity="general", urgency="normal", channel="phone", category_code=None, overseas=False)
    planned = plan_deadlines(config=config, inputs=inputs, start=received)
    soon = now + dt.timedelta(minutes=5)

    def complaint(index: int) -> dict[str, Any]:
        return {
            "id": index,
            "number": f"202611-{index:06d}",
            "period": "202611",
            "serial": index,
            "status": "registered",
            "channel": "phone",
            "severity": "general",
            "urgency": "normal",
            "customer_id": customer.pk,
            "contact_name": "基准客户",
            "contact_phone": "13800000000",
            "description": "基准测试投诉",
            "received_at": received,
            "department_id": desk.pk,
            "acknowledge_due": soon if index % 10 == 0 else planned["acknowledge"].due,
            "reply_due": planned["reply"].due,
            "close_due": planned["close"].due,
            "created_at": received,
            "updated_at": received,
        }

    def deadline(row_id: int, index: int, kind: str) -> dict[str, Any]:
        plan = planned[kind]
        due = soon if (kind == "acknowledge" and index % 10 == 0) else plan.due
        check = next_check_at(
            ComplaintDeadline(started_at=received, due_at=due, state="open"), config.reminder_leads, now
        )
        return {
            "id": row_id,
            "complaint_id": index,
            "kind": kind,
            "unit": plan.spec.rule.unit,
            "amount": plan.spec.rule.amount,
            "started_at": received,
            "due_at": due,
            "next_check_at": check,
            "basis": {"inputs": inputs.as_dict()},
            "created_at": received,
            "updated_at": received,
        }

    complaint_columns, complaint_base = _values(Complaint, complaint(1))
    deadline_columns, _v = _values(ComplaintDeadline, deadline(1, 1, "acknowledge"))
    c_at = {column: i for i, column in enumerate(complaint_columns)}
    d_at = {column: i for i, column in enumerate(deadline_columns)}
    # One template row per kind and due-ness; only ids and the due fields vary per row.
    templates = {
        (kind, soon_): _values(ComplaintDeadline, deadline(1, 10 if soon_ else 1, kind))[1]
        for kind in planned
        for soon_ in (False, True)
    }
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(f"COPY complaints_complaint ({', '.join(complaint_columns)}) FROM STDIN") as copy:
            for index in range(1, count + 1):
                values = list(complaint_base)
                values[c_at["id"]] = values[c_at["serial"]] = index
                values[c_at["number"]] = f"202611-{index:06d}"
                values[c_at["acknowledge_due"]] = soon if index % 10 == 0 else planned["acknowledge"].due
                copy.write_row(values)
        with raw.copy(f"COPY deadlines_complaintdeadline ({', '.join(deadline_columns)}) FROM STDIN") as copy:
            row_id = 1
            for index in range(1, count + 1):
                for kind in planned:
                    values = list(templates[(kind, kind == "acknowledge" and index % 10 == 0)])
                    values[d_at["id"]], values[d_at["complaint_id"]] = row_id, index
                    copy.write_row(values)
                    row_id += 1
        for table in ("complaints_complaint", "deadlines_complaintdeadline"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        cursor.execute("ANALYZE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", action="store_true")
    parser.add_argument("--complaints", type=int, default=OPEN_COMPLAINTS)
    parser.add_argument("--database", default=DATABASE, help="the scratch PostgreSQL database (dropped after)")
    parser.add_argument("--profile", default="", help="write a cProfile of the busy sweep to this file")
    args = parser.parse_args()
    if args.child:
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
        print(json.dumps(_child(args.complaints, args.profile), ensure_ascii=False))
    else:
        for row in run(complaints=args.complaints, database=args.database, profile=args.profile):
            print(json.dumps(row, ensure_ascii=False))


if __name__ == "__main__":
    main()
