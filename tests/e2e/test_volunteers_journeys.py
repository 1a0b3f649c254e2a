"""C4 volunteers journeys in a real browser: a volunteer signs in and out of an activity on a phone and
the hours appear (then count once the leader approves them); a visitor registers on the phone with an
SMS code and asks to join a team; anyone verifies a certificate."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kepu.core.protected import digest
from tests.e2e.conftest import shot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = (390, 844)


def test_a_volunteer_signs_in_and_out_on_a_phone_and_the_hours_appear(new_page: Any, demo_server: Any) -> None:
    from kepu.volunteers.models import Activity, Attendance

    activity = Activity.objects.get(title="社区科普讲座：识别保健品骗局")
    base = demo_server.url

    # The team leader shows the code on the organiser's page.
    organiser = new_page()
    sign_in(organiser, base, "duizhang")
    organiser.wait_for_url("**/volunteer/")  # a team leader lands on their own page
    organiser.goto(f"{base}/office/volunteers/activities/{activity.pk}/")
    code = organiser.inner_text("#sign-code").strip()
    assert code == activity.sign_code and organiser.locator("#sign-card svg").count() == 1
    shot(organiser, "volunteers-activity-organiser")

    # The volunteer, on a phone, signs in with the code.
    phone = new_page(viewport=PHONE)
    phone.goto(f"{base}/login/?next=/volunteer/sign/")
    phone.fill("#id_username", "volunteer")
    from kepu.org.demo import DEMO_PASSWORD

    phone.fill("#id_password", DEMO_PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url("**/volunteer/sign/")
    shot(phone, "volunteers-sign-code")
    phone.fill("#id_code", code)  # six digits submit the form by themselves …
    expect(phone.locator("#sign-activity")).to_contain_text(activity.title)  # … and show the activity
    phone.click("#sign-button")  # 确认签到
    expect(phone.locator("#sign-result")).to_contain_text("签到成功")
    shot(phone, "volunteers-signed-in")

    # Two hours later (the clock is moved in the database), the same code signs out.
    Attendance.objects.filter(activity=activity).update(signed_in_at=timezone.now() - datetime.timedelta(hours=2))
    phone.goto(f"{base}/volunteer/")
    expect(phone.locator("#open-attendance")).to_contain_text("已于")
    before = phone.inner_text("#approved-total")
    phone.fill("#quick-sign input[name=code]", code)
    expect(phone.locator("#sign-button")).to_have_text("确认签退")
    phone.click("#sign-button")
    expect(phone.locator("#sign-result")).to_contain_text("签退成功")
    expect(phone.locator("#sign-result")).to_contain_text("2.0 小时")
    shot(phone, "volunteers-signed-out")
    phone.click("#back-home")
    first = phone.locator("#my-hours li").first
    expect(first).to_contain_text("社区科普讲座：识别保健品骗局")
    expect(first).to_contain_text("待审核")
    expect(phone.locator("#pending-total")).to_have_text(re.compile(r"^2(\.0)?$"))
    shot(phone, "volunteers-hours-pending")

    # The leader approves; the hours now count.
    organiser.goto(f"{base}/office/volunteers/hours/?status=pending&q=识别保健品")
    row = organiser.locator("#hours-table tbody tr", has_text="刘志愿")
    row.get_by_role("button", name="认定").click()
    expect(organiser.locator(".alert-success")).to_contain_text("已认定刘志愿 2.0 小时")
    phone.reload()
    expect(phone.locator("#my-hours li").first).to_contain_text("已认定")
    assert float(phone.inner_text("#approved-total")) == float(before) + 2
    shot(phone, "volunteers-hours-approved")
    assert phone.errors == [] and organiser.errors == []


def test_a_visitor_registers_on_a_phone_and_asks_to_join_a_team(new_page: Any, demo_server: Any) -> None:
    from kepu.notifications.models import SmsMessage
    from kepu.volunteers.models import TeamMembership, Volunteer

    phone = new_page(viewport=PHONE)
    phone.goto(f"{demo_server.url}/volunteer/register/")
    phone.fill("#id_name", "孙小美")
    phone.fill("#id_id_number", "11010519491231002X")
    phone.fill("#id_phone", "13912345678")
    phone.click("#send-code")
    expect(phone.locator(".alert-info")).to_contain_text("验证码已发送")
    expect(phone.locator("#send-code")).to_be_disabled()  # counts down before a new code can be asked for
    code = re.search(r"验证码 (\d{6})", SmsMessage.objects.filter(phone="13912345678").latest("id").text).group(1)
    assert phone.input_value("#id_name") == "孙小美"  # what was typed is kept
    phone.fill("#id_code", code)
    phone.select_option("#id_region", label="张浦镇")
    phone.fill("#id_skills", "医疗卫生")
    phone.fill("#id_password", "Kp#volunteer2026")
    phone.check("#id_agree")
    shot(phone, "volunteers-register")
    phone.click("#register-submit")
    phone.wait_for_url("**/volunteer/teams/")
    row = phone.locator("#team-choices li", has_text="张浦镇应急救护分队")
    row.get_by_role("button", name="申请加入").click()
    expect(phone.locator(".alert-success")).to_contain_text("已提交加入")
    expect(phone.locator("#my-teams")).to_contain_text("待审核")
    shot(phone, "volunteers-portal-home")
    volunteer = Volunteer.objects.get(id_number_digest=digest("id_number", "11010519491231002X"))
    assert TeamMembership.objects.filter(volunteer=volunteer, status="pending").count() == 1
    assert phone.errors == []


def test_anyone_verifies_a_certificate(new_page: Any, demo_server: Any) -> None:
    from kepu.volunteers.models import Certificate

    certificate = Certificate.objects.select_related("volunteer").first()
    phone = new_page(viewport=PHONE)
    phone.goto(f"{demo_server.url}/volunteer/verify/")
    phone.fill("input[name=code]", certificate.code.lower())
    phone.click("#verify-form button")
    expect(phone.locator("#verify-result")).to_contain_text("证书有效")
    assert certificate.volunteer.name not in phone.inner_text("#verify-result")
    shot(phone, "volunteers-verify")
    page = new_page()
    sign_in(page, demo_server.url, "zhangpu")
    page.wait_for_url("**/office/**")
    page.goto(f"{demo_server.url}/office/volunteers/certificates/{certificate.pk}/")
    expect(page.locator("#certificate")).to_contain_text(certificate.code)
    shot(page, "volunteers-certificate")
    assert phone.errors == [] and page.errors == []
