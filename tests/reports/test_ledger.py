"""The ledger (SPEC RP-1): JSON, CSV and XLSX with the list's filters, headers in the request's
language, the customer masked for roles that may not see personal data."""

from __future__ import annotations

import csv
import datetime as dt
import io

from django.utils import timezone
from openpyxl import load_workbook

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint
from kesu.reports import ledger
from kesu.reports.models import SalesVolume


def _xlsx(response):
    content = b"".join(response.streaming_content)
    return load_workbook(io.BytesIO(content), read_only=True).active


def test_json_rows_carry_every_column(complaint_in, api):
    closed = complaint_in("closed")
    body = api("manager").get("/api/v1/ledger").json()
    assert body["count"] == 1
    row = body["results"][0]
    assert row["number"] == closed.number
    assert row["status"] == "已结案"
    assert row["category"] == "产品质量 / 食品 / 过期变质"
    assert row["solution"].startswith("退款") and row["amount"] == "50.00"
    assert row["satisfaction"] == "满意"
    assert row["department"] == "品质部" and row["handler"]
    assert row["closed_at"] is not None


def test_customer_is_masked_for_a_handler(complaint_in, api):
    complaint = complaint_in("investigating")
    phone = complaint.contact_phone[-4:]
    handler_row = api("handler").get("/api/v1/ledger").json()["results"][0]
    assert handler_row["customer"] == "张*"
    assert "****" in handler_row["phone"] and handler_row["phone"].endswith(phone)
    manager_row = api("manager").get("/api/v1/ledger").json()["results"][0]
    assert manager_row["customer"] == "张三" and "****" not in manager_row["phone"]


def test_csv_in_english_and_filters(complaint_in, register, api):
    complaint_in("closed")
    register(channel="email", customer={"name": "Li", "email": "li@example.com"})
    response = api("manager", language="en").get("/api/v1/ledger", format="csv", channel="email")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Number", "Received", "Channel", "Customer"]
    assert len(rows) == 2 and rows[1][2] == "e-mail"


def test_xlsx_in_chinese_holds_the_rows_and_headers(complaint_in, register, api):
    closed = complaint_in("closed")
    other = register()
    sheet = _xlsx(api("manager").get("/api/v1/ledger", format="xlsx"))
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0][:3] == ["编号", "受理时间", "渠道"]
    assert {rows[1][0], rows[2][0]} == {closed.number, other.number}
    assert len(rows) == 3


def test_xlsx_in_traditional_chinese(complaint_in, api):
    complaint_in("registered")
    sheet = _xlsx(api("manager", language="zh-hant").get("/api/v1/ledger", format="xlsx"))
    assert next(sheet.iter_rows(values_only=True))[0] == "編號"


def test_bad_filters_name_their_field(api, users):
    response = api("manager").get("/api/v1/ledger", format="pdf", channel="fax", page_size=5000)
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"format", "channel", "page_size"}


def test_sales_volume_entered_corrected_and_refused(api, users):
    manager = api("manager")
    first = manager.post("/api/v1/sales-volumes", {"period": "2026-11", "units": 1200})
    assert first.status_code == 201 and first.json() == {"period": "2026-11", "category": None, "units": 1200}
    again = manager.post("/api/v1/sales-volumes", {"period": "2026-11", "units": 1300})
    assert again.status_code == 200 and SalesVolume.objects.get(category=None).units == 1300
    by_category = manager.post("/api/v1/sales-volumes", {"period": "2026-11", "category": "logistics", "units": 5})
    assert by_category.status_code == 201
    records = AuditRecord.objects.count()
    bad = manager.post("/api/v1/sales-volumes", {"period": "2026-13", "category": "nope", "units": -1})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"period", "category", "units"}
    refused = api("agent").post("/api/v1/sales-volumes", {"period": "2026-12", "units": 1})
    assert refused.status_code == 403
    assert SalesVolume.objects.count() == 2 and AuditRecord.objects.count() == records


def test_xlsx_cells_are_numbers_and_local_times(complaint_in, api):
    closed = complaint_in("closed")
    closed.refresh_from_db()
    sheet = _xlsx(api("manager", language="en").get("/api/v1/ledger", format="xlsx"))
    header, row = (list(r) for r in sheet.iter_rows(values_only=True))
    cell = dict(zip(header, row, strict=True))
    local = timezone.localtime(closed.received_at).replace(tzinfo=None)
    assert abs(cell["Received"] - local) < dt.timedelta(milliseconds=1)
    assert isinstance(cell["Closed"], dt.datetime)
    assert cell["Amount (CNY)"] == 50 and isinstance(cell["Deadlines met"], int)


def test_pieces_follow_the_order_through_equal_times(register, api, monkeypatch):
    """Read in pieces of 2 by keyset on (received_at, id): no row lost or repeated where several
    complaints share a received time across a piece's edge."""
    monkeypatch.setattr(ledger, "CHUNK", 2)
    made = [register() for _ in range(7)]
    same = made[0].received_at
    Complaint.objects.filter(pk__in=[c.pk for c in made[1:5]]).update(received_at=same)
    expected = list(Complaint.objects.order_by("-received_at", "-id").values_list("number", flat=True))
    text = b"".join(api("manager").get("/api/v1/ledger", format="csv").streaming_content).decode("utf-8-sig")
    numbers = [r[0] for r in csv.reader(io.StringIO(text))][1:]
    assert numbers == expected and len(numbers) == 7
    json_numbers = [r["number"] for r in api("manager").get("/api/v1/ledger", page_size=3, page=2).json()["results"]]
    assert json_numbers == expected[3:6]
