"""The bulk import of historical complaints (`kesu import FILE --historical --bulk`, issue 15 item 4)
on a scratch PostgreSQL database: an N-row CSV written from bench/data.py's texts (as the other
workloads use them), imported once (every row new) and once more (every row skipped), with rows/s,
CPU seconds (this process, its worker processes and the PostgreSQL backend) and wall seconds.

    .venv/bin/python -m bench.bulk_import --rows 100000 [--workers N] [--chunk N] [--json FILE]

Target (issue 15): at least 20,000 rows/s; 1,000,000 rows in under a minute. `make bench` runs it
after the reads (bench/run.py, `--no-bulk-import` to skip); bench/report.py renders the figures.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import resource
import secrets
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

TARGET_ROWS_PER_S = 20_000
HEADER = [
    "投诉时间",
    "顾客姓名",
    "电话",
    "渠道",
    "标题",
    "投诉内容",
    "产品名称",
    "状态",
    "处理结果",
    "结案时间",
    "外部编号",
]
CHANNELS = ["电话", "网站", "来信", "微信", "意见单", "12315"]
STATUSES = ["已结案"] * 8 + ["撤诉", "处理中"]
RESULTS = ["已退款", "已换货", "已道歉并赔偿", "解释说明，顾客接受", ""]


def write_csv(path: Path, rows: int, *, seed: int = 5, bad_every: int = 1000, now: dt.datetime) -> int:
    """`rows` complaints received over the two years before `now` (in order of time received, as an
    export is), one customer in four complaining twice, one row in `bad_every` with a bad phone."""
    from bench.data import TextMixer, customer_name, load_texts, mobile

    rng = random.Random(seed)
    mixer = TextMixer(load_texts(), seed=seed)
    start = now - dt.timedelta(days=730)
    step = dt.timedelta(days=729) / max(rows, 1)
    buffer = io.StringIO()
    out = csv.writer(buffer)
    out.writerow(HEADER)
    bad = 0
    tz = dt.timezone(dt.timedelta(hours=8))
    for i in range(rows):
        text = mixer.next()
        received = (start + step * i).astimezone(tz)
        closed = received + dt.timedelta(days=rng.randint(0, 20), hours=rng.randint(0, 23))
        status = rng.choice(STATUSES)
        phone = mobile(rng.randrange(int(rows * 0.75) + 1))
        if bad_every and i % bad_every == bad_every - 1:
            phone, bad = "12345", bad + 1
        out.writerow(
            [
                received.strftime("%Y-%m-%d %H:%M:%S"),
                customer_name(rng),
                phone,
                rng.choice(CHANNELS),
                text.title,
                text.description,
                text.product,
                status,
                rng.choice(RESULTS) if status != "处理中" else "",
                closed.strftime("%Y-%m-%d %H:%M") if status != "处理中" and closed < now else "",
                f"BULK-{seed}-{i}",
            ]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return bad


def _backend_cpu(pid: int) -> float:
    """CPU seconds of a PostgreSQL backend on this machine (its /proc entry), 0 when not readable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime


def measure(path: Path, *, workers: int | None, chunk: int, profile: str = "") -> dict[str, Any]:
    from django.db import connection

    from kesu.accounts.models import User
    from kesu.core import clock
    from kesu.imports.bulk import import_file_bulk

    actor = User.objects.filter(role="admin", is_active=True).first()
    assert actor is not None, "load_demo makes an administrator"
    content = path.read_bytes()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = int(cursor.fetchone()[0])
    figures: dict[str, Any] = {}
    for run in ("first", "again"):
        load_before = os.getloadavg()
        cpu0, pg0, wall0 = _cpu(), _backend_cpu(backend), time.perf_counter()
        if profile and run == "first":
            import cProfile

            profiler = cProfile.Profile()
            profiler.enable()
        batch = import_file_bulk(
            actor=actor, name=path.name, content=content, now=clock.now(), workers=workers, chunk=chunk
        )
        if profile and run == "first":
            profiler.disable()
            profiler.dump_stats(profile)
        wall = time.perf_counter() - wall0
        cpu, pg = _cpu() - cpu0, _backend_cpu(backend) - pg0
        figures[run] = {
            "rows": batch.total,
            "created": batch.created_count,
            "skipped": batch.skipped_count,
            "rejected": batch.rejected_count,
            "wall_s": round(wall, 2),
            "cpu_s": round(cpu, 2),
            "pg_backend_cpu_s": round(pg, 2),
            "rows_per_s": round(batch.total / wall) if wall else None,
            "rows_per_cpu_s": round(batch.total / (cpu + pg)) if cpu + pg else None,
            "phases_s": {k: round(v, 2) for k, v in getattr(batch, "bulk_timings", {}).items()},
            "load_before": [round(x, 2) for x in load_before],
            "load_after": [round(x, 2) for x in os.getloadavg()],
        }
        print(run, json.dumps(figures[run], ensure_ascii=False), flush=True)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=None, help="worker processes (default: one per CPU)")
    parser.add_argument("--chunk", type=int, default=5000)
    parser.add_argument("--database", default=os.environ.get("KESU_BENCH_BULK_DB", "kesu_bench_bulk"))
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--profile", default="", help="write a cProfile of the first import to this file")
    parser.add_argument("--json", default="", help="write the figures to this file")
    args = parser.parse_args(argv)

    from bench.server import base_env, drop_pg_database, manage, recreate_pg_database

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="kesu-bulk-"))
    url = recreate_pg_database(args.database)
    env = base_env(data_dir=tmp, database_url=url, password=secrets.token_urlsafe(16))
    try:
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "load_demo")
        # This process imports: the settings of the scratch database, as the subprocesses have them.
        os.environ.update({k: v for k, v in env.items() if k.startswith(("KESU_", "DATABASE_URL", "DJANGO_"))})
        import django

        django.setup()
        path = tmp / "history.csv"
        now = dt.datetime.now(dt.UTC)
        t0 = time.perf_counter()
        bad = write_csv(path, args.rows, now=now)
        written = time.perf_counter() - t0
        print(f"wrote {args.rows:,} rows ({bad} bad) in {written:.1f} s", flush=True)
        figures = measure(path, workers=args.workers, chunk=args.chunk, profile=args.profile)
        result = {
            "rows": args.rows,
            "bad_rows": bad,
            "workers": args.workers or os.cpu_count(),
            "chunk": args.chunk,
            "cpus": os.cpu_count(),
            "target_rows_per_s": TARGET_ROWS_PER_S,
            "met": bool(figures["first"]["rows_per_s"] and figures["first"]["rows_per_s"] >= TARGET_ROWS_PER_S),
            **figures,
            "elapsed_s": round(time.monotonic() - started, 1),
        }
        if args.json:
            Path(args.json).write_text(json.dumps(result, indent=2, ensure_ascii=False))
        print(json.dumps(result, ensure_ascii=False), flush=True)
    finally:
        from django.conf import settings

        if settings.configured:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_pg_database(args.database)
    return 0


if __name__ == "__main__":
    sys.exit(main())
