"""Backup and restore of a whole installation: the database, the uploaded files, the keys to read them.

One archive (`.tar.gz`) holds `manifest.json` (each table's row count, each file's SHA-256, the
migrations applied, the ids of the keys), `database/*.json` (Django's serialisation: portable between
SQLite and PostgreSQL) and `files/…` (every file of the default storage, read through the storage API
so that a filesystem or an object-store backend backs up alike). Encrypted columns are copied as the
ciphertexts they are (`protected.ciphertext_passthrough`): the archive alone never yields an ID number.
The keys go to a separate file (`….keys.env`, mode 0600) to be kept apart from the archive.

Restore checks everything it can before it touches anything (the archive against its manifest, the
keys in the environment against every encrypted value, an empty target), then migrates, loads,
copies the files back, rebuilds the search index, and verifies row counts and checksums again in the
restored installation. docs/operations.md has the procedure.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files import File
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

from kepu.core import audit, protected
from kepu.core.access import SYSTEM
from kepu.core.models import AuditCategory

FORMAT = "kepu-backup/1"
MANIFEST = "manifest.json"
DATA_DUMP = "database/data.json"
# Left out, with the reason the summary gives.
EXCLUDED = {
    "sessions.session": "会话不备份，恢复后用户重新登录 (sessions are not backed up: users sign in again)",
    "search.searchdocument": "检索索引在恢复后由 search_rebuild 重建 (the search index is rebuilt after restore)",
}
CHUNK = 1024 * 1024
BATCH = 500
Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore refused or failed; `problems` are one Chinese line each."""

    def __init__(self, title: str, problems: list[str]) -> None:
        super().__init__(title + "\n" + "\n".join(f"  - {p}" for p in problems))
        self.title, self.problems = title, problems


# ---------------------------------------------------------------- what is backed up

def _models() -> list[type[models.Model]]:
    """The models whose tables the archive holds, auto-created many-to-many tables included."""
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in EXCLUDED:
            continue
        chosen.append(model)
    return chosen


def tables() -> dict[str, type[models.Model]]:
    return {model._meta.db_table: model for model in _models()}


def count_rows() -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(tables()):
            cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
            counts[table] = int(cursor.fetchone()[0])
    return counts


def _storage() -> Storage:
    return default_storage


def storage_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, depth first, through the storage API only."""
    try:
        folders, names = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(names):
        yield f"{folder}{name}"
    for sub in sorted(folders):
        yield from storage_files(storage, f"{folder}{sub}/")


def _sha256(stream: IO[bytes], copy_to: IO[bytes] | None = None) -> tuple[str, int]:
    hasher, size = hashlib.sha256(), 0
    while chunk := stream.read(CHUNK):
        hasher.update(chunk)
        size += len(chunk)
        if copy_to is not None:
            copy_to.write(chunk)
    return hasher.hexdigest(), size


def _protected_columns() -> dict[str, list[tuple[str, str | None, str]]]:
    """model label → [(protected field name, its digest field name or None, digest kind)]."""
    found: dict[str, list[tuple[str, str | None, str]]] = {}
    for model, field, mirror in protected.protected_columns():
        found.setdefault(model._meta.label_lower, []).append(
            (field.name, mirror.name if mirror else None, mirror.kind if mirror else ""))
    return found


def key_ids() -> dict[str, Any]:
    return {
        "data_key_id": protected.key_id(settings.KEPU_DATA_KEY),
        "previous_key_ids": [protected.key_id(k) for k in protected.previous_keys()],
        "index_key_id": protected.key_id(protected.index_master()),
    }


def _fixture_counts(objects: list[dict[str, Any]]) -> Counter[str]:
    """Rows per table that a serialised fixture will load, many-to-many rows included."""
    counts: Counter[str] = Counter()
    for obj in objects:
        model = apps.get_model(obj["model"])
        counts[model._meta.db_table] += 1
        for field in model._meta.many_to_many:
            through = field.remote_field.through
            if through._meta.auto_created and field.name in obj["fields"]:
                counts[through._meta.db_table] += len(obj["fields"][field.name])
    return counts


# ---------------------------------------------------------------- backup

def archive_paths(target: Path) -> tuple[Path, Path]:
    """(archive, key file) for a target that is a directory or an archive name."""
    if target.is_dir() or not target.name.endswith(".tar.gz"):
        target.mkdir(parents=True, exist_ok=True)
        target = target / f"kepu-backup-{datetime.datetime.now():%Y%m%d-%H%M%S}.tar.gz"
    target.parent.mkdir(parents=True, exist_ok=True)
    return target, target.with_name(target.name.removesuffix(".tar.gz") + ".keys.env")


def write_keys(path: Path) -> None:
    """The keys in environment-file form, readable by its owner only."""
    lines = [
        "# kepu 密钥 —— 机密：与备份分开保存，勿与备份放在同一处 (SECRET: keep apart from the backup archive)",
        "# 恢复前加载 (before kepu_restore): set -a; . ./this-file; set +a",
        f"KEPU_DATA_KEY={settings.KEPU_DATA_KEY}",
        f"KEPU_INDEX_KEY={protected.index_master()}",
    ]
    if protected.previous_keys():
        lines.append(f"KEPU_DATA_KEY_PREVIOUS={','.join(protected.previous_keys())}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)


def create(target: Path, *, keys: Path | None = None, say: Say = print) -> tuple[Path, Path, dict[str, Any]]:
    """Write the archive (and the key file) for the current installation; returns (archive, keys, manifest)."""
    archive, key_file = archive_paths(target)
    key_file = keys or key_file
    storage = _storage()
    with tempfile.TemporaryDirectory(prefix="kepu-backup-") as tmp:
        work = Path(tmp)
        (work / "database").mkdir()
        outer = connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and not outer:
                # The first statement of the transaction: every table below is read in one snapshot.
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            audit.record(SYSTEM, "core.backup.create", category=AuditCategory.EXPORT, object_type="backup",
                         object_repr=archive.name[:200], after={"archive": archive.name, **key_ids()})
            with protected.ciphertext_passthrough():
                # Every row with its own primary key, content types and permissions included: the
                # restore replaces the ones `migrate` made, so every reference keeps its meaning.
                call_command("dumpdata", exclude=list(EXCLUDED), output=str(work / DATA_DUMP), verbosity=0)
            counts = count_rows()
            applied = sorted(f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations())
        say(f"数据库已导出 (database dumped)：{len(counts)} 张表，{sum(counts.values())} 行")

        dumped = _fixture_counts(json.loads((work / DATA_DUMP).read_text(encoding="utf-8")))
        with open(work / DATA_DUMP, "rb") as stream:
            dumps = {DATA_DUMP: _sha256(stream)[0]}
        differ = [f"{t}：数据库 {n} 行，导出 {dumped.get(t, 0)} 行" for t, n in counts.items() if dumped.get(t, 0) != n]
        if differ:
            raise BackupError("备份失败：导出的行数与数据库不一致 (dump does not match the database)", differ)

        files: dict[str, dict[str, Any]] = {}
        (work / "files").mkdir()
        for name in storage_files(storage):
            local = work / "files" / name
            local.parent.mkdir(parents=True, exist_ok=True)
            with storage.open(name, "rb") as stream, open(local, "wb") as out:
                digest, size = _sha256(stream, out)
            files[name] = {"sha256": digest, "size": size}
        say(f"文件已复制 (files copied)：{len(files)} 个，{sum(f['size'] for f in files.values())} 字节")

        manifest = {
            "format": FORMAT,
            "created_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "database_vendor": connection.vendor,
            "migrations": applied,
            "tables": counts,
            "dumps": dumps,
            "files": files,
            "keys": key_ids(),
            "excluded": {label: reason for label, reason in EXCLUDED.items()},
        }
        (work / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        partial = archive.with_name(archive.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            for entry in (MANIFEST, "database", "files"):
                tar.add(work / entry, arcname=entry)
        os.chmod(partial, 0o600)
        partial.replace(archive)
    write_keys(key_file)
    return archive, key_file, manifest


# ---------------------------------------------------------------- restore

@dataclass
class Archive:
    root: Path
    manifest: dict[str, Any]

    def dump(self, name: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = json.loads((self.root / name).read_text(encoding="utf-8"))
        return rows


def open_archive(path: Path, into: Path) -> Archive:
    if not path.is_file():
        raise BackupError("无法恢复 (cannot restore)", [f"找不到备份文件 {path}"])
    try:
        with tarfile.open(path, "r:gz") as tar:
            tar.extractall(into, filter="data")
        manifest = json.loads((into / MANIFEST).read_text(encoding="utf-8"))
    except (tarfile.TarError, OSError, ValueError) as exc:
        raise BackupError("无法恢复 (cannot restore)", [f"{path} 不是可读的 kepu 备份：{exc}"]) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError("无法恢复 (cannot restore)", [f"备份格式 {manifest.get('format')!r} 不是 {FORMAT}"])
    return Archive(into, manifest)


def check_archive(archive: Archive) -> list[str]:
    """The archive against its own manifest: dump checksums, rows per table, every file's checksum."""
    problems = []
    manifest = archive.manifest
    for name, expected in manifest["dumps"].items():
        with open(archive.root / name, "rb") as stream:
            if _sha256(stream)[0] != expected:
                problems.append(f"{name}：校验和与清单不符 (checksum mismatch)")
    dumped: Counter[str] = Counter()
    for name in manifest["dumps"]:
        dumped.update(_fixture_counts(archive.dump(name)))
    for table, count in manifest["tables"].items():
        if dumped.get(table, 0) != count:
            problems.append(f"数据表 {table}：清单 {count} 行，备份中 {dumped.get(table, 0)} 行 (row count mismatch)")
    folder = archive.root / "files"
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()
    for name, entry in manifest["files"].items():
        if name not in present:
            problems.append(f"文件 {name}：备份中缺失 (missing)")
            continue
        with open(folder / name, "rb") as stream:
            if _sha256(stream)[0] != entry["sha256"]:
                problems.append(f"文件 {name}：SHA-256 与清单不符 (checksum mismatch)")
    problems += [f"文件 {name}：不在清单中 (not in the manifest)" for name in sorted(present - set(manifest["files"]))]
    return problems


def key_instructions(key_file: Path | None) -> str:
    source = f"set -a; . {key_file}; set +a" if key_file else "KEPU_DATA_KEY=… KEPU_INDEX_KEY=…"
    return (f"请在运行 kepu_restore 和启动 kepu 的环境中设置备份时的密钥 (set the backup's keys in the environment): "
            f"{source}")


def check_keys(archive: Archive, key_file: Path | None) -> list[str]:
    """The environment's keys against the backup: ids first, then every encrypted value and digest."""
    wanted, have = archive.manifest["keys"], key_ids()
    ring_ids = [have["data_key_id"], *have["previous_key_ids"]]
    problems = []
    if wanted["data_key_id"] not in ring_ids:
        problems.append(f"环境中的 KEPU_DATA_KEY（编号 {have['data_key_id']}）不是备份所用的密钥（编号 "
                        f"{wanted['data_key_id']}）(wrong KEPU_DATA_KEY)")
    if wanted["index_key_id"] != have["index_key_id"]:
        problems.append(f"环境中的查询摘要密钥（编号 {have['index_key_id']}）不是备份所用的（编号 "
                        f"{wanted['index_key_id']}）：请设置 KEPU_INDEX_KEY (wrong KEPU_INDEX_KEY)")
    if problems:
        return [*problems, key_instructions(key_file)]
    columns = _protected_columns()
    failed: list[str] = []
    for obj in archive.dump(DATA_DUMP):
        for name, mirror, kind in columns.get(obj["model"], ()):
            value = obj["fields"].get(name) or ""
            try:
                text = protected.unseal(value)
            except (InvalidTag, protected.UnknownDataKey, ValueError):
                failed.append(f"{obj['model']} #{obj.get('pk')} {name}：无法用环境中的密钥解密 (cannot decrypt)")
                continue
            if mirror and obj["fields"].get(mirror) != protected.digest(kind, text):
                failed.append(f"{obj['model']} #{obj.get('pk')} {mirror}：查询摘要与 KEPU_INDEX_KEY 不符 (digest mismatch)")
    if failed:
        more = [f"……共 {len(failed)} 处"] if len(failed) > 5 else []
        return [*failed[:5], *more, key_instructions(key_file)]
    return []


def check_migrations(archive: Archive) -> list[str]:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    archived = set(archive.manifest["migrations"])
    known = {f"{app}.{name}" for app, name in loader.disk_migrations}
    missing = sorted(f"{app}.{name}" for app, name in loader.graph.leaf_nodes() if f"{app}.{name}" not in archived)
    unknown = sorted(archived - known)
    problems = [f"备份早于当前版本，缺少迁移 {m}" for m in missing]
    problems += [f"备份来自更新的版本，当前代码没有迁移 {m}" for m in unknown]
    if problems:
        problems.append("请用与备份时相同版本的 kepu 恢复，恢复后再升级 (restore with the version that made the backup)")
    return problems


def check_empty(storage: Storage) -> list[str]:
    problems = []
    existing = connection.introspection.table_names()
    if existing:
        problems.append(f"目标数据库不是空库：已有 {len(existing)} 张表（如 {', '.join(existing[:3])}）。"
                        "请新建一个空数据库（PostgreSQL：createdb；SQLite：新的文件路径）并让 DATABASE_URL 指向它 "
                        "(the target database must be empty: no tables)")
    files = list(storage_files(storage))
    if files:
        problems.append(f"目标文件存储不是空的：已有 {len(files)} 个文件（如 {files[0]}）。"
                        "请让 KEPU_MEDIA_ROOT 指向一个空目录 (the file storage must be empty)")
    return problems


def _clear_migrate_rows() -> None:
    """A fresh `migrate` makes content types, permissions and some seed rows (rule sets, targets);
    the archive brings all of its own, with their primary keys. Foreign keys are checked at commit."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in tables():
            cursor.execute(f"DELETE FROM {quote(table)}")


def load(path: Path) -> int:
    """Insert a dump's rows as they are, primary keys, timestamps, digests and ciphertexts included.
    `loaddata` would try an UPDATE before each INSERT; into emptied tables, raw batched inserts (what
    `bulk_create` does, without its `pre_save` rewriting timestamps and digests) are several times faster."""
    by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    links: dict[type[models.Model], list[models.Model]] = defaultdict(list)
    with open(path, encoding="utf-8") as stream:
        for item in serializers.deserialize("json", stream):
            instance = item.object
            by_model[type(instance)].append(instance)
            for name, targets in (item.m2m_data or {}).items():
                field = instance._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                links[through] += [through(**{f"{source}_id": instance.pk, f"{target}_id": t}) for t in targets]
    total = 0
    for model, rows in [*by_model.items(), *links.items()]:
        fields = [f for f in model._meta.local_concrete_fields if not f.generated]
        if model in links:
            fields = [f for f in fields if not f.primary_key]
        for start in range(0, len(rows), BATCH):
            model._base_manager._insert(rows[start:start + BATCH], fields=fields, using=connection.alias, raw=True)
        total += len(rows)
    models_loaded = [*by_model, *links]
    with connection.cursor() as cursor:
        for statement in connection.ops.sequence_reset_sql(no_style(), models_loaded):
            cursor.execute(statement)
    return total


def verify(manifest: dict[str, Any], storage: Storage | None = None) -> list[str]:
    """This installation against a manifest: every table's row count, every file's SHA-256, and one
    encrypted value per column decrypting (through the model, as the application reads it)."""
    storage = storage or _storage()
    problems = []
    counts = count_rows()
    for table, expected in manifest["tables"].items():
        if counts.get(table) != expected:
            problems.append(f"数据表 {table}：应为 {expected} 行，实有 {counts.get(table, '（无此表）')} 行")
    for name, entry in manifest["files"].items():
        try:
            with storage.open(name, "rb") as stream:
                digest = _sha256(stream)[0]
        except FileNotFoundError:
            problems.append(f"文件 {name}：缺失 (missing)")
            continue
        if digest != entry["sha256"]:
            problems.append(f"文件 {name}：SHA-256 不符 (checksum mismatch)")
    quote = connection.ops.quote_name
    for label, columns in _protected_columns().items():
        model = apps.get_model(label)
        for name, mirror, kind in columns:
            column = model._meta.get_field(name).column
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT {quote(model._meta.pk.column)} FROM {quote(model._meta.db_table)} "
                               f"WHERE {quote(column)} IS NOT NULL AND {quote(column)} <> '' LIMIT 1")
                row = cursor.fetchone()
            if row is None:
                continue
            try:
                obj = model._base_manager.get(pk=row[0])
            except (InvalidTag, protected.UnknownDataKey, ValueError):
                problems.append(f"{label} #{row[0]} {name}：无法用当前密钥解密 (cannot decrypt)")
                continue
            if mirror and getattr(obj, mirror) != protected.digest(kind, getattr(obj, name)):
                problems.append(f"{label} #{row[0]} {mirror}：查询摘要与 KEPU_INDEX_KEY 不符 (digest mismatch)")
    return problems


def restore(path: Path, *, say: Say = print) -> dict[str, Any]:
    """Restore an archive into this (empty) installation; returns the manifest. Raises BackupError."""
    key_file = path.with_name(path.name.removesuffix(".tar.gz") + ".keys.env")
    key_file_or_none = key_file if key_file.exists() else None
    storage = _storage()
    with tempfile.TemporaryDirectory(prefix="kepu-restore-") as tmp:
        archive = open_archive(path, Path(tmp))
        manifest = archive.manifest
        problems = check_archive(archive)
        if problems:
            raise BackupError("备份文件已损坏或被改动，未做任何恢复 (the archive does not match its manifest; "
                              "nothing was restored)", problems)
        problems = check_keys(archive, key_file_or_none)
        if problems:
            raise BackupError("密钥不对，未做任何恢复 (wrong keys; nothing was restored)", problems)
        problems = check_migrations(archive) + check_empty(storage)
        if problems:
            raise BackupError("不能恢复到此处，未做任何改动 (cannot restore here; nothing was changed)", problems)
        say(f"备份检查通过 (archive verified)：{manifest['created_at']}，{len(manifest['tables'])} 张表，"
            f"{len(manifest['files'])} 个文件")

        call_command("migrate", interactive=False, verbosity=0)
        say("数据库结构已建立 (migrated)")
        try:
            with transaction.atomic(), protected.ciphertext_passthrough():
                _clear_migrate_rows()
                load(archive.root / DATA_DUMP)
        except DatabaseError as exc:
            raise BackupError("载入数据失败，数据库中只有刚建立的空表 (loading failed; the database holds only the "
                              "empty tables just made)", [str(exc), "请删除并重新创建空数据库后再试"]) from exc
        ContentType.objects.clear_cache()  # the ids `migrate` gave are gone
        say(f"数据已载入 (data loaded)：{sum(manifest['tables'].values())} 行")

        for name in manifest["files"]:
            with open(archive.root / "files" / name, "rb") as stream:
                saved = storage.save(name, File(stream, name=name))
            if saved != name:
                raise BackupError("文件恢复失败 (file restore failed)", [f"{name} 被存为 {saved}"])
        say(f"文件已恢复 (files restored)：{len(manifest['files'])} 个")
        call_command("search_rebuild", stdout=io.StringIO())
        say("检索索引已重建 (search index rebuilt)")

    problems = verify(manifest, storage)
    if problems:
        raise BackupError("恢复后核对不一致 (verification failed after restore)", problems)
    audit.record(SYSTEM, "core.backup.restore", category=AuditCategory.IMPORT, object_type="backup",
                 object_repr=path.name[:200], after={"archive": path.name, "created_at": manifest["created_at"]})
    return manifest

