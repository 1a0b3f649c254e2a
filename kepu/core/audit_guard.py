"""The database's own refusal to change or delete audit rows (append-only below the application).

`AuditEntryQuerySet` already refuses `update()` and `delete()` in Python; these triggers make the
database refuse them too, whatever the client: raw SQL, a shell, another program on the same
account. Installed by migration core.0005 on PostgreSQL and SQLite. TRUNCATE is a table-level
operation the triggers do not see: in production the application's database role is given neither
TRUNCATE nor ownership of the table (docs/security.md).
"""

from __future__ import annotations

from typing import Any

MESSAGE = "操作日志只能追加，不可修改或删除"

SQLITE_INSTALL = [
    f"CREATE TRIGGER IF NOT EXISTS core_auditentry_no_update BEFORE UPDATE ON core_auditentry "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS core_auditentry_no_delete BEFORE DELETE ON core_auditentry "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
SQLITE_REMOVE = ["DROP TRIGGER IF EXISTS core_auditentry_no_update", "DROP TRIGGER IF EXISTS core_auditentry_no_delete"]

_POSTGRES = [
    "CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $$",
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "CREATE TRIGGER core_auditentry_append_only BEFORE UPDATE OR DELETE ON core_auditentry "
    "FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only()",
]
_POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry",
    "DROP FUNCTION IF EXISTS core_auditentry_append_only()",
]


def _run(connection: Any, statements: list[str]) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def install(connection: Any) -> None:
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_INSTALL)
    elif connection.vendor == "postgresql":
        _run(connection, _POSTGRES)


def remove(connection: Any) -> None:
    """Only for the migration's reverse and for test runs that empty the whole database."""
    if connection.vendor == "sqlite":
        _run(connection, SQLITE_REMOVE)
    elif connection.vendor == "postgresql":
        _run(connection, _POSTGRES_DROP)
