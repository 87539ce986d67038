"""The reports area at scale (PostgreSQL): the ledger exported as CSV and XLSX, the daily tallies
rebuilt, the KPI report for a year (refreshed first, as every report is), and the three scheduled
reports (weekly, monthly, statistics) written as XLSX and PDF, over the complaints of a database.
`make bench` runs it on its preloaded database (bench/run.py, step "reports"); by hand, on a
database of its own:

    DATABASE_URL=postgres://…/db .venv/bin/python -m bench.reports --preload 100000

It migrates, loads the demo organisation and preloads (bench/preload.py) unless `--skip-preload`,
then times each workload (each export twice: untraced for its time, then under tracemalloc for
the peak of Python memory allocated while writing). `--json FILE` writes the figures for bench/report.py."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preload", type=int, default=100_000)
    parser.add_argument("--skip-preload", action="store_true")
    parser.add_argument("--no-ledger", action="store_true", help="skip the ledger exports")
    parser.add_argument("--no-kpi", action="store_true", help="skip the tallies and the indicators")
    parser.add_argument("--no-scheduled", action="store_true", help="skip the scheduled reports")
    parser.add_argument("--attempts", type=int, default=3, help="KPI and scheduled reports: runs of each")
    parser.add_argument("--json", default="", help="write the figures to this file")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if not args.skip_preload:
        from bench.data import TextMixer, load_texts
        from bench.preload import preload
        from kesu.accounts.models import User

        call_command("migrate", "--noinput", "-v0")
        if not User.objects.exists():
            call_command("load_demo")
        timings = preload(
            database_url=os.environ["DATABASE_URL"],
            count=args.preload,
            mixer=TextMixer(load_texts(), seed=23),
            now=dt.datetime.now(dt.UTC),
        )
        print("preload", timings, flush=True)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    results = run(
        ledger_exports=not args.no_ledger,
        kpis=not args.no_kpi,
        scheduled=not args.no_scheduled,
        attempts=args.attempts,
    )
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2, ensure_ascii=False))


def run(*, ledger_exports: bool = True, kpis: bool = True, scheduled: bool = True, attempts: int = 3) -> dict[str, Any]:
    """Time the workloads on the configured database (Django set up); print and return the figures."""
    from django.core.management import call_command
    from django.utils import timezone, translation

    from kesu.accounts.models import User
    from kesu.complaints.models import Complaint
    from kesu.core import clock
    from kesu.reports import ledger
    from kesu.reports.kpis import kpi_report
    from kesu.reports.scheduled import write_report
    from kesu.reports.tallies import refresh_tallies

    translation.activate("zh-hans")
    call_command("migrate", "--noinput", "-v0")
    total = Complaint.objects.count()
    manager = User.objects.get(username="manager")
    results: dict[str, Any] = {"complaints": total, "ledger": [], "kpi": [], "scheduled": []}
    print(f"complaints: {total:,}", flush=True)

    def export(file_format: str) -> int:
        rows = ledger.ledger_table(user=manager, queryset=Complaint.objects.all())
        if file_format == "csv":
            return sum(len(piece) for piece in ledger.csv_stream(rows))
        handle = ledger.xlsx_file(rows, title="台账")
        return int(handle.seek(0, 2))  # its size, without reading it into memory

    for file_format in ("csv", "xlsx") if ledger_exports else ():
        # Timed untraced; the memory peak from a second pass under tracemalloc (tracing slows
        # allocation-heavy code several times over, so that pass's time is not the export's).
        started = time.perf_counter()
        size = export(file_format)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        export(file_format)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results["ledger"].append(
            {"format": file_format, "rows": total, "s": elapsed, "mb": size / 1e6, "peak_mb": peak / 1e6}
        )
        print(
            f"ledger {file_format}: {total:,} rows in {elapsed:.2f} s, {size / 1e6:.1f} MB,"
            f" peak Python memory {peak / 1e6:.1f} MB (a second, traced pass)",
            flush=True,
        )
    if kpis:
        started = time.perf_counter()
        counted = refresh_tallies(now=clock.now(), rebuild=True)
        results["rebuild"] = {"complaints": counted, "s": time.perf_counter() - started}
        print(f"tallies rebuilt: {counted:,} complaints in {results['rebuild']['s']:.2f} s", flush=True)
        today = timezone.localdate()
        year_ago = today - dt.timedelta(days=364)
        for group_by in (None, "department", "category", "person"):
            timings = []
            for _attempt in range(attempts):
                started = time.perf_counter()
                refresh_tallies(now=clock.now())  # what every report does first
                kpi_report(user=manager, date_from=year_ago, date_to=today, group_by=group_by)
                timings.append(time.perf_counter() - started)
            results["kpi"].append({"group_by": group_by or "", "best_s": min(timings), "worst_s": max(timings)})
            print(f"kpi year group_by={group_by}: best {min(timings):.2f} s, worst {max(timings):.2f} s", flush=True)
    if scheduled:
        with tempfile.TemporaryDirectory() as out:
            for kind in ("weekly", "monthly", "statistics"):
                timings = []
                for _attempt in range(attempts):
                    started = time.perf_counter()
                    _xlsx, pdf = write_report(kind, at=clock.now(), out=Path(out))
                    timings.append(time.perf_counter() - started)
                results["scheduled"].append(
                    {"kind": kind, "best_s": min(timings), "worst_s": max(timings), "pdf_kb": pdf.stat().st_size / 1e3}
                )
                print(f"report {kind} (XLSX + PDF): best {min(timings):.2f} s, worst {max(timings):.2f} s", flush=True)
    return results


if __name__ == "__main__":
    main()
