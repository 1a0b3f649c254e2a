"""Personal data and secrets encrypted at rest: ID numbers, phones, TOTP secrets.

Masking on screen is not enough for a real-name register: a database dump, a backup or a curious
query must not yield the ID numbers of a city's volunteers (个人信息保护法 treats them as sensitive).
So a `ProtectedField` holds AES-256-GCM ciphertext and decrypts transparently on load, and a
`DigestField` beside it holds a keyed HMAC of the same value, so that "is this ID number already
registered?" and "this phone's orders" stay single indexed lookups without decrypting anything.

The key comes from the environment (`KEPU_DATA_KEY`, 32 bytes in URL-safe base64), never from the
code or the database; development and tests use a per-checkout key file under var/. Ciphertexts
carry a key version prefix (`k1$`) so that a later key rotation can re-encrypt row by row.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import os
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

PREFIX = "k1$"
_NONCE_BYTES = 12


@functools.lru_cache(maxsize=4)
def _keys(master: str) -> tuple[AESGCM, bytes]:
    try:
        raw = base64.urlsafe_b64decode(master + "=" * (-len(master) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured("KEPU_DATA_KEY 须为 32 字节的 URL 安全 Base64 编码") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("KEPU_DATA_KEY 须为 32 字节的 URL 安全 Base64 编码")
    # Two keys from one secret: encryption and the blind index never share a key.
    encryption = hmac.new(raw, b"kepu:seal:v1", hashlib.sha256).digest()
    index = hmac.new(raw, b"kepu:index:v1", hashlib.sha256).digest()
    return AESGCM(encryption), index


def new_data_key() -> str:
    """A fresh key for KEPU_DATA_KEY."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def seal(text: str) -> str:
    """Ciphertext of `text` (random nonce: equal texts give different ciphertexts). Empty stays empty."""
    if text == "":
        return ""
    aead, _ = _keys(settings.KEPU_DATA_KEY)
    nonce = os.urandom(_NONCE_BYTES)
    token = base64.urlsafe_b64encode(nonce + aead.encrypt(nonce, text.encode(), None)).decode()
    return PREFIX + token


def unseal(value: str) -> str:
    if value == "":
        return ""
    if not value.startswith(PREFIX):
        raise ValueError("not a kepu ciphertext (is the column migrated?)")
    aead, _ = _keys(settings.KEPU_DATA_KEY)
    raw = base64.urlsafe_b64decode(value[len(PREFIX):])
    return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()


def is_sealed(value: str | None) -> bool:
    return bool(value) and str(value).startswith(PREFIX)


def normalize(kind: str, value: str) -> str:
    """The form a value is compared in: ID numbers upper-case (the X check digit), all stripped."""
    text = (value or "").strip()
    return text.upper() if kind == "id_number" else text


def digest(kind: str, value: str) -> str:
    """Keyed HMAC-SHA256 of a normalised value; the same for equal values, useless without the key."""
    text = normalize(kind, value)
    if not text:
        return ""
    _, key = _keys(settings.KEPU_DATA_KEY)
    return hmac.new(key, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()


class ProtectedField(models.TextField):
    """A text column stored encrypted. It cannot be filtered on (a random nonce makes equal values
    differ): filter on the `DigestField` that mirrors it; asking for `field=value` raises at once
    instead of silently matching nothing."""

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value if value is None else seal(str(value))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name != "isnull":
            raise FieldError(f"{self.name} 为加密字段，不能按 {lookup_name} 查询；请按对应的摘要字段查询")
        return super().get_lookup(lookup_name)


class DigestField(models.CharField):
    """The keyed digest of another field on the same model, kept current on every save and insert.
    `bulk_update` does not call `pre_save`: call `refresh_digests(instance)` before it."""

    def __init__(self, *args: Any, source: str = "", kind: str = "", **kwargs: Any) -> None:
        self.source, self.kind = source, kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.update(source=self.source, kind=self.kind)
        for key, default in (("max_length", 64), ("editable", False), ("blank", True)):
            if kwargs.get(key) == default:
                kwargs.pop(key)
        return name, path, args, kwargs

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = digest(self.kind, getattr(model_instance, self.source) or "")
        setattr(model_instance, self.attname, value)
        return value


def refresh_digests(instance: models.Model) -> None:
    for field in instance._meta.concrete_fields:
        if isinstance(field, DigestField):
            field.pre_save(instance, add=False)


def seal_existing(connection: Any, table: str, columns: dict[str, tuple[str | None, str]]) -> None:
    """Migration step: encrypt a table's plain-text values in place and fill their digests.
    `columns` maps a column to (its digest column or None, its kind). Raw SQL, because the model
    fields already expect ciphertext; values already sealed are left alone, so it can run twice."""
    quote = connection.ops.quote_name
    names = list(columns)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(quote(n) for n in names)} FROM {quote(table)}")
        rows = cursor.fetchall()
        for pk, *values in rows:
            sets: dict[str, str] = {}
            for name, value in zip(names, values, strict=True):
                if value is None or is_sealed(value):
                    continue
                digest_column, kind = columns[name]
                sets[name] = seal(value)
                if digest_column:
                    sets[digest_column] = digest(kind, value)
            if sets:
                assignments = ", ".join(f"{quote(c)} = %s" for c in sets)
                cursor.execute(f"UPDATE {quote(table)} SET {assignments} WHERE id = %s", [*sets.values(), pk])
