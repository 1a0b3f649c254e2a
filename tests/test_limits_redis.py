"""A limit counted in Redis holds across web processes: each process has its own cache client, and
the count one makes is the count the other sees. Runs against the local Redis (`make test` starts it
with scripts/wait-for-redis); fails, not skips, when Redis is absent."""

from __future__ import annotations

import os
import uuid
from typing import Any

import pytest
from django.core.cache.backends.redis import RedisCache

from kepu.core import limits

REDIS_URL = os.environ.get("KEPU_TEST_REDIS_URL", "redis://127.0.0.1:6379/9")


def _process_cache() -> RedisCache:
    """What one web process holds: its own client of the shared Redis."""
    return RedisCache(REDIS_URL, {})


def test_a_limit_counted_by_one_process_holds_in_another(monkeypatch: Any) -> None:
    first, second = _process_cache(), _process_cache()
    first.set("kepu:probe", 1)  # Redis must be there: an error here fails the test
    limit = limits.Limit(f"test.{uuid.uuid4().hex}", 3, 60, "过于频繁，请 {minutes} 分钟后再试")
    monkeypatch.setattr(limits, "cache", first)
    limits.take(limit, "203.0.113.1")
    limits.take(limit, "203.0.113.1")
    monkeypatch.setattr(limits, "cache", second)
    limits.take(limit, "203.0.113.1")
    with pytest.raises(limits.LimitExceeded) as refused:
        limits.take(limit, "203.0.113.1")
    assert 0 < refused.value.retry_after <= 60
    monkeypatch.setattr(limits, "cache", first)
    assert limits.wait_seconds(limit, "203.0.113.1") > 0, "the first process sees the second's count"
    assert limits.wait_seconds(limit, "203.0.113.2") == 0
