"""The workspace and the portal in a real browser (Chromium), end to end."""

from __future__ import annotations

import re
import struct
import zlib

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kesu.complaints.models import Attachment, Complaint
from kesu.complaints.services.intake import complaint_register
from kesu.complaints.services.transitions import complaint_transition
from kesu.resolution.investigations import investigation_record, parse_investigation
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def png(width: int = 48, height: int = 32, rgb: tuple[int, int, int] = (200, 60, 40)) -> bytes:
    """A small valid PNG, so evidence previews really render."""
    row = b"\x00" + bytes(rgb) * width
    raw = zlib.compress(row * height)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


def register(users, **overrides):
    payload = {
        "channel": "phone",
        "customer": {"name": "王五", "phone": "13912345678"},
        "description": "买的酸奶已经过期两天，要求退款。",
        "category": "product_quality.food.expired",
    }
    payload.update(overrides)
    return complaint_register(actor=users["agent"], payload=payload, now=timezone.now())


def move(users, number, *steps):
    for action, who, params in steps:
        complaint_transition(actor=users[who], number=number, action=action, payload=params, now=timezone.now())


def status_of(number: str) -> str:
    return Complaint.objects.get(number=number).status


def test_login_queues_and_keyboard(pages, shot, users):
    register(users, severity="major", title="商场地面湿滑摔倒")
    register(users, customer={"name": "赵六", "phone": "13700001111"}, channel="web", title="快递迟迟未到")
    page = pages.open()
    page.goto("/")
    assert "/login/" in page.url
    assert page.get_attribute("html", "lang") == "zh-hans"  # from Accept-Language zh-CN
    assert page.evaluate("document.activeElement.name") == "username"  # the form is ready to type in
    shot(page, "01-login")
    pages.login("agent", PASSWORD, page=page)
    page.keyboard.press("Tab")  # keyboard users first reach "skip to content", with a visible focus ring
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.evaluate("getComputedStyle(document.activeElement).outlineStyle") == "solid"
    assert page.locator("table tbody tr").count() == 2
    page.select_option("#id_severity", "major")  # htmx swaps the queue and pushes the URL
    page.wait_for_url(re.compile(r"severity=major"))
    expect(page.locator("table tbody tr")).to_have_count(1)
    page.goto("/?queue=all")
    shot(page, "02-queues")


def test_register_a_phone_complaint_with_repeat_warning_and_kept_values(pages, shot, users):
    earlier = register(users, customer={"name": "张三", "phone": "13800138000"}, title="杯子破损")
    page = pages.login("agent", PASSWORD)
    page.goto("/new/")
    page.select_option("#id_channel", "phone")
    page.fill("#id_customer_name", "张三")
    page.fill("#id_customer_phone", "13800138000")
    page.fill("#id_title", "同一批杯子又碎了")
    page.fill("#id_description", "上次换的杯子收到又是碎的，顾客很生气，说要找媒体曝光。")
    page.fill("#id_amount_claimed", "-5")
    page.fill("#id_order_no", "SO-2026-77")
    page.locator("#id_description").blur()
    page.wait_for_selector(f"#intake-check >> text={earlier.number}")
    page.check(f"#related_{earlier.number}")
    shot(page, "03-intake-repeat-warning")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".field.invalid #id_amount_claimed")
    # Everything typed is still there, the wrong field is marked.
    assert page.input_value("#id_order_no") == "SO-2026-77"
    assert page.input_value("#id_customer_phone") == "13800138000"
    assert "顾客很生气" in page.input_value("#id_description")
    assert page.is_checked(f"#related_{earlier.number}")
    shot(page, "04-intake-error-kept")
    page.fill("#id_amount_claimed", "30")
    page.set_input_files("#id_evidence", files=[{"name": "cup.png", "mimeType": "image/png", "buffer": png()}])
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r"/c/\d{6}-\d{5}/$"))
    number = page.url.rstrip("/").split("/")[-1]
    complaint = Complaint.objects.get(number=number)
    assert complaint.channel == "phone" and complaint.related_to == earlier and complaint.order_no == "SO-2026-77"
    assert Attachment.objects.filter(complaint=complaint).count() == 1
    page.locator(".evidence img").scroll_into_view_if_needed()  # previews load lazily
    page.wait_for_function("document.querySelector('.evidence img').naturalWidth === 48")
    shot(page, "05-complaint-registered")


def test_one_complaint_through_its_whole_lifecycle(pages, shot, users):
    number = register(users, title="酸奶过期").number
    agent = pages.login("agent", PASSWORD)
    supervisor = pages.login("supervisor", PASSWORD)
    handler = pages.login("handler", PASSWORD)
    manager = pages.login("manager", PASSWORD)

    def act(page, action, fill=None, expect=None):
        page.goto(f"/c/{number}/")
        form = page.locator(f"#action-{action}")
        if not form.evaluate("e => e.open"):
            form.locator("summary").click()
        for name, value in (fill or {}).items():
            field = form.locator(f"[name='{action}-{name}']")
            if field.evaluate("e => e.tagName") == "SELECT":
                field.select_option(value)
            else:
                field.fill(value)
        form.locator("button[type=submit]").click()
        page.wait_for_selector(".messages li", timeout=15000)
        assert status_of(number) == expect, (action, status_of(number))

    act(agent, "acknowledge", {"note": "已电话联系顾客"}, "acknowledged")
    act(supervisor, "assign", {"department": "quality", "assignee": "handler"}, "assigned")
    act(handler, "start_investigation", {}, "investigating")
    act(
        handler,
        "investigation",
        {
            "root_cause": "该批次冷链温度超标",
            "cause_class": "staff",
            "responsibility": "ours",
            "responsible_department": "quality",
        },
        "investigating",
    )
    act(
        handler,
        "propose_solution",
        {
            "remedy_type_1": "apology",
            "remedy_type_2": "refund",
            "remedy_amount_2": "50",
            "description": "致歉并退款 50 元",
        },
        "solution_proposed",
    )
    supervisor.goto("/?queue=approval")
    assert supervisor.locator(f"text={number}").count() == 1
    shot(supervisor, "06-approval-queue")
    act(supervisor, "approve", {"note": "主管权限内"}, "solution_proposed")
    act(agent, "customer_accept", {"note": "顾客电话同意"}, "implementing")
    act(handler, "resolve", {"result": "已致歉并退款 50 元，已加强该批次检验。"}, "resolved")
    act(agent, "record_callback", {"reached": "yes", "satisfied": "yes", "score": "5", "comment": "满意"}, "resolved")
    act(manager, "close", {}, "closed")
    manager.goto(f"/c/{number}/")
    kinds = list(Complaint.objects.get(number=number).events.values_list("kind", flat=True))
    assert kinds == [
        "registered",
        "acknowledge",
        "assign",
        "start_investigation",
        "investigation_recorded",
        "propose_solution",
        "approve",
        "customer_accept",
        "resolve",
        "record_callback",
        "close",
    ]
    shot(manager, "07-complaint-closed")
    manager.goto("/dashboard/")
    manager.wait_for_selector("#chart-by_channel svg")
    shot(manager, "08-dashboard")


def test_customer_files_tracks_accepts_and_rates_on_a_phone(pages, shot, users):
    phone = pages.open(mobile=True)
    phone.goto("/portal/")
    shot(phone, "09-portal-home-mobile")
    phone.click("main a.button")
    phone.fill("#id_name", "李女士")
    phone.fill("#id_phone", "13698765432")
    phone.fill("#id_description", "网上买的台灯收到时灯罩裂了。")
    phone.fill("#id_order_no", "SO-88")
    phone.fill("#id_demand", "换一个新的")
    phone.set_input_files("#id_photos", files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": png()}])
    phone.click("main form button[type=submit]")
    phone.wait_for_selector(".field.invalid #id_consent")  # the privacy notice must be agreed to
    assert phone.input_value("#id_order_no") == "SO-88"
    phone.set_input_files("#id_photos", files=[{"name": "lamp.png", "mimeType": "image/png", "buffer": png()}])
    phone.check("#id_consent")
    shot(phone, "10-portal-form-mobile")
    phone.click("main form button[type=submit]")
    number = phone.locator("[data-testid=complaint-number]").inner_text().strip()
    assert re.fullmatch(r"\d{6}-\d{5}", number)
    shot(phone, "11-portal-submitted-mobile")
    assert Attachment.objects.filter(complaint__number=number).count() == 1
    # No horizontal scrolling on a phone screen.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    move(
        users,
        number,
        ("acknowledge", "agent", {}),
        ("assign", "supervisor", {"department": "quality", "assignee": "handler"}),
        ("start_investigation", "handler", {}),
    )
    investigation_record(
        actor=users["handler"],
        number=number,
        now=timezone.now(),
        values=parse_investigation({"root_cause": "运输包装不足", "responsibility": "carrier"}),
    )
    move(
        users,
        number,
        (
            "propose_solution",
            "handler",
            {
                "remedies": [{"type": "exchange", "amount": "0"}, {"type": "voucher", "amount": "20"}],
                "description": "换新并送 20 元券",
            },
        ),
        ("approve", "supervisor", {}),
    )

    other_phone = pages.open(mobile=True)  # following it from another device: number + phone
    other_phone.goto("/portal/track/")
    other_phone.fill("#id_number", number)
    other_phone.fill("#id_contact", "136 9876 5432")
    other_phone.click("main form button[type=submit]")
    other_phone.wait_for_selector("button[value=accept]")
    shot(other_phone, "12-portal-solution-mobile")
    other_phone.click("button[value=accept]")
    other_phone.wait_for_selector(".messages li")
    assert status_of(number) == "implementing"

    move(users, number, ("resolve", "handler", {"result": "已寄出新台灯并发放 20 元券。"}))
    other_phone.reload()
    other_phone.check("input[name=satisfied][value=yes]")
    other_phone.check("input[name=score][value='5']")
    other_phone.fill("#id_comment", "处理很快")
    other_phone.click("#h-rate ~ form button[type=submit]")
    other_phone.wait_for_selector("[data-testid=rating]")
    shot(other_phone, "13-portal-rated-mobile")
    event = Complaint.objects.get(number=number).events.get(kind="customer_rating")
    assert event.data == {"satisfied": True, "score": 5, "by": "customer"}


def test_switching_languages(pages, shot, users):
    page = pages.open()
    page.goto("/login/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    page.click("button[name=language][value=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.locator("h1").inner_text() == "Sign in"
    shot(page, "14-login-english")
    pages.login("agent", PASSWORD, page=page)
    number = register(users).number
    page.goto(f"/c/{number}/")
    received = page.locator("dl.facts time").first.inner_text()
    assert re.search(r"[A-Z][a-z]{2}", received)  # English month name, e.g. "Nov. 23, 2026"
    page.click("button[name=language][value=zh-hant]")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hant")
    assert "年" in page.locator("dl.facts time").first.inner_text()
    page.goto("/portal/")
    assert page.get_attribute("html", "lang") == "zh-hant"  # the choice holds on the portal too


def test_phone_is_masked_for_a_role_without_the_personal_data_permission(pages, shot, users):
    number = register(users, customer={"name": "王五", "phone": "13912345678", "email": "wangwu@example.com"}).number
    gm = pages.login("gm", PASSWORD)
    gm.goto(f"/c/{number}/")
    assert gm.locator("[data-testid=phone]").inner_text() == "139****5678"
    assert gm.locator("[data-testid=email]").inner_text() == "w***@example.com"
    assert "13912345678" not in gm.content()
    shot(gm, "15-masked-phone-gm")
    agent = pages.login("agent", PASSWORD)
    agent.goto(f"/c/{number}/")
    assert agent.locator("[data-testid=phone]").inner_text() == "13912345678"
    auditor = pages.login("auditor", PASSWORD)
    auditor.goto(f"/c/{number}/")
    assert auditor.locator("details.action").count() == 0  # auditors read only
