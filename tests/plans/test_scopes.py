"""Data scopes of the ledger: a liaison sees the tasks where the own unit leads or takes part, and only
the own unit's reports and scores — in pages, counts, exports and the API alike; an area administrator
sees the tasks of units in the own area; experts, volunteers and residents see nothing of the ledger."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from openpyxl import load_workbook

from kepu.org.services import token_create
from kepu.plans.models import ProgressReport, Task, TaskUnit

pytestmark = pytest.mark.django_db


def _page_tasks(client: Any, plan: Any, query: str = "") -> set[int]:
    response = client.get(f"/office/plans/tasks/?plan={plan.pk}{query}")
    return {t.pk for t in response.context["page_obj"].paginator.object_list}


def _api(cast: dict[str, Any], username: str, path: str) -> Any:
    _, key = token_create(actor=cast[username], name="测试")
    from django.test import Client

    return json.loads(Client().get(path, headers={"Authorization": f"Bearer {key}"}).content)


def _own_tasks(unit: Any, plan: Any) -> set[int]:
    return set(TaskUnit.objects.filter(unit=unit, task__plan=plan).values_list("task_id", flat=True))


def test_a_liaison_sees_the_tasks_it_leads_or_takes_part_in_everywhere(cast: dict[str, Any], as_user: Any,
                                                                      demo_plan: Any) -> None:
    own = _own_tasks(cast["jiaoyu"].unit, demo_plan)
    leads = set(TaskUnit.objects.filter(unit=cast["jiaoyu"].unit, role="lead").values_list("task_id", flat=True))
    assert leads < own < set(demo_plan.tasks.values_list("pk", flat=True))
    client = as_user("jiaoyu")
    assert _page_tasks(client, demo_plan) == own
    assert client.get(f"/office/plans/dashboard/?plan={demo_plan.pk}").context["counts"]["total"] == len(own)
    exported = load_workbook(io.BytesIO(client.get(f"/office/plans/tasks/export/?plan={demo_plan.pk}").content))
    assert {r[0] for r in exported.active.iter_rows(min_row=2, values_only=True)} == own
    api = _api(cast, "jiaoyu", f"/api/v1/plans/tasks?plan={demo_plan.pk}")
    assert {t["id"] for t in api["items"]} == own and api["count"] == len(own)


def test_filters_narrow_within_the_scope_never_beyond(cast: dict[str, Any], as_user: Any, demo_plan: Any) -> None:
    farm = cast["nongye"].unit
    only_farm = set(TaskUnit.objects.filter(unit=farm, role="lead").values_list("task_id", flat=True)) - \
        _own_tasks(cast["jiaoyu"].unit, demo_plan)
    assert only_farm
    seen = _page_tasks(as_user("jiaoyu"), demo_plan, f"&unit={farm.pk}&role=lead")
    assert seen.isdisjoint(only_farm)


def test_a_liaison_never_opens_another_units_task_or_report(cast: dict[str, Any], as_user: Any, grid: Any) -> None:
    client = as_user("jiaoyu")
    outside = grid[(1, 1)]  # 实施科技兴农与科普惠农工程: 农业农村局 and others, not 教育局
    assert not TaskUnit.objects.filter(task=outside, unit=cast["jiaoyu"].unit).exists()
    assert client.get(f"/office/plans/tasks/{outside.pk}/").status_code == 404
    farm_report = ProgressReport.objects.filter(unit=cast["nongye"].unit).first()
    assert client.get(f"/office/plans/reports/{farm_report.pk}/").status_code == 404
    api = _api(cast, "jiaoyu", f"/api/v1/plans/tasks/{outside.pk}")
    assert api == {"detail": "没有找到该记录，或不在您的数据范围内"}


def test_a_liaison_sees_only_the_own_units_reports(cast: dict[str, Any], as_user: Any) -> None:
    page = as_user("jiaoyu").get("/office/plans/reports/?status=all")
    units = {r.unit_id for r in page.context["page_obj"].paginator.object_list}
    assert units == {cast["jiaoyu"].unit_id}
    api = _api(cast, "jiaoyu", "/api/v1/plans/reports")
    assert {r["unit_id"] for r in api["items"]} == {cast["jiaoyu"].unit_id}


def test_participants_do_not_see_each_others_reports_on_a_shared_task(cast: dict[str, Any], as_user: Any,
                                                                      grid: Any) -> None:
    shared = grid[(0, 0)]  # 教育局 leads; 人社局, 团市委, 科协 take part
    page = as_user("jiaoyu").get(f"/office/plans/tasks/{shared.pk}/").content.decode()
    assert "市教育局" in page
    hr = TaskUnit.objects.get(task=shared, unit__short_name="市人社局").unit
    other = ProgressReport.objects.create(task=shared, unit=hr, period=shared.plan.periods.last(), status="submitted",
                                          text="人社局的进展", progress=50)
    assert "人社局的进展" not in as_user("jiaoyu").get(f"/office/plans/reports/{other.pk}/").content.decode()
    assert as_user("jiaoyu").get(f"/office/plans/reports/{other.pk}/").status_code == 404


def test_an_area_administrator_sees_the_tasks_of_units_in_the_area(cast: dict[str, Any], as_user: Any,
                                                                  demo_plan: Any) -> None:
    area = cast["zhangpu"].region.path
    expected = set(Task.objects.filter(plan=demo_plan, units__unit__region__path__startswith=area)
                   .values_list("pk", flat=True))
    assert expected == {Task.objects.get(plan=demo_plan, title="健全基层科普服务体系").pk}
    assert _page_tasks(as_user("zhangpu"), demo_plan) == expected
    assert {t["id"] for t in _api(cast, "zhangpu", "/api/v1/plans/tasks")["items"]} == expected


@pytest.mark.parametrize("username", ["expert", "volunteer", "resident", "admin"])
def test_experts_volunteers_residents_and_the_system_administrator_see_nothing_of_the_ledger(
        username: str, as_user: Any, cast: dict[str, Any]) -> None:
    client = as_user(username)
    for url in ("/office/plans/dashboard/", "/office/plans/tasks/", "/office/plans/reports/",
                "/office/plans/assessments/"):
        assert client.get(url).status_code == 403, url
    home = client.get("/office/")
    assert home.status_code in (200, 403) and "纲要实施台账" not in home.content.decode()


def test_a_liaison_who_is_also_an_expert_keeps_the_liaisons_scope(cast: dict[str, Any], as_user: Any,
                                                                  demo_plan: Any) -> None:
    own = _own_tasks(cast["weijian"].unit, demo_plan)
    assert own and _page_tasks(as_user("weijian"), demo_plan) == own


def test_the_portal_shows_only_published_plans_and_results(client: Any, demo_plan: Any) -> None:
    home = client.get("/plans/").content.decode()
    assert demo_plan.title in home and "考核结果尚未发布" in home
    summary = client.get(f"/plans/{demo_plan.pk}/").content.decode()
    assert "公民具备科学素质的比例" in summary and "加强校内青少年科学教育" not in summary
    demo_plan.is_published = False
    demo_plan.save(update_fields=["is_published"])
    assert client.get(f"/plans/{demo_plan.pk}/").status_code == 404
