from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from kesu.complaints.models import Complaint, MonthlyCounter
from kesu.customers.models import Customer

HEADER = "channel,customer_name,customer_phone,description,received_at,category,amount_claimed\n"


def test_csv_batch_is_imported_in_order(users, tmp_path):
    path = tmp_path / "cards.csv"
    path.write_text(
        HEADER
        + "suggestion_box,王五,13800138000,试衣间太少,2026-11-02T20:00:00+08:00,other,\n"
        + "suggestion_box,赵六,13800138001,收银排队太久,2026-11-02T20:30:00+08:00,service_attitude,5\n",
        encoding="utf-8",
    )
    call_command("import_complaints", str(path), "--user", "agent")
    assert list(Complaint.objects.order_by("serial").values_list("number", "channel")) == [
        ("202611-00001", "suggestion_box"),
        ("202611-00002", "suggestion_box"),
    ]


def test_one_bad_row_stores_nothing_and_names_row_and_field(users, tmp_path, capsys):
    path = tmp_path / "cards.csv"
    path.write_text(
        HEADER
        + "suggestion_box,王五,13800138000,试衣间太少,2026-11-02T20:00:00+08:00,other,\n"
        + "suggestion_box,赵六,12345,收银排队太久,2026-11-02T20:30:00+08:00,other,-5\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError):
        call_command("import_complaints", str(path), "--user", "agent")
    err = capsys.readouterr().err
    assert "row 3: customer.phone" in err
    assert "row 3: amount_claimed" in err
    assert Complaint.objects.count() == 0
    assert Customer.objects.count() == 0
    assert MonthlyCounter.objects.count() == 0


def test_xlsx_with_local_times_numbers_backdated_month(users, tmp_path):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(["channel", "customer_name", "customer_phone", "description", "received_at", "quantity"])
    sheet.append(["letter", "钱七", "13800138002", "历史来信", dt.datetime(2026, 9, 30, 23, 30), 3])
    path = tmp_path / "history.xlsx"
    book.save(path)
    call_command("import_complaints", str(path), "--user", "agent")
    complaint = Complaint.objects.get()
    assert complaint.number == "202609-00001"
    assert complaint.product_quantity == 3
