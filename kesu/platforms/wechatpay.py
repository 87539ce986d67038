"""WeChat Pay APIv3 for the consumer complaint API (消费者投诉 2.0): request signing, signature
verification of callbacks and answers, AEAD_AES_256_GCM resources, and the calls Kesu makes.

- Requests carry `Authorization: WECHATPAY2-SHA256-RSA2048 mchid="…",nonce_str="…",
  signature="…",timestamp="…",serial_no="…"`, the signature being RSA-SHA256 (PKCS#1 v1.5) with
  the merchant key over "METHOD\\nURL\\ntimestamp\\nnonce\\nbody\\n" (URL: path and query).
- Callbacks and answers are signed by the platform: `Wechatpay-Timestamp`, `Wechatpay-Nonce`,
  `Wechatpay-Signature` and `Wechatpay-Serial` headers, RSA-SHA256 over
  "timestamp\\nnonce\\nbody\\n", checked with the platform's public key of that serial.
- A callback's `resource` is AES-256-GCM encrypted with the APIv3 key (nonce and
  associated_data given beside the ciphertext, the 16-byte tag at the end of the ciphertext).
- The payer's phone is RSA-OAEP encrypted with the merchant's public key.

No network I/O happens inside a database transaction: callers fetch first, then write.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

# A callback older or newer than this is refused (a replayed notification).
TIMESTAMP_TOLERANCE_SECONDS = 300
SCHEMA = "WECHATPAY2-SHA256-RSA2048"


class SignatureInvalid(Exception):
    """A callback or answer whose platform signature does not verify."""


class PlatformError(Exception):
    """The platform answered with an error (or could not be reached)."""

    def __init__(self, message: str, *, status: int = 0, code: str = ""):
        super().__init__(message)
        self.status = status
        self.code = code

    @property
    def retryable(self) -> bool:
        return self.status == 0 or self.status == 429 or self.status >= 500


@dataclass(frozen=True)
class Config:
    mchid: str
    serial: str
    private_key: rsa.RSAPrivateKey
    apiv3_key: bytes
    platform_public_key: rsa.RSAPublicKey
    platform_serial: str
    base_url: str
    reply_hours: int


def _read(path: str) -> bytes:
    with open(path, "rb") as handle:
        return handle.read()


def load_private_key(pem: bytes) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("the merchant key is not an RSA key")
    return key


def load_public_key(pem: bytes) -> rsa.RSAPublicKey:
    if b"CERTIFICATE" in pem:
        from cryptography import x509

        key: Any = x509.load_pem_x509_certificate(pem).public_key()
    else:
        key = serialization.load_pem_public_key(pem)
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the platform key is not an RSA key")
    return key


def configured() -> bool:
    return bool(settings.KESU_WECHATPAY_MCHID)


def config_from_settings() -> Config:
    """The connector's configuration (settings KESU_WECHATPAY_*; docs/platforms.md)."""
    if not configured():
        raise PlatformError("WeChat Pay is not configured (KESU_WECHATPAY_MCHID)")
    if not settings.KESU_WECHATPAY_BASE_URL.startswith(("https://", "http://")):
        raise PlatformError("KESU_WECHATPAY_BASE_URL must be an https:// address")
    return Config(
        mchid=settings.KESU_WECHATPAY_MCHID,
        serial=settings.KESU_WECHATPAY_SERIAL,
        private_key=load_private_key(_read(settings.KESU_WECHATPAY_PRIVATE_KEY_FILE)),
        apiv3_key=settings.KESU_WECHATPAY_APIV3_KEY.encode("utf-8"),
        platform_public_key=load_public_key(_read(settings.KESU_WECHATPAY_PLATFORM_KEY_FILE)),
        platform_serial=settings.KESU_WECHATPAY_PLATFORM_SERIAL,
        base_url=settings.KESU_WECHATPAY_BASE_URL.rstrip("/"),
        reply_hours=settings.KESU_WECHATPAY_REPLY_HOURS,
    )


# --- signatures and encryption ----------------------------------------------------------------


def rsa_sign(key: rsa.RSAPrivateKey, message: bytes) -> str:
    return base64.b64encode(key.sign(message, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def rsa_verify(key: rsa.RSAPublicKey, message: bytes, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), message, padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def authorization(config: Config, *, method: str, url: str, body: str, timestamp: int, nonce: str) -> str:
    """The Authorization header of a request to the platform."""
    message = f"{method}\n{url}\n{timestamp}\n{nonce}\n{body}\n".encode()
    signature = rsa_sign(config.private_key, message)
    return (
        f'{SCHEMA} mchid="{config.mchid}",nonce_str="{nonce}",signature="{signature}",'
        f'timestamp="{timestamp}",serial_no="{config.serial}"'
    )


def verify_platform_signature(
    config: Config, *, headers: dict[str, str], body: bytes, now: float, check_time: bool = True
) -> None:
    """Raise SignatureInvalid unless the Wechatpay-* headers sign `body` with the platform key."""
    lowered = {k.lower(): v for k, v in headers.items()}
    timestamp = lowered.get("wechatpay-timestamp", "")
    nonce = lowered.get("wechatpay-nonce", "")
    signature = lowered.get("wechatpay-signature", "")
    serial = lowered.get("wechatpay-serial", "")
    if not (timestamp and nonce and signature and serial):
        raise SignatureInvalid("missing Wechatpay signature headers")
    if config.platform_serial and serial != config.platform_serial:
        raise SignatureInvalid("unknown platform certificate serial")
    if signature.startswith("WECHATPAY/SIGNTEST/"):
        raise SignatureInvalid("signature probe")  # the platform's own probe must fail verification
    if check_time:
        try:
            skew = abs(now - int(timestamp))
        except ValueError as exc:
            raise SignatureInvalid("bad timestamp") from exc
        if skew > TIMESTAMP_TOLERANCE_SECONDS:
            raise SignatureInvalid("timestamp outside the allowed window")
    message = timestamp.encode() + b"\n" + nonce.encode() + b"\n" + body + b"\n"
    if not rsa_verify(config.platform_public_key, message, signature):
        raise SignatureInvalid("signature does not verify")


def decrypt_resource(apiv3_key: bytes, resource: dict[str, Any]) -> dict[str, Any]:
    """The plaintext of a callback's `resource` (AEAD_AES_256_GCM with the APIv3 key)."""
    if resource.get("algorithm") != "AEAD_AES_256_GCM":
        raise SignatureInvalid("unsupported resource algorithm")
    try:
        plain = AESGCM(apiv3_key).decrypt(
            str(resource["nonce"]).encode(),
            base64.b64decode(resource["ciphertext"]),
            str(resource.get("associated_data") or "").encode(),
        )
        data = json.loads(plain)
    except (InvalidTag, KeyError, ValueError, TypeError) as exc:
        raise SignatureInvalid("resource does not decrypt") from exc
    if not isinstance(data, dict):
        raise SignatureInvalid("resource is not an object")
    return data


def encrypt_resource(apiv3_key: bytes, plaintext: bytes, *, nonce: str, associated_data: str) -> str:
    """The inverse of decrypt_resource (what the platform does; used by the tests' fake)."""
    return base64.b64encode(AESGCM(apiv3_key).encrypt(nonce.encode(), plaintext, associated_data.encode())).decode()


def decrypt_sensitive(key: rsa.RSAPrivateKey, ciphertext: str) -> str:
    """A field the platform encrypted with the merchant's public key (RSA-OAEP, SHA-1)."""
    plain = key.decrypt(
        base64.b64decode(ciphertext),
        padding.OAEP(mgf=padding.MGF1(algorithm=hashes.SHA1()), algorithm=hashes.SHA1(), label=None),  # noqa: S303
    )
    return plain.decode("utf-8")


# --- the calls -----------------------------------------------------------------------------------


class Client:
    """The consumer complaint calls, each signed, each answer's signature verified."""

    def __init__(self, config: Config, *, timeout: float = 10.0):
        self.config = config
        self.timeout = timeout

    def _call(self, method: str, path: str, *, query: dict[str, Any] | None = None, body: Any = None) -> Any:
        url = path + ("?" + urllib.parse.urlencode(query) if query else "")
        text = json.dumps(body, ensure_ascii=False, separators=(",", ":")) if body is not None else ""
        timestamp, nonce = int(time.time()), secrets.token_hex(16)
        headers = {
            "Authorization": authorization(
                self.config, method=method, url=url, body=text, timestamp=timestamp, nonce=nonce
            ),
            "Accept": "application/json",
            "User-Agent": "Kesu",
        }
        if body is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(  # noqa: S310 (base_url is checked to be http(s) in config_from_settings)
            self.config.base_url + url, data=text.encode() if body is not None else None, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured https URL)
                status, raw, answer_headers = response.status, response.read(), dict(response.headers.items())
        except urllib.error.HTTPError as exc:
            raw = exc.read()
            code, message = "", raw.decode("utf-8", "replace")[:500]
            try:
                payload = json.loads(raw)
                code, message = str(payload.get("code", "")), str(payload.get("message", message))
            except ValueError:
                pass
            raise PlatformError(message, status=exc.code, code=code) from exc
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            raise PlatformError(f"platform unreachable: {exc}") from exc
        try:
            verify_platform_signature(self.config, headers=answer_headers, body=raw, now=time.time())
        except SignatureInvalid as exc:
            raise PlatformError(f"answer signature: {exc}", status=0, code="SIGN_ERROR") from exc
        if status == 204 or not raw:
            return None
        return json.loads(raw)

    def list_complaints(self, *, begin_date: str, end_date: str, limit: int = 50, offset: int = 0) -> dict[str, Any]:
        return dict(
            self._call(
                "GET",
                "/v3/merchant-service/complaints-v2",
                query={
                    "limit": limit,
                    "offset": offset,
                    "begin_date": begin_date,
                    "end_date": end_date,
                    "complainted_mchid": self.config.mchid,
                },
            )
        )

    def complaint_detail(self, complaint_id: str) -> dict[str, Any]:
        return dict(self._call("GET", f"/v3/merchant-service/complaints-v2/{urllib.parse.quote(complaint_id)}"))

    def respond(self, complaint_id: str, body: dict[str, Any]) -> None:
        self._call("POST", f"/v3/merchant-service/complaints-v2/{urllib.parse.quote(complaint_id)}/response", body=body)

    def update_refund_progress(self, complaint_id: str, body: dict[str, Any]) -> None:
        self._call(
            "POST",
            f"/v3/merchant-service/complaints-v2/{urllib.parse.quote(complaint_id)}/update-refund-progress",
            body=body,
        )

    def complete(self, complaint_id: str, body: dict[str, Any]) -> None:
        self._call("POST", f"/v3/merchant-service/complaints-v2/{urllib.parse.quote(complaint_id)}/complete", body=body)
