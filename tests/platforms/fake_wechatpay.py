"""A loopback stand-in for WeChat Pay's consumer complaint API (test code only).

It follows the documented interface: every request must carry a WECHATPAY2-SHA256-RSA2048
Authorization whose signature verifies with the merchant's public key (else 401 SIGN_ERROR);
every answer is signed with the platform's key in Wechatpay-* headers; the complaint calls
answer as documented (list and detail JSON, 204 for response, refund progress and complete)."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from kesu.platforms import wechatpay

MCHID = "1900012181"
PLATFORM_SERIAL = "PUB_KEY_ID_0114232134912410000000000000"
MERCHANT_SERIAL = "5157F09EFDC096DE15EBE81A47057A7232F1B8E1"
APIV3_KEY = "0123456789abcdef0123456789abcdef"
BEIJING = dt.timezone(dt.timedelta(hours=8))


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def pem_private(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def pem_public(key: rsa.RSAPrivateKey) -> bytes:
    return key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def encrypt_phone(merchant: rsa.RSAPrivateKey, phone: str) -> str:
    return base64.b64encode(
        merchant.public_key().encrypt(
            phone.encode(),
            padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None),
        )
    ).decode()


_AUTH = re.compile(r'(\w+)="([^"]*)"')


class FakeWechatPay:
    def __init__(self, *, merchant: rsa.RSAPrivateKey, platform: rsa.RSAPrivateKey):
        self.merchant_public = merchant.public_key()
        self.merchant = merchant
        self.platform = platform
        self.answer_key = platform  # what the fake signs its answers with (a test may swap it)
        self.complaints: dict[str, dict[str, Any]] = {}
        self.received: list[tuple[str, str, Any]] = []  # (method, path, body) of accepted calls
        self.refused: list[str] = []
        self.list_queries: list[tuple[dt.date, dt.date]] = []  # (begin_date, end_date) of each list call
        self.fail_next: list[int] = []  # statuses to answer the next calls with (an outage)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeWechatPay:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # --- what the platform does -------------------------------------------------------------

    def add_complaint(self, complaint_id: str, **fields: Any) -> dict[str, Any]:
        detail = {
            "complaint_id": complaint_id,
            "complaint_time": (dt.datetime.now(BEIJING) - dt.timedelta(hours=1)).isoformat(timespec="milliseconds"),
            "complaint_detail": "付款后一直没有发货，联系客服无人回复。",
            "complaint_state": "PENDING",
            "complainted_mchid": MCHID,
            "payer_phone": encrypt_phone(self.merchant, "13800138000"),
            "complaint_order_info": [
                {
                    "transaction_id": "4200000404201909069117582536",
                    "out_trade_no": "20190906154617947762231",
                    "amount": 3,
                }
            ],
            "complaint_full_refunded": False,
            "incoming_user_response": False,
            "problem_description": "不发货",
            "user_complaint_times": 1,
            "problem_type": "REFUND",
            "apply_refund_amount": 3999,
        }
        detail.update(fields)
        self.complaints[complaint_id] = detail
        return detail

    def notification(
        self, complaint_id: str, action_type: str = "CREATE_COMPLAINT", *, key: Any = None
    ) -> tuple[dict[str, str], bytes]:
        """A signed callback as the platform sends it: headers and body."""
        nonce = secrets.token_hex(6)
        plain = json.dumps({"complaint_id": complaint_id, "action_type": action_type}).encode()
        body = json.dumps(
            {
                "id": "EV-" + secrets.token_hex(8),
                "create_time": "2026-11-02T10:15:05+08:00",
                "event_type": "COMPLAINT.CREATE",
                "resource_type": "encrypt-resource",
                "resource": {
                    "algorithm": "AEAD_AES_256_GCM",
                    "ciphertext": wechatpay.encrypt_resource(
                        APIV3_KEY.encode(), plain, nonce=nonce, associated_data=""
                    ),
                    "associated_data": "",
                    "original_type": "complaint",
                    "nonce": nonce,
                },
                "summary": "投诉通知",
            },
            ensure_ascii=False,
        ).encode()
        return self.sign(body, key=key), body

    def sign(self, body: bytes, *, key: Any = None) -> dict[str, str]:
        timestamp, nonce = str(int(time.time())), secrets.token_hex(16)
        message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
        return {
            "Wechatpay-Timestamp": timestamp,
            "Wechatpay-Nonce": nonce,
            "Wechatpay-Signature": wechatpay.rsa_sign(key or self.platform, message),
            "Wechatpay-Serial": PLATFORM_SERIAL,
        }

    # --- the HTTP side --------------------------------------------------------------------------

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self, status: int, payload: Any = None) -> None:
                body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
                self.send_response(status)
                for name, value in fake.sign(body, key=fake.answer_key).items():
                    self.send_header(name, value)
                if body:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _verified(self, body: str) -> bool:
                header = self.headers.get("Authorization", "")
                if not header.startswith(wechatpay.SCHEMA + " "):
                    return False
                fields = dict(_AUTH.findall(header))
                if fields.get("mchid") != MCHID or fields.get("serial_no") != MERCHANT_SERIAL:
                    return False
                message = f"{self.command}\n{self.path}\n{fields.get('timestamp')}\n{fields.get('nonce_str')}\n{body}\n"
                return wechatpay.rsa_verify(fake.merchant_public, message.encode(), fields.get("signature", ""))

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode() if length else ""
                if not self._verified(body):
                    fake.refused.append(self.path)
                    self._answer(401, {"code": "SIGN_ERROR", "message": "签名错误"})
                    return
                if fake.fail_next:
                    self._answer(fake.fail_next.pop(0), {"code": "SYSTEM_ERROR", "message": "系统错误"})
                    return
                parts = urlsplit(self.path)
                path = parts.path
                data = json.loads(body) if body else None
                if self.command == "GET" and path == "/v3/merchant-service/complaints-v2":
                    query = parse_qs(parts.query)
                    offset, limit = int(query["offset"][0]), int(query["limit"][0])
                    begin = dt.date.fromisoformat(query["begin_date"][0])
                    end = dt.date.fromisoformat(query["end_date"][0])
                    if end < begin or (end - begin).days >= 30 or query.get("complainted_mchid") != [MCHID]:
                        self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
                        return
                    fake.list_queries.append((begin, end))
                    items = [
                        item
                        for item in fake.complaints.values()
                        if begin <= dt.datetime.fromisoformat(item["complaint_time"]).astimezone(BEIJING).date() <= end
                    ]
                    page = items[offset : offset + limit]
                    fake.received.append((self.command, path, None))
                    self._answer(200, {"data": page, "limit": limit, "offset": offset, "total_count": len(items)})
                    return
                match = re.fullmatch(r"/v3/merchant-service/complaints-v2/([^/]+)(/[\w-]+)?", path)
                if match is None or match.group(1) not in fake.complaints:
                    self._answer(404, {"code": "RESOURCE_NOT_EXISTS", "message": "投诉单不存在"})
                    return
                complaint = fake.complaints[match.group(1)]
                action = match.group(2)
                if self.command == "GET" and action is None:
                    fake.received.append((self.command, path, None))
                    self._answer(200, complaint)
                    return
                if self.command == "POST" and action == "/response":
                    if not data or not data.get("response_content") or data.get("complainted_mchid") != MCHID:
                        self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
                        return
                    complaint["complaint_state"] = "PROCESSING"
                elif self.command == "POST" and action == "/update-refund-progress":
                    if not data or data.get("action") not in ("APPROVE", "REJECT"):
                        self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
                        return
                elif self.command == "POST" and action == "/complete":
                    if not data or data.get("complainted_mchid") != MCHID:
                        self._answer(400, {"code": "PARAM_ERROR", "message": "参数错误"})
                        return
                    complaint["complaint_state"] = "PROCESSED"
                else:
                    self._answer(404, {"code": "NOT_FOUND", "message": "not found"})
                    return
                fake.received.append((self.command, path, data))
                self._answer(204)

            do_GET = _handle
            do_POST = _handle

        return Handler
