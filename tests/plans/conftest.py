"""Fixtures of the plan-ledger tests: the demo ledger (loaded once per test database with the demo
city), its tasks by position, a small plan of our own, and the seed documents (from the parser's
fixture copies, never from /work/shared)."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

SEEDS = Path(__file__).parent.parent / "docimport" / "fixtures" / "seeds"
VARIATIONS = Path(__file__).parent.parent / "docimport" / "fixtures" / "variations"


def seed_path(key: str) -> Path:
    return next(SEEDS.glob(f"{key}_*.txt"))


@pytest.fixture
def demo_plan(db: Any) -> Any:
    from kepu.plans.demo import TEXT
    from kepu.plans.models import Plan
    from kepu.plans.services.importing import text_digest

    return Plan.objects.get(source_sha256=text_digest(TEXT))


@pytest.fixture
def grid(demo_plan: Any) -> dict[tuple[int, int], Any]:
    """(section index, task index) → task of the demo plan, as in kepu/plans/demo.py."""
    from kepu.plans.demo import _grid

    return _grid(demo_plan)


@pytest.fixture
def units(db: Any) -> dict[str, Any]:
    from kepu.org.models import Unit

    return {u.label: u for u in Unit.objects.all()}


YEAR = datetime.date.today().year
SMALL_PLAN = f"""测试市{YEAR}年全民科学素质工作要点
一、青少年科学素质提升
1.开展青少年科技节。到{YEAR}年，参与学生达到5000人次。（牵头单位：市教育局；配合单位：市科协、团市委）
2.建设科学教育示范学校。（责任单位：市教育局、市科技局）
二、农民科学素质提升
1.开展农民技能培训。每年培训农民1500人次。（牵头单位：市农业农村局；配合单位：市人社局）
"""


@pytest.fixture
def small_plan(cast: dict[str, Any]) -> Any:
    """A three-task annual plan imported by the office (quarterly reporting from 1 January)."""
    from kepu.plans.services import importing

    office = cast["office"]
    draft = importing.draft_create(actor=office, text=SMALL_PLAN, filename="测试要点.txt")
    return importing.draft_commit(actor=office, draft=draft)


@pytest.fixture
def today() -> datetime.date:
    from django.utils import timezone

    return timezone.localdate()


@pytest.fixture
def festival(small_plan: Any) -> Any:
    """The small plan's task led by 教育局."""
    return small_plan.tasks.get(title="开展青少年科技节")


@pytest.fixture
def first_quarter(small_plan: Any) -> Any:
    return small_plan.periods.order_by("start").first()
