"""`manage.py kepu_backup OUT_DIR_OR_ARCHIVE [--keys FILE]`: database, uploaded files and keys (kepu.core.backup)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kepu.core import backup


class Command(BaseCommand):
    help = "备份数据库、上传文件和解密所需的密钥（密钥另存为 0600 权限的文件，须与备份分开保管）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("target", help="备份目录，或以 .tar.gz 结尾的备份文件名")
        parser.add_argument("--keys", help="密钥文件写到这里（默认在备份文件旁：<备份名>.keys.env）")

    def handle(self, *args: Any, **options: Any) -> None:
        keys = Path(options["keys"]) if options["keys"] else None
        try:
            archive, key_file, manifest = backup.create(Path(options["target"]), keys=keys, say=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"备份完成 (backup written)：{archive}"))
        self.stdout.write(f"  数据表 tables：{len(manifest['tables'])} 张，{sum(manifest['tables'].values())} 行")
        self.stdout.write(f"  文件 files：{len(manifest['files'])} 个")
        self.stdout.write(self.style.WARNING(
            f"  密钥文件 key file（机密 SECRET，权限 0600）：{key_file}\n"
            "  请把它与备份分开保存：有备份而无密钥，身份证号和手机号无法读取；二者放在一起，加密即失去意义。\n"
            "  (Keep it apart from the archive: without it the encrypted columns cannot be read.)"))
