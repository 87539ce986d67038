"""Sign-in throttling: failures only, per account and per address, with backoff, in a store every
worker shares (Redis through Django's cache when KESU_REDIS_URL is set, the database otherwise).

Each key (an account, an address) has a score that every failure raises by one and that leaks away
at `limit / window` per second (a sliding, decaying window: no boundary lets a burst through). At
the limit-th failure within the window the key is locked: first for `window` seconds, then twice as long at
each further lockout (capped at a day): nothing leaks while locked, so the first failure after a
lock locks again; the strikes fade once the score has leaked to zero.

A successful sign-in clears its account and marks the (account, address) pair as known for 30
days. The address limit is much higher than the account limit and never refuses an account known
at that address, so one office behind a proxy is not locked out by a colleague's typos or by
someone guessing other accounts' passwords; the account limit refuses only that account.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from kesu.accounts.models import SignInThrottle
from kesu.core.ratelimit import parse_rate

MAX_LOCK_SECONDS = 24 * 3600
TRUST_SECONDS = 30 * 24 * 3600


@dataclass(frozen=True)
class Rule:
    limit: int
    window: int

    @property
    def leak(self) -> float:
        return self.limit / self.window


@dataclass
class State:
    score: float = 0.0
    strikes: int = 0
    updated_at: float = 0.0
    locked_until: float = 0.0


def _account_rule() -> Rule:
    limit, window = parse_rate(settings.KESU_LOGIN_RATE_LIMIT)
    return Rule(limit, window)


def _address_rule() -> Rule:
    configured = getattr(settings, "KESU_LOGIN_ADDRESS_RATE_LIMIT", "")
    if configured:
        limit, window = parse_rate(configured)
        return Rule(limit, window)
    account = _account_rule()
    return Rule(account.limit * 10, account.window)


def _digest(value: str) -> str:
    # Keys never hold a username or an address in clear (the store is not a log).
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def account_key(username: str) -> str:
    return "acct:" + _digest(username.strip().lower()[:150])


def address_key(address: str) -> str:
    return "addr:" + _digest(address)


def trust_key(username: str, address: str) -> str:
    return "trust:" + _digest(username.strip().lower()[:150] + "\x00" + address)


def _decayed(state: State, rule: Rule, now: float) -> State:
    # Nothing leaks while locked: once a lock ends, one more failure locks again (for twice as long).
    score = max(0.0, state.score - max(0.0, now - max(state.updated_at, state.locked_until)) * rule.leak)
    strikes = state.strikes if (score > 0 or now < state.locked_until) else 0
    return State(score=score, strikes=strikes, updated_at=now, locked_until=state.locked_until)


def _after_failure(state: State, rule: Rule, now: float) -> State:
    state = _decayed(state, rule, now)
    state.score += 1
    if state.score > rule.limit - 1:  # the limit-th failure within the window (less what leaked)
        state.strikes += 1
        state.locked_until = now + min(MAX_LOCK_SECONDS, rule.window * 2 ** (state.strikes - 1))
        state.score = max(0.0, rule.limit - 1.0)
    return state


class Store:
    def load(self, key: str) -> State | None:
        raise NotImplementedError

    def update_failure(self, key: str, rule: Rule, now: float) -> State:
        raise NotImplementedError

    def delete(self, key: str) -> None:
        raise NotImplementedError

    def mark(self, key: str, until: float) -> None:
        raise NotImplementedError


class DatabaseStore(Store):
    def load(self, key: str) -> State | None:
        row = SignInThrottle.objects.filter(key=key).first()
        if row is None:
            return None
        return State(row.score, row.strikes, row.updated_at, row.locked_until)

    def update_failure(self, key: str, rule: Rule, now: float) -> State:
        with transaction.atomic():
            row, _ = SignInThrottle.objects.select_for_update().get_or_create(key=key)
            state = _after_failure(State(row.score, row.strikes, row.updated_at, row.locked_until), rule, now)
            row.score, row.strikes, row.updated_at, row.locked_until = (
                state.score,
                state.strikes,
                state.updated_at,
                state.locked_until,
            )
            row.save()
        return state

    def delete(self, key: str) -> None:
        SignInThrottle.objects.filter(key=key).delete()

    def mark(self, key: str, until: float) -> None:
        SignInThrottle.objects.update_or_create(key=key, defaults={"locked_until": until, "updated_at": until})


# One atomic read-decay-add-lock step on Redis (the same arithmetic as _after_failure).
_FAILURE_SCRIPT = """
local key = KEYS[1]
local limit = tonumber(ARGV[1]); local window = tonumber(ARGV[2]); local now = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local s = redis.call('HMGET', key, 'score', 'strikes', 'updated_at', 'locked_until')
local score = tonumber(s[1]) or 0; local strikes = tonumber(s[2]) or 0
local updated = tonumber(s[3]) or now; local locked = tonumber(s[4]) or 0
local elapsed = now - math.max(updated, locked)
if elapsed < 0 then elapsed = 0 end
score = score - elapsed * limit / window
if score < 0 then score = 0 end
if score <= 0 and now >= locked then strikes = 0 end
score = score + 1
if score > limit - 1 then
  strikes = strikes + 1
  local lock = window * math.pow(2, strikes - 1)
  if lock > cap then lock = cap end
  locked = now + lock
  score = limit - 1
  if score < 0 then score = 0 end
end
redis.call('HSET', key, 'score', tostring(score), 'strikes', tostring(strikes), 'updated_at', tostring(now),
           'locked_until', tostring(locked))
redis.call('EXPIRE', key, math.ceil(cap + window * 2))
return {tostring(score), tostring(strikes), tostring(locked)}
"""


class CacheStore(Store):
    """Redis through Django's cache (its key prefix and connection), updated atomically."""

    def __init__(self) -> None:
        from django.core.cache import cache

        self.cache = cache
        self.client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]

    def _key(self, key: str) -> str:
        return str(self.cache.make_key("signin:" + key))

    def load(self, key: str) -> State | None:
        values = self.client.hmget(self._key(key), "score", "strikes", "updated_at", "locked_until")
        if values[0] is None and values[3] is None:
            return None
        score, strikes, updated, locked = (float(v) if v is not None else 0.0 for v in values)
        return State(score, int(strikes), updated, locked)

    def update_failure(self, key: str, rule: Rule, now: float) -> State:
        score, strikes, locked = self.client.eval(
            _FAILURE_SCRIPT, 1, self._key(key), rule.limit, rule.window, now, MAX_LOCK_SECONDS
        )
        return State(float(score), int(strikes), now, float(locked))

    def delete(self, key: str) -> None:
        self.client.delete(self._key(key))

    def mark(self, key: str, until: float) -> None:
        full = self._key(key)
        self.client.hset(full, mapping={"locked_until": str(until)})
        self.client.expireat(full, int(until) + 1)


def store() -> Store:
    # The cache store needs Redis (atomic scripts; a per-process cache would multiply the limits).
    on_redis = "redis" in settings.CACHES["default"]["BACKEND"].lower()
    choice = getattr(settings, "KESU_THROTTLE_STORE", "") or ("cache" if on_redis else "database")
    return CacheStore() if choice == "cache" else DatabaseStore()


def _locked_for(state: State | None, now: float) -> int | None:
    if state is None or now >= state.locked_until:
        return None
    return max(1, int(state.locked_until - now + 0.999))


def refused_for(*, username: str, address: str, now: float | None = None) -> int | None:
    """Seconds to wait before this account may try again from this address, or None to go ahead."""
    now = time.time() if now is None else now
    s = store()
    wait = _locked_for(s.load(account_key(username)), now)
    if wait is not None:
        return wait
    wait = _locked_for(s.load(address_key(address)), now)
    if wait is not None:
        trusted = s.load(trust_key(username, address))
        if trusted is None or trusted.locked_until <= now:
            return wait
    return None


def record_failure(*, username: str, address: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    s = store()
    s.update_failure(account_key(username), _account_rule(), now)
    s.update_failure(address_key(address), _address_rule(), now)


def record_success(*, username: str, address: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    s = store()
    s.delete(account_key(username))
    s.mark(trust_key(username, address), now + TRUST_SECONDS)


def retry_message(seconds: int) -> str:
    from django.utils.translation import gettext as _

    return _("Too many sign-in attempts; try again in %(seconds)d seconds.") % {"seconds": seconds}
