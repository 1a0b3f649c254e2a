"""Search-as-you-type choices in a real browser (kepu/core/choices.py, kepu/static/kepu/choices.js): the
office adds a participating unit to a task by typing part of its name — with the mouse at desktop width,
with the keyboard on a phone — saves, and the task names the unit."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _task_without(unit_name: str) -> Any:
    from kepu.plans.models import Task

    return Task.objects.exclude(units__unit__name=unit_name).filter(units__role="lead").order_by("pk").first()


def _names(task: Any) -> set[str]:
    from kepu.plans.models import TaskUnit

    return set(TaskUnit.objects.filter(task=task).values_list("unit__name", flat=True))


@pytest.mark.parametrize(("label", "viewport", "keyboard"), [
    ("desktop", (1366, 900), False),
    ("phone", (390, 844), True),
])
def test_a_unit_is_chosen_by_typing_part_of_its_name(new_page: Any, demo_server: Any, label: str,
                                                     viewport: tuple[int, int], keyboard: bool) -> None:
    unit = "昆山市科学技术局"
    task = _task_without(unit)
    before = _names(task)
    page = new_page(viewport=viewport)
    sign_in(page, demo_server.url, "office")
    page.wait_for_url("**/office/")
    page.goto(f"{demo_server.url}/office/plans/tasks/{task.pk}/edit/")
    assert page.locator("option").count() == len(before)  # only the chosen units, never the whole list
    search = page.locator("#id_participating_units_search")
    search.click()
    search.press_sequentially("科学技术", delay=60)
    results = page.locator("#id_participating_units_results")
    expect(results.locator(f"[data-kp-pick='{unit}']")).to_be_visible()
    expect(results.locator("[data-kp-pick='昆山市教育局']")).to_have_count(0)
    assert "昆山市科学技术协会" in before  # the demo task names 市科协 already
    chosen_already = results.locator("[data-kp-pick='昆山市科学技术协会']")
    expect(chosen_already).to_contain_text("已选")
    shot(page, f"choices-task-unit-search-{label}")
    if keyboard:
        search.press("ArrowDown")
        expect(results.locator("[data-kp-pick]").first).to_be_focused()
        page.keyboard.press("Enter")
    else:
        results.locator(f"[data-kp-pick='{unit}']").click()
    chips = page.locator("#id_participating_units_search").locator("xpath=ancestor::*[@data-kp-picker][1]")
    expect(chips.locator("[data-kp-chip]", has_text=unit)).to_be_visible()
    expect(results.locator("[data-kp-pick]")).to_have_count(0)  # the list closed
    shot(page, f"choices-task-unit-chosen-{label}")
    page.fill("#id_reason", "补充参与单位")
    page.click("main button[type=submit]:has-text(\"保存\")")
    page.wait_for_url(f"**/office/plans/tasks/{task.pk}/")
    expect(page.locator(".alert-success")).to_contain_text("任务已保存")
    assert _names(task) == before | {unit}
    assert page.errors == []
