"""The database itself refuses to change or delete audit rows, on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from kepu.core import audit
from kepu.core.models import AuditCategory, AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry() -> AuditEntry:
    return audit.record(None, "test.guard", category=AuditCategory.UPDATE, reason="原文")


def _raw(sql: str, params: list[object]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_raw_sql_cannot_update_an_audit_row(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError, match="操作日志"):
        _raw("UPDATE core_auditentry SET reason = %s WHERE id = %s", ["改过", entry.pk])
    entry.refresh_from_db()
    assert entry.reason == "原文"


def test_raw_sql_cannot_delete_an_audit_row(entry: AuditEntry) -> None:
    with pytest.raises(DatabaseError, match="操作日志"):
        _raw("DELETE FROM core_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_raw_sql_cannot_empty_the_audit_log(entry: AuditEntry) -> None:
    count = AuditEntry.objects.count()
    with pytest.raises(DatabaseError, match="操作日志"):
        _raw("DELETE FROM core_auditentry", [])
    assert AuditEntry.objects.count() == count


def test_appending_still_works(entry: AuditEntry) -> None:
    audit.record(None, "test.guard", category=AuditCategory.UPDATE)
    assert AuditEntry.objects.filter(action="test.guard").count() == 2
