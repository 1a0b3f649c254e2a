"""The demo ledger `make run` loads: Kunshan's plan from seed 002 with a living quarter of work."""

from __future__ import annotations

from typing import Any

import pytest

from kepu.plans.models import AssessmentRubric, ProgressReport, SupervisionOrder, Task
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db


def test_the_demo_plan_is_seed_002_imported_with_every_task_and_unit(demo_plan: Any) -> None:
    assert demo_plan.title == "昆山市2021—2025年全民科学素质行动规划纲要实施方案"
    assert (demo_plan.sections.count(), demo_plan.tasks.count()) == (10, 33)
    assert demo_plan.tasks.filter(units__isnull=True).count() == 0
    assert demo_plan.is_published and demo_plan.reporting_cycle == "quarter"


def test_the_demo_has_reports_in_every_state_lights_an_order_and_a_rubric(demo_plan: Any) -> None:
    statuses = set(ProgressReport.objects.filter(task__plan=demo_plan).values_list("status", flat=True))
    assert statuses == {"approved", "returned", "submitted", "draft"}
    returned = ProgressReport.objects.get(task__plan=demo_plan, status="returned")
    assert returned.return_reason and returned.events.filter(verb="return").exists()
    lights = set(Task.objects.filter(plan=demo_plan).values_list("alert_level", flat=True))
    assert {"green", "red"} <= lights and "" not in lights
    assert all(Task.objects.filter(plan=demo_plan).values_list("alert_reason", flat=True))
    order = SupervisionOrder.objects.get(task__plan=demo_plan)
    assert (order.status, order.unit.name) == ("issued", "昆山市农业农村局")
    rubric = AssessmentRubric.objects.get(plan=demo_plan)
    assert rubric.status == "draft" and rubric.assessments.filter(withdrawn_at=None).count() == 29


def test_the_demo_gives_the_area_administrator_one_task(cast: dict[str, Any], demo_plan: Any) -> None:
    from kepu.plans.selectors import task_list

    assert [t.title for t in task_list(user=cast["zhangpu"])] == ["健全基层科普服务体系"]


def test_loading_the_demo_again_changes_nothing(demo_plan: Any) -> None:
    from kepu.plans.demo import load

    before = db_fingerprint()
    load()
    assert db_fingerprint() == before
