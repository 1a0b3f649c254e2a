"""Backup and restore (kepu.core.backup): the demo city and some uploaded files are backed up, restored
into an empty second database (a second SQLite file; on PostgreSQL a second database) by the command
an operator runs, and verified; a tampered archive, a missing row or a wrong key stops the restore
before it changes anything."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from kepu.core import backup, protected
from kepu.core.models import AuditEntry
from kepu.volunteers.models import Volunteer
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
FILES = {
    "service_orders/photos/2026/12/现场照片.jpg": b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40,
    "plans/evidence/1/报告.pdf": b"%PDF-1.4\n" + "成效材料".encode() * 500,
    "exports/2026/12/台账.xlsx": b"PK\x03\x04" + os.urandom(3000),
}


@pytest.fixture(scope="module")
def backed_up(django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any) -> dict[str, Any]:
    """One backup of the demo database plus FILES, made inside a transaction that is then rolled back."""
    media = tmp_path_factory.mktemp("media")
    out = tmp_path_factory.mktemp("backup")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=str(media)), transaction.atomic():
        for name, content in FILES.items():
            assert default_storage.save(name, ContentFile(content)) == name
        stdout = io.StringIO()
        call_command("kepu_backup", str(out / "kepu.tar.gz"), stdout=stdout)
        audit_rows = AuditEntry.objects.count()
        transaction.set_rollback(True)
    manifest = json.loads(_member(out / "kepu.tar.gz", backup.MANIFEST))
    return {"archive": out / "kepu.tar.gz", "keys": out / "kepu.keys.env", "media": media, "manifest": manifest,
            "stdout": stdout.getvalue(), "audit_rows": audit_rows}


def _member(archive: Path, name: str) -> bytes:
    with tarfile.open(archive, "r:gz") as tar:
        member = tar.extractfile(name)
        assert member is not None
        return member.read()


def _repack(archive: Path, target: Path, change: dict[str, bytes]) -> Path:
    """A copy of the archive with some members' contents replaced (the manifest left as it was)."""
    with tarfile.open(archive, "r:gz") as source, tarfile.open(target, "w:gz") as out:
        for member in source.getmembers():
            data = source.extractfile(member).read() if member.isfile() else None  # type: ignore[union-attr]
            if member.name in change:
                data = change[member.name]
                member.size = len(data)
            out.addfile(member, io.BytesIO(data) if data is not None else None)
    return target


def _key_env(path: Path) -> dict[str, str]:
    """The key file as `set -a; . file; set +a` would load it."""
    pairs = [line.split("=", 1) for line in path.read_text().splitlines() if line and not line.startswith("#")]
    return {name: value for name, value in pairs}


# ---------------------------------------------------------------- the archive


def test_the_archive_holds_ciphertext_every_table_and_file_and_the_keys_sit_apart(backed_up: dict[str, Any]) -> None:
    manifest, archive, keys = backed_up["manifest"], backed_up["archive"], backed_up["keys"]
    # The key file is secret: mode 0600, beside the archive, never inside it.
    assert stat.S_IMODE(keys.stat().st_mode) == 0o600
    env = _key_env(keys)
    assert env["KEPU_DATA_KEY"] == settings.KEPU_DATA_KEY and env["KEPU_INDEX_KEY"] == protected.index_master()
    with tarfile.open(archive, "r:gz") as tar:
        everything = b"".join(tar.extractfile(m).read() for m in tar.getmembers() if m.isfile())  # type: ignore[union-attr]
    assert settings.KEPU_DATA_KEY.encode() not in everything
    # Encrypted columns travel as ciphertext: no demo volunteer's ID number or phone is in the dump.
    dump = _member(archive, backup.DATA_DUMP).decode()
    person = Volunteer.objects.order_by("pk").first()
    assert person is not None and person.id_number not in dump and person.phone not in dump
    rows = [o for o in json.loads(dump) if o["model"] == "volunteers.volunteer"]
    assert rows and all(protected.is_sealed(o["fields"]["id_number"]) for o in rows)
    # Every table is counted, the append-only audit log included (with the backup's own entry).
    assert manifest["tables"]["core_auditentry"] == backed_up["audit_rows"] == AuditEntry.objects.count() + 1
    assert manifest["tables"]["volunteers_volunteer"] == Volunteer.objects.count()
    assert manifest["tables"]["django_content_type"] > 0 and "django_session" not in manifest["tables"]
    assert {name: entry["sha256"] for name, entry in manifest["files"].items()} == {
        name: hashlib.sha256(content).hexdigest() for name, content in FILES.items()}
    assert manifest["keys"]["data_key_id"] == protected.key_id(settings.KEPU_DATA_KEY)
    assert "密钥文件" in backed_up["stdout"] and str(keys) in backed_up["stdout"]


# ---------------------------------------------------------------- restoring into an empty installation


def _pg_admin() -> Any:
    import psycopg

    conf = connection.settings_dict
    return psycopg.connect(dbname="postgres", user=conf["USER"], password=conf["PASSWORD"] or None,
                           host=conf["HOST"] or None, port=conf["PORT"] or None, autocommit=True)


@pytest.fixture
def empty_target(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """An empty database of the vendor under test (a new SQLite file; a new PostgreSQL database named
    after the test database) and an empty media directory."""
    if connection.vendor == "postgresql":
        name = f"{connection.settings_dict['NAME']}_restore"
        conf = connection.settings_dict
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f'CREATE DATABASE "{name}"')
        auth = conf["USER"] + (f":{conf['PASSWORD']}" if conf["PASSWORD"] else "")
        url = f"postgres://{auth}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"
        yield {"url": url, "vendor": "postgresql", "name": name, "media": tmp_path / "media"}
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        path = tmp_path / "restored.sqlite3"
        yield {"url": f"sqlite:///{path}", "vendor": "sqlite", "path": path, "media": tmp_path / "media"}


def _run_restore(archive: Path, target: dict[str, Any], keys: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("KEPU_", "DATABASE_URL"))}
    env = {**base, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": target["url"],
           "KEPU_MEDIA_ROOT": str(target["media"]), **keys}
    return subprocess.run([sys.executable, "manage.py", "kepu_restore", str(archive)], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=False)


def _query(target: dict[str, Any], sql: str) -> list[tuple[Any, ...]]:
    """Read the restored database directly, not through the code under test."""
    if target["vendor"] == "sqlite":
        with sqlite3.connect(target["path"]) as db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(target["url"].replace("postgres://", "postgresql://")) as db:
        return db.execute(sql).fetchall()  # type: ignore[arg-type]


def _restore_and_check(backed_up: dict[str, Any], target: dict[str, Any]) -> None:
    result = _run_restore(backed_up["archive"], target, _key_env(backed_up["keys"]))
    assert result.returncode == 0, result.stderr
    assert "恢复完成，核对一致" in result.stdout and "KEPU_DATA_KEY" in result.stdout
    assert "检索索引已重建" in result.stdout
    manifest = backed_up["manifest"]
    for table, expected in manifest["tables"].items():
        (count,), = _query(target, f'SELECT COUNT(*) FROM "{table}"')
        # The restore leaves one audit entry of its own, after verifying.
        assert count == expected + (table == "core_auditentry"), table
    # That entry took the next id: the id sequences continue after the restored rows.
    (restored_max,), = _query(target, "SELECT MAX(id) FROM core_auditentry WHERE action <> 'core.backup.restore'")
    (restore_id,), = _query(target, "SELECT id FROM core_auditentry WHERE action = 'core.backup.restore'")
    assert restore_id > restored_max
    for name, content in FILES.items():
        assert hashlib.sha256((target["media"] / name).read_bytes()).digest() == hashlib.sha256(content).digest()
    # Ciphertexts arrive as they were (never decrypted on the way).
    source = {o["pk"]: o["fields"]["id_number"] for o in json.loads(_member(backed_up["archive"], backup.DATA_DUMP))
              if o["model"] == "volunteers.volunteer"}
    assert dict(_query(target, "SELECT id, id_number FROM volunteers_volunteer")) == source


def test_restore_into_an_empty_database_reproduces_every_table_and_file(backed_up: dict[str, Any],
                                                                      empty_target: dict[str, Any]) -> None:
    _restore_and_check(backed_up, empty_target)


@pytest.mark.postgres_only
def test_a_postgresql_backup_restores_into_sqlite(backed_up: dict[str, Any], tmp_path: Path) -> None:
    assert connection.vendor == "postgresql" and backed_up["manifest"]["database_vendor"] == "postgresql"
    path = tmp_path / "from-postgres.sqlite3"
    _restore_and_check(backed_up, {"url": f"sqlite:///{path}", "vendor": "sqlite", "path": path,
                                   "media": tmp_path / "media"})


# ---------------------------------------------------------------- refusals: nothing is changed


def _refused(archive: Path, match: str) -> str:
    volunteers, audit_rows = Volunteer.objects.count(), AuditEntry.objects.count()
    with pytest.raises(CommandError, match=match) as refused:
        call_command("kepu_restore", str(archive), stdout=io.StringIO())
    assert (Volunteer.objects.count(), AuditEntry.objects.count()) == (volunteers, audit_rows)
    return str(refused.value)


def test_a_tampered_file_stops_the_restore(backed_up: dict[str, Any], tmp_path: Path) -> None:
    name = "files/plans/evidence/1/报告.pdf"
    tampered = _repack(backed_up["archive"], tmp_path / "kepu.tar.gz", {name: FILES[name[6:]] + b" "})
    message = _refused(tampered, "未做任何恢复")
    assert "文件 plans/evidence/1/报告.pdf：SHA-256 与清单不符" in message


def test_a_missing_row_stops_the_restore(backed_up: dict[str, Any], tmp_path: Path) -> None:
    rows = json.loads(_member(backed_up["archive"], backup.DATA_DUMP))
    first_audit = next(i for i, o in enumerate(rows) if o["model"] == "core.auditentry")
    del rows[first_audit]
    expected = backed_up["manifest"]["tables"]["core_auditentry"]
    tampered = _repack(backed_up["archive"], tmp_path / "kepu.tar.gz",
                       {backup.DATA_DUMP: json.dumps(rows, ensure_ascii=False).encode()})
    message = _refused(tampered, "未做任何恢复")
    assert f"数据表 core_auditentry：清单 {expected} 行，备份中 {expected - 1} 行" in message


def test_a_wrong_data_key_is_named_with_the_way_to_set_the_right_one(backed_up: dict[str, Any]) -> None:
    wrong = protected.new_data_key()
    with override_settings(KEPU_DATA_KEY=wrong, KEPU_INDEX_KEY=protected.index_master()):
        message = _refused(backed_up["archive"], "密钥不对")
    wanted = backed_up["manifest"]["keys"]["data_key_id"]
    assert f"KEPU_DATA_KEY（编号 {protected.key_id(wrong)}）不是备份所用的密钥（编号 {wanted}）" in message
    assert f"set -a; . {backed_up['keys']}; set +a" in message


def test_a_wrong_index_key_is_named(backed_up: dict[str, Any]) -> None:
    with override_settings(KEPU_INDEX_KEY=protected.new_data_key()):
        message = _refused(backed_up["archive"], "密钥不对")
    assert "KEPU_INDEX_KEY" in message and "KEPU_DATA_KEY（" not in message


def test_every_encrypted_value_is_decrypted_before_anything_is_restored(backed_up: dict[str, Any],
                                                                         tmp_path: Path) -> None:
    # An archive consistent with its manifest whose one ciphertext the key cannot open.
    rows = json.loads(_member(backed_up["archive"], backup.DATA_DUMP))
    person = next(o for o in rows if o["model"] == "volunteers.volunteer")
    other = protected.new_data_key()
    with override_settings(KEPU_DATA_KEY=other):
        person["fields"]["phone"] = protected.seal("13700000000")
    dump = json.dumps(rows, ensure_ascii=False).encode()
    manifest = {**backed_up["manifest"], "dumps": {backup.DATA_DUMP: hashlib.sha256(dump).hexdigest()}}
    archive = _repack(backed_up["archive"], tmp_path / "kepu.tar.gz",
                      {backup.DATA_DUMP: dump, backup.MANIFEST: json.dumps(manifest).encode()})
    message = _refused(archive, "密钥不对")
    assert f"volunteers.volunteer #{person['pk']} phone：无法用环境中的密钥解密" in message


def test_restore_refuses_a_database_or_storage_that_is_not_empty(backed_up: dict[str, Any]) -> None:
    with override_settings(MEDIA_ROOT=str(backed_up["media"])):
        message = _refused(backed_up["archive"], "不能恢复到此处")
    assert "目标数据库不是空库" in message and "目标文件存储不是空的" in message


def test_an_unreadable_archive_is_refused(tmp_path: Path) -> None:
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"not an archive")
    _refused(junk, "不是可读的 kepu 备份")


# ---------------------------------------------------------------- verifying an installation


def test_verification_names_each_table_and_file_that_differs(backed_up: dict[str, Any], tmp_path: Path) -> None:
    media = tmp_path / "media"
    shutil.copytree(backed_up["media"], media)
    manifest = backed_up["manifest"]
    with override_settings(MEDIA_ROOT=str(media)):
        # The backup's own audit entry was rolled back with the test's transaction: exactly that differs.
        expected = manifest["tables"]["core_auditentry"]
        assert backup.verify(manifest) == [f"数据表 core_auditentry：应为 {expected} 行，实有 {expected - 1} 行"]
        (media / "exports/2026/12/台账.xlsx").write_bytes(b"changed")
        VolunteerFactory()
        problems = backup.verify(manifest)
    assert "文件 exports/2026/12/台账.xlsx：SHA-256 不符 (checksum mismatch)" in problems
    assert any(p.startswith("数据表 volunteers_volunteer：应为") for p in problems)
