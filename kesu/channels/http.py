"""Outgoing HTTP for webhooks, robots and SMS: addresses checked against private networks, no
redirects followed, short timeouts, nothing of the body or the secrets logged."""

from __future__ import annotations

import ipaddress
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass

TIMEOUT = 10


def allowed_hosts() -> set[str]:
    raw = os.environ.get("KESU_WEBHOOK_ALLOWED_HOSTS", "")
    return {host.strip().lower() for host in raw.split(",") if host.strip()}


def _private(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return bool(
        ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_reserved or ip.is_multicast or ip.is_unspecified
    )


def address_problem(url: str) -> str | None:
    """Why `url` may not be called, or None: only http(s), and no loopback or private address
    unless its host is listed in KESU_WEBHOOK_ALLOWED_HOSTS."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "scheme"
    host = parts.hostname.lower()
    if host in allowed_hosts():
        return None
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError):
        return "unresolvable"
    if any(_private(str(info[4][0])) for info in infos):
        return "private"
    return None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_opener = urllib.request.build_opener(_NoRedirect)


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes


class DeliveryFailed(Exception):
    """The far end did not take the request; `status` is its HTTP status when it answered."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.status = status


def post(url: str, body: bytes, headers: dict[str, str], *, check_address: bool = True) -> Answer:
    if check_address:
        problem = address_problem(url)
        if problem:
            raise DeliveryFailed(f"address refused ({problem})")
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310 - checked above
    try:
        with _opener.open(request, timeout=TIMEOUT) as response:
            return Answer(status=response.status, body=response.read(65536))
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"answered HTTP {exc.code}", status=exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DeliveryFailed(f"could not connect: {type(reason).__name__}") from None
