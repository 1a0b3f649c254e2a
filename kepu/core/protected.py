"""Personal data and secrets encrypted at rest: ID numbers, phones, TOTP secrets.

Masking on screen is not enough for a real-name register: a database dump, a backup or a curious
query must not yield the ID numbers of a city's volunteers (个人信息保护法 treats them as sensitive).
So a `ProtectedField` holds AES-256-GCM ciphertext and decrypts transparently on load, and a
`DigestField` beside it holds a keyed HMAC of the same value, so that "is this ID number already
registered?" and "this phone's orders" stay single indexed lookups without decrypting anything.

Keys come from the environment, never from the code or the database (development and tests use a
per-checkout key file under var/), each 32 bytes in URL-safe base64:

- `KEPU_DATA_KEY` encrypts every new value;
- `KEPU_DATA_KEY_PREVIOUS` (comma-separated) are further keys still accepted for reading, so that a
  key rotation needs no downtime (`manage.py kepu_rotate_data_key`, docs/security.md);
- `KEPU_INDEX_KEY` is the key the lookup digests are made with; it defaults to `KEPU_DATA_KEY` and
  must be set, to the key the digests were made with, once the data key rotates.

A ciphertext reads `k2$<key id>$<nonce and ciphertext>`; the key id (8 hex digits, a keyed hash of
the key, revealing nothing of it) says which key of the ring opens it. Values of the first format,
`k1$…`, carry no key id and are tried against each key of the ring.
"""

from __future__ import annotations

import base64
import contextlib
import contextvars
import functools
import hashlib
import hmac
import os
from collections.abc import Iterator
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models

PREFIX = "k2$"
LEGACY_PREFIX = "k1$"
_NONCE_BYTES = 12
_PASSTHROUGH: contextvars.ContextVar[bool] = contextvars.ContextVar("kepu_ciphertext_passthrough", default=False)


class UnknownDataKey(ValueError):
    """A ciphertext made with a key that is not in the ring (KEPU_DATA_KEY, KEPU_DATA_KEY_PREVIOUS)."""


@functools.lru_cache(maxsize=16)
def _derive(master: str) -> tuple[str, AESGCM, bytes]:
    """(key id, cipher, index key) of one configured key."""
    try:
        raw = base64.urlsafe_b64decode(master + "=" * (-len(master) % 4))
    except ValueError as exc:
        raise ImproperlyConfigured("KEPU_DATA_KEY 须为 32 字节的 URL 安全 Base64 编码") from exc
    if len(raw) != 32:
        raise ImproperlyConfigured("KEPU_DATA_KEY 须为 32 字节的 URL 安全 Base64 编码")
    # Separate keys from one secret: encryption, the blind index and the key's public id never share one.
    encryption = hmac.new(raw, b"kepu:seal:v1", hashlib.sha256).digest()
    index = hmac.new(raw, b"kepu:index:v1", hashlib.sha256).digest()
    key_id = hmac.new(raw, b"kepu:key-id:v1", hashlib.sha256).hexdigest()[:8]
    return key_id, AESGCM(encryption), index


def new_data_key() -> str:
    """A fresh key for KEPU_DATA_KEY."""
    return base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")


def key_id(master: str) -> str:
    """The public id of a key (in ciphertexts, backup manifests and messages); reveals nothing of it."""
    return _derive(master)[0]


def previous_keys() -> list[str]:
    value: Any = getattr(settings, "KEPU_DATA_KEY_PREVIOUS", ())
    keys = value.split(",") if isinstance(value, str) else list(value)
    return [k.strip() for k in keys if k and k.strip()]


def ring() -> list[str]:
    """The keys that may be read, the current (writing) one first."""
    current = settings.KEPU_DATA_KEY
    return [current, *(k for k in previous_keys() if k != current)]


def index_master() -> str:
    """The key the lookup digests are made with."""
    return getattr(settings, "KEPU_INDEX_KEY", "") or settings.KEPU_DATA_KEY


def current_prefix() -> str:
    """How every value written under the current key begins."""
    return f"{PREFIX}{key_id(settings.KEPU_DATA_KEY)}$"


def seal(text: str) -> str:
    """Ciphertext of `text` under the current key (random nonce: equal texts give different
    ciphertexts). Empty stays empty."""
    if text == "":
        return ""
    kid, aead, _ = _derive(settings.KEPU_DATA_KEY)
    nonce = os.urandom(_NONCE_BYTES)
    token = base64.urlsafe_b64encode(nonce + aead.encrypt(nonce, text.encode(), None)).decode()
    return f"{PREFIX}{kid}${token}"


def _open(aead: AESGCM, token: str) -> str:
    raw = base64.urlsafe_b64decode(token)
    return aead.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], None).decode()


def unseal(value: str) -> str:
    """The text of a ciphertext, under whichever key of the ring made it. A tampered value raises
    InvalidTag; one made with a key outside the ring raises UnknownDataKey."""
    if value == "":
        return ""
    if value.startswith(PREFIX):
        kid, _, token = value[len(PREFIX):].partition("$")
        for master in ring():
            found, aead, _ = _derive(master)
            if found == kid:
                return _open(aead, token)
        raise UnknownDataKey(f"加密值所用密钥（编号 {kid}）不在 KEPU_DATA_KEY / KEPU_DATA_KEY_PREVIOUS 中")
    if value.startswith(LEGACY_PREFIX):
        for master in ring():
            try:
                return _open(_derive(master)[1], value[len(LEGACY_PREFIX):])
            except InvalidTag:
                continue
        raise InvalidTag("k1$ 加密值无法用 KEPU_DATA_KEY / KEPU_DATA_KEY_PREVIOUS 中任何密钥解密")
    raise ValueError("not a kepu ciphertext (is the column migrated?)")


def is_sealed(value: str | None) -> bool:
    return bool(value) and str(value).startswith((PREFIX, LEGACY_PREFIX))


@contextlib.contextmanager
def ciphertext_passthrough() -> Iterator[None]:
    """Inside this block `ProtectedField` values are the stored ciphertexts, read and written as they
    are: backup and restore move the data without ever decrypting it (kepu_backup, kepu_restore)."""
    token = _PASSTHROUGH.set(True)
    try:
        yield
    finally:
        _PASSTHROUGH.reset(token)


def normalize(kind: str, value: str) -> str:
    """The form a value is compared in: ID numbers upper-case (the X check digit), all stripped."""
    text = (value or "").strip()
    return text.upper() if kind == "id_number" else text


def digest(kind: str, value: str) -> str:
    """Keyed HMAC-SHA256 of a normalised value; the same for equal values, useless without the key."""
    text = normalize(kind, value)
    if not text:
        return ""
    key = _derive(index_master())[2]
    return hmac.new(key, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()


class ProtectedField(models.TextField):
    """A text column stored encrypted. It cannot be filtered on (a random nonce makes equal values
    differ): filter on the `DigestField` that mirrors it; asking for `field=value` raises at once
    instead of silently matching nothing."""

    description = "Encrypted text"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None or _PASSTHROUGH.get() else unseal(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        if _PASSTHROUGH.get():
            if value and not is_sealed(value):
                raise ValueError(f"{self.name}：原样写入的值不是密文")
            return value
        return seal(str(value))

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


def protected_columns() -> list[tuple[type[models.Model], ProtectedField, DigestField | None]]:
    """Every encrypted column of the installed models, with the digest field that mirrors it (if any)."""
    from django.apps import apps

    found = []
    for model in apps.get_models():
        meta = model._meta
        if meta.proxy or not meta.managed:
            continue
        for field in meta.concrete_fields:
            if isinstance(field, ProtectedField):
                mirror = next((f for f in meta.concrete_fields
                               if isinstance(f, DigestField) and f.source == field.name), None)
                found.append((model, field, mirror))
    return found
