"""`manage.py load_city_scale [--scale 1.0] [--seed 2026]`: a real city's volumes on top of the demo city."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from kepu.backoffice.cityscale import VOLUMES, AlreadyLoaded, CityScale


class Command(BaseCommand):
    help = ("在演示城市（先执行 load_demo）上载入城市规模的数据：1 万个单位、2,000 项任务和 2.7 万份进展填报、"
            "10 万张服务工单、2 万名志愿者和 20 万条服务时长、10 万条操作日志、三轮各 10 万名受访者的素质调查。")

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", type=float, default=1.0, help="数据量倍数（测试用 0.002 之类的小值）")
        parser.add_argument("--seed", type=int, default=2026, help="随机种子（相同的种子得到相同的数据）")

    def handle(self, *args: Any, **options: Any) -> None:
        scale = options["scale"]
        if not 0 < scale <= 10:
            raise CommandError("--scale 须大于 0 且不超过 10")
        began = time.perf_counter()
        loader = CityScale(scale, seed=options["seed"], say=lambda text: self.stdout.write(f"  {text}"))
        self.stdout.write(f"载入城市规模数据（倍数 {scale:g}，目标：{', '.join(f'{k} {v:,}' for k, v in VOLUMES.items())}）…")
        try:
            with transaction.atomic():  # all or nothing: a failed load leaves the demo city as it was
                loader.load()
        except AlreadyLoaded as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(f"城市规模数据已载入（{time.perf_counter() - began:.0f} 秒）。"))
