from django.core.management.base import BaseCommand

from kepu.core.registry import demo_seeds


class Command(BaseCommand):
    help = "载入演示城市（昆山市）的数据；可重复执行，已有数据不会重复创建。"

    def handle(self, *args: object, **options: object) -> None:
        for seed in demo_seeds():
            self.stdout.write(f"演示数据：{seed.name} …")
            seed.load()
        self.stdout.write(self.style.SUCCESS("演示数据已就绪。"))
