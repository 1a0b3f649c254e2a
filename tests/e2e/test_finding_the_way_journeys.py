"""Finding the way, in a real browser: a volunteer registers from the login page; a volunteer signs in
to an activity on a phone and cannot sign out by accident; the leader's full-screen code fits a phone;
a resident sees no back-office link; and every demo role's landing page, at desktop and phone width."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (390, 844)
SMALL_PHONE = (375, 667)
DESKTOP = (1366, 900)
LANDINGS = {"admin": "/office/", "office": "/office/", "zhangpu": "/office/", "jiaoyu": "/office/",
            "nongye": "/office/", "weijian": "/office/", "expert": "/office/reviews/", "volunteer": "/volunteer/",
            "duizhang": "/volunteer/", "resident": "/"}


def _no_sideways_scrolling(page: Any) -> None:
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def test_a_volunteer_registers_from_the_login_page(new_page: Any, demo_server: Any) -> None:
    from kepu.notifications.models import SmsMessage

    phone = new_page(viewport=PHONE)
    phone.goto(f"{demo_server.url}/login/")
    phone.click("#volunteer-register")
    phone.wait_for_url("**/volunteer/register/")
    phone.fill("#id_name", "钱新员")
    phone.fill("#id_id_number", "11010519491231002X")
    phone.fill("#id_phone", "13912340001")
    phone.click("#send-code")
    expect(phone.locator(".alert-info")).to_contain_text("验证码已发送")
    code = re.search(r"验证码 (\d{6})", SmsMessage.objects.filter(phone="13912340001").latest("id").text).group(1)
    phone.fill("#id_code", code)
    phone.select_option("#id_region", label="张浦镇")
    phone.fill("#id_password", "Kp#newvolunteer26")
    phone.check("#id_agree")
    phone.click("#register-submit")
    phone.wait_for_url("**/volunteer/teams/")
    expect(phone.locator(".alert-success")).to_contain_text("登记成功")
    _no_sideways_scrolling(phone)
    assert phone.errors == []


def test_a_volunteer_signs_in_on_a_phone_and_cannot_sign_out_by_accident(new_page: Any, demo_server: Any) -> None:
    from kepu.volunteers.models import Activity, Attendance

    activity = Activity.objects.get(title="社区科普讲座：识别保健品骗局")
    phone = new_page(viewport=PHONE)
    sign_in(phone, demo_server.url, "volunteer")
    phone.wait_for_url(f"{demo_server.url}/volunteer/")  # their own page, not the back office
    phone.fill("#quick-sign input[name=code]", activity.sign_code)
    expect(phone.locator("#sign-activity")).to_contain_text(activity.title)
    assert not Attendance.objects.filter(activity=activity, volunteer__user__username="volunteer").exists()
    shot(phone, "volunteers-sign-confirm")
    phone.click("#sign-button")
    expect(phone.locator("#sign-result")).to_contain_text("签到成功")
    phone.click("#back-home")

    # The code typed again at once: the page asks, and the obvious button keeps the volunteer signed in.
    phone.fill("#quick-sign input[name=code]", activity.sign_code)
    expect(phone.locator("#early-warning")).to_contain_text(re.compile(r"您刚签到 \d+ 分钟，确定签退吗"))
    shot(phone, "volunteers-sign-out-too-soon")
    _no_sideways_scrolling(phone)
    phone.click("#keep-signed-in")
    phone.wait_for_url(f"{demo_server.url}/volunteer/")
    expect(phone.locator("#open-attendance")).to_contain_text("已于")
    attendance = Attendance.objects.get(activity=activity, volunteer__user__username="volunteer")
    assert attendance.signed_out_at is None
    assert phone.errors == []


def test_the_leaders_full_screen_code_fits_a_phone(new_page: Any, demo_server: Any) -> None:
    from kepu.volunteers.models import Activity

    activity = Activity.objects.get(title="社区科普讲座：识别保健品骗局")
    phone = new_page(viewport=SMALL_PHONE)
    sign_in(phone, demo_server.url, "duizhang")
    phone.wait_for_url(f"{demo_server.url}/volunteer/")
    phone.goto(f"{demo_server.url}/office/volunteers/activities/{activity.pk}/display/")
    expect(phone.locator("#display-code")).to_have_text(activity.sign_code)
    _no_sideways_scrolling(phone)
    box = phone.locator("#display-code").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= SMALL_PHONE[0]
    shot(phone, "volunteers-display-phone")
    assert phone.errors == []


def test_a_resident_sees_no_back_office_link(new_page: Any, demo_server: Any) -> None:
    page = new_page(viewport=PHONE)
    sign_in(page, demo_server.url, "resident")
    page.wait_for_url(f"{demo_server.url}/")
    for address in ("/", "/services/", "/volunteer/", "/plans/"):
        page.goto(f"{demo_server.url}{address}")
        assert page.locator("a[href^='/office']").count() == 0, address
        expect(page.locator("body")).not_to_contain_text("工作台")
    page.goto(f"{demo_server.url}/office/")
    expect(page.locator("h1")).to_have_text("工作台仅供工作人员使用")
    shot(page, "resident-office-refused")
    page.click("#way-back")
    page.wait_for_url(f"{demo_server.url}/")
    assert page.errors == []


def test_every_demo_roles_landing_page_at_desktop_and_phone_width(new_page: Any, demo_server: Any) -> None:
    for username, landing in LANDINGS.items():
        for viewport, width in ((DESKTOP, "desktop"), (PHONE, "phone"), (SMALL_PHONE, "small-phone")):
            page = new_page(viewport=viewport)
            sign_in(page, demo_server.url, username)
            page.wait_for_url(f"{demo_server.url}{landing}")
            page.wait_for_load_state("networkidle")
            _no_sideways_scrolling(page)
            shot(page, f"landing-{username}-{width}")
            assert page.errors == [], username
            page.context.close()
