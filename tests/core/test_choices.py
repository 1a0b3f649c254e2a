"""Search-as-you-type choice fields (kepu/core/choices.py): every source answers only the rows in the
user's data scope, matches names, short names and aliases, and the forms that use them still refuse an
unknown or out-of-scope id server-side and render no list of every unit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from kepu.core.choices import choice_source, matches
from kepu.org.models import Region, Unit
from kepu.volunteers.models import Volunteer, VolunteerTeam

ZHANGPU = "320583106000"


def found(user: Any, source: str, q: str = "", **context: Any) -> list[Any]:
    rows, _ = matches(source=choice_source(source), user=user, context={k: str(v) for k, v in context.items()}, q=q)
    return rows


def names(rows: list[Any]) -> set[str]:
    return {row.name for row in rows}


def search(client: Any, source: str, **params: Any) -> Any:
    return client.get(reverse("backoffice:choices", kwargs={"source": source}), params)


# ---------------------------------------------------------------- scope of each source

def test_units_are_offered_within_each_roles_scope(cast: dict[str, Any]) -> None:
    zhangpu = Region.objects.get(code=ZHANGPU)
    office = names(found(cast["office"], "units", "局", action="org.unit.view"))
    assert {"昆山市教育局", "昆山市民政局"} <= office
    town = found(cast["zhangpu"], "units", "", action="org.unit.view")
    assert town and all(u.region.path.startswith(zhangpu.path) for u in Unit.objects.filter(
        pk__in=[u.pk for u in town]).select_related("region"))
    assert "张浦镇人民政府" in names(town) and not found(cast["zhangpu"], "units", "教育局", action="org.unit.view")
    liaison = names(found(cast["jiaoyu"], "units", "", action="org.unit.view"))
    assert "昆山市教育局" in liaison and "昆山市民政局" not in liaison and "张浦镇人民政府" not in liaison


def test_units_follow_the_scope_of_the_action_the_form_is_for(cast: dict[str, Any]) -> None:
    # A liaison keeps the menu of its own unit only (service_orders.item.change, scope 本单位).
    assert names(found(cast["jiaoyu"], "units", "", action="service_orders.item.change")) == {"昆山市教育局"}


def test_the_search_url_answers_only_in_scope_units(as_user: Any) -> None:
    office = search(as_user("office"), "units", q="教育局", action="org.unit.view").content.decode()
    town = search(as_user("zhangpu"), "units", q="教育局", action="org.unit.view").content.decode()
    assert 'data-kp-pick="昆山市教育局"' in office
    assert "昆山市教育局" not in town and "没有匹配“教育局”的单位" in town


def test_a_search_for_an_action_the_user_lacks_is_refused_and_audited(as_user: Any) -> None:
    from kepu.core.models import AuditCategory, AuditEntry

    before = AuditEntry.objects.filter(category=AuditCategory.DENIED).count()
    assert search(as_user("zhangpu"), "units", action="plans.task.change").status_code == 403
    assert AuditEntry.objects.filter(category=AuditCategory.DENIED).count() == before + 1
    assert search(as_user("office"), "units", action="no.such.action").status_code == 404
    assert search(as_user("office"), "no-such-source").status_code == 404


def test_volunteers_are_offered_within_scope_by_name_and_area_never_by_phone(cast: dict[str, Any],
                                                                            as_user: Any) -> None:
    zhangpu = Region.objects.get(code=ZHANGPU)
    rows = found(cast["zhangpu"], "volunteers", "", action="volunteers.volunteer.view")
    assert rows and all(v.region.path.startswith(zhangpu.path) for v in rows)
    outside = Volunteer.objects.exclude(region__path__startswith=zhangpu.path).filter(is_active=True).first()
    assert outside is not None
    assert outside.pk not in {v.pk for v in found(cast["zhangpu"], "volunteers", outside.name,
                                                   action="volunteers.volunteer.view")}
    assert outside.pk in {v.pk for v in found(cast["office"], "volunteers", outside.name,
                                              action="volunteers.volunteer.view")}
    page = search(as_user("office"), "volunteers", q=outside.name, action="volunteers.volunteer.view")
    assert outside.name in page.content.decode() and outside.phone not in page.content.decode()
    assert outside.phone[-4:] not in page.content.decode()


def test_teams_are_offered_within_scope(cast: dict[str, Any]) -> None:
    town_teams = names(found(cast["zhangpu"], "teams", "", action="volunteers.hours.add"))
    assert "张浦镇科普宣讲分队" in town_teams and "周市镇老年人数字助力分队" not in town_teams
    edu = names(found(cast["jiaoyu"], "teams", "", action="volunteers.hours.add"))
    assert "昆山市青少年科技教育志愿服务支队" in edu and "张浦镇科普宣讲分队" not in edu
    assert "周市镇老年人数字助力分队" in names(found(cast["office"], "teams", "周市", action="volunteers.hours.add"))
    # A leader accepts orders only for the teams they lead (and those under them).
    led = names(found(cast["duizhang"], "led-teams"))
    assert "张浦镇科技志愿服务大队" in led and "周市镇老年人数字助力分队" not in led


def test_dispatch_units_are_the_member_units_and_the_towns_own(cast: dict[str, Any]) -> None:
    from kepu.service_orders.models import ServiceOrder

    order = ServiceOrder.objects.filter(town__code=ZHANGPU).first()
    assert order is not None
    offered = names(found(cast["office"], "dispatch-units", "", order=order.pk))
    assert "昆山市教育局" in offered  # a member unit
    assert "周市镇人民政府" not in names(found(cast["office"], "dispatch-units", "周市", order=order.pk))
    assert "张浦镇人民政府" in names(found(cast["office"], "dispatch-units", "张浦", order=order.pk))


def test_order_units_are_the_tasks_units(cast: dict[str, Any]) -> None:
    from kepu.plans.models import Task

    task = Task.objects.prefetch_related("units__unit").filter(units__isnull=False).first()
    assert task is not None
    assert {u.pk for u in found(cast["office"], "order-units", "", task=task.pk)} == \
        {tu.unit_id for tu in task.units.all()}


# ---------------------------------------------------------------- matching

@pytest.mark.parametrize(("q", "unit"), [
    ("科学技术局", "昆山市科学技术局"),  # part of the name
    ("市发改委", "昆山市发展和改革委员会"),  # the short name
    ("市文明办", "中共昆山市委宣传部"),  # an alias
])
def test_units_match_by_name_short_name_or_alias(cast: dict[str, Any], q: str, unit: str) -> None:
    assert unit in names(found(cast["office"], "units", q, action="org.unit.view"))


def test_a_search_shows_at_most_twenty_results_and_says_there_are_more(as_user: Any) -> None:
    page = search(as_user("office"), "units", q="", action="org.unit.view").content.decode()
    assert page.count("data-kp-pick-id=") == 20
    assert "结果较多" in page


# ---------------------------------------------------------------- forms still validate server-side

def invalid_choice(response: Any) -> bool:
    return response.status_code == 200 and "不在可选范围内" in response.content.decode()


def test_the_task_form_refuses_an_unknown_unit_and_keeps_the_chosen_one_shown(cast: dict[str, Any],
                                                                             as_user: Any) -> None:
    from kepu.core.transitions import edit_token
    from kepu.plans.models import Task, TaskUnit

    task = Task.objects.filter(units__role="lead").first()
    lead = TaskUnit.objects.filter(task=task, role="lead").first().unit
    url = reverse("plans:task_edit", kwargs={"task_id": task.pk})
    before = sorted(TaskUnit.objects.filter(task=task).values_list("unit_id", "role"))
    post = {"number": task.number, "title": task.title, "edit_token": edit_token(task), "reason": "测试",
            "lead_units": [lead.pk, 99_999_999]}
    assert invalid_choice(as_user("office").post(url, post))
    assert sorted(TaskUnit.objects.filter(task=task).values_list("unit_id", "role")) == before
    # Another field wrong, the units valid: the page shows the chosen unit again, as chosen.
    again = as_user("office").post(url, {**post, "lead_units": [lead.pk], "title": ""}).content.decode()
    assert f'<option value="{lead.pk}" selected>{lead.name}</option>' in again


def test_the_supervision_order_refuses_a_unit_that_is_not_the_tasks(cast: dict[str, Any], as_user: Any) -> None:
    from kepu.plans.models import SupervisionOrder, Task

    task = Task.objects.filter(units__isnull=False).first()
    other = Unit.objects.exclude(pk__in=task.units.values("unit_id")).first()
    count = SupervisionOrder.objects.count()
    response = as_user("office").post(reverse("plans:order_create", kwargs={"task_id": task.pk}),
                                      {"unit": other.pk, "requirement": "请报送。", "due_date": "2030-01-01"})
    assert invalid_choice(response) and SupervisionOrder.objects.count() == count


def test_the_user_form_refuses_a_unit_outside_the_town(cast: dict[str, Any], as_user: Any) -> None:
    from kepu.org.models import User

    edu = Unit.objects.get(name="昆山市教育局")
    count = User.objects.count()
    response = as_user("zhangpu").post(reverse("org:user_create"), {
        "username": "choice_test", "display_name": "测试", "unit": edu.pk, "password": "Aa1!aaaaaaaa"})
    assert invalid_choice(response) and User.objects.count() == count


def test_the_unit_form_refuses_a_parent_outside_the_town(cast: dict[str, Any], as_user: Any) -> None:
    edu = Unit.objects.get(name="昆山市教育局")
    count = Unit.objects.count()
    response = as_user("zhangpu").post(reverse("org:unit_create"), {
        "name": "张浦镇测试学校", "kind": Unit._meta.get_field("kind").choices[0][0], "is_member": "False",
        "region": Region.objects.get(code=ZHANGPU).pk, "parent": edu.pk, "sort_order": 100})
    assert invalid_choice(response) and Unit.objects.count() == count


def test_the_team_form_refuses_a_unit_outside_the_town(cast: dict[str, Any], as_user: Any) -> None:
    edu = Unit.objects.get(name="昆山市教育局")
    count = VolunteerTeam.objects.count()
    response = as_user("zhangpu").post(reverse("volunteers:team_create"), {
        "name": "张浦镇测试分队", "level": "squad", "unit": edu.pk, "region": Region.objects.get(code=ZHANGPU).pk})
    assert invalid_choice(response) and VolunteerTeam.objects.count() == count


def test_the_hours_form_refuses_a_volunteer_outside_scope(cast: dict[str, Any], as_user: Any) -> None:
    from kepu.volunteers.models import ServiceHours

    zhangpu = Region.objects.get(code=ZHANGPU)
    team = VolunteerTeam.objects.get(name="张浦镇科普宣讲分队")
    outside = Volunteer.objects.exclude(region__path__startswith=zhangpu.path).filter(is_active=True).first()
    count = ServiceHours.objects.count()
    response = as_user("zhangpu").post(reverse("volunteers:hours_create"), {
        "team": team.pk, "volunteer": outside.pk, "served_on": "2026-01-05", "hours": "2", "title": "科普宣讲",
        "reason": "纸质签到补录"})
    assert invalid_choice(response) and ServiceHours.objects.count() == count


def test_the_item_form_refuses_another_units_provider(cast: dict[str, Any], as_user: Any) -> None:
    from kepu.service_orders.models import ServiceItem

    other = Unit.objects.get(name="昆山市民政局")
    count = ServiceItem.objects.count()
    response = as_user("jiaoyu").post(reverse("service_orders:item_create"), {
        "name": "测试服务", "category": "youth", "audience": "youth", "summary": "测试", "duration_minutes": 60,
        "max_headcount": 30, "provider_unit": other.pk, "sort_order": 100, "is_active": "on"})
    assert invalid_choice(response) and ServiceItem.objects.count() == count


def test_dispatch_refuses_a_unit_of_another_town(cast: dict[str, Any], as_user: Any) -> None:
    import datetime

    from django.utils import timezone

    from kepu.service_orders.models import OrderStatus, ServiceOrder

    zhangpu, now = Region.objects.get(code=ZHANGPU), timezone.now()
    order = ServiceOrder.objects.create(
        title="选项测试工单", category="health", requester_name="吴阿姨", requester_phone="13700000009", town=zhangpu,
        region=zhangpu, address="活动室", scheduled_at=now + datetime.timedelta(days=2), headcount=20,
        status=OrderStatus.PLACED, placed_at=now, stage_started_at=now)
    other_town = Unit.objects.get(name="周市镇人民政府")
    response = as_user("zhangpu").post(reverse("service_orders:order_dispatch", kwargs={"order_id": order.pk}),
                                       {"unit": other_town.pk})
    order.refresh_from_db()
    assert invalid_choice(response) and order.status == OrderStatus.PLACED and order.dispatch_unit_id is None


def test_accept_refuses_a_team_the_leader_does_not_lead(cast: dict[str, Any], as_user: Any) -> None:
    from kepu.service_orders.models import OrderStatus, ServiceOrder

    order = ServiceOrder.objects.filter(status=OrderStatus.CLAIMED, offered_team__isnull=True).first()
    other = VolunteerTeam.objects.get(name="周市镇老年人数字助力分队")
    response = as_user("duizhang").post(reverse("service_orders:order_accept", kwargs={"order_id": order.pk}),
                                        {"team": other.pk})
    order.refresh_from_db()
    assert invalid_choice(response) and order.status == OrderStatus.CLAIMED and order.team_id is None


# ---------------------------------------------------------------- no list of every unit

@pytest.fixture
def many_units() -> list[str]:
    city = Region.objects.get(level="city")
    made = [Unit(name=f"批量测试单位{i:04d}", normalized_name=f"批量测试单位{i:04d}", region=city, kind=Unit._meta.get_field("kind").default,
                 is_member=False) for i in range(300)]
    Unit.objects.bulk_create(made)
    return [u.name for u in made]


def options(page: str) -> int:
    return len(re.findall(r"<option\b", page))


def test_the_task_edit_page_lists_no_units_even_with_many(as_user: Any, many_units: list[str]) -> None:
    from kepu.plans.models import Task

    task = Task.objects.filter(units__isnull=False).first()
    page = as_user("office").get(reverse("plans:task_edit", kwargs={"task_id": task.pk})).content.decode()
    assert options(page) == task.units.count()  # only the units the task names, chosen
    assert many_units[0] not in page


@pytest.mark.parametrize(("username", "url_name"), [
    ("office", "org:user_create"), ("office", "org:unit_create"), ("office", "volunteers:team_create"),
    ("office", "volunteers:hours_create"), ("office", "service_orders:item_create"),
])
def test_form_pages_list_no_units_even_with_many(as_user: Any, many_units: list[str], username: str,
                                                 url_name: str) -> None:
    page = as_user(username).get(reverse(url_name)).content.decode()
    assert not any(name in page for name in many_units)
    assert "data-kp-picker-search" in page


def test_the_accept_form_comes_with_the_leaders_team_chosen(cast: dict[str, Any], as_user: Any) -> None:
    """A `<select>` without an empty choice used to preselect its first team; the search field keeps that."""
    from kepu.service_orders.models import OrderStatus, ServiceOrder
    from kepu.service_orders.teams import led_teams

    order = ServiceOrder.objects.filter(status=OrderStatus.CLAIMED, offered_team__isnull=True).first()
    first = led_teams(cast["duizhang"]).first()
    page = as_user("duizhang").get(reverse("service_orders:order_detail", kwargs={"order_id": order.pk}))
    form = page.content.decode().split('id="form-accept"')[1].split("</form>")[0]
    assert f'<option value="{first.pk}" selected>{first.name}</option>' in form


@pytest.mark.parametrize("posted", ["9" * 25, "abc", "-1"])
def test_an_odd_id_is_refused_with_the_form_shown_again(cast: dict[str, Any], as_user: Any, posted: str) -> None:
    from kepu.org.models import User

    count = User.objects.count()
    response = as_user("office").post(reverse("org:user_create"), {
        "username": "choice_odd", "display_name": "测试", "unit": posted, "password": "Aa1!aaaaaaaa"})
    assert invalid_choice(response) and User.objects.count() == count


# ---------------------------------------------------------------- the activity form's team

def test_the_activity_form_refuses_a_team_outside_scope(cast: dict[str, Any], as_user: Any) -> None:
    from kepu.volunteers.models import Activity

    zhangpu = Region.objects.get(code=ZHANGPU)
    other = VolunteerTeam.objects.get(name="周市镇老年人数字助力分队")
    count = Activity.objects.count()
    response = as_user("zhangpu").post(reverse("volunteers:activity_create"), {
        "team": other.pk, "title": "越界活动", "place": "活动室", "region": zhangpu.pk,
        "starts_at": "2026-03-01T09:00", "ends_at": "2026-03-01T11:00"})
    assert response.status_code == 404 and Activity.objects.count() == count


def test_the_activity_form_lists_no_teams_but_the_chosen_one(cast: dict[str, Any], as_user: Any) -> None:
    teams = VolunteerTeam.objects.filter(is_active=True).order_by("pk")
    chosen = teams.filter(name="张浦镇科普宣讲分队").get()
    page = as_user("office").get(reverse("volunteers:activity_create"), {"team": chosen.pk}).content.decode()
    form = page.split('name="team"')[1].split("</select>")[0]
    assert re.findall(r"<option\b", form) == ["<option"] and chosen.name in form
    assert not any(team.name in page for team in teams.exclude(pk=chosen.pk))
    assert "data-kp-picker-search" in page and "volunteers.activity.manage" in page


# ---------------------------------------------------------------- the search's rate limit

def test_the_search_refuses_the_121st_lookup_in_a_minute_and_only_for_that_user(cast: dict[str, Any],
                                                                               as_user: Any) -> None:
    from kepu.core import limits
    from kepu.core.choices import SEARCH_LIMIT

    office = as_user("office")
    for _ in range(SEARCH_LIMIT.count - 1):  # counted as the view counts them, without 119 page loads
        limits.hit(SEARCH_LIMIT, str(cast["office"].pk))
    assert SEARCH_LIMIT.count == 120 and SEARCH_LIMIT.seconds == 60
    assert search(office, "units", q="昆山").status_code == 200  # the 120th
    refused = search(office, "units", q="昆山")
    assert refused.status_code == 429 and refused.content.decode() == "搜索过于频繁，请 1 分钟后再试"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert search(as_user("zhangpu"), "units", q="张浦").status_code == 200
