"""Benchmark: the plan ledger's document import on a long plan, and the ledger page's latency.

Run: ``python -m bench.plans`` (or ``make bench-plans``). See bench/README.md. Works in a throwaway
SQLite database under a temporary directory (never the development database). The last line reads
``plans: import_seconds=<x> tasks=<n> ledger_ms_median=<y>``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "kepu" / "plans" / "demo_data" / "kunshan_2021_2025.txt"
CN = "零一二三四五六七八九十"
# The numbering habits of other cities' documents, one per copy of the task chapters.
TASK_STYLES = ("{n}.", "{n}、", "{n}．", "（{n}）")
SECTION_STYLES = ("（{c}）", "({c})", "（{c}）", "({c})")


def cn_number(n: int) -> str:
    if n <= 10:
        return CN[n]
    if n < 20:
        return "十" + CN[n - 10]
    return CN[n // 10] + "十" + (CN[n % 10] if n % 10 else "")


def long_plan(copies: int = 10) -> str:
    """Seed 002 with its two task chapters repeated `copies` times, each in another numbering style."""
    lines = SEED.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("三、五项重点提升行动"))
    end = next(i for i, line in enumerate(lines) if line.startswith("五、组织实施"))
    head, body, tail = lines[:start], lines[start:end], lines[end:]
    out = list(head)
    for copy in range(copies):
        task_style, section_style = TASK_STYLES[copy % 4], SECTION_STYLES[copy % 4]
        for line in body:
            chapter = re.match(r"^([三四])、(.*)$", line)
            section = re.match(r"^（([一二三四五六七八九十]+)）(.*)$", line)
            task = re.match(r"^(\d+)\.(.*)$", line)
            if chapter:
                number = 3 + 2 * copy + (chapter.group(1) == "四")
                line = f"{cn_number(number)}、{chapter.group(2)}（第{copy + 1}批）"
            elif section:
                line = section_style.format(c=section.group(1)) + section.group(2)
            elif task:
                line = task_style.format(n=task.group(1)) + task.group(2)
            out.append(line)
    last = 3 + 2 * copies
    out += [re.sub(r"^五、", f"{cn_number(last)}、", tail[0]), *tail[1:]]
    return "\n".join(out)


def _setup(workdir: str) -> None:
    os.environ["KEPU_VAR_DIR"] = workdir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("KEPU_LOG_LEVEL", "ERROR")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from kepu.org.demo import load

    load()


def _timed(action: Any) -> tuple[float, Any]:
    begin = time.perf_counter()
    result = action()
    return time.perf_counter() - begin, result


def bench_import(text: str) -> tuple[float, float, Any]:
    from kepu.org.models import User
    from kepu.plans.services import importing

    office = User.objects.get(username="office")
    parse_seconds, _ = _timed(lambda: importing.propose(text=text))

    def full_import() -> Any:
        draft = importing.draft_create(actor=office, text=text, filename="长方案.txt")
        return importing.draft_commit(actor=office, draft=draft)

    import_seconds, plan = _timed(full_import)
    return parse_seconds, import_seconds, plan


def volume_plan(tasks: int = 2000, units: int = 40) -> Any:
    """A plan of `tasks` tasks over `units` units (one lead, three participants each), lights and reports."""
    import datetime

    from kepu.org.models import Region, Unit
    from kepu.plans.models import AlertRule, Plan, PlanSection, ProgressReport, Task, TaskUnit
    from kepu.plans.services.ledger import sync_periods

    city = Region.objects.get(code="320583000000")
    members = list(Unit.objects.filter(is_member=True).order_by("pk"))
    members += Unit.objects.bulk_create([Unit(name=f"基准单位{i:02d}", normalized_name=f"基准单位{i:02d}", region=city,
                                              is_member=True, path="") for i in range(units - len(members))])
    members = members[:units]
    year = datetime.date.today().year
    plan = Plan.objects.create(title="基准测试方案（2000项任务）", start_year=year - 1, end_year=year + 1,
                               reporting_from=datetime.date(year, 1, 1))
    AlertRule.objects.create(plan=plan)
    sync_periods(plan)
    sections = PlanSection.objects.bulk_create([PlanSection(plan=plan, number=f"（{cn_number(i)}）", title=f"重点工程{i}",
                                                            path="三、重点工程", order=i) for i in range(1, 21)])
    created = Task.objects.bulk_create([
        Task(plan=plan, section=sections[i % 20], number=f"{i // 20 + 1}.", seq=i // 20 + 1, order=i,
             title=f"重点任务{i:04d}", body="任务内容" * 40, progress=i % 101,
             alert_level=("green", "green", "yellow", "red")[i % 4], alert_reason="进度落后预期") for i in range(tasks)],
        batch_size=500)
    links = []
    for i, task in enumerate(created):
        chosen = {members[i % units].pk: "lead"}
        for step in (7, 13, 29):
            chosen.setdefault(members[(i + step) % units].pk, "participant")
        links += [TaskUnit(task=task, unit_id=u, role=r, order=n) for n, (u, r) in enumerate(chosen.items())]
    TaskUnit.objects.bulk_create(links, batch_size=2000)
    period = plan.periods.order_by("start").first()
    ProgressReport.objects.bulk_create([ProgressReport(task=t, unit_id=members[i % units].pk, period=period,
                                                       status="approved", text="进展", progress=t.progress)
                                        for i, t in enumerate(created)], batch_size=500)
    return plan


def latency(username: str, url: str, requests: int) -> float:
    """Median milliseconds of `requests` GETs through the Django test client (after warming up)."""
    from django.test import Client

    from kepu.org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username), backend="kepu.org.auth.KepuModelBackend")
    for _ in range(3):
        assert client.get(url).status_code == 200, url
    samples = []
    for _ in range(requests):
        begin = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - begin) * 1000)
        assert response.status_code == 200
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="任务分解导入与任务台账页面的基准测试")
    parser.add_argument("--copies", type=int, default=10, help="长方案中重复 002 号种子任务章节的次数（默认 10）")
    parser.add_argument("--requests", type=int, default=30, help="每个页面的请求次数（取中位数）")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kepu-bench-plans-") as workdir:
        _setup(workdir)
        text = long_plan(args.copies)
        parse_seconds, import_seconds, plan = bench_import(text)
        tasks, units = plan.tasks.count(), plan.tasks.values("units__unit").distinct().count()
        from kepu.plans.models import TaskUnit

        links = TaskUnit.objects.filter(task__plan=plan).count()
        print(f"long plan: {len(text):,} characters, {plan.sections.count()} sections, {tasks} tasks, "
              f"{links:,} unit links to {units} units, {plan.indicators.count()} indicators")
        print(f"parse and match units: {parse_seconds:.2f} s; full import (draft + commit + lights): "
              f"{import_seconds:.2f} s")
        small = latency("office", f"/office/plans/tasks/?plan={plan.pk}", args.requests)
        big = volume_plan()
        ledger = latency("office", f"/office/plans/tasks/?plan={big.pk}", args.requests)
        liaison = latency("jiaoyu", f"/office/plans/tasks/?plan={big.pk}", args.requests)
        dashboard = latency("office", f"/office/plans/dashboard/?plan={big.pk}", args.requests)
        print(f"ledger page, imported plan ({tasks} tasks): median {small:.1f} ms over {args.requests} requests")
        print(f"ledger page, 2,000 tasks and 40 units: office median {ledger:.1f} ms, liaison median {liaison:.1f} ms; "
              f"dashboard median {dashboard:.1f} ms")
        print(f"plans: import_seconds={import_seconds:.2f} tasks={tasks} ledger_ms_median={ledger:.1f}")


if __name__ == "__main__":
    main()
