from django.core.management.base import BaseCommand

from kepu.core.registry import demo_logins
from kepu.core.roles import Role
from kepu.org.demo import DEMO_PASSWORD, DEMO_USERS


class Command(BaseCommand):
    help = "打印平台地址与各角色的演示账号。"

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", default="8000")

    def handle(self, *args: object, host: str = "127.0.0.1", port: str = "8000", **options: object) -> None:
        base = f"http://{host}:{port}"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"kepu 已启动：{base}/"))
        self.stdout.write(f"  公众门户  {base}/")
        self.stdout.write(f"  工作台    {base}/office/")
        self.stdout.write(f"  接口文档  {base}/api/docs")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        for user in DEMO_USERS:
            roles = "、".join(Role(r).label for r in user.roles)
            self.stdout.write(f"  {user.username:<10} {roles:<16} {user.unit or ''}")
        for login in demo_logins():
            self.stdout.write(f"  {login.username:<10} {login.role:<16} {login.note}")
        self.stdout.write("")
