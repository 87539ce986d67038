"""Bulk import of historical complaints (`kesu import FILE --historical --bulk`, kesu/imports/bulk.py).

On PostgreSQL the rows go through COPY; on SQLite the command says so and imports them one by
one, so every behaviour below but the order of numbering holds on both databases."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.utils import timezone, translation

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint, ComplaintEvent, MonthlyCounter
from kesu.customers.models import Customer
from kesu.deadlines.models import ComplaintDeadline
from kesu.imports.bulk import TASK_ROWS, import_file_bulk
from kesu.imports.models import ImportBatch, ImportedRecord
from kesu.imports.services import import_file
from kesu.notifications.models import OutboxMessage
from kesu.reports.models import ComplaintTally, DailyTally
from kesu.reports.tallies import refresh_tallies
from kesu.triage.models import TriageOverride, TriageSuggestion

HEADER = "投诉时间,顾客姓名,电话,邮箱,投诉内容,标题,状态,处理结果,结案时间,严重程度,类别,索赔金额,外部编号\n"
on_postgresql = pytest.mark.skipif("connection.vendor != 'postgresql'")
on_sqlite = pytest.mark.skipif("connection.vendor != 'sqlite'")


def _file(tmp_path, lines: list[str], name: str = "history.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def _bulk(path, *extra: str) -> None:
    call_command("import", str(path), "--user", "manager", "--historical", "--bulk", "--channel", "letter", *extra)


def _numbers() -> list[tuple[str, str]]:
    return list(Complaint.objects.order_by("period", "serial").values_list("external_ref", "number"))


MIXED = [
    # received in November, October and December 2024 (the file in order of time received)
    "2024-10-03 09:00,王五,13800138000,,顾客在店内摔伤，要求赔偿医药费,摔伤,已结案,赔付医药费,"
    "2024-10-05 16:00,,,800,H1\n",
    "2024-10-20 10:00,赵六,13800138001,zhao@example.com,态度差,,处理中,,,一般,,,H2\n",
    "2024-10-31 23:30,王五,13800138000,wang@example.com,牛奶变质,牛奶,已结案,退款,2024-11-02 10:00,重大,"
    "product_quality.food.expired,,H3\n",
    "2024-11-01 00:10,钱七,,qian@example.com,快递丢件,,撤诉,,2024-11-03 10:00,,,,H4\n",
    "2024-11-15 08:00,孙八,13800138002,,屏幕碎裂,,已处理,换新,2024-11-20 10:00,严重,,,\n",
    '2024-12-01 12:00,周九,13800138003,,退款未到账,,,已退款,,,,"¥1,200.50",H6\n',
]
BAD = [
    "2024-10-04 09:00,吴十,12345,,电话不对,,已结案,,,,,,B1\n",  # phone
    "2024-10-05 09:00,郑一,13800138004,,,,已结案,,,,,,B2\n",  # description
    "2024-10-06 09:00,冯二,13800138005,,结案时间在未来,,已结案,,2999-01-01 10:00,,,,B3\n",  # closed_at
    "2024-10-07 09:00,陈三,13800138006,,同一外部编号,,已结案,,,,,,H1\n",  # repeats row 2
]


def test_numbers_follow_the_months_of_the_time_received(users, tmp_path):
    _bulk(_file(tmp_path, MIXED))
    assert _numbers() == [
        ("H1", "202410-00001"),
        ("H2", "202410-00002"),
        ("H3", "202410-00003"),  # 23:30 local time on 31 October: October
        ("H4", "202411-00001"),
        ("", "202411-00002"),
        ("H6", "202412-00001"),
    ]
    assert dict(MonthlyCounter.objects.values_list("period", "last_value")) == {"202410": 3, "202411": 2, "202412": 1}


def test_numbers_continue_after_an_existing_counter_without_gaps(users, tmp_path):
    MonthlyCounter.objects.create(period="202410", last_value=41)
    _bulk(_file(tmp_path, MIXED[:3] + BAD))
    assert [n for _ref, n in _numbers()] == ["202410-00042", "202410-00043", "202410-00044"]
    assert MonthlyCounter.objects.get(period="202410").last_value == 44


@on_postgresql
def test_numbers_ascend_with_the_time_received_whatever_the_order_of_the_file(users, tmp_path):
    lines = [MIXED[5], MIXED[2], MIXED[0], MIXED[4], MIXED[1], MIXED[3]]
    _bulk(_file(tmp_path, lines))
    assert [ref for ref, _n in _numbers()] == ["H1", "H2", "H3", "H4", "", "H6"]


def test_historical_rows_keep_their_outcome_and_start_no_clock(users, tmp_path):
    _bulk(_file(tmp_path, MIXED))
    closed = Complaint.objects.get(external_ref="H1")
    assert (closed.status, closed.result) == ("closed", "赔付医药费")
    assert timezone.localtime(closed.closed_at).replace(tzinfo=None) == dt.datetime(2024, 10, 5, 16, 0)
    assert Complaint.objects.get(external_ref="H2").status == "investigating"
    assert Complaint.objects.get(external_ref="H3").severity == "major"
    assert str(Complaint.objects.get(external_ref="H6").amount_claimed) == "1200.50"
    assert ComplaintDeadline.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
    assert ComplaintEvent.objects.filter(kind="registered").count() == 6
    assert ComplaintEvent.objects.filter(kind="historical_outcome").count() == 6
    assert AuditRecord.objects.filter(object_type="complaint").count() == 12


def test_one_customer_per_phone_known_ones_reused(users, tmp_path):
    known = Customer.objects.create(name="赵六", phone="+8613800138001", created_at=timezone.now())
    _bulk(_file(tmp_path, MIXED))
    assert Customer.objects.count() == 5  # 王五 twice; 赵六 known; 钱七 by e-mail; 孙八; 周九
    wang = Customer.objects.get(phone="+8613800138000")
    assert wang.email == "wang@example.com"  # the e-mail his second row gave
    assert Complaint.objects.filter(customer=wang).count() == 2
    known.refresh_from_db()
    assert known.email == "zhao@example.com"
    assert Complaint.objects.get(external_ref="H2").customer_id == known.pk


def test_bad_rows_are_reported_as_the_row_by_row_import_reports_them_and_store_nothing(users, tmp_path, capsys):
    path = _file(tmp_path, MIXED + BAD)
    with translation.override("en"):
        _bulk(path)
    err = capsys.readouterr().err
    assert "row 8: 电话 (customer_phone):" in err
    assert "row 9: 投诉内容 (description):" in err
    assert "row 10: 结案时间 (closed_at): The time cannot be in the future." in err
    assert "row 11: 外部编号 (external_ref): This row repeats row 2." in err
    batch = ImportBatch.objects.get()
    assert (batch.created_count, batch.rejected_count, batch.skipped_count) == (6, 4, 0)
    assert sorted(Complaint.objects.values_list("external_ref", flat=True)) == ["", "H1", "H2", "H3", "H4", "H6"]
    assert not Customer.objects.filter(name__in=["吴十", "郑一", "冯二", "陈三"]).exists()


def test_running_the_same_file_again_skips_what_was_imported(users, tmp_path, capsys):
    path = _file(tmp_path, MIXED + BAD)
    _bulk(path)
    before = (Complaint.objects.count(), ComplaintEvent.objects.count(), Customer.objects.count())
    _bulk(path)
    assert capsys.readouterr().out.splitlines()[-1] == "imported 0, already imported 6, rejected 4 of 10 row(s)"
    assert (Complaint.objects.count(), ComplaintEvent.objects.count(), Customer.objects.count()) == before
    assert MonthlyCounter.objects.get(period="202410").last_value == 3
    assert ImportedRecord.objects.count() == 6


def test_a_reference_registered_by_the_api_is_skipped(users, register, tmp_path):
    register(external_ref="H2")
    _bulk(_file(tmp_path, MIXED))
    assert Complaint.objects.filter(external_ref="H2").count() == 1
    assert ImportBatch.objects.get().skipped_count == 1


def _everything() -> dict[str, Any]:
    return {
        "complaints": Complaint.objects.count(),
        "events": ComplaintEvent.objects.count(),
        "audit": AuditRecord.objects.count(),
        "customers": Customer.objects.count(),
        "counters": MonthlyCounter.objects.count(),
        "batches": ImportBatch.objects.count(),
        "records": ImportedRecord.objects.count(),
        "suggestions": TriageSuggestion.objects.count(),
    }


def test_bulk_without_historical_is_refused_and_writes_nothing(users, tmp_path):
    path = _file(tmp_path, MIXED)
    before = _everything()
    with translation.override("en"), pytest.raises(CommandError) as refused:
        call_command("import", str(path), "--user", "manager", "--bulk", "--channel", "letter")
    assert str(refused.value) == (
        "Bulk mode imports historical complaints only (no deadlines, nobody notified): "
        "add --historical, or import without --bulk."
    )
    assert _everything() == before


def test_agents_may_not_bulk_import(users, tmp_path):
    path = _file(tmp_path, MIXED)
    before = _everything()
    with pytest.raises(CommandError):
        call_command("import", str(path), "--user", "agent", "--historical", "--bulk", "--channel", "letter")
    assert _everything() == before


@on_sqlite
def test_on_sqlite_the_rows_are_imported_one_by_one_with_a_notice(users, tmp_path, capsys):
    with translation.override("en"):
        _bulk(_file(tmp_path, MIXED))
    err = capsys.readouterr().err
    assert "Bulk mode needs PostgreSQL: on this database the rows are imported one by one." in err
    assert Complaint.objects.count() == 6
    assert ImportBatch.objects.get().rows != []  # the row-by-row import keeps the file's rows


# --- both paths write the same rows -------------------------------------------------------------------


class _Undo(Exception):
    pass


def _canonical(row: dict[str, Any]) -> str:
    return json.dumps(row, sort_keys=True, default=str, ensure_ascii=False)


def _rows() -> dict[str, Any]:
    """Every row an import writes, by natural keys (ids differ between the two runs)."""
    number_of = dict(Complaint.objects.values_list("pk", "number"))
    phone_of = {pk: (phone, email) for pk, phone, email in Customer.objects.values_list("pk", "phone", "email")}
    complaints = {}
    for row in Complaint.objects.values():
        number = row.pop("number")
        row.pop("id")
        row["customer_id"] = phone_of[row["customer_id"]]
        row["related_to_id"] = number_of.get(row["related_to_id"])
        complaints[number] = row

    def by_number(rows: Any) -> list[tuple[str, str]]:
        """Each row as (its complaint's number, the rest of its values), without its own id."""
        out = []
        for row in rows:
            row.pop("id", None)
            out.append((number_of[row.pop("complaint_id")], _canonical(row)))
        return sorted(out)

    events = by_number(ComplaintEvent.objects.values())
    audit = sorted(
        _canonical({k: v for k, v in a.items() if k != "id"})
        for a in AuditRecord.objects.filter(object_type="complaint").values()
    )
    suggestions = by_number(TriageSuggestion.objects.values())
    overrides = by_number(TriageOverride.objects.values())
    tallies = by_number(ComplaintTally.objects.values())
    daily = sorted(_canonical({k: v for k, v in d.items() if k != "id"}) for d in DailyTally.objects.values())
    return {
        "complaints": complaints,
        "events": events,
        "audit": audit,
        "suggestions": suggestions,
        "overrides": overrides,
        "customers": sorted(Customer.objects.values_list("name", "phone", "email", "created_at")),
        "records": sorted(
            (key, number_of[c], row, at)
            for key, c, row, at in ImportedRecord.objects.values_list("key", "complaint_id", "row", "created_at")
        ),
        "counters": sorted(MonthlyCounter.objects.values_list("period", "last_value")),
        "tallies": tallies,
        "daily": daily,
    }


def test_both_paths_write_the_same_rows(users, tmp_path, now):
    content = _file(tmp_path, MIXED + BAD).read_bytes()
    refresh_tallies(now=now)  # counted once: from here on the tallies are kept in step
    manager = users["manager"]
    with pytest.raises(_Undo), transaction.atomic():
        one_by_one = import_file(
            actor=manager, name="h.csv", content=content, now=now, historical=True, default_channel="letter"
        )
        refresh_tallies(now=now)  # the row-by-row import leaves the counting to the next refresh
        expected = _rows()
        expected_problems = one_by_one.problems
        raise _Undo
    assert Complaint.objects.count() == 0
    if connection.vendor == "postgresql":
        bulk = import_file_bulk(actor=manager, name="h.csv", content=content, now=now, default_channel="letter")
    else:
        bulk = import_file(
            actor=manager, name="h.csv", content=content, now=now, historical=True, default_channel="letter"
        )
        refresh_tallies(now=now)
    assert bulk.problems == expected_problems
    written = _rows()
    assert written["complaints"].keys() == expected["complaints"].keys()
    for number, row in expected["complaints"].items():
        assert written["complaints"][number] == row, number
    for name in expected:
        assert written[name] == expected[name], name
    assert len(expected["overrides"]) == 2  # the two rows whose severity differs from the suggestion


@on_postgresql
def test_worker_processes_prepare_the_rows_of_a_larger_file(users, tmp_path, now):
    lines = []
    total = 3 * TASK_ROWS
    for i in range(total):
        month = 1 + i * 12 // total
        day = 1 + i % 28
        if i % 100 == 99:
            lines.append(f"2023-{month:02d}-{day:02d} 09:00,客户{i},12345,,电话不对,,已结案,,,,,,R{i}\n")
            continue
        lines.append(f"2023-{month:02d}-{day:02d} 09:{i % 60:02d},客户{i},139{i:08d},,商品破损{i},,已结案,,,,,,R{i}\n")
    path = _file(tmp_path, lines, "large.csv")
    batch = import_file_bulk(
        actor=users["manager"],
        name=path.name,
        content=path.read_bytes(),
        now=now,
        default_channel="letter",
        workers=2,
        chunk=400,
    )
    bad = total // 100
    assert (batch.created_count, batch.rejected_count) == (total - bad, bad)
    assert {p["field"] for p in batch.problems} == {"customer_phone"}
    for period, last in MonthlyCounter.objects.values_list("period", "last_value"):
        serials = list(Complaint.objects.filter(period=period).order_by("serial").values_list("serial", flat=True))
        assert serials == list(range(1, last + 1))
        received = list(
            Complaint.objects.filter(period=period).order_by("serial").values_list("received_at", flat=True)
        )
        assert received == sorted(received)
    again = import_file_bulk(
        actor=users["manager"], name=path.name, content=path.read_bytes(), now=now, default_channel="letter", workers=2
    )
    assert (again.created_count, again.skipped_count, again.rejected_count) == (0, total - bad, bad)
