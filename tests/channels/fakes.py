"""Loopback HTTP servers standing in for the services that cannot run here (a webhook receiver,
DingTalk and WeCom robots, Aliyun and Tencent Cloud SMS). Each verifies the real signing
independently of Kesu's code and refuses a request whose signature is wrong."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import urllib.parse
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.deadlines.smtp import free_port

Check = Callable[[str, dict[str, str], bytes], "tuple[int, dict[str, Any], bool]"]


class Received:
    def __init__(self, path: str, headers: dict[str, str], body: bytes):
        self.path, self.headers, self.body = path, headers, body

    def json(self) -> Any:
        return json.loads(self.body)


class FakeServer:
    """`check(path, headers, body) -> (status, answer, accepted)`; accepted requests are kept in
    `received`, refused ones in `refused`."""

    def __init__(self, check: Check, port: int | None = None):
        self.check = check
        self.port = port or free_port()
        self.received: list[Received] = []
        self.refused: list[Received] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> FakeServer:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, answer, accepted = fake.check(self.path, headers, body)
                (fake.received if accepted else fake.refused).append(Received(self.path, headers, body))
                data = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        ThreadingHTTPServer.allow_reuse_address = True
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


# --- independent verifiers --------------------------------------------------------------------


def webhook_receiver(secret: str) -> Check:
    def check(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], bool]:
        expected = "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(headers.get("x-kesu-signature", ""), expected):
            return 401, {"error": "bad signature"}, False
        if not headers.get("x-kesu-event") or not headers.get("x-kesu-delivery"):
            return 400, {"error": "headers missing"}, False
        return 200, {"ok": True}, True

    return check


def dingtalk_robot(secret: str, access_token: str) -> Check:
    """DingTalk's robot/send: access_token, timestamp and sign in the query; a wrong sign is
    answered 200 with errcode 310000, as DingTalk does."""

    def check(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], bool]:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        timestamp = query.get("timestamp", [""])[0]
        string_to_sign = f"{timestamp}\n{secret}".encode()
        expected = base64.b64encode(hmac.new(secret.encode(), string_to_sign, hashlib.sha256).digest()).decode()
        if query.get("access_token", [""])[0] != access_token:
            return 200, {"errcode": 300001, "errmsg": "token is not exist"}, False
        if query.get("sign", [""])[0] != expected:  # parse_qs has url-decoded it
            return 200, {"errcode": 310000, "errmsg": "sign not match"}, False
        message = json.loads(body)
        if message.get("msgtype") != "markdown" or not message["markdown"].get("title"):
            return 200, {"errcode": 40035, "errmsg": "bad message"}, False
        return 200, {"errcode": 0, "errmsg": "ok"}, True

    return check


def wecom_robot(key: str) -> Check:
    def check(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], bool]:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
        if query.get("key", [""])[0] != key:
            return 200, {"errcode": 93000, "errmsg": "invalid webhook url"}, False
        message = json.loads(body)
        if message.get("msgtype") != "markdown" or not message["markdown"].get("content"):
            return 200, {"errcode": 40008, "errmsg": "invalid message type"}, False
        return 200, {"errcode": 0, "errmsg": "ok"}, True

    return check


def _pe(value: str) -> str:
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_sms(access_key_id: str, secret: str) -> Check:
    """Dysmsapi SendSms (RPC, signature 1.0), re-signed here from the form it received."""

    def check(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], bool]:
        form = {k: v[0] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        signature = form.pop("Signature", "")
        canonical = "&".join(f"{_pe(k)}={_pe(form[k])}" for k in sorted(form))
        to_sign = "POST&%2F&" + _pe(canonical)
        expected = base64.b64encode(hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()).decode()
        if form.get("AccessKeyId") != access_key_id:
            return 404, {"Code": "InvalidAccessKeyId.NotFound"}, False
        if signature != expected:
            return 400, {"Code": "SignatureDoesNotMatch", "Message": "Specified signature is not matched"}, False
        if form.get("Action") != "SendSms" or not form.get("TemplateCode"):
            return 400, {"Code": "MissingParameter"}, False
        json.loads(form["TemplateParam"])
        return 200, {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "F655A8D5"}, True

    return check


def tencent_sms(secret_id: str, secret_key: str) -> Check:
    """SendSms of API 3.0: the TC3-HMAC-SHA256 Authorization recomputed from what arrived."""

    def sign(key: bytes, msg: str) -> bytes:
        return hmac.new(key, msg.encode(), hashlib.sha256).digest()

    def check(path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, Any], bool]:
        import datetime as dt

        timestamp = int(headers.get("x-tc-timestamp", "0"))
        date = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")
        canonical = (
            f"POST\n/\n\ncontent-type:{headers.get('content-type')}\nhost:{headers.get('host')}\n\n"
            f"content-type;host\n{hashlib.sha256(body).hexdigest()}"
        )
        scope = f"{date}/sms/tc3_request"
        to_sign = f"TC3-HMAC-SHA256\n{timestamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
        key = sign(sign(sign(("TC3" + secret_key).encode(), date), "sms"), "tc3_request")
        expected = (
            f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders=content-type;host, "
            f"Signature={hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()}"
        )
        if headers.get("authorization") != expected or headers.get("x-tc-action") != "SendSms":
            return (
                200,
                {
                    "Response": {
                        "Error": {"Code": "AuthFailure.SignatureFailure", "Message": "signature"},
                        "RequestId": "x",
                    }
                },
                False,
            )
        request = json.loads(body)
        assert request["TemplateId"] and isinstance(request["TemplateParamSet"], list)
        return (
            200,
            {
                "Response": {
                    "SendStatusSet": [
                        {"Code": "Ok", "PhoneNumber": request["PhoneNumberSet"][0], "SerialNo": "2028:1"}
                    ],
                    "RequestId": "a0aabda6",
                }
            },
            True,
        )

    return check
