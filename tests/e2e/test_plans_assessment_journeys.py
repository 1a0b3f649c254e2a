"""C2 assessment in a real browser: the office publishes the demo year's results (第1版); withdraws
教育局's score, scores it again and publishes a correction with its reason; the portal shows 第2版
with the reason, and 第1版 stays readable as it was."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

EDU = "昆山市教育局"


def _public_total(page: Any, unit: str) -> str:
    return str(page.locator("#public-results tr", has_text=unit).locator("td").nth(2).inner_text())


def test_a_correction_is_published_as_a_new_version_and_the_first_stays_readable(new_page: Any,
                                                                                  demo_server: Any) -> None:
    base = demo_server.url
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, base, "office")
    page.goto(f"{base}/office/plans/assessments/")
    page.locator("table a").first.click()
    rubric_url = page.url
    page.click("#publish")
    expect(page.locator("#published-version")).to_contain_text("已发布第1版")
    rubric_id = re.search(r"/assessments/(\d+)/", rubric_url).group(1)  # type: ignore[union-attr]

    page.goto(f"{base}/plans/assessments/{rubric_id}/")
    expect(page.locator("#version")).to_have_text("第1版")
    first_total = _public_total(page, EDU)
    shot(page, "plans-assessment-public-v1")

    page.goto(rubric_url)
    page.locator("#scores-table tr[data-unit] a", has_text="教育局").first.click()
    page.fill("textarea[name=reason]", "佐证材料经复核不足")
    page.click("button:has-text('撤销')")
    expect(page.locator("#withdrawn")).to_be_visible()
    page.goto(rubric_url)
    page.click("#compute")
    page.locator("#scores-table tr[data-unit]:not(.kp-muted-row) a", has_text="教育局").first.click()
    manual = page.locator("#item-scores form").first
    manual.locator("input[type=number]").fill("0")
    manual.locator("textarea").fill("佐证材料不足，按 0 分评定")
    manual.locator("button").click()
    page.goto(rubric_url)
    page.fill("#correct-form textarea", "教育局佐证材料经复核不足，重新评定")
    page.click("#correct-form button")
    expect(page.locator("#published-version")).to_contain_text("已发布第2版")
    expect(page.locator("#versions")).to_contain_text("教育局佐证材料经复核不足")
    shot(page, "plans-assessment-office-versions")

    page.goto(f"{base}/plans/assessments/{rubric_id}/")
    expect(page.locator("#version")).to_have_text("第2版")
    expect(page.locator("#correction")).to_contain_text("教育局佐证材料经复核不足")
    assert _public_total(page, EDU) != first_total
    shot(page, "plans-assessment-public-v2")
    page.locator("#versions a", has_text="第1版").click()
    expect(page.locator("#superseded")).to_be_visible()
    assert _public_total(page, EDU) == first_total
    assert page.errors == []
