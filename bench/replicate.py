"""Grow a preloaded PostgreSQL database to N complaints in SQL, without generating rows in Python.

`bench/preload.py` builds each complaint in Python (text mix, OpenCC + jieba search document):
about a millisecond a row, so a million took hours on the 2-core machine. For the cost curve the
first preload (100,000 complaints of real texts) is enough variety; this copies it whole, as many
times as needed, with `INSERT … SELECT` inside PostgreSQL:

- each copy *k* is the same year of complaints, in the same months: serials continue each month's
  counter (serial + k × the month's last value, so numbers stay `YYYYMM-NNNNN`, unique and gap-free,
  and the counters are moved on), `received_at` and every other time moved back k × 37 seconds
  (kept in its local month);
- every copy has its own customers (new phones, `phone_key` of the new phone), its own timeline
  events and investigations; the search text's number tokens follow the new number, the rest of
  the text is the original's (so a term matches ten times as many complaints at ten times the size,
  as it would in an organisation ten times larger);
- the full-text GIN index is dropped before and built once after, then the tables are analysed.

Columns are read from the catalogue, so a column added by a later migration is copied as it is."""

from __future__ import annotations

import argparse
import math
import time
from typing import Any

import psycopg

LOCAL = "Asia/Shanghai"
STEP_SECONDS = 37
TABLES = ("customers_customer", "complaints_complaint", "complaints_complaintevent", "resolution_investigation")
ANALYSED = (*TABLES, "complaints_complaintsearch")


def _phone(customer_id: str) -> str:
    """A copied customer's mobile number: +86 196 and the new id (preload and intake use other prefixes)."""
    return f"'+86196' || lpad(({customer_id})::text, 8, '0')"


def _columns(cur: Any, table: str) -> list[tuple[str, str]]:
    return [
        (name, kind)
        for name, kind in cur.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = %s AND is_generated = 'NEVER' ORDER BY ordinal_position",
            [table],
        ).fetchall()
    ]


def _copy(cur: Any, table: str, overrides: dict[str, str], source: str, *, skip: set[str] = frozenset()) -> int:  # type: ignore[assignment]
    """INSERT INTO table SELECT … with `overrides` (column → SQL expression over alias t) and every
    timestamp moved back by the copy's delta (`t.delta`)."""
    names, exprs = [], []
    for name, kind in _columns(cur, table):
        if name in skip:
            continue
        names.append(f'"{name}"')
        if name in overrides:
            exprs.append(overrides[name])
        elif kind == "timestamp with time zone":
            exprs.append(f't."{name}" - t.delta')
        else:
            exprs.append(f't."{name}"')
    cur.execute(f"INSERT INTO {table} ({', '.join(names)}) SELECT {', '.join(exprs)} FROM {source}")
    return int(cur.rowcount)


def grow(database_url: str, target: int) -> dict[str, Any]:
    """Copy the complaints already in the database until there are at least `target`. Returns timings."""
    started = time.perf_counter()
    timings: dict[str, Any] = {}
    with psycopg.connect(database_url) as conn:
        cur = conn.cursor()
        cur.execute("SET maintenance_work_mem = '512MB'")
        have = cur.execute("SELECT count(*) FROM complaints_complaint").fetchone()[0]
        if have == 0 or have >= target:
            return {"copies": 0, "complaints": have}
        copies = math.ceil(target / have) - 1
        max_complaint = cur.execute("SELECT max(id) FROM complaints_complaint").fetchone()[0]
        max_customer = cur.execute("SELECT coalesce(max(id), 0) FROM customers_customer").fetchone()[0]
        gin = cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('complaints_complaint', 'complaints_complaintsearch') "
            "AND indexdef ILIKE '%USING gin%'"
        ).fetchall()
        for index_name, _definition in gin:
            cur.execute(f'DROP INDEX "{index_name}"')
        # The months' block sizes, fixed before any copy moves the counters.
        cur.execute(
            "CREATE TEMP TABLE bench_block ON COMMIT DROP AS "
            "SELECT period, max(serial) AS block FROM complaints_complaint GROUP BY period"
        )
        cur.execute("CREATE TEMP TABLE bench_k (k int, delta interval) ON COMMIT DROP")
        for k in range(1, copies + 1):
            t0 = time.perf_counter()
            cur.execute("TRUNCATE bench_k")
            cur.execute("INSERT INTO bench_k VALUES (%s, make_interval(secs => %s))", [k, k * STEP_SECONDS])
            customer_offset, complaint_offset = k * max_customer, k * max_complaint
            _copy(
                cur,
                "customers_customer",
                {
                    "id": f"t.id + {customer_offset}",
                    "phone": f"CASE WHEN t.phone IS NULL THEN NULL ELSE {_phone(f't.id + {customer_offset}')} END",
                    "email": f"CASE WHEN t.email IS NULL THEN NULL ELSE 'copy{k}.' || t.email END",
                },
                f"(SELECT c.*, bench_k.delta FROM customers_customer c, bench_k WHERE c.id <= {max_customer}) t",
            )
            new_serial = "(t.serial + bench_k.k * b.block)"
            new_serial_text = (
                f"CASE WHEN {new_serial} < 100000 THEN lpad({new_serial}::text, 5, '0') ELSE {new_serial}::text END"
            )
            new_phone = _phone(f"t.customer_id + {customer_offset}")
            new_key = f"reverse(regexp_replace({new_phone}, '[^0-9]', '', 'g'))"
            kept = "t.customer_id IS NULL OR t.{0} = ''"
            # The delta, unless it would move the complaint into the previous local month.
            delta = (
                "CASE WHEN date_trunc('month', (t.received_at - bench_k.delta) AT TIME ZONE 'Asia/Shanghai') "
                "= date_trunc('month', t.received_at AT TIME ZONE 'Asia/Shanghai') "
                "THEN bench_k.delta ELSE interval '0' END"
            )
            source = (
                f"(SELECT t.*, {delta} AS delta FROM complaints_complaint t, bench_k WHERE t.id <= {max_complaint}) t "
                "JOIN bench_block b ON b.period = t.period CROSS JOIN bench_k"
            )
            overrides = {
                "id": f"t.id + {complaint_offset}",
                "serial": new_serial,
                "number": f"t.period || '-' || {new_serial_text}",
                "customer_id": f"t.customer_id + {customer_offset}",
                "contact_phone": f"CASE WHEN {kept.format('contact_phone')} THEN t.contact_phone ELSE {new_phone} END",
                "phone_key": f"CASE WHEN {kept.format('phone_key')} THEN t.phone_key ELSE {new_key} END",
                "external_ref": f"CASE WHEN t.external_ref = '' THEN '' ELSE t.external_ref || '-copy{k}' END",
                "search_text": (
                    "replace(t.search_text, t.period || ' ' || lpad(t.serial::text, 5, '0'), "
                    f"t.period || ' ' || {new_serial_text})"
                ),
            }
            columns = {name for name, _kind in _columns(cur, "complaints_complaint")}
            for unique_text in ("portal_token", "public_token", "token"):
                if unique_text in columns:
                    overrides[unique_text] = f"md5(t.{unique_text} || '{k}')"
            complaints = _copy(cur, "complaints_complaint", overrides, source)
            events = _copy(
                cur,
                "complaints_complaintevent",
                {"complaint_id": f"t.complaint_id + {complaint_offset}"},
                f"(SELECT e.*, bench_k.delta FROM complaints_complaintevent e, bench_k "
                f"WHERE e.complaint_id <= {max_complaint}) t",
                skip={"id"},
            )
            investigations = _copy(
                cur,
                "resolution_investigation",
                {"complaint_id": f"t.complaint_id + {complaint_offset}"},
                f"(SELECT i.*, bench_k.delta FROM resolution_investigation i, bench_k "
                f"WHERE i.complaint_id <= {max_complaint}) t",
                skip={"id"},
            )
            timings[f"copy_{k}_s"] = round(time.perf_counter() - t0, 1)
            timings.setdefault("complaints", 0)
            timings["complaints"] += complaints
            timings.setdefault("events", 0)
            timings["events"] += events
            timings.setdefault("investigations", 0)
            timings["investigations"] += investigations
        cur.execute(
            f"UPDATE complaints_monthlycounter m SET last_value = b.block * {copies + 1} "
            "FROM bench_block b WHERE b.period = m.period"
        )
        for table in TABLES:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        t0 = time.perf_counter()
        conn.commit()
        timings["commit_s"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        for _index_name, definition in gin:
            cur.execute(definition)
        conn.commit()
        timings["gin_index_s"] = round(time.perf_counter() - t0, 1)
    with psycopg.connect(database_url, autocommit=True) as conn:
        t0 = time.perf_counter()
        for table in ANALYSED:
            conn.execute(f"VACUUM ANALYZE {table}")
        timings["analyze_s"] = round(time.perf_counter() - t0, 1)
    timings["copies"] = copies
    timings["total_s"] = round(time.perf_counter() - started, 1)
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database_url")
    parser.add_argument("--target", type=int, default=1_000_000)
    args = parser.parse_args()
    print(grow(args.database_url, args.target))


if __name__ == "__main__":
    main()
