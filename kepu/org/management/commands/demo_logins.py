import unicodedata

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
        for line in table_lines([("公众门户", f"{base}/"), ("工作台", f"{base}/office/"), ("接口文档", f"{base}/api/docs")]):
            self.stdout.write(f"  {line}")
        self.stdout.write(f"演示账号（密码均为 {DEMO_PASSWORD}）：")
        rows = [(u.username, "、".join(Role(r).label for r in u.roles), u.unit or "") for u in DEMO_USERS]
        rows += [(login.username, login.role, login.note) for login in demo_logins()]
        for line in table_lines(rows):
            self.stdout.write(f"  {line}")
        self.stdout.write("")


def display_width(text: str) -> int:
    """Columns a terminal gives the text: CJK (wide and full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def table_lines(rows: list[tuple[str, ...]]) -> list[str]:
    """Rows padded so that every column starts at the same terminal column."""
    widths = [max(display_width(row[i]) for row in rows) for i in range(len(rows[0]))] if rows else []
    return ["  ".join(cell + " " * (widths[i] - display_width(cell)) for i, cell in enumerate(row)).rstrip()
            for row in rows]
