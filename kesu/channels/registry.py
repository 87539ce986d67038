"""The active webhooks and robots, read on every complaint event: kept in the cache (a second's
read per event would add a query to every write of the system), dropped when one is saved."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction

WEBHOOKS_KEY = "kesu:channels:webhooks:v1"
ROBOTS_KEY = "kesu:channels:robots:v1"
TTL = 60


@dataclass(frozen=True)
class Target:
    id: int
    events: frozenset[str]
    department_id: int | None = None


def active_webhooks() -> list[Target]:
    cached = cache.get(WEBHOOKS_KEY)
    if cached is None:
        from kesu.channels.models import Webhook

        cached = [Target(w.pk, frozenset(w.events)) for w in Webhook.objects.filter(active=True).only("id", "events")]
        cache.set(WEBHOOKS_KEY, cached, TTL)
    return list(cached)


def active_robots() -> list[Target]:
    cached = cache.get(ROBOTS_KEY)
    if cached is None:
        from kesu.channels.models import Robot

        cached = [
            Target(r.pk, frozenset(r.kinds), r.department_id)
            for r in Robot.objects.filter(active=True).only("id", "kinds", "department_id")
        ]
        cache.set(ROBOTS_KEY, cached, TTL)
    return list(cached)


def forget(key: str) -> None:
    """Drop the cached list now and again when the change commits (a read in between may have
    cached the state before it)."""
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
