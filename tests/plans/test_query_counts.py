"""The ledger answers in a fixed number of queries at a real volume: 2,000 tasks and 40 units (no N+1)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kepu.org.models import Region, Unit
from kepu.plans.models import (
    AlertRule,
    Indicator,
    Plan,
    PlanSection,
    ProgressReport,
    ReportingPeriod,
    Task,
    TaskUnit,
)
from kepu.plans.services.ledger import sync_periods

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TASKS, UNITS, SECTIONS = 2000, 40, 20
LEVELS = ("green", "green", "yellow", "red")


@pytest.fixture
def volume(cast: dict[str, Any]) -> Plan:
    city = Region.objects.get(code="320583000000")
    units = list(Unit.objects.filter(is_member=True).order_by("pk"))
    extra = Unit.objects.bulk_create([Unit(name=f"测试委办局{i:02d}", normalized_name=f"测试委办局{i:02d}", region=city,
                                           is_member=True, path="") for i in range(UNITS - len(units))])
    units = (units + extra)[:UNITS]
    year = datetime.date.today().year
    plan = Plan.objects.create(title="容量测试方案", start_year=year - 1, end_year=year + 1,
                               reporting_from=datetime.date(year - 1, 1, 1))
    AlertRule.objects.create(plan=plan)
    sync_periods(plan)
    sections = PlanSection.objects.bulk_create([PlanSection(plan=plan, number=f"（{i}）", title=f"第{i}项重点工程",
                                                            path="三、重点工程", order=i) for i in range(1, SECTIONS + 1)])
    tasks = Task.objects.bulk_create([
        Task(plan=plan, section=sections[i % SECTIONS], number=f"{i // SECTIONS + 1}.", seq=i // SECTIONS + 1,
             order=i, title=f"重点任务第{i:04d}项", body="任务内容" * 20, progress=i % 101,
             alert_level=LEVELS[i % 4], alert_reason="进度落后预期" if i % 4 else "按计划推进")
        for i in range(TASKS)], batch_size=500)
    links = []
    for i, task in enumerate(tasks):
        chosen = {units[i % UNITS].pk: "lead"}
        for k in (7, 13, 29):
            chosen.setdefault(units[(i + k) % UNITS].pk, "participant")
        links += [TaskUnit(task=task, unit_id=u, role=r, order=n) for n, (u, r) in enumerate(chosen.items())]
    TaskUnit.objects.bulk_create(links, batch_size=2000)
    Indicator.objects.bulk_create([Indicator(plan=plan, task=t, name=f"指标{t.pk}", target=100, actual_value=t.progress,
                                             unit_of_measure="个") for t in tasks[:300]])
    period = ReportingPeriod.objects.filter(plan=plan).order_by("start").first()
    ProgressReport.objects.bulk_create([
        ProgressReport(task=t, unit_id=units[i % UNITS].pk, period=period, status=("submitted", "approved")[i % 2],
                       text="进展", progress=t.progress) for i, t in enumerate(tasks[:600])], batch_size=500)
    # The demo liaison's unit leads and takes part in some of them.
    assert TaskUnit.objects.filter(task__plan=plan, unit=cast["jiaoyu"].unit).exists()
    return plan


def test_ledger_pages_and_the_api_use_a_fixed_number_of_queries(volume: Plan, as_user: Any) -> None:
    p = volume.pk
    pages = [
        ("office", f"/office/plans/tasks/?plan={p}", 16),
        ("office", f"/office/plans/tasks/?plan={p}&page=50", 16),
        ("office", f"/office/plans/tasks/?plan={p}&light=red&q=重点任务", 16),
        ("office", f"/office/plans/tasks/?plan={p}&unit={volume.tasks.first().units.first().unit_id}&role=lead", 16),
        ("jiaoyu", f"/office/plans/tasks/?plan={p}", 16),
        ("zhangpu", f"/office/plans/tasks/?plan={p}", 16),
        ("office", f"/office/plans/dashboard/?plan={p}", 18),
        ("jiaoyu", f"/office/plans/dashboard/?plan={p}", 18),
        ("office", "/office/plans/reports/?status=all", 12),
        ("office", f"/office/plans/indicators/?plan={p}", 12),
        ("office", f"/office/plans/plans/{p}/", 16),
        ("office", f"/office/plans/tasks/export/?plan={p}", 12),
        ("office", f"/api/v1/plans/tasks?plan={p}", 8),
        ("office", "/api/v1/plans/reports", 8),
        ("jiaoyu", "/office/", 30),  # the home page: every domain's cards
    ]
    too_many = []
    for username, url, limit in pages:
        client = as_user(username)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        if len(queries) > limit:
            too_many.append(f"{username} {url}: {len(queries)} > {limit}")
    assert not too_many, "\n".join(too_many)


def test_the_export_holds_every_task_of_the_plan(volume: Plan, as_user: Any) -> None:
    import io

    from openpyxl import load_workbook

    response = as_user("office").get(f"/office/plans/tasks/export/?plan={volume.pk}")
    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    assert len(rows) == TASKS + 1
