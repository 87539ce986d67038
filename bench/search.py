"""Search at scale (issue 10): `q` on the complaint list, by 8 clients, on SQLite or PostgreSQL.

    python -m bench.search --database sqlite --count 100000
    python -m bench.search --database postgres://postgres@127.0.0.1:5432/kesu_search_bench --count 100000
    python -m bench.search --reuse postgres://postgres@127.0.0.1:5432/kesu_search_1m

`--reuse URL` measures a database prepared before (migrated, demo loaded, preloaded and grown, e.g.
bench/preload.py then `python -m bench.replicate URL --target 1000000`) as it is: nothing is
migrated or loaded. Otherwise it loads `count` complaints (texts of bench/data.py, the mix of the
intake workload) into a scratch database through the ORM, indexed exactly as intake indexes them
(kesu.complaints.search), then runs what `GET /api/v1/complaints?q=` runs for a page (the page
of 20 rows by relevance and the count) from `clients` threads, each with its own connection, for each kind of term:
2-character Chinese terms, longer terms, phone tails (last 4 digits) and complaint numbers.
Reports p50/p95/p99 per kind (in-process: no HTTP, the ORM and the database; 8 threads share the
GIL, which inflates the figures a little on a 2-core machine). Writes bench/out/search-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

SHORT_TERMS = ["退款", "质量", "快递", "服务", "客服", "房间", "态度", "发货", "价格", "屏幕", "电池", "味道"]
LONG_TERMS = [
    "不制冷",
    "服务态度",
    "发动机",
    "送餐太慢",
    "质量问题",
    "刹车失灵",
    "变速箱",
    "前台服务",
    "卫生间",
    "退货退款",
]
PAGE = 20


def setup_django(database: str, data_dir: Path) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"
    os.environ["KESU_DATA_DIR"] = str(data_dir)
    if database == "sqlite":
        os.environ.pop("DATABASE_URL", None)
    else:
        os.environ["DATABASE_URL"] = database
    import django

    django.setup()


def load(count: int, *, seed: int = 11) -> dict[str, Any]:
    """Customers and complaints in bulk, each with the search columns intake writes."""
    from django.db import connection, transaction

    from bench.data import TextMixer, customer_name, load_texts, mobile
    from kesu.accounts.models import Department
    from kesu.complaints.models import Complaint
    from kesu.complaints.search import phone_key, search_document, write_fts
    from kesu.customers.models import Customer

    rng = random.Random(seed)
    mixer = TextMixer(load_texts(), seed=23)
    departments = list(Department.objects.all())
    now = dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    batch = 2000
    period_serial: dict[str, int] = {}
    moments = sorted(now - dt.timedelta(seconds=rng.uniform(60, 365 * 86400)) for _ in range(count))
    index_s = 0.0
    for start in range(0, count, batch):
        with transaction.atomic():
            customers = Customer.objects.bulk_create(
                [
                    Customer(name=customer_name(rng), phone="+86" + mobile(60_000_000 + i), created_at=now)
                    for i in range(start, min(count, start + batch))
                ]
            )
            rows = []
            for customer, received in zip(customers, moments[start : start + batch], strict=False):
                text = mixer.next()
                period = received.strftime("%Y%m")
                serial = period_serial[period] = period_serial.get(period, 50_000) + 1  # after the demo's
                number = f"{period}-{serial:05d}"
                t0 = time.perf_counter()
                document = search_document(
                    title=text.title,
                    description=text.description,
                    product=text.product,
                    name=customer.name,
                    number=number,
                )
                index_s += time.perf_counter() - t0
                rows.append(
                    Complaint(
                        number=number,
                        period=period,
                        serial=serial,
                        channel="phone",
                        customer=customer,
                        contact_name=customer.name,
                        contact_phone=customer.phone,
                        title=text.title,
                        description=text.description,
                        product_name=text.product,
                        received_at=received,
                        department=rng.choice(departments),
                        search_text=document,
                        phone_key=phone_key(customer.phone),
                        created_at=received,
                        updated_at=received,
                    )
                )
            created = Complaint.objects.bulk_create(rows)
            if connection.vendor == "sqlite" and created and created[0].pk is None:
                raise RuntimeError("bulk_create returned no ids")
            write_fts([(c.pk, c.search_text) for c in created])
        done = min(count, start + batch)
        print(f"\r  loaded {done:,}/{count:,}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE complaints_complaint")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            cursor.execute("INSERT INTO complaint_fts(complaint_fts) VALUES ('optimize')")
    return {"load_s": round(time.perf_counter() - started, 1), "tokenise_s": round(index_s, 1), "complaints": count}


def copy_from_sqlite(path: Path) -> dict[str, Any]:
    """PostgreSQL: COPY the complaints (and their customers) a SQLite run loaded, tokens and all:
    the same data without tokenising it again."""
    import sqlite3

    from django.db import connection

    started = time.perf_counter()
    source = sqlite3.connect(path / "kesu.sqlite3")
    with connection.cursor() as cursor:
        cursor.execute("SELECT code, id FROM accounts_department")
        departments_pg = dict(cursor.fetchall())
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = 'complaints_complaint'")
        pg_columns = {row[0] for row in cursor.fetchall()}
    departments_sqlite = {i: code for code, i in source.execute("SELECT code, id FROM accounts_department")}
    names = [r[1] for r in source.execute("PRAGMA table_info(complaints_complaint)")]
    skip = {"id", "customer_id", "department_id", "severity_rule_id", "category_id", "assignee_id", "recorded_by_id"}
    skip |= {"related_to_id", "merged_into_id"}
    columns = [n for n in names if n in pg_columns and n not in skip]
    select = ", ".join(f"c.{n}" for n in columns)
    rows = source.execute(
        f"SELECT cu.name, cu.phone, cu.created_at, c.department_id, {select} FROM complaints_complaint c "
        "JOIN customers_customer cu ON cu.id = c.customer_id WHERE c.serial > 50000 ORDER BY c.id"
    ).fetchall()
    bools = {
        n for n in columns if n in {"overdue", "overseas", "sample_kept", "is_resolved_contact", "settled_on_spot"}
    }
    raw = connection.connection
    with raw.cursor() as cur:
        cur.execute("SELECT coalesce(max(id), 0) FROM customers_customer")
        next_customer = cur.fetchone()[0] + 1
        gin = cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'complaints_complaint' "
            "AND indexdef ILIKE '%USING gin%'"
        ).fetchall()
        for name, _definition in gin:
            cur.execute(f'DROP INDEX "{name}"')
        with cur.copy("COPY customers_customer (id, name, phone, created_at) FROM STDIN") as copy:
            for offset, row in enumerate(rows):
                copy.write_row((next_customer + offset, row[0], row[1], row[2]))
        header = ", ".join([*columns, "customer_id", "department_id"])
        with cur.copy(f"COPY complaints_complaint ({header}) FROM STDIN") as copy:
            for offset, row in enumerate(rows):
                values = [bool(v) if n in bools else v for n, v in zip(columns, row[4:], strict=True)]
                department = departments_pg.get(departments_sqlite.get(row[3], ""))
                copy.write_row([*values, next_customer + offset, department])
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('customers_customer', 'id'), "
            "(SELECT max(id) FROM customers_customer))"
        )
        raw.commit()
        for _name, definition in gin:
            cur.execute(definition)
        raw.commit()
    raw.autocommit = True
    with raw.cursor() as cur:
        cur.execute("VACUUM ANALYZE complaints_complaint")
        cur.execute("VACUUM ANALYZE customers_customer")
    raw.autocommit = False
    return {"copy_s": round(time.perf_counter() - started, 1), "complaints": len(rows)}


def samples(rng: random.Random) -> dict[str, list[str]]:
    from kesu.complaints.models import Complaint

    ids = list(Complaint.objects.order_by("?").values_list("number", "contact_phone")[:400])
    return {
        "short_term": SHORT_TERMS,
        "long_term": LONG_TERMS,
        "phone_tail": [phone[-4:] for _number, phone in ids if phone],
        "number": [number for number, _phone in ids],
    }


def one_search(user: Any, q: str) -> int:
    """What the API list does for `q` (kesu.api.complaints.list_complaints): the page by relevance
    and its count in one statement, then the page's rows."""
    from kesu.api.complaints import rows_in_order
    from kesu.complaints.selectors import ComplaintFilters, complaint_list, complaint_search_page

    now = dt.datetime.now(dt.UTC)
    page = complaint_search_page(user=user, filters=ComplaintFilters(q=q), now=now, offset=0, limit=PAGE)
    return len(rows_in_order(complaint_list(user=user, filters=ComplaintFilters(), now=now), page.ids))


def measure(kind: str, terms: list[str], *, clients: int, per_client: int, user: Any) -> dict[str, Any]:
    from django.db import connection

    timings: list[float] = []
    found: list[int] = []
    lock = threading.Lock()

    def worker(index: int) -> None:
        rng = random.Random(index)
        mine, hits = [], []
        try:
            for _ in range(per_client):
                q = rng.choice(terms)
                t0 = time.perf_counter()
                hits.append(one_search(user, q))
                mine.append(time.perf_counter() - t0)
        finally:
            connection.close()
        with lock:
            timings.extend(mine)
            found.extend(hits)

    one_search(user, terms[0])  # warm the connection and the caches of the process
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    started, cpu_started = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    timings.sort()

    def pct(p: float) -> float:
        return round(timings[min(len(timings) - 1, int(len(timings) * p / 100))] * 1000, 1)

    return {
        "kind": kind,
        "requests": len(timings),
        "clients": clients,
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": round(statistics.mean(timings) * 1000, 1),
        "per_s": round(len(timings) / elapsed, 1),
        "mean_rows": round(statistics.mean(found), 1),
        "cpu_s": round(cpu, 1),  # of this process (Python); the database's own CPU is not in it
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="sqlite", help="sqlite, or a postgres:// URL of a scratch database")
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--per-client", type=int, default=40)
    parser.add_argument("--data-dir", default="", help="SQLite: reuse this data dir (loaded before)")
    parser.add_argument("--copy-from", default="", help="PostgreSQL: COPY the complaints of this SQLite data dir")
    parser.add_argument("--reuse", default="", help="a postgres:// URL of a prepared database: measure it as it is")
    parser.add_argument("--kinds", default="", help="only these kinds, comma-separated (short_term,long_term,…)")
    parser.add_argument("--out", default="", help="write the figures to this file (default bench/out/search-<db>.json)")
    args = parser.parse_args(argv)
    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="kesu-search-bench-"))
    setup_django(args.reuse or args.database, data_dir)
    from django.core.management import call_command

    from kesu.accounts.models import User
    from kesu.complaints.models import Complaint

    database = "postgresql" if args.reuse or args.database != "sqlite" else "sqlite"
    results: dict[str, Any] = {"database": database, "load_before": _load_average()}
    if args.reuse:
        pass  # measured as it is
    elif not _migrated() or not User.objects.filter(username="agent").exists():
        call_command("migrate", "--noinput", verbosity=0)
        call_command("load_demo", verbosity=0)
    have = Complaint.objects.count()
    if args.reuse:
        pass
    elif args.copy_from and have < args.count:
        print(f"copying the complaints of {args.copy_from} into PostgreSQL", file=sys.stderr)
        results["load"] = copy_from_sqlite(Path(args.copy_from))
    elif have < args.count:
        print(f"loading {args.count - have:,} complaints into {results['database']}", file=sys.stderr)
        results["load"] = load(args.count - have)
    results["complaints"] = Complaint.objects.count()
    user = User.objects.get(username="agent")
    terms = samples(random.Random(5))
    kinds = [k for k in args.kinds.split(",") if k] or list(terms)
    results["workloads"] = []
    for kind in kinds:
        row = measure(kind, terms[kind], clients=args.clients, per_client=args.per_client, user=user)
        row["load_after"] = _load_average()
        results["workloads"].append(row)
        print(
            f"{results['database']:10} {results['complaints']:>9,} {row['kind']:11} p50 {row['p50_ms']:7.1f} ms "
            f"p95 {row['p95_ms']:7.1f} ms p99 {row['p99_ms']:7.1f} ms  {row['per_s']:6.1f}/s  rows {row['mean_rows']}  "
            f"cpu {row['cpu_s']} s  load {row['load_after']}",
            flush=True,
        )
    out = Path(args.out) if args.out else Path(__file__).parent / "out" / f"search-{results['database']}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return 0


def _load_average() -> list[float]:
    """The machine's 1, 5 and 15-minute load averages (the machine is shared: figures need them)."""
    return [round(x, 2) for x in os.getloadavg()]


def _migrated() -> bool:
    from django.db import connection

    return "accounts_user" in connection.introspection.table_names()


if __name__ == "__main__":
    sys.exit(main())
