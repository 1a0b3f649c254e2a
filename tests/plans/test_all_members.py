"""A task “各成员单位共同负责” is assigned to every active member unit of the leading group and to no
other unit: in the ledger and its unit filter, the liaison's own tasks and counts, reporting, 督办单, the
reminders and the assessment — a unit created as a non-member never appears, one that joins or leaves
the group gains or loses the task at once."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from kepu.core.errors import ValidationFailed
from kepu.core.roles import Role
from kepu.org.models import Region, RegionLevel, Unit, User
from kepu.org.services import unit_create, unit_update, user_create
from kepu.plans import selectors
from kepu.plans.models import Plan, Task
from kepu.plans.services import assessment, importing, reporting, supervision

YEAR = datetime.date.today().year
SHARED_PLAN = f"""测试市{YEAR}年科普工作要点
一、科普宣传
1.开展青少年科技节。（牵头单位：市教育局）
2.开展全国科普日活动。（牵头单位：市科协；配合单位：各成员单位）
"""


@pytest.fixture
def plan(cast: dict[str, Any]) -> Plan:
    draft = importing.draft_create(actor=cast["office"], text=SHARED_PLAN, filename="共同负责.txt")
    return importing.draft_commit(actor=cast["office"], draft=draft)


@pytest.fixture
def shared(plan: Plan) -> Task:
    task = plan.tasks.get(title="开展全国科普日活动")
    # The parser's reading, which the rest relies on: one named lead, the members share the rest.
    assert task.all_members and [tu.unit.label for tu in task.units.all()] == ["市科协"]
    return task


def _liaison_of(cast: dict[str, Any], unit: Unit, username: str) -> User:
    user = user_create(actor=cast["admin"], username=username, password="Kepu-Test-2026!", unit=unit,
                       display_name="新联络员", roles=[Role.LIAISON])
    return User.objects.select_related("unit", "unit__region").get(pk=user.pk)


def _city() -> Region:
    return Region.objects.get(level=RegionLevel.CITY)


def _new_unit(cast: dict[str, Any], name: str, *, member: bool) -> Unit:
    return unit_create(actor=cast["admin"], name=name, region=_city(), kind="public_institution", is_member=member)


def test_a_member_units_liaison_finds_the_shared_task_among_the_own_tasks(cast: dict[str, Any],
                                                                          shared: Task) -> None:
    nongye = cast["nongye"]
    own = selectors.task_list(user=nongye, filters=selectors.TaskFilters(plan=shared.plan_id))
    assert list(own.values_list("title", flat=True)) == ["开展全国科普日活动"]
    assert selectors.task_detail(user=nongye, task_id=shared.pk) == shared
    assert selectors.plan_detail(user=nongye, plan_id=shared.plan_id) == shared.plan


def test_a_unit_created_as_non_member_never_reaches_or_is_assigned_the_shared_task(cast: dict[str, Any],
                                                                                     shared: Task) -> None:
    outsider = _new_unit(cast, "测试市某科技公司", member=False)
    liaison = _liaison_of(cast, outsider, "outsider_liaison")
    assert not selectors.task_list(user=liaison, filters=selectors.TaskFilters(plan=shared.plan_id)).exists()
    assert outsider not in selectors.responsible_units(shared)
    office = cast["office"]
    by_unit = selectors.task_list(user=office, filters=selectors.TaskFilters(plan=shared.plan_id, unit=outsider.pk))
    assert not by_unit.exists()
    assert outsider not in selectors.unit_choices(user=office, plan=shared.plan)
    assert outsider not in assessment.assessed_units(shared.plan)


def test_the_ledger_filtered_by_a_member_unit_lists_the_shared_task(cast: dict[str, Any], shared: Task) -> None:
    office, nongye = cast["office"], cast["nongye"].unit
    tasks = selectors.task_list(user=office, filters=selectors.TaskFilters(plan=shared.plan_id, unit=nongye.pk))
    assert list(tasks) == [shared]
    lead_only = selectors.TaskFilters(plan=shared.plan_id, unit=nongye.pk, role="lead")
    assert not selectors.task_list(user=office, filters=lead_only).exists()
    assert nongye in selectors.unit_choices(user=office, plan=shared.plan)


def test_a_unit_joining_the_group_gains_the_shared_task_and_one_leaving_loses_it(cast: dict[str, Any],
                                                                                   shared: Task) -> None:
    newcomer = _new_unit(cast, "测试市数据局", member=False)
    assert newcomer not in selectors.responsible_units(shared)
    unit_update(actor=cast["admin"], unit=newcomer, is_member=True)
    liaison = _liaison_of(cast, newcomer, "newcomer_liaison")
    assert newcomer in selectors.responsible_units(shared)
    assert list(selectors.task_list(user=liaison, filters=selectors.TaskFilters(plan=shared.plan_id))) == [shared]
    unit_update(actor=cast["admin"], unit=newcomer, is_member=False)
    liaison = User.objects.select_related("unit").get(pk=liaison.pk)
    assert newcomer not in selectors.responsible_units(shared)
    assert not selectors.task_list(user=liaison, filters=selectors.TaskFilters(plan=shared.plan_id)).exists()


def test_a_deactivated_member_unit_is_not_assigned_the_shared_task(cast: dict[str, Any], shared: Task) -> None:
    unit = _new_unit(cast, "测试市档案馆", member=True)
    assert unit in selectors.sharing_members(shared)
    unit_update(actor=cast["admin"], unit=unit, is_active=False)
    assert unit not in selectors.sharing_members(shared)
    assert unit not in selectors.responsible_units(shared)


def test_a_member_unit_reports_on_the_shared_task_and_a_non_member_is_refused(cast: dict[str, Any],
                                                                             shared: Task) -> None:
    period = shared.plan.periods.order_by("start").first()
    report = reporting.report_save(actor=cast["nongye"], task=shared, period=period, progress=10,
                                   text="组织科普日活动3场")
    assert report.unit == cast["nongye"].unit
    liaison = _liaison_of(cast, _new_unit(cast, "测试市某协会", member=False), "society_liaison")
    with pytest.raises(PermissionDenied):
        reporting.report_save(actor=liaison, task=shared, period=period, progress=10, text="不应保存")
    assert not shared.reports.filter(unit=liaison.unit).exists()


def test_a_supervision_order_goes_to_a_member_unit_of_the_shared_task_only(cast: dict[str, Any],
                                                                          shared: Task) -> None:
    due = datetime.date.today() + datetime.timedelta(days=10)
    order = supervision.order_issue(actor=cast["office"], task=shared, unit=cast["nongye"].unit,
                                    requirement="请报送科普日活动方案", due_date=due)
    assert order.unit == cast["nongye"].unit
    outsider = _new_unit(cast, "测试市某医院", member=False)
    with pytest.raises(ValidationFailed, match="承办单位须为该任务的牵头或参与单位"):
        supervision.order_issue(actor=cast["office"], task=shared, unit=outsider, requirement="不应签发", due_date=due)
    assert not shared.orders.filter(unit=outsider).exists()


def test_the_order_form_offers_the_member_units_of_a_shared_task(as_user: Any, cast: dict[str, Any],
                                                                 shared: Task) -> None:
    outsider = _new_unit(cast, "测试市某出版社", member=False)
    # The 承办单位 field searches as you type: its choices come from the order-units search of the task.
    search = reverse("backoffice:choices", kwargs={"source": "order-units"})
    answer = as_user("office").get(search, {"task": shared.pk, "q": ""}).content.decode()
    assert cast["nongye"].unit.name in answer and outsider.name not in answer
    for unit, allowed in ((cast["nongye"].unit, True), (outsider, False)):
        found = as_user("office").get(search, {"task": shared.pk, "q": unit.name}).content.decode()
        assert (f'data-kp-pick-id="{unit.pk}"' in found) is allowed


def test_the_task_page_lists_the_member_units_sharing_it(as_user: Any, cast: dict[str, Any], shared: Task) -> None:
    outsider = _new_unit(cast, "测试市某研究院", member=False)
    page = as_user("office").get(shared.get_absolute_url()).content.decode()
    block = page.split('id="sharing-members"')[1].split("</dd>")[0]
    assert "各成员单位共同负责" in block and cast["nongye"].unit.label in block and outsider.label not in block


def test_the_liaisons_home_counts_and_due_list_include_the_shared_task(cast: dict[str, Any], shared: Task) -> None:
    from kepu.plans.models import AlertRule
    from kepu.plans.views.home import my_tasks_context

    AlertRule.objects.update_or_create(plan=shared.plan, defaults={"participants_report": True})
    nongye = cast["nongye"]
    due = selectors.due_soon(user=nongye, today=shared.plan.periods.order_by("start").first().due_date)
    assert shared in [t for row in due for t in row["tasks"]]
    context = my_tasks_context(nongye)
    assert context is not None
    assert context["counts"]["total"] == selectors.task_list(user=nongye).count()
    assert shared in selectors.task_list(user=nongye)


def test_reminders_count_the_member_units_of_a_shared_task_where_participants_report(cast: dict[str, Any],
                                                                                     shared: Task) -> None:
    from kepu.plans.models import AlertRule

    AlertRule.objects.update_or_create(plan=shared.plan, defaults={"participants_report": True})
    outsider = _new_unit(cast, "测试市某基金会", member=False)
    facts = supervision._plan_facts(shared.plan, [shared.pk], datetime.date.today())
    required = {unit_id for unit_id, _label in facts.required[shared.pk]}
    assert cast["nongye"].unit_id in required and outsider.pk not in required
    assert required == set(selectors.responsible_units(shared).values_list("pk", flat=True))


def test_the_assessment_scores_the_member_units_and_not_a_non_member_named_on_a_task(cast: dict[str, Any],
                                                                                    plan: Plan) -> None:
    from kepu.plans.services.ledger import set_task_units

    outsider = _new_unit(cast, "测试市某学会", member=False)
    festival = plan.tasks.get(title="开展青少年科技节")
    set_task_units(festival, [cast["jiaoyu"].unit], [outsider])
    units = assessment.assessed_units(plan)
    assert outsider not in units
    assert cast["nongye"].unit in units and set(units) == set(Unit.objects.filter(is_member=True, is_active=True))
    rubric = assessment.rubric_create(actor=cast["office"], plan=plan, year=YEAR, title=f"{YEAR}年考核")
    assessment.rubric_compute(actor=cast["office"], rubric=rubric)
    scored = set(rubric.assessments.values_list("unit_id", flat=True))
    assert outsider.pk not in scored and cast["nongye"].unit_id in scored
    assert Decimal(0) <= min(rubric.assessments.values_list("total", flat=True))


def _api(cast: dict[str, Any], username: str, path: str) -> Any:
    import json

    from django.test import Client

    from kepu.org.services import token_create

    _, key = token_create(actor=cast[username], name="测试")
    return json.loads(Client().get(path, headers={"Authorization": f"Bearer {key}"}).content)


def test_the_api_lists_the_shared_task_to_a_member_units_liaison_and_says_it_is_shared(cast: dict[str, Any],
                                                                                     shared: Task) -> None:
    answer = _api(cast, "nongye", f"/api/v1/plans/tasks?plan={shared.plan_id}")
    rows = answer["items"] if isinstance(answer, dict) else answer
    assert [(t["id"], t["all_members"]) for t in rows] == [(shared.pk, True)]


def test_the_api_says_whether_an_indicator_may_be_negative(cast: dict[str, Any], plan: Plan) -> None:
    from kepu.plans.models import Indicator

    Indicator.objects.create(plan=plan, name="科普经费增长率", target=5, allows_negative=True)
    Indicator.objects.create(plan=plan, name="科普讲座场次", target=10)
    answer = _api(cast, "office", f"/api/v1/plans/indicators?plan={plan.pk}")
    rows = answer["items"] if isinstance(answer, dict) else answer
    assert {i["name"]: i["allows_negative"] for i in rows} == {"科普经费增长率": True, "科普讲座场次": False}
