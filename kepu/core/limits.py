"""Limits on abuse, counted in the shared cache so that every web process enforces the same limit.

One small fixed-window counter serves every limit kepu sets — failed sign-ins per account and
address, password spraying per address, second-factor guesses, SMS codes per visitor and per day,
anonymous objections, orders and registrations per visitor (docs/decisions/0002 says why this and
not one library per limit). In production the cache is Redis (`KEPU_REDIS_URL`); in development it
is the process's memory. Keys hold a keyed digest of the identifier (an address, a user name), never
the identifier itself.

The client address comes from `kepu.core.context.current_client()`, set by the request middleware
from REMOTE_ADDR and only as many X-Forwarded-For hops as there are trusted proxies, so a visitor
cannot pick a fresh address per request by sending the header.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from kepu.core.context import current_client
from kepu.core.errors import ValidationFailed


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "login.account"; part of the cache key
    count: int  # allowed within the window
    seconds: int  # the window; a blocked caller waits until it ends
    message: str  # Chinese; may use {minutes}


class LimitExceeded(ValidationFailed):
    """Refused by a limit; `retry_after` is in seconds. A ValidationFailed, so every form shows it;
    the API answers 429 with Retry-After."""

    def __init__(self, message: str, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field)
        self.retry_after = retry_after


def _key(limit: Limit, identifier: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), identifier.encode(), hashlib.sha256).hexdigest()[:32]
    return f"kepu:limit:{limit.name}:{digest}"


def _count(key: str) -> int:
    value = cache.get(key)
    return int(value) if value is not None else 0


def _retry_after(key: str) -> int:
    ends = cache.get(f"{key}:ends")
    return max(1, int(ends - time.time())) if ends else 1


def wait_seconds(limit: Limit, identifier: str) -> int:
    """0 while the limit is not reached; otherwise the seconds until its window ends."""
    key = _key(limit, identifier)
    return _retry_after(key) if _count(key) >= limit.count else 0


def hit(limit: Limit, identifier: str) -> int:
    """Count one event; returns how many were counted in the current window."""
    key = _key(limit, identifier)
    if cache.add(key, 0, limit.seconds):
        cache.set(f"{key}:ends", time.time() + limit.seconds, limit.seconds)
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr: start a new window
        cache.set(key, 1, limit.seconds)
        cache.set(f"{key}:ends", time.time() + limit.seconds, limit.seconds)
        return 1


def clear(limit: Limit, identifier: str) -> None:
    key = _key(limit, identifier)
    cache.delete_many([key, f"{key}:ends"])


def refuse_if_reached(limit: Limit, identifier: str) -> None:
    """Raise LimitExceeded (Chinese message, seconds to wait) when the limit is reached."""
    wait = wait_seconds(limit, identifier)
    if wait:
        raise LimitExceeded(limit.message.format(minutes=max(1, (wait + 59) // 60)), wait)


def take(limit: Limit, identifier: str) -> None:
    """Count this event and refuse it if it is over the limit (for acts limited by number, such as
    sending a code or submitting a form). Counting first, with the cache's atomic increment, means
    parallel requests cannot slip past the limit together."""
    if hit(limit, identifier) > limit.count:
        wait = _retry_after(_key(limit, identifier))
        raise LimitExceeded(limit.message.format(minutes=max(1, (wait + 59) // 60)), wait)


def client_address() -> str:
    """The current request's client address as the middleware established it ('' outside a request)."""
    return current_client().ip or ""


def anonymous_limit() -> Limit:
    return Limit("anonymous.address", settings.KEPU_ANONYMOUS_PER_ADDRESS, 3600,
                 "您提交得过于频繁，请 {minutes} 分钟后再试")


def take_anonymous(actor: object) -> None:
    """Count an anonymous visitor's submission (an order, an objection, a registration, a lead) against
    the per-address limit. Signed-in people, the platform itself and work outside a request (commands,
    demo loading) are not limited here."""
    address = client_address()
    if address and not getattr(actor, "is_authenticated", False) and not getattr(actor, "is_system", False):
        take(anonymous_limit(), address)

