"""Webhooks: registration (API.md), signed deliveries from the outbox, retries through an outage,
the delivery log and replay."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kesu.audit.models import AuditRecord
from kesu.channels.models import Webhook, WebhookDelivery
from kesu.channels.webhooks import webhook_events_for
from kesu.notifications.models import OutboxMessage, OutboxStatus
from kesu.notifications.services import deliver_pending
from tests.channels.fakes import FakeServer, webhook_receiver

pytestmark = pytest.mark.django_db
SECRET = "s3cret-for-the-hooks-0123"
ALL = ["complaint.registered", "complaint.transitioned", "complaint.overdue", "complaint.escalated", "complaint.closed"]


@pytest.fixture
def loopback_allowed(monkeypatch):
    monkeypatch.setenv("KESU_WEBHOOK_ALLOWED_HOSTS", "127.0.0.1")


@pytest.fixture
def receiver():
    server = FakeServer(webhook_receiver(SECRET)).start()
    yield server
    server.stop()


def _create(api, url: str, role: str = "admin", secret: str = SECRET, events=None):
    return api(role).post("/api/v1/webhooks", {"url": url, "secret": secret, "events": events or ALL})


def _later(minutes: int = 60) -> dt.datetime:
    from django.utils import timezone

    return timezone.now() + dt.timedelta(minutes=minutes)


def test_a_webhook_is_registered_and_its_secret_never_shown_back(api, loopback_allowed, receiver):
    response = _create(api, receiver.url + "/hook", role="manager")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["url"] == receiver.url + "/hook"
    assert body["events"] == ALL
    assert SECRET not in response.content.decode()
    assert body["secret"] == "••••" + SECRET[-4:]
    listed = api("admin").get("/api/v1/webhooks").json()
    assert [w["id"] for w in listed] == [body["id"]]
    assert SECRET not in json.dumps(listed)
    record = AuditRecord.objects.get(action="webhook.created")
    assert SECRET not in json.dumps(record.data)


def test_a_loopback_address_is_refused_unless_allowed(api, receiver):
    response = _create(api, receiver.url + "/hook")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"
    assert response.json()["errors"][0]["code"] == "private_address"
    assert Webhook.objects.count() == 0
    assert not AuditRecord.objects.filter(action="webhook.created").exists()


@pytest.mark.parametrize("url", ["http://10.1.2.3/x", "http://192.168.0.9/x", "http://[::1]/x", "ftp://example.com/x"])
def test_private_and_odd_addresses_are_refused(api, url):
    response = _create(api, url)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "url"
    assert Webhook.objects.count() == 0


def test_bad_input_names_each_field_and_stores_nothing(api, loopback_allowed):
    response = api("admin").post("/api/v1/webhooks", {"url": "", "secret": "short", "events": ["complaint.eaten"]})
    assert response.status_code == 422
    assert {e["field"] for e in response.json()["errors"]} == {"url", "secret", "events"}
    assert Webhook.objects.count() == 0


@pytest.mark.parametrize("role", ["agent", "supervisor", "handler", "auditor", "gm"])
def test_only_administrators_and_the_manager_register_webhooks(api, loopback_allowed, receiver, role):
    response = _create(api, receiver.url + "/hook", role=role)
    assert response.status_code == 403
    assert Webhook.objects.count() == 0


def test_a_registration_is_delivered_signed(api, loopback_allowed, receiver, register):
    _create(api, receiver.url + "/hook")
    complaint = register()
    delivery = WebhookDelivery.objects.get(event="complaint.registered")
    assert delivery.outbox.status == OutboxStatus.PENDING  # written with the complaint, sent after commit
    deliver_pending(now=_later(0))
    assert len(receiver.received) == 1
    request = receiver.received[0]
    assert request.headers["x-kesu-event"] == "complaint.registered"
    assert request.headers["x-kesu-delivery"] == delivery.delivery_id
    assert request.json()["complaint"]["number"] == complaint.number
    assert request.json()["event"] == "complaint.registered"
    delivery.refresh_from_db()
    assert (delivery.outbox.status, delivery.response_status) == (OutboxStatus.SENT, 200)


def test_a_wrong_signature_is_refused_by_the_receiver_and_retried(api, loopback_allowed, receiver, register):
    _create(api, receiver.url + "/hook", secret="another-secret-entirely-1")
    register()
    deliver_pending(now=_later(0))
    assert receiver.received == [] and len(receiver.refused) == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.response_status == 401
    assert (delivery.outbox.status, delivery.outbox.attempts) == (OutboxStatus.PENDING, 1)
    assert "401" in delivery.outbox.last_error


def test_an_endpoint_that_is_down_loses_nothing(api, loopback_allowed, register):
    receiver = FakeServer(webhook_receiver(SECRET))
    _create(api, receiver.url + "/hook")  # nothing listens yet
    first, second = register(), register()
    now = _later(0)
    for _ in range(3):
        deliver_pending(now=now)
        now = max(OutboxMessage.objects.filter(channel="webhook").values_list("next_attempt_at", flat=True))
    rows = OutboxMessage.objects.filter(channel="webhook")
    assert {(m.status, m.attempts) for m in rows} == {(OutboxStatus.PENDING, 3)}
    receiver.start()
    try:
        deliver_pending(now=now)
        deliver_pending(now=now)  # a second run sends nothing twice
    finally:
        receiver.stop()
    numbers = sorted(r.json()["complaint"]["number"] for r in receiver.received)
    assert numbers == sorted([first.number, second.number])
    assert set(OutboxMessage.objects.filter(channel="webhook").values_list("status", flat=True)) == {OutboxStatus.SENT}


def test_the_delivery_log_and_a_replay(api, loopback_allowed, receiver, register):
    hook = _create(api, receiver.url + "/hook").json()
    register()
    deliver_pending(now=_later(0))
    log = api("admin").get(f"/api/v1/webhooks/{hook['id']}/deliveries").json()
    assert [(d["event"], d["status"], d["response_status"]) for d in log] == [("complaint.registered", "sent", 200)]
    replayed = api("manager").post(f"/api/v1/webhooks/deliveries/{log[0]['id']}/replay", {})
    assert replayed.status_code == 201, replayed.content
    assert replayed.json()["replay_of"] == log[0]["id"]
    deliver_pending(now=_later(0))
    assert len(receiver.received) == 2
    assert receiver.received[0].body == receiver.received[1].body  # the same event, byte for byte
    assert receiver.received[0].headers["x-kesu-delivery"] != receiver.received[1].headers["x-kesu-delivery"]


def test_a_replay_is_refused_to_an_agent(api, loopback_allowed, receiver, register):
    _create(api, receiver.url + "/hook")
    register()
    delivery = WebhookDelivery.objects.get()
    response = api("agent").post(f"/api/v1/webhooks/deliveries/{delivery.delivery_id}/replay", {})
    assert response.status_code == 403
    assert WebhookDelivery.objects.count() == 1


def test_only_the_subscribed_events_are_delivered(api, loopback_allowed, receiver, complaint_in):
    _create(api, receiver.url + "/hook", events=["complaint.closed"])
    complaint = complaint_in("closed")
    assert list(WebhookDelivery.objects.values_list("event", "complaint_number")) == [
        ("complaint.closed", complaint.number)
    ]


def test_transitions_are_delivered(api, loopback_allowed, receiver, complaint_in):
    _create(api, receiver.url + "/hook", events=["complaint.transitioned"])
    complaint_in("assigned")
    changes = [json.loads(d.body)["change"] for d in WebhookDelivery.objects.order_by("id")]
    assert [(c["from_status"], c["to_status"]) for c in changes] == [
        ("registered", "acknowledged"),
        ("acknowledged", "assigned"),
    ]


def test_an_overdue_complaint_is_delivered_from_the_sweep(api, loopback_allowed, receiver, register, now):
    from kesu.deadlines.sweep import sweep

    _create(api, receiver.url + "/hook", events=["complaint.overdue", "complaint.escalated"])
    complaint = register()
    sweep(now=now + dt.timedelta(days=60))
    events = sorted(WebhookDelivery.objects.filter(complaint_number=complaint.number).values_list("event", flat=True))
    assert "complaint.overdue" in events and "complaint.escalated" in events
    body = json.loads(WebhookDelivery.objects.filter(event="complaint.overdue").first().body)
    assert body["complaint"]["overdue"] is True


def test_event_mapping():
    assert webhook_events_for("registered", "", "registered", {}) == ["complaint.registered"]
    assert webhook_events_for("close", "resolved", "closed", {}) == ["complaint.transitioned", "complaint.closed"]
    assert webhook_events_for("escalate", "assigned", "assigned", {}) == ["complaint.escalated"]
    assert webhook_events_for("deadline_missed", "", "", {"escalation": {"to_level": 1}}) == [
        "complaint.overdue",
        "complaint.escalated",
    ]


def test_a_historical_import_sets_off_no_webhook(api, loopback_allowed, receiver, users, tmp_path):
    from django.core.management import call_command

    assert _create(api, receiver.url + "/hook").status_code == 201
    path = tmp_path / "history.csv"
    path.write_text(
        "投诉时间,顾客姓名,电话,投诉内容,状态,处理结果,结案时间,严重程度,外部编号\n"
        "2024-03-01 10:00,王五,13800138000,顾客在店内摔伤,已结案,赔付医药费,2024-03-05 16:00,重大,H1\n",
        encoding="utf-8",
    )
    call_command("import", str(path), "--user", "manager", "--historical", "--channel", "letter")
    assert WebhookDelivery.objects.count() == 0
    assert OutboxMessage.objects.count() == 0
