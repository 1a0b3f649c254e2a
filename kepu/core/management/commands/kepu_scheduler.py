import logging
import time

from django.core.management.base import BaseCommand
from django.db import DatabaseError, close_old_connections, connections

from kepu.core.scheduler import enqueue_due

log = logging.getLogger(__name__)
MAX_BACKOFF = 300


class Command(BaseCommand):
    help = "按日程把每日任务（如任务红黄绿灯重算、超时工单退回）放入后台任务队列。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--once", action="store_true", help="只检查一次后退出（供 cron 调用）")
        parser.add_argument("--interval", type=int, default=60, help="检查间隔（秒）")

    def handle(self, *args: object, once: bool = False, interval: int = 60, **options: object) -> None:
        failures = 0
        while True:
            try:
                close_old_connections()
                for name in enqueue_due():
                    self.stdout.write(f"已排入队列：{name}")
                failures = 0
            except DatabaseError as exc:
                # The database is down or restarting: keep the scheduler alive and try again later,
                # backing off, instead of exiting and leaving nobody to enqueue the day's jobs.
                if once:
                    raise
                failures += 1
                log.error("scheduler: database unavailable (%s); retrying", type(exc).__name__)
                connections.close_all()
                time.sleep(min(interval * 2 ** (failures - 1), MAX_BACKOFF))
                continue
            if once:
                return
            time.sleep(interval)
