"""C2 journeys in a real browser: the office imports a plan document, fixes an unknown unit on the
review screen and commits; a liaison reports; the office returns it with a reason; the liaison
resubmits; the office approves; the task's light changes. And the dashboard's figures click through."""

from __future__ import annotations

import datetime
import io
import re
from typing import Any

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)


def _plan_document(path: Any) -> Any:
    """A two-year plan of a district office, as Word writes it; “市教委” is not in the unit registry."""
    year = datetime.date.today().year
    document = Document()
    for line in (f"昆山市{year - 1}—{year}年青少年科学素质提升行动方案", "一、总体目标",
                 f"到{year}年，全市科学教育示范学校达到40所。", "二、重点任务", "（一）青少年科学素质提升行动",
                 "1.开展青少年科技节。每年举办科技节1次以上。（牵头单位：市教委；配合单位：市科协、团市委）",
                 "2.建设科学教育示范学校。（牵头单位：市教育局；配合单位：市科技局）",
                 "（二）科普阵地建设行动", "1.推进校园科普阵地建设。（责任单位：市科协、市教育局）"):
        document.add_paragraph(line)
    target = path / "青少年科学素质提升行动方案.docx"
    buffer = io.BytesIO()
    document.save(buffer)
    target.write_bytes(buffer.getvalue())
    return target


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def test_import_report_return_resubmit_approve_and_the_light_changes(new_page: Any, demo_server: Any,
                                                                     tmp_path: Any) -> None:
    from kepu.org.models import Unit

    base = demo_server.url
    office = new_page()
    sign_in(office, base, "office")
    office.wait_for_url("**/office/")
    office.click("text=文件导入")
    office.set_input_files("#id_file", str(_plan_document(tmp_path)))
    office.click("#parse-button")
    office.wait_for_url(re.compile(r".*/office/plans/import/\d+/$"))
    unknown = office.locator("tr[data-unknown='市教委']")
    expect(unknown).to_be_visible()
    expect(office.locator("#count-unknown")).to_contain_text("1")
    shot(office, "plans-import-review-unknown-unit")

    # The unknown name is 教育局 under an older name: map it, which adds the alias.
    education = Unit.objects.get(name="昆山市教育局")
    unknown.locator("[data-kp-picker-search]").fill("教育局")
    unknown.locator(f"[data-kp-pick-id='{education.pk}']").click()
    unknown.locator("button", has_text="设为别名").click()
    expect(office.locator(".alert-success")).to_contain_text("已将“市教委”设为“昆山市教育局”的别名")
    expect(office.locator("#count-unknown")).to_contain_text("0")
    # Reporting starts with the current quarter.
    office.fill("#id_reporting_from", _quarter_start(datetime.date.today()).isoformat())
    office.click("text=保存方案信息")
    expect(office.locator(".alert-success")).to_contain_text("方案信息已保存")
    shot(office, "plans-import-review-ready")
    office.click("#commit-button")
    office.wait_for_url(re.compile(r".*/office/plans/plans/\d+/$"))
    expect(office.locator(".alert-success")).to_contain_text("3 项任务")
    shot(office, "plans-plan-imported")

    from kepu.plans.models import Task

    task = Task.objects.get(title="开展青少年科技节")
    office.goto(f"{base}/office/plans/tasks/{task.pk}/")
    light_before = office.locator("#task-light [data-kp-light]").get_attribute("data-kp-light")
    assert light_before == "red", "nothing reported a year into the plan"

    # The liaison of 教育局 reports, with a photo as evidence.
    liaison = new_page()
    sign_in(liaison, base, "jiaoyu")
    liaison.wait_for_url("**/office/")
    liaison.goto(f"{base}/office/plans/tasks/{task.pk}/")
    liaison.locator("#my-periods a", has_text="填报").first.click()
    liaison.fill("#id_progress", "100")
    liaison.fill("#id_text", "本季度举办青少年科技节，覆盖全市中小学 86 所，参与学生 1.2 万人次。")
    evidence = tmp_path / "科技节现场照片.jpg"
    evidence.write_bytes(b"\xff\xd8\xff\xe0 a photo")
    liaison.set_input_files("#id_files", str(evidence))
    shot(liaison, "plans-report-form")
    liaison.click("#submit-report")
    expect(liaison.locator("#report-status")).to_contain_text("待审核")
    report_url = liaison.url

    # The office returns it with a reason.
    office.goto(report_url)
    expect(office.locator("#review")).to_be_visible()
    office.fill("#return-reason-input", "请补充参与学校名单及活动照片说明。")
    office.click("#return")
    expect(office.locator("#report-status")).to_contain_text("已退回")

    # The liaison sees the reason and resubmits.
    liaison.goto(f"{base}/office/plans/tasks/{task.pk}/")
    liaison.locator("#my-periods a", has_text="修改并重新提交").click()
    expect(liaison.locator("#return-reason")).to_contain_text("请补充参与学校名单及活动照片说明")
    liaison.fill("#id_text", "本季度举办青少年科技节，覆盖全市中小学 86 所（名单附后），参与学生 1.2 万人次。")
    shot(liaison, "plans-report-returned")
    liaison.click("#submit-report")
    expect(liaison.locator("#report-status")).to_contain_text("待审核")
    expect(liaison.locator("#report-events")).to_contain_text("退回")

    # The office approves; the task's light changes.
    office.goto(report_url)
    office.click("#approve")
    expect(office.locator("#report-status")).to_contain_text("已通过")
    office.goto(f"{base}/office/plans/tasks/{task.pk}/")
    expect(office.locator("#task-light [data-kp-light]")).to_have_attribute("data-kp-light", "green")
    expect(office.locator("#report-history")).to_contain_text("重新提交")
    shot(office, "plans-task-approved-green")
    assert office.errors == [] and liaison.errors == []


def test_the_dashboard_figures_click_down_to_their_tasks(new_page: Any, demo_server: Any) -> None:
    page = new_page()
    sign_in(page, demo_server.url, "office")
    page.wait_for_url("**/office/")
    expect(page.locator("#home-plan-stats")).to_be_visible()
    page.click("text=驾驶舱")
    expect(page.locator("#chart-sections canvas")).to_be_visible()
    expect(page.locator("#chart-units canvas")).to_be_visible()
    shot(page, "plans-dashboard")
    red = int(page.locator("[data-kp-stat=red] .kp-stat-value").inner_text().split()[0])
    page.click("[data-kp-stat=red]")
    expect(page.locator("#tasks-table tbody tr")).to_have_count(red)
    assert all(level == "red" for level in page.locator("#tasks-table [data-kp-light]").evaluate_all(
        "els => els.map(e => e.dataset.kpLight)"))
    shot(page, "plans-ledger-red")
    page.select_option("#section", index=1)
    page.wait_for_url(re.compile(r".*section=\d+.*"))  # HTMX swaps the table and keeps the filter in the address
    expect(page.locator("#task-count")).to_contain_text("符合条件的任务")
    assert page.errors == []


def test_a_liaison_sees_my_tasks_and_the_reports_due(new_page: Any, demo_server: Any) -> None:
    page = new_page()
    sign_in(page, demo_server.url, "jiaoyu")
    page.wait_for_url("**/office/")
    card = page.locator("#home-my-tasks")
    expect(card).to_contain_text("我的任务")
    expect(card).to_contain_text("被退回")
    shot(page, "plans-liaison-home")
    from kepu.plans.models import TaskUnit

    page.click("text=任务台账")
    own = TaskUnit.objects.filter(unit__name="昆山市教育局").values("task_id").distinct().count()
    expect(page.locator("#task-count strong")).to_have_text(str(own))
    page.goto(f"{demo_server.url}/office/plans/plans/")
    shot(page, "plans-liaison-plans")
    assert page.errors == []
