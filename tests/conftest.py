"""Shared test set-up: the demo city loaded once per test database, and its cast of users.

The cast are the demo users, one per role (see kepu/org/demo.py): admin (系统管理员), office (纲要办),
zhangpu (张浦镇管理员), jiaoyu and nongye (liaisons of 教育局 and 农业农村局), expert, volunteer,
resident (公众), weijian (a liaison who is also an expert).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client


def pytest_configure(config: pytest.Config) -> None:
    wanted = os.environ.get("KEPU_TEST_DB")
    if wanted == "postgres" and "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise pytest.UsageError("KEPU_TEST_DB=postgres needs DATABASE_URL pointing at PostgreSQL")


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Limits live in the cache: each test starts with no counts left by another.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _immediate_tasks(settings: Any) -> None:
    # Background tasks run inline in tests unless a test asks for the database worker itself.
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session", autouse=True)
def _flush_keeps_the_audit_guard() -> None:
    """Transactional tests empty the database between tests; on SQLite that is a DELETE, which the
    audit log's trigger refuses (as it should). The test flush alone lifts and restores the trigger."""
    from kepu.core import audit_guard

    if connection.vendor != "sqlite":
        return  # PostgreSQL empties tables with TRUNCATE, which the row triggers do not see
    operations = type(connection.ops)
    original = operations.sql_flush

    def sql_flush(self: Any, style: Any, tables: Any, **kwargs: Any) -> list[str]:
        statements = original(self, style, tables, **kwargs)
        if "core_auditentry" not in tables:
            return statements
        return [*audit_guard.SQLITE_REMOVE, *statements, *audit_guard.SQLITE_INSTALL]

    operations.sql_flush = sql_flush  # type: ignore[method-assign]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        from django.core.management import call_command

        call_command("load_demo", verbosity=0)
    yield


@pytest.fixture
def cast(db: Any) -> dict[str, Any]:
    from kepu.org.models import User

    users = User.objects.select_related("unit", "unit__region", "region").prefetch_related("role_assignments")
    return {u.username: u for u in users}


@pytest.fixture
def as_user(cast: dict[str, Any]) -> Any:
    """as_user("office") → a test client signed in as that demo user."""

    def make(username: str) -> Client:
        client = Client()
        client.force_login(cast[username], backend="kepu.org.auth.KepuModelBackend")
        return client

    return make


@pytest.fixture
def on_postgres() -> bool:
    return connection.vendor == "postgresql"
