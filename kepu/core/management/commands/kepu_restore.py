"""`manage.py kepu_restore ARCHIVE`: restore a kepu_backup archive into an empty installation and verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from kepu.core import backup


class Command(BaseCommand):
    help = ("把 kepu_backup 的备份恢复到空的数据库和文件存储，并逐表核对行数、逐个核对文件校验和；"
            "先在环境中设置备份时的 KEPU_DATA_KEY 和 KEPU_INDEX_KEY")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", help="kepu_backup 写出的 .tar.gz 文件")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["archive"])
        try:
            manifest = backup.restore(path, say=self.stdout.write)
        except backup.BackupError as exc:
            raise CommandError(f"恢复失败 (restore failed)：{exc}") from exc
        tables, files = manifest["tables"], manifest["files"]
        self.stdout.write(self.style.SUCCESS("恢复完成，核对一致 (restore complete and verified)"))
        self.stdout.write(f"  数据表 tables：{len(tables)} 张，{sum(tables.values())} 行，每张表行数与清单一致 "
                          "(every row count matches)")
        self.stdout.write(f"  文件 files：{len(files)} 个，每个 SHA-256 与清单一致 (every checksum matches)")
        self.stdout.write("  加密字段 encrypted fields：已用环境中的密钥解密核对 (decrypt with the keys in the environment)")
        for label, reason in manifest["excluded"].items():
            self.stdout.write(f"  未备份 not included：{label} —— {reason}")
        self.stdout.write(self.style.WARNING(
            "  所有 kepu 进程（网站、后台任务、定时任务）的环境须设置同样的 KEPU_DATA_KEY 和 KEPU_INDEX_KEY"
            "（见备份旁的 .keys.env 文件），否则加密字段无法读取。\n"
            "  (Every kepu process needs the same KEPU_DATA_KEY and KEPU_INDEX_KEY, from the .keys.env file.)"))
