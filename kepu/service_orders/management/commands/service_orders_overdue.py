from django.core.management.base import BaseCommand

from kepu.service_orders.overdue import process_overdue


class Command(BaseCommand):
    help = "立即检查超时工单：超时的退回上一环节队列，并向纲要办和责任单位督办（后台每小时自动执行）。"

    def handle(self, *args: object, **options: object) -> None:
        summary = process_overdue()
        self.stdout.write(self.style.SUCCESS(f"超时工单检查完成：{summary}。"))
