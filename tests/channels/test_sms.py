"""Aliyun SMS and Tencent Cloud SMS adapters against loopback fakes that verify the signing."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from kesu.channels.signing import aliyun_rpc_signature, percent_encode
from kesu.channels.sms import AliyunSmsGateway, TencentSmsGateway
from kesu.notifications.gateways import LoggingSmsGateway, sms_gateway
from kesu.notifications.models import OutboxStatus
from kesu.notifications.services import deliver_pending, outbox_add
from tests.channels.fakes import FakeServer, aliyun_sms, tencent_sms

pytestmark = pytest.mark.django_db
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)
TEMPLATES = json.dumps({"unreachable_sms": "SMS_1001", "default": "SMS_9999"})


def test_the_console_backend_stays_the_default(monkeypatch):
    monkeypatch.delenv("KESU_SMS_BACKEND", raising=False)
    monkeypatch.delenv("KESU_SMS_URL", raising=False)
    assert isinstance(sms_gateway(), LoggingSmsGateway)


def test_percent_encoding_follows_rfc_3986():
    assert percent_encode("a b*c~d/é") == "a%20b%2Ac~d%2F%C3%A9"


def test_aliyun_signature_of_the_documented_example():
    # The worked example of Aliyun's RPC signature documentation (SignatureMethod HMAC-SHA1,
    # secret "testSecret", GET): its published result.
    params = {
        "AccessKeyId": "testId",
        "Action": "SendSms",
        "Format": "XML",
        "OutId": "123",
        "PhoneNumbers": "15300000001",
        "RegionId": "cn-hangzhou",
        "SignName": "阿里云短信测试专用",
        "SignatureMethod": "HMAC-SHA1",
        "SignatureNonce": "45e25e9b-0a6f-4070-8c85-2956eda1b466",
        "SignatureVersion": "1.0",
        "TemplateCode": "SMS_71390007",
        "TemplateParam": '{"customer":"test"}',
        "Timestamp": "2017-07-12T02:42:19Z",
        "Version": "2017-05-25",
    }
    assert aliyun_rpc_signature(params, "testSecret", "GET") == "zJDF+Lrzhj/ThnlvIToysFRq6t4="


@pytest.fixture
def aliyun(monkeypatch):
    server = FakeServer(aliyun_sms("LTAI-test-id", "aliyun-secret")).start()
    monkeypatch.setenv("KESU_SMS_BACKEND", "aliyun")
    monkeypatch.setenv("KESU_ALIYUN_ACCESS_KEY_ID", "LTAI-test-id")
    monkeypatch.setenv("KESU_ALIYUN_ACCESS_KEY_SECRET", "aliyun-secret")
    monkeypatch.setenv("KESU_ALIYUN_SMS_ENDPOINT", server.url + "/")
    monkeypatch.setenv("KESU_SMS_SIGN_NAME", "客诉")
    monkeypatch.setenv("KESU_SMS_TEMPLATES", TEMPLATES)
    yield server
    server.stop()


def test_aliyun_delivers_a_template_message_from_the_outbox(aliyun, register):
    complaint = register()
    message = outbox_add(
        kind="unreachable_sms",
        channel="sms",
        recipient="13800138000",
        subject="s",
        body="我们未能联系到您。",
        now=T0,
        complaint=complaint,
    )
    deliver_pending(now=T0)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT, message.last_error
    form = dict(x.split("=", 1) for x in aliyun.received[0].body.decode().split("&"))
    assert form["TemplateCode"] == "SMS_1001"
    assert form["PhoneNumbers"] == "13800138000"
    from urllib.parse import unquote

    assert json.loads(unquote(form["TemplateParam"])) == {"number": complaint.number, "content": "我们未能联系到您。"}


def test_aliyun_refuses_a_wrong_signature_and_the_message_is_kept(aliyun, monkeypatch):
    monkeypatch.setenv("KESU_ALIYUN_ACCESS_KEY_SECRET", "not-the-secret")
    message = outbox_add(kind="unreachable_sms", channel="sms", recipient="13800138000", subject="s", body="b", now=T0)
    deliver_pending(now=T0)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert aliyun.received == [] and len(aliyun.refused) == 1


def test_aliyun_adapter_directly(aliyun):
    gateway = AliyunSmsGateway(
        access_key_id="LTAI-test-id", access_key_secret="aliyun-secret", sign_name="客诉", endpoint=aliyun.url + "/"
    )
    gateway.send_template(to="+8613900139000", template="SMS_1", params={"number": "X", "content": "a b&c=d"})
    assert len(aliyun.received) == 1


@pytest.fixture
def tencent(monkeypatch):
    server = FakeServer(tencent_sms("AKID-test", "tencent-key")).start()
    monkeypatch.setenv("KESU_SMS_BACKEND", "tencent")
    monkeypatch.setenv("KESU_TENCENT_SECRET_ID", "AKID-test")
    monkeypatch.setenv("KESU_TENCENT_SECRET_KEY", "tencent-key")
    monkeypatch.setenv("KESU_TENCENT_SMS_APP_ID", "1400000001")
    monkeypatch.setenv("KESU_TENCENT_SMS_ENDPOINT", server.url + "/")
    monkeypatch.setenv("KESU_SMS_SIGN_NAME", "客诉")
    monkeypatch.setenv("KESU_SMS_TEMPLATES", TEMPLATES)
    yield server
    server.stop()


def test_tencent_delivers_a_template_message_from_the_outbox(tencent, register):
    complaint = register()
    message = outbox_add(
        kind="acknowledgement",
        channel="sms",
        recipient="13800138000",
        subject="s",
        body="已受理。",
        now=T0,
        complaint=complaint,
    )
    deliver_pending(now=T0)
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT, message.last_error
    request = tencent.received[0].json()
    assert request["TemplateId"] == "SMS_9999"  # no template of its own: the default
    assert request["TemplateParamSet"] == [complaint.number, "已受理。"]
    assert request["PhoneNumberSet"] == ["+8613800138000"]
    assert request["SmsSdkAppId"] == "1400000001"
    assert tencent.received[0].headers["x-tc-action"] == "SendSms"


def test_tencent_refuses_a_wrong_signature_and_the_message_is_kept(tencent, monkeypatch):
    monkeypatch.setenv("KESU_TENCENT_SECRET_KEY", "wrong")
    message = outbox_add(kind="acknowledgement", channel="sms", recipient="13800138000", subject="s", body="b", now=T0)
    deliver_pending(now=T0)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert "AuthFailure.SignatureFailure" in message.last_error
    assert tencent.received == [] and len(tencent.refused) == 1


def test_tencent_adapter_directly(tencent):
    gateway = TencentSmsGateway(
        secret_id="AKID-test",
        secret_key="tencent-key",
        sdk_app_id="1400000001",
        sign_name="客诉",
        endpoint=tencent.url + "/",
    )
    gateway.send_template(to="13900139000", template="123", params=["a", "b"])
    assert len(tencent.received) == 1
