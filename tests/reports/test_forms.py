"""The procedures' forms (SPEC RP-6) as PDF (Chinese text read back with pdftotext) and print pages."""

from __future__ import annotations

import subprocess

from django.utils import timezone


def _text(response) -> str:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    result = subprocess.run(["pdftotext", "-", "-"], input=response.content, capture_output=True, check=True)
    return result.stdout.decode("utf-8")


def test_complaint_record_and_handling_form(complaint_in, api):
    closed = complaint_in("closed")
    manager = api("manager")
    record = _text(manager.get(f"/api/v1/complaints/{closed.number}/forms/complaint_record.pdf"))
    assert "顾客投诉记录表" in record and closed.number in record and "张三" in record
    assert "买的牛奶有异味" in record and "当班课长" in record
    handling = _text(manager.get(f"/api/v1/complaints/{closed.number}/forms/handling_form.pdf"))
    assert "客户埋怨处理表" in handling and "冷链断链" in handling and "核决" in handling
    assert "退款 50.00" in handling


def test_forms_mask_the_customer_for_a_handler_and_refuse_unknown_forms(complaint_in, api):
    complaint = complaint_in("investigating")
    text = _text(api("handler").get(f"/api/v1/complaints/{complaint.number}/forms/complaint_record.pdf"))
    assert "张*" in text and complaint.contact_phone[3:7] not in text
    assert api("manager").get(f"/api/v1/complaints/{complaint.number}/forms/letter.pdf").status_code == 404
    assert api("manager").get("/api/v1/complaints/209901-99999/forms/complaint_record.pdf").status_code == 404


def test_period_forms(complaint_in, register, api):
    card = register(channel="suggestion_box", description="意见箱：收银台排队太久。")
    phone = complaint_in("closed")
    day = timezone.localdate(card.received_at).isoformat()
    manager = api("manager")
    book = _text(manager.get("/api/v1/forms/opinion_card_book.pdf", **{"from": day, "to": day}))
    assert "顾客意见单处理追踪簿" in book and card.number in book and phone.number not in book
    summary = _text(manager.get("/api/v1/forms/record_summary.pdf", **{"from": day, "to": day}))
    assert "顾客投诉记录汇总表" in summary and card.number in summary and phone.number in summary
    bad = manager.get("/api/v1/forms/record_summary.pdf", **{"from": "x"})
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["errors"]} == {"from", "to"}
    assert manager.get("/api/v1/forms/nope.pdf", **{"from": day, "to": day}).status_code == 404


def test_print_pages(complaint_in, users):
    from django.test import Client

    closed = complaint_in("closed")
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    client.force_login(users["manager"])
    page = client.get(f"/reports/forms/c/{closed.number}/handling_form/")
    html = page.content.decode()
    assert page.status_code == 200 and "客户埋怨处理表" in html and "forms-print.css" in html and "<style" not in html
    detail = client.get(f"/c/{closed.number}/").content.decode()
    assert f"/reports/forms/c/{closed.number}/complaint_record/" in detail
    archive = client.get("/reports/archive/").content.decode()
    assert "/reports/forms/record_summary/?date_from=" in archive
