"""Re-encrypting every protected value under the current KEPU_DATA_KEY, with the site running.

While the ring holds the old key (KEPU_DATA_KEY_PREVIOUS) every process reads both, and writes only
under the current key; this pass rewrites the rest in batches of rows, each batch one transaction.
Each row is rewritten by a conditional UPDATE (`… WHERE id = %s AND column = <the ciphertext read>`):
a row someone saved meanwhile is left as they wrote it, already under the current key. Values under
the current key are skipped without being decrypted, so a second run does nothing and any run can
be interrupted and started again.

The lookup digests do not follow the data key (KEPU_INDEX_KEY stays): re-encrypting changes no digest
and lookups never miss during a rotation. `digests=True` is the other, offline operation: after
KEPU_INDEX_KEY itself changed, recompute every digest (docs/security.md says when and how).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.db import connection, models, transaction

from kepu.core import audit, protected
from kepu.core.access import SYSTEM
from kepu.core.models import AuditCategory

SAMPLE = 20


class RotationRefused(Exception):
    pass


@dataclass
class ColumnResult:
    label: str
    rewritten: int = 0
    current: int = 0
    changed_meanwhile: int = 0
    digests_rewritten: int = 0
    failures: list[str] = field(default_factory=list)
    digest_mismatches: list[str] = field(default_factory=list)
    remaining: int = 0


def _label(model: type[models.Model], column: protected.ProtectedField) -> str:
    return f"{model._meta.verbose_name}.{column.verbose_name}（{model._meta.db_table}.{column.column}）"


def _check_index_key() -> None:
    """Refuse at once if the digests in the database were not made with this KEPU_INDEX_KEY:
    re-encrypting is harmless, but the operator is about to rely on a configuration whose lookups miss."""
    quote = connection.ops.quote_name
    for model, column, mirror in protected.protected_columns():
        if mirror is None:
            continue
        table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {quote(column.column)}, {quote(mirror.column)} FROM {table} "
                           f"WHERE {quote(column.column)} <> '' ORDER BY {pk} LIMIT {SAMPLE}")
            rows = cursor.fetchall()
        for value, stored in rows:
            try:
                text = protected.unseal(value)
            except (InvalidTag, protected.UnknownDataKey, ValueError):
                continue  # reported by the pass itself, row by row
            if protected.digest(mirror.kind, text) != stored:
                raise RotationRefused(
                    f"{_label(model, column)} 的查询摘要不是用当前 KEPU_INDEX_KEY 生成的：请把 KEPU_INDEX_KEY 设为"
                    "生成摘要时所用的密钥（通常是轮换前的 KEPU_DATA_KEY）后重试；未改动任何数据")


def rotate(*, batch_size: int = 500, digests: bool = False,
           say: Callable[[str], None] = print) -> list[ColumnResult]:
    if not digests:
        _check_index_key()
    prefix = protected.current_prefix()
    quote = connection.ops.quote_name
    results = []
    for model, column, mirror in protected.protected_columns():
        result = ColumnResult(_label(model, column))
        table, pk, col = quote(model._meta.db_table), quote(model._meta.pk.column), quote(column.column)
        digest_col = quote(mirror.column) if mirror else "NULL"
        last: Any = None
        while True:
            where = f"WHERE {pk} > %s " if last is not None else ""
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {pk}, {col}, {digest_col} FROM {table} {where}ORDER BY {pk} LIMIT %s",
                               [*([last] if last is not None else []), batch_size])
                rows = cursor.fetchall()
            if not rows:
                break
            with transaction.atomic():
                for row_pk, value, stored_digest in rows:
                    _rotate_row(result, model, column, mirror, prefix, digests, row_pk, value, stored_digest)
            last = rows[-1][0]
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {col} <> '' AND {col} NOT LIKE %s", [prefix + "%"])
            result.remaining = int(cursor.fetchone()[0])
        say(f"{result.label}：重新加密 {result.rewritten}，已是当前密钥 {result.current}，期间被他人改动 "
            f"{result.changed_meanwhile}，无法解密 {len(result.failures)}"
            + (f"，重算摘要 {result.digests_rewritten}" if digests else ""))
        results.append(result)
    audit.record(SYSTEM, "core.data_key.rotate", category=AuditCategory.SYSTEM, object_type="data_key",
                 object_id=protected.key_id(settings.KEPU_DATA_KEY),
                 object_repr=f"数据密钥 {protected.key_id(settings.KEPU_DATA_KEY)}",
                 after={"rewritten": sum(r.rewritten for r in results),
                        "digests_rewritten": sum(r.digests_rewritten for r in results),
                        "failures": sum(len(r.failures) for r in results),
                        "remaining": sum(r.remaining for r in results)})
    return results


def _rotate_row(result: ColumnResult, model: type[models.Model], column: protected.ProtectedField,
                mirror: protected.DigestField | None, prefix: str, digests: bool, row_pk: Any, value: Any,
                stored_digest: Any) -> None:
    if not value:
        return
    is_current = value.startswith(prefix)
    if is_current and not (digests and mirror):
        result.current += 1
        return
    try:
        text = protected.unseal(value)
    except (InvalidTag, protected.UnknownDataKey, ValueError) as exc:
        result.failures.append(f"{result.label} #{row_pk}：{exc or '密文无法解密'}")
        return
    sets: dict[str, str] = {}
    if not is_current:
        sets[column.column] = protected.seal(text)
    if mirror is not None:
        fresh = protected.digest(mirror.kind, text)
        if fresh != stored_digest:
            if digests:
                sets[mirror.column] = fresh
            else:
                result.digest_mismatches.append(f"{result.label} #{row_pk}")
    if not sets:
        result.current += 1
        return
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in sets)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {quote(model._meta.db_table)} SET {assignments} "
                       f"WHERE {quote(model._meta.pk.column)} = %s AND {quote(column.column)} = %s",
                       [*sets.values(), row_pk, value])
        changed = cursor.rowcount == 1
    if not changed:
        result.changed_meanwhile += 1
        return
    if column.column in sets:
        result.rewritten += 1
    else:
        result.current += 1
    if mirror is not None and mirror.column in sets:
        result.digests_rewritten += 1
