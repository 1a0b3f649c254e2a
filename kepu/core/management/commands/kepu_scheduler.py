import time

from django.core.management.base import BaseCommand

from kepu.core.scheduler import enqueue_due


class Command(BaseCommand):
    help = "按日程把每日任务（如任务红黄绿灯重算、超时工单退回）放入后台任务队列。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--once", action="store_true", help="只检查一次后退出（供 cron 调用）")
        parser.add_argument("--interval", type=int, default=60, help="检查间隔（秒）")

    def handle(self, *args: object, once: bool = False, interval: int = 60, **options: object) -> None:
        while True:
            for name in enqueue_due():
                self.stdout.write(f"已排入队列：{name}")
            if once:
                return
            time.sleep(interval)
