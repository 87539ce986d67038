"""`make bench`: measure Kesu served as in production and write BENCHMARKS.md.

1. PostgreSQL (scratch database `kesu_bench`): try a few gunicorn configurations on a short
   health + intake run, keep the one with the best intake throughput, then measure
   `GET /api/v1/health` (the minimal-endpoint reference), `POST /api/v1/complaints` (intake)
   and raw single-row INSERTs with psycopg (the database reference), all with 8 clients.
2. Seal the audit chain over the records intake produced (records/s).
3. SQLite (scratch `KESU_DATA_DIR`): the same intake run and seal.
4. Preload 100,000 complaints into the PostgreSQL database (COPY) and measure the filtered
   list, the detail view and `q` search over HTTP.

5. The staff pages of bench/staff_pages.toml (bench/pages.py), by server time.
6. The bulk import of historical complaints (bench/bulk_import.py, its own scratch database;
   `--bulk-rows`, `--no-bulk-import`).

Every figure in BENCHMARKS.md comes from this run. Options: `--quick` for a short smoke run
(writes bench/out/BENCHMARKS.quick.md instead), `--duration`, `--preload`, `--clients`;
`--pages-only` for steps 4-5's preload and the staff pages alone (rewrites only the staff-page
section of BENCHMARKS.md), `--pages KEY,KEY` to pick some of them, `--reuse` to keep a scratch
database that already holds the preload.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import random
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path
from typing import Any

import psycopg

from bench import load, report
from bench.data import TextMixer, customer_name, load_texts, mobile
from bench.load import Result, run_http
from bench.preload import CHANNEL_WEIGHTS, preload
from bench.server import (
    BIN,
    PG_ADMIN_URL,
    REPO,
    Gunicorn,
    ServerConfig,
    base_env,
    drop_pg_database,
    issue_token,
    manage,
    recreate_pg_database,
)

# KESU_BENCH_DB=kesu_bench_<name> when several runs share one PostgreSQL.
PG_DATABASE = os.environ.get("KESU_BENCH_DB", "kesu_bench")
CANDIDATES = [ServerConfig(4, 4), ServerConfig(2, 8), ServerConfig(6, 2)]
DEMANDS = ["退款", "换货", "道歉", "赔偿损失", "尽快处理", "给个说法", "退货退款", "", "", ""]


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# ----------------------------------------------------------------------------- workloads


def intake_bodies(mixer: TextMixer, count: int, *, seed: int = 1) -> list[bytes]:
    """Request bodies from real texts, with varied customers (some of them repeat callers)."""
    rng = random.Random(seed)
    channels = [c for c, _w in CHANNEL_WEIGHTS]
    weights = [w for _c, w in CHANNEL_WEIGHTS]
    bodies = []
    for _ in range(count):
        text = mixer.next()
        who = rng.randrange(30_000)
        customer: dict[str, Any] = {"name": customer_name(rng)}
        if rng.random() < 0.9:
            customer["phone"] = mobile(who)
        else:
            customer["email"] = f"customer{who}@example.com"
        body: dict[str, Any] = {
            "channel": rng.choices(channels, weights)[0],
            "customer": customer,
            "title": text.title,
            "description": text.description,
        }
        if text.category and rng.random() < 0.7:
            body["category"] = text.category
        if text.product:
            body["product"] = {"name": text.product}
        demand = rng.choice(DEMANDS)
        if demand:
            body["demand"] = demand
        if rng.random() < 0.2:
            body["amount_claimed"] = f"{rng.randint(10, 2000)}.00"
        bodies.append(json.dumps(body, ensure_ascii=False).encode())
    return bodies


def cycling(items: list[Any]) -> Any:
    counter = itertools.count()
    return lambda: items[next(counter) % len(items)]


def health_factory() -> Any:
    return lambda _t, _s: ("GET", "/api/v1/health", None)


def intake_factory(bodies: list[bytes]) -> Any:
    pick = cycling(bodies)
    return lambda _t, _s: ("POST", "/api/v1/complaints", pick())


def run_intake(
    port: int, token: str, bodies: list[bytes], *, clients: int, duration: float, warmup: float, name: str
) -> Result:
    return run_http(
        name=name,
        port=port,
        factory=intake_factory(bodies),
        clients=clients,
        duration=duration,
        warmup=warmup,
        headers={"Authorization": f"Bearer {token}"},
        expect=201,
    )


def run_health(port: int, *, clients: int, duration: float, warmup: float, name: str) -> Result:
    return run_http(
        name=name, port=port, factory=health_factory(), clients=clients, duration=duration, warmup=warmup, headers={}
    )


def raw_pg_inserts(database_url: str, *, clients: int, duration: float, warmup: float) -> Result:
    """8 connections, autocommit, one single-row INSERT per statement into a scratch table."""
    background = load.wait_for_quiet()
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_insert")
        conn.execute(
            "CREATE TABLE bench_raw_insert (id bigserial PRIMARY KEY, customer text NOT NULL, "
            "description text NOT NULL, created_at timestamptz NOT NULL DEFAULT now())"
        )
    start = time.monotonic()
    window_start, window_end = start + warmup, start + warmup + duration
    latencies: list[list[float]] = [[] for _ in range(clients)]
    errors = [0] * clients
    barrier = threading.Barrier(clients)

    def worker(index: int) -> None:
        rng = random.Random(index)
        with psycopg.connect(database_url, autocommit=True) as conn:
            cur = conn.cursor()
            barrier.wait()
            while True:
                t0 = time.monotonic()
                if t0 >= window_end:
                    break
                try:
                    cur.execute(
                        "INSERT INTO bench_raw_insert (customer, description) VALUES (%s, %s)",
                        (customer_name(rng), "快递迟迟未到，客服电话打不通，要求退款。"),
                    )
                except psycopg.Error:
                    errors[index] += 1
                    continue
                t1 = time.monotonic()
                if t0 >= window_start and t1 <= window_end:
                    latencies[index].append(t1 - t0)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    result = Result(name="raw INSERT (psycopg)", clients=clients, duration=duration, background_busy=background)
    for index in range(clients):
        result.latencies.extend(latencies[index])
        result.errors += errors[index]
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw_insert")
    return result


def seal(env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [str(BIN / "python"), "-m", "bench.seal"], env=env, cwd=REPO, capture_output=True, text=True, timeout=600
    )
    if out.returncode != 0:
        raise RuntimeError(f"bench.seal failed:\n{out.stderr}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


# ----------------------------------------------------------------------------- machine facts


def machine_info(pg_url: str) -> dict[str, Any]:
    cpu_model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu_model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    with psycopg.connect(pg_url) as conn:
        pg_version = conn.execute("SHOW server_version").fetchone()[0]
        settings = {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in ("shared_buffers", "synchronous_commit", "max_connections")
        }
    versions = {}
    for package in ("django", "django-ninja", "gunicorn", "psycopg"):
        try:
            from importlib.metadata import version

            versions[package] = version(package)
        except Exception:
            versions[package] = "?"
    return {
        "date": dt.datetime.now(dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cores": os.cpu_count(),
        "cpu_model": cpu_model or platform.processor(),
        "memory": memory,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "postgresql": pg_version,
        "pg_settings": settings,
        "sqlite": sqlite3.sqlite_version,
        "versions": versions,
    }


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="short smoke run; does not touch BENCHMARKS.md")
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per main workload")
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--preload", type=int, default=100_000)
    parser.add_argument("--read-duration", type=float, default=15.0)
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=10.0,
        help="seconds to wait before each workload for other processes to go quiet",
    )
    parser.add_argument("--no-deadlines", action="store_true", help="skip bench/deadlines.py (SLA sweep)")
    parser.add_argument(
        "--sweep-complaints", type=int, default=1_000_000, help="open complaints of the sweep workload (issue 15.3)"
    )
    parser.add_argument("--no-triage", action="store_true", help="skip bench/triage_eval.py (classifier, recall)")
    parser.add_argument(
        "--scale",
        type=int,
        default=1_000_000,
        help="cost curve: grow the preload to this many complaints and measure reads, search and KPI again (0: skip)",
    )
    parser.add_argument("--no-reports", action="store_true", help="skip bench/reports.py (ledger, KPI, reports)")
    parser.add_argument(
        "--no-bulk-import", action="store_true", help="skip bench/bulk_import.py (kesu import --historical --bulk)"
    )
    parser.add_argument("--bulk-rows", type=int, default=20_000, help="rows of the bulk import's file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases and temp dir")
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="preload + staff pages only; rewrites the staff-page section of BENCHMARKS.md",
    )
    parser.add_argument("--pages", default="", help="comma-separated keys of bench/staff_pages.toml (default all)")
    parser.add_argument(
        "--page-clients", type=int, default=2, help="concurrent clients per staff page (default 2: one per core)"
    )
    parser.add_argument("--page-duration", type=float, default=8.0, help="measured seconds per staff page")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="reuse the scratch database if it already holds the preload (implies --keep)",
    )
    parser.add_argument(
        "--compare", default="", help="a results JSON of an earlier run: its staff-page p95 is shown as 'before'"
    )
    args = parser.parse_args(argv)
    if args.reuse:
        args.keep = True
    if args.quick:
        args.duration, args.warmup, args.read_duration = 4.0, 1.0, 4.0
        args.preload = min(args.preload, 5000)
        args.scale = min(args.scale, 10_000)
        args.quiet_wait = 0.0
    load.QUIET_MAX_WAIT = args.quiet_wait
    if args.quick:
        args.page_duration = min(args.page_duration, 3.0)
    if args.pages_only:
        return pages_only(args)
    probe = 3.0 if args.quick else 6.0
    out_dir = REPO / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "BENCHMARKS.quick.md" if args.quick else REPO / "BENCHMARKS.md"

    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="kesu-bench-"))
    password = secrets.token_urlsafe(16)
    clients = args.clients
    results: dict[str, Any] = {"args": vars(args), "candidates": [], "failures": []}
    try:
        log("reading texts from /work/shared/data")
        texts = load_texts()
        results["texts"] = {name: len(items) for name, items in texts.items()}
        bodies = intake_bodies(TextMixer(texts, seed=11), 40_000)

        # ---------------------------------------------------------------- PostgreSQL
        pg_url = recreate_pg_database(PG_DATABASE)
        results["machine"] = machine_info(pg_url)
        pg_env = base_env(data_dir=tmp / "pg", database_url=pg_url, password=password)
        (tmp / "pg").mkdir()
        log(f"PostgreSQL: migrate + demo in {PG_DATABASE}")
        manage(pg_env, "migrate", "--noinput", "-v0")
        manage(pg_env, "collectstatic", "--noinput", "-v0")
        manage(pg_env, "load_demo")

        best: tuple[float, ServerConfig] | None = None
        for config in CANDIDATES:
            log(f"probe {config.label}")
            with Gunicorn(env=pg_env, config=config, log_path=tmp / "gunicorn-probe.log") as server:
                token = issue_token(server.port, "agent", password)
                health = run_health(server.port, clients=clients, duration=probe, warmup=1.0, name="health")
                intake = run_intake(
                    server.port, token, bodies, clients=clients, duration=probe, warmup=1.0, name="intake"
                )
            results["candidates"].append(
                {
                    "config": config.label,
                    "workers": config.workers,
                    "threads": config.threads,
                    "health": health.summary(),
                    "intake": intake.summary(),
                }
            )
            log(
                f"  health {health.throughput:.0f}/s, intake {intake.throughput:.0f}/s "
                f"p99 {intake.pct(99) * 1000:.0f} ms"
            )
            if best is None or intake.throughput > best[0]:
                best = (intake.throughput, config)
        assert best is not None
        chosen = best[1]
        results["server"] = {"config": chosen.label, "workers": chosen.workers, "threads": chosen.threads}
        log(f"chosen: {chosen.label}")

        with Gunicorn(env=pg_env, config=chosen, log_path=tmp / "gunicorn-pg.log") as server:
            token = issue_token(server.port, "agent", password)
            log("health (minimal endpoint)")
            health = run_health(
                server.port, clients=clients, duration=args.duration, warmup=args.warmup, name="GET /api/v1/health"
            )
            results["health"] = health.summary()
            log(f"  {health.throughput:.0f}/s p99 {health.pct(99) * 1000:.1f} ms")
            log("intake on PostgreSQL")
            intake_pg = run_intake(
                server.port,
                token,
                bodies,
                clients=clients,
                duration=args.duration,
                warmup=args.warmup,
                name="POST /api/v1/complaints (PostgreSQL)",
            )
            results["intake_pg"] = intake_pg.summary()
            log(f"  {intake_pg.throughput:.0f}/s p99 {intake_pg.pct(99) * 1000:.1f} ms")
        with psycopg.connect(pg_url) as conn:
            results["intake_pg_mix"] = {
                "severity": dict(
                    conn.execute("SELECT severity, count(*) FROM complaints_complaint GROUP BY severity").fetchall()
                ),
                "outbox_messages": conn.execute("SELECT count(*) FROM notifications_outboxmessage").fetchone()[0],
                "customers": conn.execute("SELECT count(*) FROM customers_customer").fetchone()[0],
            }
        log("raw single-row INSERTs (psycopg)")
        raw = raw_pg_inserts(pg_url, clients=clients, duration=args.duration, warmup=args.warmup)
        results["raw_insert"] = raw.summary()
        log(f"  {raw.throughput:.0f}/s p99 {raw.pct(99) * 1000:.1f} ms")
        log("audit_seal over the intake records (PostgreSQL)")
        results["seal_pg"] = seal(pg_env)
        log(f"  {results['seal_pg']}")

        # ---------------------------------------------------------------- SQLite
        sqlite_dir = tmp / "sqlite"
        sqlite_dir.mkdir()
        sqlite_env = base_env(data_dir=sqlite_dir, database_url=None, password=password)
        log("SQLite: migrate + demo")
        manage(sqlite_env, "migrate", "--noinput", "-v0")
        manage(sqlite_env, "load_demo")
        with Gunicorn(env=sqlite_env, config=chosen, log_path=tmp / "gunicorn-sqlite.log") as server:
            token = issue_token(server.port, "agent", password)
            log("intake on SQLite")
            intake_sqlite = run_intake(
                server.port,
                token,
                bodies,
                clients=clients,
                duration=args.duration,
                warmup=args.warmup,
                name="POST /api/v1/complaints (SQLite)",
            )
            results["intake_sqlite"] = intake_sqlite.summary()
            log(f"  {intake_sqlite.throughput:.0f}/s p99 {intake_sqlite.pct(99) * 1000:.1f} ms")
        log("audit_seal over the intake records (SQLite)")
        results["seal_sqlite"] = seal(sqlite_env)
        log(f"  {results['seal_sqlite']}")

        # ---------------------------------------------------------------- reads at 100,000
        log(f"preloading {args.preload:,} complaints (COPY)")
        now = dt.datetime.now(dt.UTC)
        results["preload"] = preload(database_url=pg_url, count=args.preload, mixer=TextMixer(texts, seed=23), now=now)
        with psycopg.connect(pg_url) as conn:
            total = conn.execute("SELECT count(*) FROM complaints_complaint").fetchone()[0]
            matching = conn.execute(
                "SELECT count(*) FROM complaints_complaint c JOIN accounts_department d ON d.id = c.department_id "
                "WHERE c.status = 'investigating' AND d.code = 'quality'"
            ).fetchone()[0]
            numbers = [
                r[0]
                for r in conn.execute("SELECT number FROM complaints_complaint ORDER BY random() LIMIT 5000").fetchall()
            ]
            phones = phone_tails(conn)
        results["preload"]["total_complaints"] = total
        results["preload"]["list_matching"] = matching
        log(f"  {results['preload']}")
        results["reads"] = measure_reads(
            pg_env, chosen, password, numbers, phones, clients=clients, duration=args.read_duration, warmup=args.warmup
        )
        log("staff pages (bench/staff_pages.toml)")
        results["pages"] = run_pages(args, pg_env, chosen, password, pg_url)
        if not args.no_bulk_import:
            log(f"bulk import: bench/bulk_import.py ({args.bulk_rows:,} rows, its own scratch database)")
            results["bulk_import"] = run_bulk_import_bench(rows=5000 if args.quick else args.bulk_rows, out_dir=out_dir)
        if not args.no_reports:
            log("reports: bench/reports.py (ledger, indicators, scheduled reports) on the preload")
            results["reports"] = run_reports_bench(pg_env, quick=args.quick, out_dir=out_dir)
        if args.scale > total:
            results["scale"] = grow_and_measure(args, pg_env, chosen, password, pg_url, have=total, out_dir=out_dir)
    except Exception:
        results["failures"].append(traceback.format_exc())
        log("FAILED:\n" + traceback.format_exc())
    finally:
        results["elapsed_s"] = time.monotonic() - started
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
            try:
                drop_pg_database(PG_DATABASE)
            except Exception as exc:  # the report matters more than the cleanup
                log(f"could not drop {PG_DATABASE}: {exc}")
        else:
            log(f"kept {tmp} and database {PG_DATABASE}")
    if not args.no_deadlines and "machine" in results:
        run_deadline_bench(results, quick=args.quick, complaints=args.sweep_complaints)
        results["elapsed_s"] = time.monotonic() - started
    if not args.no_triage and "machine" in results:
        run_triage_bench(results, quick=args.quick, out_dir=out_dir)
        results["elapsed_s"] = time.monotonic() - started
    (out_dir / "results.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    if "machine" in results:
        text = report.render(results)
        if results.get("triage_markdown"):  # the triage section (bench/triage_eval.py) at the end
            text = text.rstrip("\n") + "\n" + results["triage_markdown"]
        old = target.read_text(encoding="utf-8") if target.exists() else ""
        target.write_text(report.carry_over(old, text), encoding="utf-8")
        log(f"wrote {target.relative_to(REPO)} in {results['elapsed_s']:.0f} s")
    return 1 if results["failures"] else 0


def run_triage_bench(results: dict[str, Any], *, quick: bool, out_dir: Path) -> None:
    """Triage intelligence (bench/triage_eval.py) in its own process: category macro-F1 against the
    baseline, major recall, duplicate precision/recall, classification and training time."""
    log("triage: bench/triage_eval.py")
    from bench import triage_eval

    command = [sys.executable, "-m", "bench.triage_eval", "--json", str(out_dir / "triage.json")]
    if quick:
        command.append("--quick")
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True)
    if done.returncode != 0:
        results["failures"].append(f"triage: {done.stderr[-500:]}")
        return
    figures = json.loads((out_dir / "triage.json").read_text())
    results["triage"] = figures
    results["triage_markdown"] = triage_eval.markdown(figures)


# The staff pages measured again at --scale (issue 15.2: queues and the complaint page < 150 ms p95,
# the dashboard < 150 ms with no cache hit).
SCALE_PAGES = {
    "queue_agent",
    "queue_handler",
    "queue_supervisor",
    "queue_manager",
    "queue_all_pages",
    "queue_filtered",
    "queue_open_sorted",
    "queue_overdue",
    "queue_unassigned",
    "search_phone4",
    "search_number",
    "search_word",
    "search_word_short",
    "complaint",
    "complaint_handler",
    "dashboard",
}


def grow_and_measure(
    args: argparse.Namespace,
    env: dict[str, str],
    config: ServerConfig,
    password: str,
    pg_url: str,
    *,
    have: int,
    out_dir: Path,
) -> dict[str, Any]:
    """The cost curve (issue 15): the preload grown to `args.scale` complaints, then the same reads
    (list, detail, search over HTTP) and the KPI report measured again, to compare with the figures
    at the first size."""
    from bench import replicate

    log(f"cost curve: growing the preload from {have:,} to {args.scale:,} complaints (copies in SQL)")
    grown = replicate.grow(pg_url, args.scale)
    with psycopg.connect(pg_url) as conn:
        total = conn.execute("SELECT count(*) FROM complaints_complaint").fetchone()[0]
        numbers = [
            r[0]
            for r in conn.execute(
                "SELECT number FROM complaints_complaint TABLESAMPLE SYSTEM (1) ORDER BY random() LIMIT 5000"
            ).fetchall()
        ]
        phones = phone_tails(conn)
    log(f"  {grown}; {total:,} complaints")
    reads = measure_reads(
        env, config, password, numbers, phones, clients=args.clients, duration=args.read_duration, warmup=args.warmup
    )
    figures: dict[str, Any] = {"preload": grown, "total_complaints": total, "reads": reads}
    from bench import pages

    log("cost curve: the staff queues, searches, complaint page and dashboard again")
    figures["pages"] = pages.measure_pages(
        env,
        config,
        password,
        pages.samples(pg_url),
        clients=args.page_clients,
        duration=args.page_duration,
        warmup=min(args.warmup, 2.0),
        only=SCALE_PAGES,
        log=log,
        reference=True,
    )
    if not args.no_reports:
        log("cost curve: tallies and the KPI report (bench/reports.py --no-ledger --no-scheduled)")
        figures["reports"] = run_reports_bench(
            env, quick=args.quick, out_dir=out_dir, extra=["--no-ledger", "--no-scheduled"]
        )
    return figures


def run_reports_bench(
    env: dict[str, str], *, quick: bool, out_dir: Path, extra: list[str] | None = None
) -> dict[str, Any]:
    """bench/reports.py in its own process, on the preloaded PostgreSQL database: the ledger as CSV
    and XLSX, the tallies rebuilt, the KPI report for a year and the three scheduled reports."""
    target = out_dir / "reports.json"
    command = [str(BIN / "python"), "-m", "bench.reports", "--skip-preload", "--json", str(target), *(extra or [])]
    if quick:
        command += ["--attempts", "1"]
    env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    completed = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=3600)
    for line in completed.stdout.splitlines():
        log(f"  {line}")
    if completed.returncode != 0:
        raise RuntimeError(f"bench/reports.py failed:\n{completed.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(target.read_text())
    return figures


def run_bulk_import_bench(*, rows: int, out_dir: Path) -> dict[str, Any]:
    """bench/bulk_import.py in its own process and its own scratch PostgreSQL database."""
    target = out_dir / "bulk_import.json"
    command = [str(BIN / "python"), "-m", "bench.bulk_import", "--rows", str(rows), "--json", str(target)]
    env = {**os.environ, "KESU_BENCH_BULK_DB": PG_DATABASE + "_bulk"}
    completed = subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=3600)
    for line in completed.stdout.splitlines():
        log(f"  {line}")
    if completed.returncode != 0:
        raise RuntimeError(f"bench/bulk_import.py failed:\n{completed.stderr[-4000:]}")
    figures: dict[str, Any] = json.loads(target.read_text())
    return figures


def run_deadline_bench(results: dict[str, Any], *, quick: bool, complaints: int) -> None:
    """The deadline engineers' workloads (bench/deadlines.py, its own scratch database), when present."""
    try:
        from bench import deadlines
    except ImportError:
        return
    log("deadlines: bench/deadlines.py")
    try:
        rows = deadlines.run(complaints=5000 if quick else complaints)
        results["deadlines"] = rows
        for row in rows:
            log(f"  {row}")
    except Exception:
        results["failures"].append("bench/deadlines.py: " + traceback.format_exc())
        log("deadlines FAILED:\n" + traceback.format_exc())


# Search terms: real words from the texts. Two-character Chinese terms give pg_trgm no
# trigram to use, so they are measured apart from longer terms.
SHORT_TERMS = ["退款", "质量", "快递", "客服", "房间", "异响"]
LONG_TERMS = ["发动机", "不好吃", "credit report", "送餐太慢", "变速箱", "late fee", "服务态度", "漏油"]


def phone_tails(conn: psycopg.Connection[Any], count: int = 500) -> list[str]:
    """The last four digits of some complaints' phones (what an agent types from a caller ID)."""
    rows = conn.execute(
        "SELECT contact_phone FROM complaints_complaint TABLESAMPLE SYSTEM (5) WHERE contact_phone <> '' "
        "ORDER BY random() LIMIT %s",
        [count],
    ).fetchall()
    return [r[0][-4:] for r in rows] or ["5678"]


def measure_reads(
    env: dict[str, str],
    config: ServerConfig,
    password: str,
    numbers: list[str],
    phones: list[str],
    *,
    clients: int,
    duration: float,
    warmup: float,
) -> list[dict[str, Any]]:
    from urllib.parse import quote

    reads: list[dict[str, Any]] = []
    with Gunicorn(env=env, config=config, log_path=Path(env["KESU_DATA_DIR"]) / "gunicorn-reads.log") as server:
        token = issue_token(server.port, "agent", password)
        auth = {"Authorization": f"Bearer {token}"}
        pages = itertools.count()
        workloads = [
            (
                "list",
                "GET /api/v1/complaints?status=investigating&department=quality (pages 1-5)",
                lambda _t, _s: (
                    "GET",
                    f"/api/v1/complaints?status=investigating&department=quality&page={next(pages) % 5 + 1}",
                    None,
                ),
                50.0,
            ),
            (
                "detail",
                "GET /api/v1/complaints/{number} (5,000 random numbers)",
                _cycle_paths([f"/api/v1/complaints/{n}" for n in numbers]),
                50.0,
            ),
            (
                "search_long",
                "GET /api/v1/complaints?q=… (terms of 3+ characters)",
                _cycle_paths([f"/api/v1/complaints?q={quote(t)}" for t in LONG_TERMS]),
                None,
            ),
            (
                "search_short",
                "GET /api/v1/complaints?q=… (2-character Chinese terms)",
                _cycle_paths([f"/api/v1/complaints?q={quote(t)}" for t in SHORT_TERMS]),
                None,
            ),
            (
                "search_phone",
                "GET /api/v1/complaints?q=… (last 4 digits of a phone)",
                _cycle_paths([f"/api/v1/complaints?q={t}" for t in phones]),
                None,
            ),
            (
                "search_number",
                "GET /api/v1/complaints?q=… (a complaint number)",
                _cycle_paths([f"/api/v1/complaints?q={n}" for n in numbers[:500]]),
                None,
            ),
        ]
        runs = [(key, label, factory, target, auth) for key, label, factory, target in workloads]
        for key, label, factory, target_p95, headers in runs:
            log(f"reads: {label}")
            result = run_http(
                name=label,
                port=server.port,
                factory=factory,
                clients=clients,
                duration=duration,
                warmup=warmup,
                headers=headers,
            )
            summary = result.summary()
            summary.update({"key": key, "target_p95_ms": target_p95})
            reads.append(summary)
            log(
                f"  {result.throughput:.0f}/s p50 {result.pct(50) * 1000:.1f} p95 {result.pct(95) * 1000:.1f} "
                f"p99 {result.pct(99) * 1000:.1f} ms"
            )
    return reads


def run_pages(
    args: argparse.Namespace, env: dict[str, str], config: ServerConfig, password: str, database_url: str
) -> dict[str, Any]:
    from bench import pages

    values = pages.samples(database_url)
    only = {k.strip() for k in args.pages.split(",") if k.strip()} or None
    # The minimal endpoint first, same server and clients: what the machine gives right now.
    rows = pages.measure_pages(
        env,
        config,
        password,
        values,
        clients=args.page_clients,
        duration=args.page_duration,
        warmup=min(args.warmup, 2.0),
        only=only,
        log=log,
        reference=True,
    )
    before: dict[str, Any] = {}
    if args.compare:
        earlier = json.loads(Path(args.compare).read_text())
        before = {r["key"]: r for r in (earlier.get("pages") or {}).get("rows", [])}
    return {
        "rows": rows,
        "clients": args.page_clients,
        "duration": args.page_duration,
        "before": before,
        "compare": args.compare,
    }


def pages_only(args: argparse.Namespace) -> int:
    """Preload and the staff pages alone; the rest of BENCHMARKS.md stays as the last full run wrote it."""
    load.QUIET_MAX_WAIT = args.quiet_wait
    started = time.monotonic()
    out_dir = REPO / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="kesu-bench-"))
    password = os.environ.get("KESU_BENCH_PASSWORD") or secrets.token_urlsafe(16)
    results: dict[str, Any] = {"args": vars(args), "failures": []}
    chosen = CANDIDATES[0]
    results["server"] = {"config": chosen.label, "workers": chosen.workers, "threads": chosen.threads}
    try:
        pg_url = _pg_url_reused(args)
        results["machine"] = machine_info(pg_url)
        env = base_env(data_dir=tmp, database_url=pg_url, password=password)
        manage(env, "migrate", "--noinput", "-v0")
        with psycopg.connect(pg_url) as conn:
            have = conn.execute("SELECT count(*) FROM complaints_complaint").fetchone()[0]
        if have and have < args.preload:  # an unfinished or smaller preload: start again
            pg_url = recreate_pg_database(PG_DATABASE)
            manage(env, "migrate", "--noinput", "-v0")
        manage(env, "collectstatic", "--noinput", "-v0")
        if not (args.reuse and have >= args.preload):
            log(f"PostgreSQL: demo + preloading {args.preload:,} complaints in {PG_DATABASE}")
            manage(env, "load_demo")
            texts = load_texts()
            results["preload"] = preload(
                database_url=pg_url, count=args.preload, mixer=TextMixer(texts, seed=23), now=dt.datetime.now(dt.UTC)
            )
        else:
            log(f"reusing {PG_DATABASE} ({have:,} complaints)")
            results["preload"] = {"reused": True}
            # The demo users' passwords were set from KESU_ADMIN_PASSWORD when the demo was loaded.
            manage(
                env,
                "shell",
                "-c",
                "import os\nfrom kesu.accounts.models import User\n"
                "for u in User.objects.all():\n    u.set_password(os.environ['KESU_ADMIN_PASSWORD']); u.save()",
            )
        with psycopg.connect(pg_url) as conn:
            results["preload"]["total_complaints"] = conn.execute(
                "SELECT count(*) FROM complaints_complaint"
            ).fetchone()[0]
        log("staff pages (bench/staff_pages.toml)")
        results["pages"] = run_pages(args, env, chosen, password, pg_url)
    except Exception:
        results["failures"].append(traceback.format_exc())
        log("FAILED:\n" + traceback.format_exc())
    finally:
        results["elapsed_s"] = time.monotonic() - started
        shutil.rmtree(tmp, ignore_errors=True)
        if not args.keep:
            try:
                drop_pg_database(PG_DATABASE)
            except Exception as exc:
                log(f"could not drop {PG_DATABASE}: {exc}")
    (out_dir / "results.pages.json").write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    if "machine" in results and results.get("pages"):
        target = out_dir / "BENCHMARKS.quick.md" if args.quick else REPO / "BENCHMARKS.md"
        report.splice_pages(target, results)
        log(f"wrote the staff-page section of {target.relative_to(REPO)} in {results['elapsed_s']:.0f} s")
    return 1 if results["failures"] else 0


def _pg_url_reused(args: argparse.Namespace) -> str:
    from bench.server import pg_url

    if args.reuse:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (PG_DATABASE,)).fetchone()
        if exists:
            return pg_url(PG_DATABASE)
    return recreate_pg_database(PG_DATABASE)


def _cycle_paths(paths: list[str]) -> Any:
    pick = cycling(paths)
    return lambda _t, _s: ("GET", pick(), None)


if __name__ == "__main__":
    sys.exit(main())
