"""The reports area at scale (PostgreSQL): the ledger exported as XLSX and CSV, and the KPI
report for a year, over N preloaded complaints. Run it on a database of its own:

    DATABASE_URL=postgres://…/db .venv/bin/python -m bench.reports --preload 100000

It migrates, loads the demo organisation, preloads (bench/preload.py), then times each export
twice: once untraced for its time, once under tracemalloc for the peak of Python memory allocated
while writing (tracing slows allocation-heavy code several times over, so that pass's time is not
the export's). Then the KPI report (skipped with --ledger-only)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
import tracemalloc


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--preload", type=int, default=100_000)
    parser.add_argument("--skip-preload", action="store_true")
    parser.add_argument("--no-ledger", action="store_true", help="time the indicators only")
    parser.add_argument("--ledger-only", action="store_true", help="time the ledger exports only")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone, translation

    from bench.data import TextMixer, load_texts
    from bench.preload import preload
    from kesu.accounts.models import User
    from kesu.complaints.models import Complaint
    from kesu.reports import ledger
    from kesu.reports.kpis import kpi_report

    translation.activate("zh-hans")
    if not args.skip_preload:
        call_command("migrate", "--noinput", "-v0")
        if not User.objects.exists():
            call_command("load_demo")
        url = os.environ["DATABASE_URL"]
        print(
            "preload",
            preload(
                database_url=url,
                count=args.preload,
                mixer=TextMixer(load_texts(), seed=23),
                now=dt.datetime.now(dt.UTC),
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    total = Complaint.objects.count()
    manager = User.objects.get(username="manager")
    print(f"complaints: {total:,}")

    def export(file_format: str) -> int:
        rows = ledger.ledger_table(user=manager, queryset=Complaint.objects.all())
        if file_format == "csv":
            return sum(len(piece) for piece in ledger.csv_stream(rows))
        handle = ledger.xlsx_file(rows, title="台账")
        return handle.seek(0, 2)  # its size, without reading it into memory

    for file_format in () if args.no_ledger else ("csv", "xlsx"):
        started = time.perf_counter()
        size = export(file_format)
        elapsed = time.perf_counter() - started
        tracemalloc.start()
        started = time.perf_counter()
        export(file_format)
        traced = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"ledger {file_format}: {total:,} rows in {elapsed:.2f} s, {size / 1e6:.1f} MB,"
            f" peak Python memory {peak / 1e6:.1f} MB (traced pass {traced:.2f} s)"
        )
    if args.ledger_only:
        return
    from kesu.core import clock
    from kesu.reports.tallies import refresh_tallies

    call_command("migrate", "--noinput", "-v0")
    started = time.perf_counter()
    counted = refresh_tallies(now=clock.now(), rebuild=True)
    print(f"tallies rebuilt: {counted:,} complaints in {time.perf_counter() - started:.2f} s")
    today = timezone.localdate()
    year_ago = today - dt.timedelta(days=364)
    for group_by in (None, "department", "category", "person"):
        timings = []
        for _attempt in range(3):
            started = time.perf_counter()
            refresh_tallies(now=clock.now())  # what every report does first
            kpi_report(user=manager, date_from=year_ago, date_to=today, group_by=group_by)
            timings.append(time.perf_counter() - started)
        print(f"kpi year group_by={group_by}: best {min(timings):.2f} s, worst {max(timings):.2f} s")


if __name__ == "__main__":
    main()
