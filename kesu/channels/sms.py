"""SMS through Aliyun SMS (短信服务, RPC API with signature version 1.0) or Tencent Cloud SMS
(API 3.0, TC3-HMAC-SHA256): both send a pre-approved template with parameters, never free text.

Configured by environment variables (README): KESU_SMS_BACKEND=aliyun|tencent, the keys, the sign
name, and the template of each kind of message (KESU_SMS_TEMPLATES, JSON: kind → template; the
"default" entry for every other kind). The parameters are the complaint number and the text."""

from __future__ import annotations

import datetime as dt
import json
import os
import time
import urllib.parse
import uuid
from typing import Any

from kesu.channels.http import DeliveryFailed, post
from kesu.channels.signing import aliyun_rpc_signature, tc3_authorization

ALIYUN_ENDPOINT = "https://dysmsapi.aliyuncs.com/"
TENCENT_ENDPOINT = "https://sms.tencentcloudapi.com/"


class SmsNotConfigured(DeliveryFailed):
    pass


def _templates() -> dict[str, str]:
    try:
        value = json.loads(os.environ.get("KESU_SMS_TEMPLATES", "{}") or "{}")
    except ValueError:
        raise SmsNotConfigured("KESU_SMS_TEMPLATES is not JSON") from None
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}


def template_for(kind: str) -> str:
    templates = _templates()
    template = templates.get(kind) or templates.get("default")
    if not template:
        raise SmsNotConfigured(f"no SMS template for {kind}")
    return template


def template_params(message: Any) -> dict[str, str]:
    """The variables every template may use: ${number} and ${content} (Aliyun), {1} and {2}
    (Tencent, in that order)."""
    number = ""
    if message.complaint_id:
        from kesu.complaints.models import Complaint

        number = Complaint.objects.filter(pk=message.complaint_id).values_list("number", flat=True).first() or ""
    return {"number": number, "content": message.body[:300]}


def _mainland(phone: str) -> str:
    digits = phone.strip().replace(" ", "").replace("-", "")
    return digits[3:] if digits.startswith("+86") else digits


class AliyunSmsGateway:
    """Dysmsapi SendSms, POSTed as a form; answers `{"Code": "OK", ...}` when accepted."""

    def __init__(self, *, access_key_id: str, access_key_secret: str, sign_name: str, endpoint: str = ALIYUN_ENDPOINT):
        self.access_key_id, self.secret, self.sign_name, self.endpoint = (
            access_key_id,
            access_key_secret,
            sign_name,
            endpoint,
        )

    def request_params(
        self, *, phone: str, template: str, params: dict[str, str], now: dt.datetime, nonce: str
    ) -> dict[str, str]:
        values = {
            "AccessKeyId": self.access_key_id,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": _mainland(phone),
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": nonce,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": now.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        values["Signature"] = aliyun_rpc_signature(values, self.secret, "POST")
        return values

    def send_template(self, *, to: str, template: str, params: dict[str, str]) -> None:
        values = self.request_params(
            phone=to, template=template, params=params, now=dt.datetime.now(dt.UTC), nonce=uuid.uuid4().hex
        )
        body = urllib.parse.urlencode(values, quote_via=urllib.parse.quote).encode()
        answer = post(self.endpoint, body, {"Content-Type": "application/x-www-form-urlencoded"}, check_address=False)
        try:
            code = json.loads(answer.body).get("Code")
        except ValueError:
            raise DeliveryFailed("Aliyun answered something that is not JSON") from None
        if code != "OK":
            raise DeliveryFailed(f"Aliyun refused the SMS ({code})")

    def send(self, *, to: str, text: str) -> None:
        self.send_template(to=to, template=template_for("default"), params={"number": "", "content": text[:300]})

    def send_message(self, message: Any) -> None:
        self.send_template(to=message.recipient, template=template_for(message.kind), params=template_params(message))


class TencentSmsGateway:
    """SendSms (version 2021-01-11), JSON with TC3-HMAC-SHA256; answers `{"Response":
    {"SendStatusSet": [{"Code": "Ok"}]}}` when accepted, `{"Response": {"Error": …}}` when not."""

    def __init__(
        self,
        *,
        secret_id: str,
        secret_key: str,
        sdk_app_id: str,
        sign_name: str,
        region: str = "ap-guangzhou",
        endpoint: str = TENCENT_ENDPOINT,
    ):
        self.secret_id, self.secret_key, self.sdk_app_id = secret_id, secret_key, sdk_app_id
        self.sign_name, self.region, self.endpoint = sign_name, region, endpoint

    def request(self, *, phone: str, template: str, params: list[str], timestamp: int) -> tuple[bytes, dict[str, str]]:
        number = phone.strip()
        number = number if number.startswith("+") else "+86" + _mainland(number)
        payload = json.dumps(
            {
                "PhoneNumberSet": [number],
                "SmsSdkAppId": self.sdk_app_id,
                "SignName": self.sign_name,
                "TemplateId": template,
                "TemplateParamSet": params,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        host = urllib.parse.urlsplit(self.endpoint).netloc
        content_type = "application/json; charset=utf-8"
        headers = {
            "Authorization": tc3_authorization(
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                service="sms",
                host=host,
                content_type=content_type,
                payload=payload,
                timestamp=timestamp,
            ),
            "Content-Type": content_type,
            "Host": host,
            "X-TC-Action": "SendSms",
            "X-TC-Version": "2021-01-11",
            "X-TC-Timestamp": str(timestamp),
            "X-TC-Region": self.region,
        }
        return payload, headers

    def send_template(self, *, to: str, template: str, params: list[str]) -> None:
        payload, headers = self.request(phone=to, template=template, params=params, timestamp=int(time.time()))
        answer = post(self.endpoint, payload, headers, check_address=False)
        try:
            response = json.loads(answer.body).get("Response", {})
        except ValueError:
            raise DeliveryFailed("Tencent Cloud answered something that is not JSON") from None
        if "Error" in response:
            raise DeliveryFailed(f"Tencent Cloud refused the SMS ({response['Error'].get('Code')})")
        statuses = response.get("SendStatusSet") or [{}]
        if statuses[0].get("Code") != "Ok":
            raise DeliveryFailed(f"Tencent Cloud refused the SMS ({statuses[0].get('Code')})")

    def send(self, *, to: str, text: str) -> None:
        self.send_template(to=to, template=template_for("default"), params=["", text[:300]])

    def send_message(self, message: Any) -> None:
        params = template_params(message)
        self.send_template(
            to=message.recipient, template=template_for(message.kind), params=[params["number"], params["content"]]
        )


def template_gateway(backend: str) -> AliyunSmsGateway | TencentSmsGateway:
    env = os.environ.get
    if backend == "aliyun":
        return AliyunSmsGateway(
            access_key_id=env("KESU_ALIYUN_ACCESS_KEY_ID", ""),
            access_key_secret=env("KESU_ALIYUN_ACCESS_KEY_SECRET", ""),
            sign_name=env("KESU_SMS_SIGN_NAME", ""),
            endpoint=env("KESU_ALIYUN_SMS_ENDPOINT", ALIYUN_ENDPOINT),
        )
    return TencentSmsGateway(
        secret_id=env("KESU_TENCENT_SECRET_ID", ""),
        secret_key=env("KESU_TENCENT_SECRET_KEY", ""),
        sdk_app_id=env("KESU_TENCENT_SMS_APP_ID", ""),
        sign_name=env("KESU_SMS_SIGN_NAME", ""),
        region=env("KESU_TENCENT_REGION", "ap-guangzhou"),
        endpoint=env("KESU_TENCENT_SMS_ENDPOINT", TENCENT_ENDPOINT),
    )
