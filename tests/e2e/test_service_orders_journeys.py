"""C4 in a real browser: a resident orders on a phone → the town dispatches → the department claims and
directs it to a team → the team leader accepts, serves and files the close-out report with a photo →
the resident rates it through the SMS link. Then a team loses a race for an order and is told so."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = "13912345678"
PHONE_SIZE = (390, 844)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"  # the close-out photo stays out of the checkout


def _last_sms(phone: str, containing: str) -> str:
    from kepu.notifications.models import SmsMessage

    return SmsMessage.objects.filter(phone=phone, text__contains=containing).latest("id").text


def _resident_orders(page: Any, base: str) -> str:
    page.goto(f"{base}/")
    page.click("text=预约科普服务")
    expect(page.locator("#menu")).to_be_visible()
    page.click(".kp-chips >> text=青少年科技")
    card = page.locator(".kp-svc-card", has_text="校园人工智能与编程体验")
    shot(page, "orders-portal-menu")
    card.locator("text=预约").click()
    # No account: the phone is verified with a 6-digit code (the fake SMS adapter records it).
    page.fill("#id_phone", PHONE)
    page.click("text=获取短信验证码")
    expect(page.locator("#code-form")).to_be_visible()
    code = re.search(r"\d{6}", _last_sms(PHONE, "验证码")).group()
    page.fill("#id_code", code)
    shot(page, "orders-portal-verify")
    page.click("#code-form button[type=submit]")
    expect(page.locator("#order-form")).to_be_visible()
    page.select_option("#id_region", label="张浦镇演示一社区")
    page.fill("#id_address", "张浦镇演示一社区党群服务中心二楼")
    day = timezone.localdate() + datetime.timedelta(days=5)
    page.fill("#id_day", day.isoformat())
    page.select_option("#id_slot", "afternoon")
    page.fill("#id_headcount", "35")
    page.fill("#id_requester_name", "周女士")
    shot(page, "orders-portal-form")
    page.click("#submit-order")
    expect(page.locator("#order-status")).to_contain_text("待派单")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE_SIZE[0], "no sideways scrolling"
    shot(page, "orders-portal-placed")
    number = re.search(r"FW\d{14}", page.inner_text("h1 + p")).group()
    return number


def _the_booked_day_arrives(number: str) -> None:
    """The journey cannot wait five days: the appointment is moved to this hour, as if the day had come."""
    from kepu.service_orders.models import ServiceOrder

    ServiceOrder.objects.filter(pk=int(number[-6:])).update(scheduled_at=timezone.now())


def _open_from_queue(page: Any, base: str, number: str) -> None:
    page.goto(f"{base}/office/orders/?queue=mine")
    page.click(f"text={number}")
    expect(page.locator("#actions")).to_be_visible()


def _choose(page: Any, form: str, field: str, typed: str, name: str) -> None:
    """Choose in a search-as-you-type field (kepu/core/choices.py): type part of the name, click the match."""
    page.locator(f"{form} #id_{field}_search").fill(typed)
    page.locator(f"{form} [data-kp-pick='{name}']").click()
    expect(page.locator(f"{form} [data-kp-chip]", has_text=name)).to_be_visible()


def test_a_resident_order_travels_the_whole_workflow(new_page: Any, demo_server: Any, tmp_path: Any) -> None:
    base = demo_server.url
    resident = new_page(viewport=PHONE_SIZE)
    number = _resident_orders(resident, base)

    town = new_page()
    sign_in(town, base, "zhangpu")
    _open_from_queue(town, base, number)
    _choose(town, "#form-dispatch", "unit", "教育局", "昆山市教育局")
    town.click("#form-dispatch button[type=submit]")
    expect(town.locator(".alert-success")).to_contain_text("已派单至昆山市教育局")

    department = new_page()
    sign_in(department, base, "jiaoyu")
    _open_from_queue(department, base, number)
    _choose(department, "#form-claim", "team", "宣讲", "张浦镇科普宣讲分队")
    shot(department, "orders-department-claims")
    department.click("#form-claim button[type=submit]")
    expect(department.locator(".alert-success")).to_contain_text("指派给张浦镇科普宣讲分队")

    team = new_page()
    sign_in(team, base, "duizhang")  # leads 张浦镇科技志愿服务大队 and so acts for its squads
    _open_from_queue(team, base, number)
    team.click("#form-accept button[type=submit]")
    expect(team.locator(".alert-success")).to_contain_text("接单成功")
    # Booked for five days from now: the service cannot start (nor be completed) today.
    team.click("#form-start button[type=submit]")
    expect(team.locator(".alert-danger")).to_contain_text("预约时间未到")
    expect(team.locator("#form-complete")).to_have_count(0)
    shot(team, "orders-team-too-early")
    _the_booked_day_arrives(number)
    team.reload()
    team.click("#form-start button[type=submit]")
    expect(team.locator(".alert-success")).to_be_visible()
    photo = tmp_path / "现场.png"
    from tests.service_orders.authz import png_bytes

    photo.write_bytes(png_bytes("#2fa84f"))
    team.fill("#form-complete #id_report", "为社区孩子们开展人工智能与编程体验课，分组完成了小车巡线编程。")
    team.fill("#form-complete #id_served_count", "32")
    team.fill("#form-complete #id_service_hours", "2.5")
    team.check("#form-complete >> text=刘志愿")
    team.set_input_files("#form-complete #id_photos", str(photo))
    shot(team, "orders-team-completes")
    team.click("#form-complete button[type=submit]")
    expect(team.locator("#close-out")).to_contain_text("实际服务 32 人")
    expect(team.locator("#close-out img")).to_have_count(1)

    link = re.search(r"https?://\S+/services/rate/\S+/", _last_sms(PHONE, "评分")).group()
    resident.goto(link)
    resident.click("label[for=star-5]")
    resident.fill("#id_comment", "孩子们玩得很开心，学到了编程思维！")
    shot(resident, "orders-portal-rate")
    resident.click("#rate-form button[type=submit]")
    expect(resident.locator("#rate-result")).to_contain_text("评了 5 星")

    town.reload()
    expect(town.locator("h1")).to_contain_text("已评价")
    events = town.locator("#timeline li")
    expect(events).to_have_count(7)
    expect(town.locator("#timeline")).to_contain_text("群众评单")
    shot(town, "orders-office-timeline")
    for page in (resident, town, department, team):
        assert page.errors == []


def test_the_team_that_is_second_to_accept_is_told_another_team_won(new_page: Any, demo_server: Any) -> None:
    from kepu.service_orders.models import OrderStatus, ServiceOrder

    base = demo_server.url
    pool = ServiceOrder.objects.filter(status=OrderStatus.CLAIMED, offered_team__isnull=True).first()
    leader = new_page()
    sign_in(leader, base, "duizhang")
    leader.goto(f"{base}/office/orders/{pool.pk}/")
    expect(leader.locator("#form-accept")).to_be_visible()
    # Meanwhile another team's leader takes it (through the same service the page uses).
    from kepu.service_orders import services

    other, other_leader = _another_team_leader()
    services.order_accept(actor=other_leader, order=pool, team=other)
    leader.click("#form-accept button[type=submit]")
    expect(leader.locator(".alert-danger")).to_contain_text("该工单已被其他队伍接单")
    shot(leader, "orders-race-lost")


def _another_team_leader() -> tuple[Any, Any]:
    from kepu.org.models import Region, RoleAssignment, User
    from kepu.volunteers.public import MembershipStatus, TeamMembership, Volunteer, VolunteerTeam

    team = VolunteerTeam.objects.get(name="周市镇老年人数字助力分队")
    user = User.objects.create(username="zhoushi_leader", password="!", display_name="周队长")
    RoleAssignment.objects.create(user=user, role="volunteer")
    volunteer = Volunteer.objects.create(user=user, name="周队长", id_number="320583198801010010",
                                         phone="13900000031", region=Region.objects.get(code="320583102000"))
    TeamMembership.objects.create(volunteer=volunteer, team=team, status=MembershipStatus.APPROVED, is_leader=True)
    return team, User.objects.get(pk=user.pk)
