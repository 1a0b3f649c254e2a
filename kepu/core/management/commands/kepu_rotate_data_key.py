"""`manage.py kepu_rotate_data_key [--batch-size N] [--digests]`: re-encrypt every protected value under
the current KEPU_DATA_KEY while the site runs (kepu.core.key_rotation; procedure in docs/security.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from kepu.core import key_rotation, protected


class Command(BaseCommand):
    help = ("把所有加密字段改用当前的 KEPU_DATA_KEY 重新加密（不停机，分批，可重复运行）；"
            "旧密钥须在 KEPU_DATA_KEY_PREVIOUS 中")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=500, help="每批（一个事务）处理的行数")
        parser.add_argument("--digests", action="store_true",
                            help="同时按当前 KEPU_INDEX_KEY 重算全部查询摘要（仅在更换 KEPU_INDEX_KEY 后、停机时使用）")

    def handle(self, *args: Any, batch_size: int = 500, digests: bool = False, **options: Any) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size 须为正整数")
        current = protected.key_id(settings.KEPU_DATA_KEY)
        others = "、".join(protected.key_id(k) for k in protected.previous_keys()) or "无"
        self.stdout.write(f"当前密钥 current key：{current}；仍可读取的旧密钥 previous keys：{others}")
        try:
            results = key_rotation.rotate(batch_size=batch_size, digests=digests, say=self.stdout.write)
        except key_rotation.RotationRefused as exc:
            raise CommandError(str(exc)) from exc
        rewritten = sum(r.rewritten for r in results)
        problems = [line for r in results for line in r.failures[:5]]
        problems += [f"{line}：查询摘要与 KEPU_INDEX_KEY 不符" for r in results for line in r.digest_mismatches[:5]]
        remaining = sum(r.remaining for r in results)
        self.stdout.write(f"合计 total：重新加密 {rewritten} 个值 (values re-encrypted)")
        if problems:
            raise CommandError("部分值未能处理 (some values could not be processed)：\n" + "\n".join(problems))
        if remaining:
            raise CommandError(
                f"仍有 {remaining} 个值不是用当前密钥（{current}）加密的：它们是运行本命令期间由尚未换用新配置的进程写入的。"
                "请确认所有进程都已用新的 KEPU_DATA_KEY 重启，再运行一次本命令。")
        self.stdout.write(self.style.SUCCESS(
            f"全部加密值都已使用当前密钥 {current} (every value is under the current key)。"
            "确认无误后可从所有进程的环境中移除 KEPU_DATA_KEY_PREVIOUS。"))
