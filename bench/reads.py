"""CPU per request of the complaint list and detail, in process (issue 15, item 2 "Reads").

    python -m bench.reads --database sqlite --count 3000 --requests 500
    python -m bench.reads --database postgres://postgres@127.0.0.1:5432/kesu_reads --count 3000
    python -m bench.reads ... --profile list   # cProfile of the list requests, top 30 by own time

Makes a scratch test database (Django's test-database machinery: a file for SQLite, `test_<name>`
on PostgreSQL), the test users, a few hundred complaints through intake and the rest as copies of
them (other numbers, statuses, departments, times), then sends `requests` GETs per workload through
django.test.Client and reports `time.process_time()` per request: this process's CPU only, so on
PostgreSQL the server's work is not in it, on SQLite the database's is. Workloads: a list page
(`status`, `department` filters, newest first, pages 1 to 50 in turn) and the detail of
complaints with a timeline. Figures vary with the machine's load; compare runs made side by side.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import random
import sys
import tempfile
import time
from typing import Any


def _setup(database: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    if database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
        os.environ["KESU_TEST_SQLITE"] = os.path.join(tempfile.mkdtemp(prefix="kesu-reads-"), "bench.sqlite3")
    else:
        os.environ["DATABASE_URL"] = database
    import django

    django.setup()


def _load(count: int, seed: int) -> list[str]:
    from django.db import transaction
    from django.utils import timezone

    from kesu.accounts.models import Department, Role, User
    from kesu.complaints.models import Complaint, MonthlyCounter
    from kesu.complaints.services.intake import complaint_register
    from kesu.complaints.services.transitions import complaint_transition

    rng = random.Random(seed)
    departments = {d.code: d for d in Department.objects.all()}
    people: dict[str, User] = {}
    for username, role, department in [
        ("agent", Role.AGENT, "customer_service"),
        ("supervisor", Role.SUPERVISOR, "customer_service"),
        ("handler", Role.HANDLER, "quality"),
        ("auditor", Role.AUDITOR, None),
    ]:
        user = User.objects.create(username=username, role=role, department=departments.get(department or ""))
        user.set_password("bench-pass-123")
        user.save()
        people[username] = user
    now = timezone.now()
    seeds: list[Complaint] = []
    for i in range(min(200, count)):
        at = now - dt.timedelta(days=rng.uniform(0, 25))
        complaint = complaint_register(
            actor=people["agent"],
            payload={
                "channel": rng.choice(["phone", "web", "email"]),
                "customer": {"name": f"客户{i}", "phone": f"139{i:08d}"},
                "description": "买的牛奶有异味，要求退款。" * rng.randint(1, 4),
                "title": f"投诉 {i}",
                "category": rng.choice(["product_quality.food.expired", "logistics", "after_sales"]),
                "received_at": at.isoformat(),
                "product": {"name": "纯牛奶", "sku": f"SKU-{i}", "order_no": f"SO-{i}"},
                "amount_claimed": "12.50" if i % 3 else None,
            },
            now=at,
        )
        if i % 2:
            complaint_transition(
                actor=people["agent"], number=complaint.number, action="acknowledge", payload={}, now=at
            )
        if i % 4 == 1:
            complaint_transition(
                actor=people["supervisor"],
                number=complaint.number,
                action="assign",
                payload={"department": "quality", "assignee": "handler"},
                now=at,
            )
        seeds.append(complaint)
    statuses = ["registered", "acknowledged", "assigned", "investigating", "closed"]
    copies = []
    serial = 90_000
    for i in range(count - len(seeds)):
        c = Complaint.objects.get(pk=seeds[i % len(seeds)].pk)
        serial += 1
        c.pk = None
        c.serial = serial
        c.number = f"{c.period}-{serial:05d}"
        c.status = rng.choice(statuses)
        c.department = departments[rng.choice(["customer_service", "quality", "logistics"])]
        c.received_at = now - dt.timedelta(days=rng.uniform(0, 25))
        copies.append(c)
    with transaction.atomic():
        Complaint.objects.bulk_create(copies, batch_size=500)
    assert MonthlyCounter.objects.exists()
    return [c.number for c in seeds]


def _client(username: str) -> Any:
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post(
        "/api/v1/auth/token", {"username": username, "password": "bench-pass-123"}, content_type="application/json"
    )
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {response.json()['token']}"
    return client


def _paths(kind: str, requests: int, numbers: list[str], client: Any) -> list[tuple[str, dict[str, Any]]]:
    if kind == "list":
        filters: list[dict[str, Any]] = [
            {},
            {"status": "registered,acknowledged,assigned,investigating"},
            {"department": "customer_service"},
            {"status": "assigned,investigating", "department": "quality"},
        ]
        # Pages 1 to 50, or to the last full page when there are fewer: every page has its 20 rows.
        pages = [min(50, client.get("/api/v1/complaints", f).json()["count"] // 20) for f in filters]
        return [
            (
                "/api/v1/complaints",
                {**filters[i % len(filters)], "page": 1 + (i // len(filters)) % pages[i % len(filters)]},
            )
            for i in range(requests)
        ]
    return [(f"/api/v1/complaints/{numbers[i % len(numbers)]}", {}) for i in range(requests)]


def measure(kind: str, client: Any, paths: list[tuple[str, dict[str, Any]]], profile: bool) -> float:
    for path, params in paths[:20]:  # warm caches (translations, settings, prepared plans)
        assert client.get(path, params).status_code == 200
    profiler = cProfile.Profile() if profile else None
    start = time.process_time()
    if profiler:
        profiler.enable()
    for path, params in paths:
        response = client.get(path, params)
        assert response.status_code == 200, response.content[:300]
    if profiler:
        profiler.disable()
    spent = time.process_time() - start
    if profiler:
        stats = pstats.Stats(profiler, stream=sys.stdout)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)
    return spent * 1000 / len(paths)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", help="sqlite or a postgres:// URL (its test_ twin is used)")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--role", default="agent")
    parser.add_argument("--profile", choices=["list", "detail"], default=None)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    _setup(args.database)
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        numbers = _load(args.count, args.seed)
        client = _client(args.role)
        print(f"{connection.vendor}: {args.count} complaints, {args.requests} requests each, role {args.role}")
        for kind in ("list", "detail"):
            paths = _paths(kind, args.requests, numbers, client)
            ms = measure(kind, client, paths, profile=args.profile == kind)
            print(f"{kind:>6}: {ms:6.2f} ms CPU per request")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
