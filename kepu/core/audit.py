"""The audit trail: every write, login, export and permission change leaves one entry.

Services call `record()` inside their transaction, so an entry exists exactly when the change does.
Personal data (phone, ID number) is stored masked in snapshots: the log proves a change happened
without becoming a second copy of what it protects.
"""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models

from kepu.core.context import current_client, remember_denial
from kepu.core.models import AuditCategory, AuditEntry
from kepu.core.protected import DigestField, ProtectedField
from kepu.core.text import mask_sensitive

SENSITIVE_FIELDS = frozenset({"phone", "mobile", "id_number", "password", "totp_secret", "token", "key_hash"})


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-safe dict of the instance's concrete fields (foreign keys by id), sensitive ones masked."""
    result: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(instance, field.attname)
        if isinstance(field, DigestField):
            continue  # a keyed hash of a protected value: no use to a reader of the log
        if field.name in SENSITIVE_FIELDS or isinstance(field, ProtectedField):
            value = mask_sensitive(field.name, value)
        result[field.name] = _jsonable(value)
    return result


def diff(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, tuple[Any, Any]]:
    before, after = before or {}, after or {}
    keys = [k for k in {**before, **after} if k not in ("updated_at",)]
    return {k: (before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)}


def _actor_fields(actor: Any) -> dict[str, Any]:
    if getattr(actor, "is_system", False):
        return {"actor": None, "actor_name": "系统"}
    if actor is None or not getattr(actor, "is_authenticated", False):
        return {"actor": None, "actor_name": "匿名" if actor is not None else "系统"}
    return {"actor": actor, "actor_name": getattr(actor, "display_name", "") or actor.get_username()}


def build(
    actor: Any,
    action: str,
    *,
    category: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    actor_name: str = "",
) -> AuditEntry:
    """An unsaved entry, for bulk writes (imports); `record` saves one."""
    client = current_client()
    who = _actor_fields(actor)
    if actor_name:
        who["actor_name"] = actor_name[:150]
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:200]
    return AuditEntry(
        **who,
        category=category,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        reason=reason,
        ip=client.ip,
        user_agent=client.user_agent[:200],
        channel=client.channel,
    )


def record(actor: Any, action: str, *, category: str = AuditCategory.UPDATE, **kwargs: Any) -> AuditEntry:
    entry = build(actor, action, category=category, **kwargs)
    entry.save(force_insert=True)
    return entry


def record_many(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


def record_denied(actor: Any, action: str, *, obj: models.Model | None = None, detail: str = "") -> None:
    """A refusal. Saved now, and remembered for the request: if the refusal happened inside a service's
    transaction, the entry rolls back with it and the request middleware writes it again afterwards."""
    entry = record(actor, action, category=AuditCategory.DENIED, obj=obj, reason=detail or "无此操作权限")
    remember_denial(entry)


def restore_rolled_back(entries: list[AuditEntry]) -> int:
    """Write again the refusals whose rows did not survive their transaction; returns how many."""
    if not entries:
        return 0
    kept = set(AuditEntry.objects.filter(pk__in=[e.pk for e in entries]).values_list("pk", flat=True))
    lost = [e for e in entries if e.pk not in kept]
    for entry in lost:
        entry.pk = None
        entry.save(force_insert=True)
    return len(lost)
