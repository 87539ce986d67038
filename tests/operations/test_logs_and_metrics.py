"""Structured JSON logs with a request id that never carry personal data, and the Prometheus
metrics endpoint (issue 9, item 12)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from django.db import connection
from django.test import Client

from kesu.operations.logging import JsonFormatter, scrub

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
EMAIL = "zhang.san@example.com"


@pytest.fixture
def captured_logs():
    """Everything logged, at every level, through the formatter the console handler uses."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "django", "django.db.backends", "kesu")}
    root.addHandler(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    connection.force_debug_cursor = True  # SQL logged too, with the customer's data as parameters
    try:
        yield stream
    finally:
        connection.force_debug_cursor = False
        root.removeHandler(handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def test_registering_a_complaint_logs_no_phone_or_email(api, captured_logs):
    client = api("agent")
    response = client.post(
        "/api/v1/complaints",
        {
            "channel": "phone",
            "customer": {"name": "张三", "phone": PHONE, "email": EMAIL},
            "description": f"请回电 {PHONE} 或发邮件到 {EMAIL}。",
            "category": "product_quality.food.expired",
        },
    )
    assert response.status_code == 201, response.content
    number = response.json()["number"]
    tracked = Client().get(f"/api/v1/public/complaints/{number}", {"contact": PHONE})
    assert tracked.status_code == 200
    logging.getLogger("kesu.test").warning("customer %s wrote from %s", PHONE, EMAIL)

    output = captured_logs.getvalue()

    assert PHONE not in output and PHONE[3:] not in output
    assert EMAIL not in output and "example.com" not in output
    lines = [json.loads(line) for line in output.splitlines()]
    assert any(line["logger"] == "django.db.backends" for line in lines)
    requests = [line for line in lines if line["logger"] == "kesu.request"]
    assert [(r["route"], r["status"]) for r in requests] == [
        ("/api/v1/auth/token", 200),
        ("/api/v1/complaints", 201),
        ("/api/v1/public/complaints/<number>", 200),
    ]
    assert requests[1]["request_id"] == response["X-Request-ID"]
    assert requests[2]["request_id"] == tracked["X-Request-ID"] != response["X-Request-ID"]
    assert {line.get("request_id") for line in lines if line["logger"] == "django.db.backends"} >= {
        response["X-Request-ID"]
    }


def test_a_well_formed_incoming_request_id_is_kept(client):
    response = client.get("/api/v1/health", HTTP_X_REQUEST_ID="edge-proxy-0001")

    assert response["X-Request-ID"] == "edge-proxy-0001"


def test_a_malformed_incoming_request_id_is_replaced(client):
    response = client.get("/api/v1/health", HTTP_X_REQUEST_ID="bad id\n<script>")

    assert len(response["X-Request-ID"]) == 32 and response["X-Request-ID"].isalnum()


@pytest.mark.parametrize(
    "text",
    ["13812345678", "+86 138 1234 5678", "86-13812345678", "+442071234567", "010-12345678", "a.b+c@sub.example.cn"],
)
def test_scrub_masks_contact_points(text):
    assert scrub(f"call {text} now") in {"call [phone] now", "call [email] now"}


def test_scrub_keeps_complaint_numbers_and_amounts():
    assert scrub("KS-202611-00042 refund 150.00 at 2026-11-02") == "KS-202611-00042 refund 150.00 at 2026-11-02"


def test_metrics_are_served_to_loopback(register, client):
    register()
    client.get("/api/v1/health")

    response = client.get("/metrics")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    text = response.content.decode()
    assert 'kesu_http_requests_total{method="GET",route="/api/v1/health",status="200"}' in text
    assert 'kesu_http_request_duration_seconds_bucket{method="GET",route="/api/v1/health",le="+Inf"}' in text
    assert 'kesu_complaints{status="registered"} 1' in text
    assert "kesu_outbox_oldest_pending_seconds " in text
    assert "kesu_audit_unsealed_records 1" in text


def test_metrics_are_refused_to_other_addresses_and_through_a_proxy(client):
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5").status_code == 404
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404


def test_metrics_are_served_with_the_token(client, settings):
    settings.KESU_METRICS_TOKEN = "scrape-secret"

    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION="Bearer scrape-secret").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.5", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404


def test_gunicorn_logs_through_the_json_handler_without_an_access_log(settings):
    from kesu.core.management.commands.serve import gunicorn_logging

    config = gunicorn_logging()

    assert config["handlers"]["console"]["formatter"] == "json"
    assert config["loggers"]["gunicorn.error"] == {"level": "INFO", "handlers": [], "propagate": True}
    assert config["loggers"]["gunicorn.access"]["propagate"] is False
    assert "()" in settings.LOGGING["formatters"]["json"]  # the settings are left intact
