"""Document import in a real browser: the office imports national work points that name no units,
sets each section's lead unit once with the unit picker, and commits every task; the dashboard goes on
showing the plan it showed before."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

WORK_POINTS = next((Path(__file__).parent.parent / "docimport" / "fixtures" / "seeds").glob("004_*.txt"))
# (search words typed into the picker, the unit chosen) for each of the four chapters
LEADS = [("宣传部", "中共昆山市委宣传部"), ("科协", "昆山市科学技术协会"), ("科技局", "昆山市科学技术局"),
         ("文明办", "中共昆山市委宣传部")]


def test_work_points_without_units_get_one_lead_per_section_and_commit(new_page: Any, demo_server: Any) -> None:
    from kepu.org.models import User
    from kepu.plans import selectors
    from kepu.plans.models import Plan, Task, UnitRole

    base = demo_server.url
    shown_before = selectors.current_plan(user=User.objects.get(username="office"))
    assert shown_before is not None
    office = new_page()
    sign_in(office, base, "office")
    office.wait_for_url("**/office/")
    office.goto(f"{base}/office/plans/import/")
    office.set_input_files("#id_file", str(WORK_POINTS))
    office.click("#parse-button")
    office.wait_for_url(re.compile(r".*/office/plans/import/\d+/$"))
    expect(office.locator("#count-tasks")).to_contain_text("14")
    expect(office.locator("text=缺少牵头单位")).to_have_count(14)

    for index, (words, unit) in enumerate(LEADS):
        form = office.locator(f"[data-kp-section-units='{index}']")
        search = form.locator("[data-kp-picker-search]").first
        search.fill(words)
        form.locator(f"[data-kp-pick='{unit}']").first.click()
        expect(form.locator("input[name=lead_units]")).to_have_value(unit)
        if index == 0:
            shot(office, "plans-import-section-lead-picker")
        form.locator("button", has_text="保存板块单位").click()
        expect(office.locator(".alert-success")).to_contain_text("项任务沿用板块牵头单位")

    expect(office.locator("text=缺少牵头单位")).to_have_count(0)
    expect(office.locator("#section-1 .badge", has_text="沿用板块")).to_have_count(5)
    shot(office, "plans-import-work-points-desktop")

    phone = new_page(viewport=(390, 844))
    sign_in(phone, base, "office")
    phone.wait_for_url("**/office/")
    phone.goto(office.url)
    expect(phone.locator("#section-0")).to_be_visible()
    shot(phone, "plans-import-work-points-phone")

    office.click("#commit-button")
    office.wait_for_url(re.compile(r".*/office/plans/plans/\d+/$"))
    expect(office.locator(".alert-success")).to_contain_text("14 项任务")
    plan = Plan.objects.get(title="2024年全民科学素质行动工作要点")
    tasks = Task.objects.filter(plan=plan)
    assert tasks.count() == 14
    leads = {t.title: [u.unit.name for u in t.units.all() if u.role == UnitRole.LEAD] for t in tasks}
    assert leads["实施农民科学素质提升行动"] == ["昆山市科学技术协会"]
    assert leads["加强科普人才队伍建设"] == ["昆山市科学技术局"]
    assert leads["加强监测评估机制"] == ["中共昆山市委宣传部"]

    office.goto(f"{base}/office/plans/dashboard/")
    expect(office.locator("main")).to_contain_text(shown_before.title)
    shot(office, "plans-dashboard-after-import")
    assert office.errors == [] and phone.errors == []
