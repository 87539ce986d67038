"""The WeChat Pay consumer complaint connector against a loopback fake of the documented API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from kesu.complaints.models import Complaint
from kesu.complaints.services.transitions import complaint_transition
from kesu.core import scheduler, tasks
from kesu.core.errors import Conflict, ValidationFailed
from kesu.deadlines.models import ComplaintDeadline, DeadlineState
from kesu.platforms import wechatpay
from kesu.platforms.models import NotificationReceipt, PlatformComplaint, PlatformPush, PushState
from kesu.platforms.wechat_services import (
    deliver_platform_pushes,
    wechat_complete,
    wechat_pull,
    wechat_refund_decision,
    wechat_reply,
    wechat_sync_pending,
)
from tests.platforms.fake_wechatpay import (
    APIV3_KEY,
    MCHID,
    MERCHANT_SERIAL,
    PLATFORM_SERIAL,
    FakeWechatPay,
    new_key,
    pem_private,
    pem_public,
)

NOTIFY = "/api/v1/platforms/wechatpay/notifications"


@pytest.fixture(scope="module")
def keys():
    return {"merchant": new_key(), "platform": new_key(), "stranger": new_key()}


@pytest.fixture
def fake(keys, settings, tmp_path):
    server = FakeWechatPay(merchant=keys["merchant"], platform=keys["platform"]).start()
    merchant_file, platform_file = tmp_path / "apiclient_key.pem", tmp_path / "pub_key.pem"
    merchant_file.write_bytes(pem_private(keys["merchant"]))
    platform_file.write_bytes(pem_public(keys["platform"]))
    settings.KESU_WECHATPAY_MCHID = MCHID
    settings.KESU_WECHATPAY_SERIAL = MERCHANT_SERIAL
    settings.KESU_WECHATPAY_PRIVATE_KEY_FILE = str(merchant_file)
    settings.KESU_WECHATPAY_APIV3_KEY = APIV3_KEY
    settings.KESU_WECHATPAY_PLATFORM_KEY_FILE = str(platform_file)
    settings.KESU_WECHATPAY_PLATFORM_SERIAL = PLATFORM_SERIAL
    settings.KESU_WECHATPAY_BASE_URL = server.url
    yield server
    server.stop()


def _post(headers: dict[str, str], body: bytes):
    extra = {"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()}
    return Client().post(NOTIFY, data=body, content_type="application/json", **extra)


def _arrive(fake: FakeWechatPay, complaint_id: str = "200201820200101080076610000", **fields) -> Complaint:
    fake.add_complaint(complaint_id, **fields)
    headers, body = fake.notification(complaint_id)
    assert _post(headers, body).status_code == 204
    assert wechat_sync_pending(now=timezone.now()) == 1
    return PlatformComplaint.objects.get(platform_ref=complaint_id).complaint


def test_a_signed_notification_becomes_a_complaint_with_the_platforms_deadline(users, fake):
    complaint = _arrive(fake, complaint_time="2026-11-02T10:15:00.120+08:00")
    assert complaint.channel == "social"
    assert complaint.external_ref == "wechatpay:200201820200101080076610000"
    assert complaint.order_no == "20190906154617947762231"
    assert complaint.contact_phone.endswith("13800138000")
    assert str(complaint.amount_claimed) == "39.99"
    received = dt.datetime(2026, 11, 2, 10, 15, 0, 120000, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert complaint.received_at == received
    assert complaint.reply_due == received + dt.timedelta(hours=48)
    row = ComplaintDeadline.objects.get(complaint=complaint, kind="reply")
    assert row.basis["external"]["source"] == "wechat_pay"
    # The detail was fetched with a signed request the fake verified.
    assert fake.refused == []
    assert ("GET", "/v3/merchant-service/complaints-v2/200201820200101080076610000", None) in fake.received


def test_the_same_notification_twice_makes_one_complaint(users, fake):
    fake.add_complaint("C1")
    headers, body = fake.notification("C1")
    assert _post(headers, body).status_code == 204
    assert _post(headers, body).status_code == 204
    wechat_sync_pending(now=timezone.now())
    headers, body = fake.notification("C1", "USER_RESPONSE")
    assert _post(headers, body).status_code == 204
    wechat_sync_pending(now=timezone.now())
    assert Complaint.objects.count() == 1
    assert NotificationReceipt.objects.count() == 2
    assert PlatformComplaint.objects.get().last_action == "USER_RESPONSE"


@pytest.mark.parametrize("tamper", ["other_key", "body_changed", "no_headers", "old_timestamp", "wrong_serial"])
def test_a_notification_whose_signature_fails_is_refused_and_stores_nothing(users, fake, keys, tamper):
    fake.add_complaint("C2")
    headers, body = fake.notification("C2", key=keys["stranger"] if tamper == "other_key" else None)
    if tamper == "body_changed":
        body = body.replace(b"COMPLAINT.CREATE", b"COMPLAINT.STATE")
    elif tamper == "no_headers":
        headers = {}
    elif tamper == "old_timestamp":
        headers["Wechatpay-Timestamp"] = str(int(headers["Wechatpay-Timestamp"]) - 3600)
    elif tamper == "wrong_serial":
        headers["Wechatpay-Serial"] = "SOMEONE_ELSE"
    response = _post(headers, body)
    assert response.status_code == 401
    assert response.json()["code"] == "FAIL"
    assert NotificationReceipt.objects.count() == 0
    assert Complaint.objects.count() == 0


def test_a_resource_encrypted_with_another_key_is_refused(users, fake):
    import json

    fake.add_complaint("C3")
    _headers, body = fake.notification("C3")
    envelope = json.loads(body)
    envelope["resource"]["ciphertext"] = wechatpay.encrypt_resource(
        b"x" * 32, b'{"complaint_id": "C3"}', nonce=envelope["resource"]["nonce"], associated_data=""
    )
    body = json.dumps(envelope).encode()
    assert _post(fake.sign(body), body).status_code == 401
    assert NotificationReceipt.objects.count() == 0


def test_reply_is_pushed_after_commit_and_meets_the_platform_deadline(users, fake, now):
    complaint = _arrive(fake)
    push = wechat_reply(actor=users["agent"], number=complaint.number, content="您好，已为您安排发货。", now=now)
    assert push.state == PushState.PENDING
    assert deliver_platform_pushes(now=now) == 1
    push.refresh_from_db()
    assert push.state == PushState.SENT
    assert fake.received[-1] == (
        "POST",
        f"/v3/merchant-service/complaints-v2/{complaint.platform_complaint.platform_ref}/response",
        {"complainted_mchid": MCHID, "response_content": "您好，已为您安排发货。"},
    )
    reply = ComplaintDeadline.objects.get(complaint=complaint, kind="reply")
    assert reply.state == DeadlineState.MET
    assert reply.on_time is True


def test_an_empty_reply_is_refused_and_nothing_is_queued(users, fake, now):
    complaint = _arrive(fake)
    with pytest.raises(ValidationFailed) as refused:
        wechat_reply(actor=users["agent"], number=complaint.number, content="  ", now=now)
    assert refused.value.errors[0].field == "content"
    assert PlatformPush.objects.count() == 0


def test_an_outage_keeps_the_answer_until_the_platform_is_back(users, fake, now):
    complaint = _arrive(fake)
    wechat_reply(actor=users["agent"], number=complaint.number, content="已处理", now=now)
    fake.fail_next = [500]
    assert deliver_platform_pushes(now=now) == 0
    push = PlatformPush.objects.get()
    assert push.state == PushState.PENDING and push.attempts == 1
    assert deliver_platform_pushes(now=now + dt.timedelta(minutes=5)) == 1
    push.refresh_from_db()
    assert push.state == PushState.SENT


def test_the_platform_refuses_a_request_signed_with_the_wrong_key(users, fake, keys, tmp_path, settings, now):
    complaint = _arrive(fake)
    wechat_reply(actor=users["agent"], number=complaint.number, content="已处理", now=now)
    wrong = tmp_path / "wrong_key.pem"
    wrong.write_bytes(pem_private(keys["stranger"]))
    settings.KESU_WECHATPAY_PRIVATE_KEY_FILE = str(wrong)
    assert deliver_platform_pushes(now=now) == 0
    push = PlatformPush.objects.get()
    assert push.state == PushState.FAILED
    assert "SIGN_ERROR" in push.last_error
    assert fake.refused


def test_an_answer_not_signed_by_the_platform_is_not_trusted(users, fake, keys, now):
    complaint = _arrive(fake)
    wechat_reply(actor=users["agent"], number=complaint.number, content="已处理", now=now)
    fake.answer_key = keys["stranger"]
    assert deliver_platform_pushes(now=now) == 0
    push = PlatformPush.objects.get()
    assert push.state == PushState.PENDING  # retried: the answer may have been forged on the way
    assert "SIGN_ERROR" in push.last_error


def test_refund_decision_and_completion(users, fake, now):
    complaint = _arrive(fake)
    wechat_refund_decision(
        actor=users["agent"], number=complaint.number, approve=True, launch_refund_day=3, reason="", now=now
    )
    with pytest.raises(Conflict):
        wechat_complete(actor=users["agent"], number=complaint.number, now=now)
    deliver_platform_pushes(now=now)
    assert fake.received[-1][1].endswith("/update-refund-progress")
    assert fake.received[-1][2] == {"action": "APPROVE", "launch_refund_day": 3}
    _to_resolved(users, complaint, now)
    wechat_complete(actor=users["agent"], number=complaint.number, now=now)
    deliver_platform_pushes(now=now)
    assert fake.received[-1] == (
        "POST",
        f"/v3/merchant-service/complaints-v2/{complaint.platform_complaint.platform_ref}/complete",
        {"complainted_mchid": MCHID},
    )
    assert fake.complaints[complaint.platform_complaint.platform_ref]["complaint_state"] == "PROCESSED"


def test_the_list_brings_in_complaints_whose_notification_was_lost(users, fake, now):
    for n in range(3):
        fake.add_complaint(f"L{n}", payer_phone=None, complaint_time=f"2026-11-0{n + 1}T09:30:00.000+08:00")
    fake.add_complaint("L-later", complaint_time="2026-11-04T09:30:00.000+08:00")
    assert wechat_pull(begin=dt.date(2026, 11, 1), end=dt.date(2026, 11, 3), now=now) == 3
    assert Complaint.objects.filter(channel="social").count() == 3
    no_phone = Complaint.objects.first()
    assert no_phone is not None and no_phone.contact_email.endswith("@wechatpay.invalid")
    assert wechat_pull(begin=dt.date(2026, 11, 1), end=dt.date(2026, 11, 3), now=now) == 3
    assert Complaint.objects.count() == 3


def test_the_list_pull_is_scheduled_only_when_the_connector_is_configured(settings):
    settings.KESU_WECHATPAY_MCHID = ""
    assert "pull_wechat_complaints" not in tasks.schedule()
    assert tasks.run("pull_wechat_complaints") == 0  # dispatched anyway: nothing to do, nothing asked

    settings.KESU_WECHATPAY_MCHID = MCHID
    assert tasks.schedule()["pull_wechat_complaints"] == settings.KESU_WECHATPAY_PULL_SECONDS
    assert dict(scheduler.SCHEDULE)["pull_wechat_complaints"] == settings.KESU_WECHATPAY_PULL_SECONDS


def test_the_scheduled_pull_reads_the_last_days_and_makes_each_complaint_once(users, fake, settings):
    settings.KESU_WECHATPAY_PULL_DAYS = 7
    today = timezone.localdate()
    fake.add_complaint("P-today")
    fake.add_complaint("P-week", complaint_time=f"{today - dt.timedelta(days=6)}T08:00:00.000+08:00")
    fake.add_complaint("P-old", complaint_time=f"{today - dt.timedelta(days=40)}T08:00:00.000+08:00")

    assert tasks.run("pull_wechat_complaints") == 2
    fake.complaints["P-today"]["complaint_state"] = "PROCESSING"
    assert tasks.run("pull_wechat_complaints") == 2

    assert fake.list_queries == [(today - dt.timedelta(days=6), today)] * 2
    assert fake.refused == []
    assert sorted(Complaint.objects.values_list("external_ref", flat=True)) == ["wechatpay:P-today", "wechatpay:P-week"]
    assert PlatformComplaint.objects.count() == 2
    changed = PlatformComplaint.objects.get(platform_ref="P-today")
    assert changed.state == "PROCESSING"
    assert changed.complaint.events.filter(kind="platform_update").count() == 1
    unchanged = PlatformComplaint.objects.get(platform_ref="P-week")
    assert unchanged.complaint.events.filter(kind="platform_update").count() == 0


def test_a_complaint_notified_and_pulled_is_one_complaint(users, fake):
    complaint = _arrive(fake, "N-and-L")
    assert tasks.run("pull_wechat_complaints") == 1
    assert Complaint.objects.get() == complaint
    assert PlatformComplaint.objects.get().complaint == complaint


def _to_resolved(users, complaint: Complaint, now: dt.datetime) -> None:
    from tests.complaints.lifecycle import investigate
    from tests.conftest import PATH_TO, RECORD_INVESTIGATION

    for action, who, params in PATH_TO["resolved"]:
        if action == RECORD_INVESTIGATION:
            investigate(users, who, complaint, now)
            continue
        complaint_transition(
            actor=users[who], number=complaint.number, action=action, payload={"action": action, **params}, now=now
        )


def test_without_a_configured_connector_the_callback_answers_404_and_stores_nothing(client, settings, db):
    from kesu.platforms.models import NotificationReceipt, PlatformComplaint

    settings.KESU_WECHATPAY_MCHID = ""
    response = client.post("/api/v1/platforms/wechatpay/notifications", data=b"{}", content_type="application/json")
    assert response.status_code == 404
    assert (NotificationReceipt.objects.count(), PlatformComplaint.objects.count()) == (0, 0)
