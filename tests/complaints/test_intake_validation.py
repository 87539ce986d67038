"""Bad input to POST /api/v1/complaints: 422 (413 for size), the exact field, a translated
message, and nothing stored."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kesu.audit.models import AuditRecord
from kesu.complaints.models import Complaint, ComplaintEvent, MonthlyCounter
from kesu.customers.models import Customer
from kesu.notifications.models import OutboxMessage
from tests.conftest import intake_payload

URL = "/api/v1/complaints"
CJK = re.compile(r"[\u4e00-\u9fff]")


def stored_state() -> dict[str, Any]:
    return {
        "complaints": Complaint.objects.count(),
        "customers": Customer.objects.count(),
        "events": ComplaintEvent.objects.count(),
        "audit": AuditRecord.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "counters": sorted(MonthlyCounter.objects.values_list("period", "last_value")),
    }


@pytest.fixture
def baseline(register):
    """One complaint already registered, so counters and customers exist before the bad request."""
    register()
    return stored_state()


def without(path: str) -> dict[str, Any]:
    payload = intake_payload()
    if "." in path:
        outer, inner = path.split(".")
        payload[outer].pop(inner, None)
    else:
        payload.pop(path, None)
    return payload


def customer(**fields: Any) -> dict[str, Any]:
    return intake_payload(customer={"name": "张三", **fields})


def future() -> str:
    return (timezone.now() + dt.timedelta(days=1)).isoformat()


# (case id, payload, field named in the error, the English message)
BAD_INPUT: list[tuple[str, Any, str, str]] = [
    ("missing channel", lambda: without("channel"), "channel", "This field is required."),
    ("missing customer name", lambda: without("customer.name"), "customer.name", "This field is required."),
    (
        "blank customer name",
        lambda: customer(name="   ", phone="13812345678"),
        "customer.name",
        "This field is required.",
    ),
    ("missing description", lambda: without("description"), "description", "This field is required."),
    ("no phone and no e-mail", lambda: customer(), "customer.phone", "Give a phone number or an e-mail address."),
    (
        "invalid phone",
        lambda: customer(phone="12345"),
        "customer.phone",
        "Enter a valid phone number, e.g. 13812345678.",
    ),
    (
        "phone not text",
        lambda: customer(phone=13812345678),
        "customer.phone",
        "Enter a valid phone number, e.g. 13812345678.",
    ),
    (
        "invalid e-mail",
        lambda: customer(email="zhang.at.example.com"),
        "customer.email",
        "Enter a valid e-mail address.",
    ),
    (
        "unknown channel",
        lambda: intake_payload(channel="fax"),
        "channel",
        "Choose one of: phone, email, web, social, walk_in, letter, suggestion_box, regulator, media, internal.",
    ),
    (
        "unknown severity",
        lambda: intake_payload(severity="critical"),
        "severity",
        "Choose one of: general, serious, major.",
    ),
    ("unknown urgency", lambda: intake_payload(urgency="asap"), "urgency", "Choose one of: normal, urgent, critical."),
    (
        "unknown category",
        lambda: intake_payload(category="product_quality.nope"),
        "category",
        "Unknown category: product_quality.nope.",
    ),
    (
        "received_at in the future",
        lambda: intake_payload(received_at=future()),
        "received_at",
        "The time received cannot be in the future.",
    ),
    (
        "received_at without offset",
        lambda: intake_payload(received_at="2026-01-05T09:30:00"),
        "received_at",
        "Give the time zone offset, e.g. +08:00.",
    ),
    (
        "received_at unparseable",
        lambda: intake_payload(received_at="yesterday afternoon"),
        "received_at",
        "Enter a date and time in ISO 8601 form, e.g. 2026-11-02T09:30:00+08:00.",
    ),
    (
        "received_at impossible date",
        lambda: intake_payload(received_at="2026-02-30T09:30:00+08:00"),
        "received_at",
        "Enter a date and time in ISO 8601 form, e.g. 2026-11-02T09:30:00+08:00.",
    ),
    (
        "amount negative",
        lambda: intake_payload(amount_claimed="-0.01"),
        "amount_claimed",
        "The amount cannot be negative.",
    ),
    (
        "amount three decimals",
        lambda: intake_payload(amount_claimed="12.345"),
        "amount_claimed",
        "Enter at most two decimal places.",
    ),
    (
        "amount not a number",
        lambda: intake_payload(amount_claimed="twelve"),
        "amount_claimed",
        "Enter an amount such as 128.50.",
    ),
    ("amount NaN", lambda: intake_payload(amount_claimed="NaN"), "amount_claimed", "Enter an amount such as 128.50."),
    (
        "amount a float with three places",
        lambda: intake_payload(amount_claimed=12.345),
        "amount_claimed",
        "Enter at most two decimal places.",
    ),
    (
        "amount a boolean",
        lambda: intake_payload(amount_claimed=True),
        "amount_claimed",
        "Enter an amount such as 128.50.",
    ),
    (
        "description too long",
        lambda: intake_payload(description="诉" * 10001),
        "description",
        "Enter at most 10000 characters (it has 10001).",
    ),
    ("title too long", lambda: intake_payload(title="t" * 201), "title", "Enter at most 200 characters (it has 201)."),
    (
        "customer name too long",
        lambda: customer(name="名" * 101, phone="13812345678"),
        "customer.name",
        "Enter at most 100 characters (it has 101).",
    ),
    (
        "location too long",
        lambda: intake_payload(location="l" * 201),
        "location",
        "Enter at most 200 characters (it has 201).",
    ),
    (
        "demand too long",
        lambda: intake_payload(demand="d" * 2001),
        "demand",
        "Enter at most 2000 characters (it has 2001).",
    ),
    (
        "external_ref too long",
        lambda: intake_payload(external_ref="r" * 101),
        "external_ref",
        "Enter at most 100 characters (it has 101).",
    ),
    (
        "product name too long",
        lambda: intake_payload(product={"name": "p" * 201}),
        "product.name",
        "Enter at most 200 characters (it has 201).",
    ),
    ("description not text", lambda: intake_payload(description=["a", "b"]), "description", "Enter text."),
    (
        "quantity zero",
        lambda: intake_payload(product={"name": "牛奶", "quantity": 0}),
        "product.quantity",
        "Enter a whole number of at least 1.",
    ),
    (
        "quantity negative",
        lambda: intake_payload(product={"name": "牛奶", "quantity": -3}),
        "product.quantity",
        "Enter a whole number of at least 1.",
    ),
    (
        "quantity fractional",
        lambda: intake_payload(product={"name": "牛奶", "quantity": 1.5}),
        "product.quantity",
        "Enter a whole number of at least 1.",
    ),
    (
        "quantity not a number",
        lambda: intake_payload(product={"name": "牛奶", "quantity": "two"}),
        "product.quantity",
        "Enter a whole number of at least 1.",
    ),
    (
        "quantity a boolean",
        lambda: intake_payload(product={"name": "牛奶", "quantity": True}),
        "product.quantity",
        "Enter a whole number of at least 1.",
    ),
    (
        "customer not an object",
        lambda: intake_payload(customer="张三 13812345678"),
        "customer",
        "Send the customer as an object with name, phone and e-mail.",
    ),
    ("overseas not a boolean", lambda: intake_payload(overseas="maybe"), "overseas", "Enter true or false."),
]
IDS = [case[0] for case in BAD_INPUT]


@pytest.mark.parametrize(("case", "make_payload", "field", "english"), BAD_INPUT, ids=IDS)
def test_bad_input_is_refused_with_422_naming_the_field(api, baseline, case, make_payload, field, english):
    response = api("agent").post(URL, make_payload())

    assert response.status_code == 422, response.content
    assert field in [error["field"] for error in response.json()["errors"]]


@pytest.mark.parametrize(("case", "make_payload", "field", "english"), BAD_INPUT, ids=IDS)
def test_bad_input_stores_nothing(api, baseline, case, make_payload, field, english):
    api("agent").post(URL, make_payload())

    assert stored_state() == baseline


@pytest.mark.parametrize(("case", "make_payload", "field", "english"), BAD_INPUT, ids=IDS)
def test_bad_input_message_is_english_when_asked(api, baseline, case, make_payload, field, english):
    response = api("agent", language="en").post(URL, make_payload())

    messages = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert messages[field] == english


@pytest.mark.parametrize(("case", "make_payload", "field", "english"), BAD_INPUT, ids=IDS)
def test_bad_input_message_is_chinese_by_default(api, baseline, case, make_payload, field, english):
    response = api("agent").post(URL, make_payload())

    messages = {error["field"]: error["message"] for error in response.json()["errors"]}
    assert CJK.search(messages[field]), messages[field]


def test_chinese_message_for_an_invalid_phone(api, baseline):
    response = api("agent").post(URL, customer(phone="12345"))

    assert response.json()["errors"] == [
        {"field": "customer.phone", "message": "请输入有效的电话号码，例如 13812345678。", "code": "invalid_phone"},
    ]


def test_traditional_chinese_message_when_asked(api, baseline):
    response = api("agent", language="zh-hant").post(URL, without("description"))

    assert response.json()["errors"] == [{"field": "description", "message": "此欄位為必填項。", "code": "required"}]


def test_every_problem_is_reported_at_once(api, baseline):
    payload = {"channel": "fax", "customer": {"name": "", "phone": "123"}, "description": ""}

    response = api("agent", language="en").post(URL, payload)

    assert [error["field"] for error in response.json()["errors"]] == [
        "channel",
        "customer.name",
        "customer.phone",
        "description",
    ]


def test_body_not_json_is_refused(api, baseline):
    response = api("agent", language="en").post(URL, raw=b'{"channel": "phone",')

    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"field": None, "message": "The body is not valid JSON.", "code": "json_invalid"}]
    }
    assert stored_state() == baseline


def test_body_a_list_is_refused(api, baseline):
    response = api("agent", language="en").post(URL, [intake_payload()])

    assert response.status_code == 422
    assert response.json() == {"errors": [{"field": None, "message": "Send a JSON object.", "code": "type"}]}
    assert stored_state() == baseline


def test_body_nested_too_deeply_is_refused(api, baseline):
    response = api("agent", language="en").post(URL, raw=b"[" * 100_000 + b"]" * 100_000)

    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"field": None, "message": "The JSON body is nested too deeply.", "code": "json_too_deep"}]
    }
    assert stored_state() == baseline


def test_field_nested_too_deeply_is_refused(api, baseline):
    body = b'{"channel": "phone", "customer": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"

    response = api("agent").post(URL, raw=body)

    assert response.status_code == 422
    assert response.json() == {
        "errors": [{"field": None, "message": "JSON 请求内容嵌套层级过深。", "code": "json_too_deep"}]
    }
    assert stored_state() == baseline


def test_empty_body_is_refused(api, baseline):
    response = api("agent", language="en").post(URL, raw=b"")

    assert response.status_code == 422
    assert response.json() == {"errors": [{"field": None, "message": "Send a JSON object.", "code": "type"}]}


def test_body_over_the_limit_is_refused_with_413(api, baseline, settings):
    settings.KESU_MAX_JSON_BODY = 4096
    payload = intake_payload(description="长" * 3000)

    response = api("agent", language="en").post(URL, payload)

    assert response.status_code == 413
    assert response.json() == {
        "errors": [{"field": None, "message": "The request body is too large.", "code": "body_too_large"}]
    }
    assert stored_state() == baseline


def test_body_over_the_default_limit_is_refused_with_413(api, baseline):
    response = api("agent").post(URL, raw=b'{"description": "' + b"x" * (256 * 1024) + b'"}')

    assert response.status_code == 413
    assert CJK.search(response.json()["errors"][0]["message"])
    assert stored_state() == baseline


def test_float_amount_with_two_places_is_accepted(api, baseline):
    response = api("agent").post(URL, intake_payload(amount_claimed=12.5))

    assert response.status_code == 201, response.content
    assert response.json()["amount_claimed"] == "12.50"


def test_string_amount_is_stored_as_decimal(api, baseline):
    response = api("agent").post(URL, intake_payload(amount_claimed="128.5"))

    assert response.status_code == 201, response.content
    assert Complaint.objects.get(number=response.json()["number"]).amount_claimed == Decimal("128.50")


def test_received_at_just_now_is_accepted(api, baseline):
    received = timezone.now().astimezone(dt.timezone(dt.timedelta(hours=8))).replace(microsecond=0)

    response = api("agent").post(URL, intake_payload(received_at=received.isoformat()))

    assert response.status_code == 201, response.content
    assert Complaint.objects.get(number=response.json()["number"]).received_at == received


def test_auditor_may_not_register_and_nothing_is_stored(api, baseline):
    response = api("auditor", language="en").post(URL, intake_payload())

    assert response.status_code == 403
    assert response.json() == {
        "errors": [{"field": None, "message": "Auditors have read-only access.", "code": "forbidden"}]
    }
    assert stored_state() == baseline
