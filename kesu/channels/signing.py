"""The request signing of each outgoing channel, as pure functions (the fakes in the tests verify
them independently): Kesu's webhooks, DingTalk robots, Aliyun RPC (v1) and Tencent Cloud TC3."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse
from collections.abc import Mapping


def webhook_signature(secret: str, body: bytes) -> str:
    """`X-Kesu-Signature`: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """DingTalk group robot 加签: HMAC-SHA256 of "timestamp\\nsecret" keyed with the secret,
    base64 (the caller url-encodes it as the `sign` query parameter)."""
    to_sign = f"{timestamp_ms}\n{secret}".encode()
    return base64.b64encode(hmac.new(secret.encode(), to_sign, hashlib.sha256).digest()).decode()


def dingtalk_signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    if not secret:
        return url
    sign = urllib.parse.quote_plus(dingtalk_sign(secret, timestamp_ms))
    joiner = "&" if urllib.parse.urlsplit(url).query else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={sign}"


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's RPC signature wants it: A-Z a-z 0-9 - _ . ~ kept, space %20."""
    return urllib.parse.quote(value, safe="-_.~")


def aliyun_rpc_signature(params: Mapping[str, str], secret: str, method: str = "POST") -> str:
    """Aliyun RPC signature version 1.0 (HMAC-SHA1): the sorted, percent-encoded canonical query,
    `METHOD&%2F&encode(canonical)`, keyed with `secret + "&"`, base64."""
    canonical = "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params) if key != "Signature"
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new((secret + "&").encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def _hmac256(key: bytes, message: str) -> bytes:
    return hmac.new(key, message.encode(), hashlib.sha256).digest()


def tc3_authorization(
    *,
    secret_id: str,
    secret_key: str,
    service: str,
    host: str,
    content_type: str,
    payload: bytes,
    timestamp: int,
) -> str:
    """Tencent Cloud API 3.0 TC3-HMAC-SHA256 for a POST of `payload` to `/`, signing the
    content-type and host headers."""
    date = dt.datetime.fromtimestamp(timestamp, tz=dt.UTC).strftime("%Y-%m-%d")
    signed_headers = "content-type;host"
    canonical_request = "\n".join(
        [
            "POST",
            "/",
            "",
            f"content-type:{content_type}\nhost:{host}\n",
            signed_headers,
            hashlib.sha256(payload).hexdigest(),
        ]
    )
    scope = f"{date}/{service}/tc3_request"
    to_sign = "\n".join(
        ["TC3-HMAC-SHA256", str(timestamp), scope, hashlib.sha256(canonical_request.encode()).hexdigest()]
    )
    secret_date = _hmac256(("TC3" + secret_key).encode(), date)
    secret_service = _hmac256(secret_date, service)
    secret_signing = _hmac256(secret_service, "tc3_request")
    signature = hmac.new(secret_signing, to_sign.encode(), hashlib.sha256).hexdigest()
    return f"TC3-HMAC-SHA256 Credential={secret_id}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


def mask_secret(secret: str) -> str:
    """What a page or an answer shows of a saved secret: never the whole of it."""
    if not secret:
        return ""
    if len(secret) <= 8:
        return "••••"
    return "••••" + secret[-4:]
