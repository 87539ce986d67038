"""SMS delivery behind an interface: an HTTP gateway adapter and a logging one for development."""

from __future__ import annotations

import json
import logging
import os
import urllib.request
from typing import Protocol

logger = logging.getLogger(__name__)


class SmsGateway(Protocol):
    def send(self, *, to: str, text: str) -> None: ...


class LoggingSmsGateway:
    """Used when no SMS gateway is configured: records that a message was due, not its content."""

    sent: list[tuple[str, str]] = []

    def send(self, *, to: str, text: str) -> None:
        LoggingSmsGateway.sent.append((to, text))
        logger.info("SMS of %d characters logged: no SMS gateway configured", len(text))


class HttpSmsGateway:
    """Posts `{"to", "text"}` as JSON to KESU_SMS_URL with a bearer key (most Chinese SMS
    providers offer such an endpoint or a relay in front of their SDK)."""

    def __init__(self, url: str, key: str):
        self.url, self.key = url, key

    def send(self, *, to: str, text: str) -> None:
        request = urllib.request.Request(  # noqa: S310 - URL is operator configuration
            self.url,
            data=json.dumps({"to": to, "text": text}).encode(),
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.key}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            if response.status >= 300:
                raise RuntimeError(f"SMS gateway answered {response.status}")


def sms_gateway() -> SmsGateway:
    backend = os.environ.get("KESU_SMS_BACKEND", "")
    if backend in ("aliyun", "tencent"):
        # Aliyun SMS and Tencent Cloud SMS, with their request signing (kesu/channels/sms.py).
        from kesu.channels.sms import template_gateway

        return template_gateway(backend)
    url = os.environ.get("KESU_SMS_URL")
    if url:
        return HttpSmsGateway(url, os.environ.get("KESU_SMS_KEY", ""))
    return LoggingSmsGateway()
