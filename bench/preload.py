"""Preload N complaints straight into the real tables with COPY (PostgreSQL).

Consistent with what intake writes: numbers `YYYYMM-NNNNN` from the local month of
`received_at`, serials continuing each month's MonthlyCounter (which is updated), customers
deduplicated by phone, the full-text `search_text` of kesu.complaints.search, deadlines,
status timestamps matching the status, and a timeline (`registered`, plus the latest move).
Audit records are not written for preloaded rows (they would only lengthen the chain)."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
from typing import Any
from zoneinfo import ZoneInfo

import psycopg

from bench.data import TextMixer, customer_name, mobile
from kesu.complaints.search import search_document

LOCAL = ZoneInfo("Asia/Shanghai")
PHONE_OFFSET = 50_000_000  # preload customers never collide with intake customers

STATUS_WEIGHTS = [
    ("registered", 4),
    ("acknowledged", 5),
    ("assigned", 7),
    ("investigating", 14),
    ("solution_proposed", 5),
    ("implementing", 4),
    ("resolved", 8),
    ("closed", 47),
    ("withdrawn", 3),
    ("invalid", 3),
]
STATUS_ORDER = [
    "registered",
    "acknowledged",
    "assigned",
    "investigating",
    "solution_proposed",
    "implementing",
    "resolved",
    "closed",
]
OPEN = {"registered", "acknowledged", "assigned", "investigating", "solution_proposed", "implementing", "resolved"}
CHANNEL_WEIGHTS = [
    ("phone", 35),
    ("web", 30),
    ("email", 10),
    ("social", 8),
    ("walk_in", 7),
    ("letter", 3),
    ("suggestion_box", 2),
    ("regulator", 3),
    ("media", 1),
    ("internal", 1),
]
DEPARTMENT_WEIGHTS = [
    ("customer_service", 25),
    ("quality", 25),
    ("logistics", 18),
    ("sales", 12),
    ("finance", 12),
    ("rnd", 8),
]

COMPLAINT_COLUMNS = [
    "id",
    "number",
    "period",
    "serial",
    "status",
    "channel",
    "severity",
    "severity_source",
    "urgency",
    "contact_name",
    "contact_phone",
    "contact_email",
    "title",
    "description",
    "received_at",
    "location",
    "product_name",
    "product_sku",
    "product_lot",
    "order_no",
    "demand",
    "overseas",
    "external_ref",
    "sample_kept",
    "escalation_level",
    "acknowledge_due",
    "reply_due",
    "close_due",
    "overdue",
    "acknowledged_at",
    "replied_at",
    "resolved_at",
    "closed_at",
    "result",
    "is_resolved_contact",
    "settled_on_spot",
    "search_text",
    "created_at",
    "updated_at",
    "assignee_id",
    "category_id",
    "customer_id",
    "department_id",
    "recorded_by_id",
    "phone_key",
]
EVENT_COLUMNS = ["kind", "from_status", "to_status", "at", "note", "data", "internal", "actor_id", "complaint_id"]


def _end_of_day(moment: dt.datetime, days: int) -> dt.datetime:
    day = moment.astimezone(LOCAL).date() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(23, 59, 59), tzinfo=LOCAL)


def _weighted(rng: random.Random, table: list[tuple[str, int]]) -> str:
    return rng.choices([k for k, _w in table], [w for _k, w in table])[0]


def preload(
    *, database_url: str, count: int, mixer: TextMixer, now: dt.datetime, seed: int = 42, customers: int | None = None
) -> dict[str, float]:
    """Insert `count` complaints spread over the 365 days before `now`. Returns timings."""
    rng = random.Random(seed)
    customers = customers or int(count * 0.7)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    with psycopg.connect(database_url) as conn:
        cur = conn.cursor()
        cur.execute("SET maintenance_work_mem = '256MB'")
        departments = dict(cur.execute("SELECT code, id FROM accounts_department").fetchall())
        categories = dict(cur.execute("SELECT code, id FROM triage_category WHERE level = 1").fetchall())
        users = dict(cur.execute("SELECT username, id FROM accounts_user").fetchall())
        counters = dict(cur.execute("SELECT period, last_value FROM complaints_monthlycounter").fetchall())
        next_customer = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM customers_customer").fetchone()[0]
        next_complaint = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM complaints_complaint").fetchone()[0]
        agent_id, handler_id = users.get("agent"), users.get("handler")

        # Customers: phones never used by intake; names random.
        customer_rows = []
        for i in range(customers):
            phone = "+86" + mobile(PHONE_OFFSET + next_customer + i)  # a second preload adds new phones
            customer_rows.append((next_customer + i, customer_name(rng), phone, now - dt.timedelta(days=366)))

        # Complaints in time order so serials ascend with received_at inside each month.
        seconds = 365 * 86400
        moments = sorted(now - dt.timedelta(seconds=rng.uniform(60, seconds)) for _ in range(count))
        complaint_rows, event_rows = [], []
        for i, received in enumerate(moments):
            period = received.astimezone(LOCAL).strftime("%Y%m")
            serial = counters.get(period, 0) + 1
            counters[period] = serial
            number = f"{period}-{serial:05d}"
            cid = next_complaint + i
            text = mixer.next()
            customer_id, name, phone, _created = customer_rows[rng.randrange(customers)]
            status = _weighted(rng, STATUS_WEIGHTS)
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            department = _weighted(rng, DEPARTMENT_WEIGHTS)
            severity = rng.choices(["general", "serious", "major"], [85, 12, 3])[0]
            reached = STATUS_ORDER.index(status) if status in STATUS_ORDER else 1
            ack_due = received + dt.timedelta(hours=2 if severity == "major" else 24)
            reply_due = _end_of_day(received, 1 if severity == "major" else 3)
            close_due = _end_of_day(received, 7 if severity == "major" else 15)
            acknowledged = received + dt.timedelta(hours=rng.uniform(0.2, 20)) if reached >= 1 else None
            replied = received + dt.timedelta(days=rng.uniform(0.5, 3)) if reached >= 4 else None
            resolved = received + dt.timedelta(days=rng.uniform(2, 12)) if reached >= 6 else None
            closed = resolved + dt.timedelta(days=rng.uniform(0.5, 3)) if reached >= 7 and resolved else None
            if status in {"withdrawn", "invalid"}:
                closed = received + dt.timedelta(days=rng.uniform(0.5, 5))
            last_change = max(t for t in (received, acknowledged, replied, resolved, closed) if t)
            last_change = min(last_change, now)
            if closed:
                closed = min(closed, now)
            if resolved:
                resolved = min(resolved, now)
            # What the deadline sweep would have marked by now.
            overdue = status in OPEN and (
                (acknowledged is None and ack_due < now)
                or (replied is None and reply_due < now)
                or (closed is None and close_due < now)
            )
            assignee = handler_id if (reached >= 2 and department == "quality") else None
            title = text.title
            product = text.product
            result = "已处理并回访" if reached >= 6 else ""
            search_text = search_document(
                title=title, description=text.description, product=product, result=result, name=name, number=number
            )
            complaint_rows.append(
                (
                    cid,
                    number,
                    period,
                    serial,
                    status,
                    channel,
                    severity,
                    "rule" if severity != "general" else "default",
                    "normal",
                    name,
                    phone,
                    "",
                    title,
                    text.description,
                    received,
                    "",
                    product,
                    "",
                    "",
                    "",
                    "",
                    False,
                    "",
                    False,
                    0,
                    ack_due,
                    reply_due,
                    close_due,
                    overdue,
                    acknowledged,
                    replied,
                    resolved,
                    closed,
                    result,
                    False,
                    False,
                    search_text,
                    received,
                    last_change,
                    assignee,
                    categories.get(text.category or "other"),
                    customer_id,
                    departments[department],
                    agent_id,
                    "".join(ch for ch in phone if ch.isdigit())[::-1],  # kesu.complaints.search.phone_key
                )
            )
            event_rows.append(
                (
                    "registered",
                    "",
                    "registered",
                    received,
                    "",
                    json.dumps({"channel": channel, "severity": severity, "department": department}),
                    False,
                    agent_id,
                    cid,
                )
            )
            if status != "registered":
                event_rows.append(
                    (
                        "status_changed",
                        "registered" if reached <= 1 else STATUS_ORDER[reached - 1],
                        status,
                        last_change,
                        "",
                        "{}",
                        True,
                        agent_id,
                        cid,
                    )
                )
        assert all(len(row) == len(COMPLAINT_COLUMNS) for row in complaint_rows[:1])
        timings["generate_s"] = time.perf_counter() - started

        # The GIN (full-text) indexes are rebuilt in bulk afterwards: far faster than 100,000 inserts.
        trgm = cur.execute(
            "SELECT indexname, indexdef FROM pg_indexes "
            "WHERE tablename IN ('complaints_complaint', 'complaints_complaintsearch') "
            "AND indexdef ILIKE '%USING gin%'"
        ).fetchall()
        for index_name, _definition in trgm:
            cur.execute(f'DROP INDEX "{index_name}"')
        t0 = time.perf_counter()
        customer_column = COMPLAINT_COLUMNS.index("customer_id")
        used_customers = sorted({row[customer_column] for row in complaint_rows})
        by_id = {row[0]: row for row in customer_rows}
        with cur.copy("COPY customers_customer (id, name, phone, created_at) FROM STDIN") as copy:
            for customer_id in used_customers:
                copy.write_row(by_id[customer_id])
        with cur.copy(f"COPY complaints_complaint ({', '.join(COMPLAINT_COLUMNS)}) FROM STDIN") as copy:
            for row in complaint_rows:
                copy.write_row(row)
        with cur.copy(f"COPY complaints_complaintevent ({', '.join(EVENT_COLUMNS)}) FROM STDIN") as copy:
            for row in event_rows:
                copy.write_row(row)
        cur.executemany(
            "INSERT INTO complaints_monthlycounter (period, last_value) VALUES (%s, %s) "
            "ON CONFLICT (period) DO UPDATE SET last_value = EXCLUDED.last_value",
            sorted(counters.items()),
        )
        timings["investigations"] = add_investigations(cur, first_complaint=next_complaint, recorder=handler_id)
        for table in ("customers_customer", "complaints_complaint", "complaints_complaintevent"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
        conn.commit()  # deferred foreign-key checks run here; CREATE INDEX needs them done
        timings["copy_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        cur.execute("SET maintenance_work_mem = '256MB'")
        for _index_name, definition in trgm:
            cur.execute(definition)
        conn.commit()
        timings["trgm_index_s"] = time.perf_counter() - t0
    with psycopg.connect(database_url, autocommit=True) as conn:
        t0 = time.perf_counter()
        for table in (
            "customers_customer",
            "complaints_complaint",
            "complaints_complaintevent",
            "complaints_monthlycounter",
            "resolution_investigation",
            "complaints_complaintsearch",
        ):
            conn.execute(f"VACUUM ANALYZE {table}")
        timings["analyze_s"] = time.perf_counter() - t0
    timings["total_s"] = time.perf_counter() - started
    timings["customers"] = len(used_customers)
    timings["complaints"] = count
    timings["events"] = len(event_rows)
    return timings


CAUSES = ["policy_not_understood", "staff", "system_or_other_department"]
RESPONSIBILITIES = ["ours", "customer_misuse", "supplier", "carrier", "not_established"]


def add_investigations(cur: Any, *, first_complaint: int, recorder: int | None) -> int:
    """An investigation (cause, responsibility, responsible department, sometimes a loss) for two
    thirds of the preloaded complaints past investigating, so the analysis and the statistics
    report read data shaped like an organisation's. Returns how many were added."""
    if recorder is None:
        return 0
    causes = "ARRAY[" + ", ".join(f"'{c}'" for c in CAUSES) + "]"
    shares = "ARRAY[" + ", ".join(f"'{r}'" for r in RESPONSIBILITIES) + "]"
    cur.execute(
        "INSERT INTO resolution_investigation (findings, fact_what, fact_who, fact_when, fact_where, fact_why, "
        "fact_how, lot_number, bill_of_materials, process_records, lab_analysis, root_cause, cause_class, "
        "responsibility, loss_amount, penalty_amount, recorded_at, updated_at, complaint_id, "
        "responsible_department_id, recorded_by_id, updated_by_id) "
        "SELECT '', '', '', '', '', '', '', '', '', '', '', '', "
        f"({causes})[1 + c.id %% 3], ({shares})[1 + c.id %% 5], "
        "CASE WHEN c.id %% 4 = 0 THEN (c.id %% 500)::numeric ELSE NULL END, "
        "CASE WHEN c.id %% 20 = 0 THEN 100 ELSE NULL END, c.received_at, c.received_at, c.id, "
        "c.department_id, %s, %s FROM complaints_complaint c "
        "WHERE c.id >= %s AND c.id %% 3 <> 0 "
        "AND c.status IN ('solution_proposed', 'implementing', 'resolved', 'closed')",
        [recorder, recorder, first_complaint],
    )
    return int(cur.rowcount)
