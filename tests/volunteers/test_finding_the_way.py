"""Volunteers find their way: registration is reachable from the login page and the portal, volunteers
and leaders land on their own page, signing in by code asks for confirmation, and a sign-out too soon
after the sign-in needs its own."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kepu.core.access import SYSTEM
from kepu.volunteers import services
from kepu.volunteers.models import Activity, Attendance
from tests.test_authorization import db_fingerprint
from tests.volunteers.conftest import api_headers

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


@pytest.fixture
def lecture(demo: dict[str, Any]) -> Activity:
    start = timezone.now() - 30 * MINUTE
    return services.activity_create(actor=SYSTEM, team=demo["squad"], title="确认测试讲座", place="文明实践站",
                                    region=demo["squad"].region, starts_at=start,
                                    ends_at=start + datetime.timedelta(hours=3))


def _login(username: str, **extra: str) -> Any:
    from kepu.org.demo import DEMO_PASSWORD

    return Client().post("/login/", {"username": username, "password": DEMO_PASSWORD, **extra})


@pytest.mark.parametrize("username", ["volunteer", "duizhang"])
def test_volunteers_and_team_leaders_land_on_their_own_page(username: str, cast: dict[str, Any]) -> None:
    response = _login(username)
    assert response.status_code == 302 and response["Location"] == "/volunteer/"


def test_the_login_page_and_the_portal_lead_to_registration(db: Any) -> None:
    login = Client().get("/login/").content.decode()
    assert 'href="/volunteer/register/"' in login
    portal = Client().get("/").content.decode()
    assert 'href="/volunteer/"' in portal
    welcome = Client().get("/volunteer/")  # a visitor is welcomed, not sent to a login form
    assert welcome.status_code == 200
    assert 'href="/volunteer/register/"' in welcome.content.decode()
    assert Client().get("/volunteer/register/").status_code == 200


def test_a_team_leaders_page_shows_the_teams_orders_and_what_waits(as_user: Any) -> None:
    page = as_user("duizhang").get("/volunteer/").content.decode()
    assert 'id="team-orders"' in page and "我队的服务工单" in page
    assert 'id="leader-todo"' in page and "条时长待审核" in page
    plain = as_user("volunteer").get("/volunteer/").content.decode()
    assert 'id="team-orders"' not in plain and 'id="leader-todo"' not in plain
    assert 'id="my-activities"' in plain and 'id="my-hours"' in plain and 'id="quick-sign"' in plain


def test_entering_the_code_shows_the_activity_and_signs_in_only_on_confirmation(lecture: Activity,
                                                                               as_user: Any) -> None:
    client = as_user("volunteer")
    before = db_fingerprint()
    shown = client.post("/volunteer/sign/", {"code": lecture.sign_code}).content.decode()
    assert "确认测试讲座" in shown and "确认签到" in shown and "文明实践站" in shown
    assert db_fingerprint() == before  # entering the code alone changed nothing
    done = client.post("/volunteer/sign/", {"code": lecture.sign_code, "confirm": "1"}).content.decode()
    assert "签到成功" in done
    assert Attendance.objects.filter(activity=lecture, signed_out_at=None).count() == 1


def test_a_sign_out_soon_after_the_sign_in_is_refused_without_its_confirmation(lecture: Activity,
                                                                              cast: dict[str, Any],
                                                                              settings: Any) -> None:
    settings.KEPU_SIGN_OUT_MIN_MINUTES = 10
    user, signed_in = cast["volunteer"], timezone.now() - 20 * MINUTE
    services.attendance_sign(actor=user, activity=lecture, now=signed_in)
    with pytest.raises(services.EarlySignOut, match="您刚签到 3 分钟，确定签退吗"):
        services.attendance_sign(actor=user, activity=lecture, now=signed_in + 3 * MINUTE)
    assert Attendance.objects.get(activity=lecture).signed_out_at is None
    result = services.attendance_sign(actor=user, activity=lecture, now=signed_in + 3 * MINUTE, confirm_early=True)
    assert result.step == "out"


def test_a_sign_out_after_the_minimum_interval_needs_no_extra_confirmation(lecture: Activity, cast: dict[str, Any],
                                                                          settings: Any) -> None:
    settings.KEPU_SIGN_OUT_MIN_MINUTES = 10
    user, signed_in = cast["volunteer"], timezone.now() - 20 * MINUTE
    services.attendance_sign(actor=user, activity=lecture, now=signed_in)
    assert services.attendance_sign(actor=user, activity=lecture, now=signed_in + 10 * MINUTE).step == "out"


def test_the_minimum_interval_is_a_setting(lecture: Activity, cast: dict[str, Any], settings: Any) -> None:
    settings.KEPU_SIGN_OUT_MIN_MINUTES = 30
    user, signed_in = cast["volunteer"], timezone.now() - 40 * MINUTE
    services.attendance_sign(actor=user, activity=lecture, now=signed_in)
    with pytest.raises(services.EarlySignOut, match="20 分钟"):
        services.attendance_sign(actor=user, activity=lecture, now=signed_in + 20 * MINUTE)


def test_the_code_entered_again_at_once_asks_before_signing_out(lecture: Activity, as_user: Any) -> None:
    client = as_user("volunteer")
    client.post("/volunteer/sign/", {"code": lecture.sign_code, "confirm": "1"})
    page = client.post("/volunteer/sign/", {"code": lecture.sign_code}).content.decode()
    assert re.search(r"您刚签到 \d+ 分钟，确定签退吗？", page) and "暂不签退" in page
    # A confirmation of the step alone is not the confirmation of an early sign-out.
    again = client.post("/volunteer/sign/", {"code": lecture.sign_code, "confirm": "1"}).content.decode()
    assert "确定签退吗" in again and "签退成功" not in again
    assert Attendance.objects.get(activity=lecture).signed_out_at is None
    done = client.post("/volunteer/sign/", {"code": lecture.sign_code, "confirm": "1", "early": "1"})
    assert "签退成功" in done.content.decode()
    assert Attendance.objects.get(activity=lecture).signed_out_at is not None


def test_the_qr_page_warns_before_an_early_sign_out(lecture: Activity, as_user: Any) -> None:
    client = as_user("volunteer")
    client.post(f"/volunteer/s/{lecture.qr_token}/")
    page = client.get(f"/volunteer/s/{lecture.qr_token}/").content.decode()
    assert "确定签退吗" in page and 'name="early"' in page


def test_the_sign_api_refuses_an_early_sign_out_unless_confirmed(lecture: Activity, cast: dict[str, Any]) -> None:
    headers = api_headers(cast["volunteer"])

    def post(**body: Any) -> Any:
        return Client().post("/api/v1/volunteers/sign", data=json.dumps({"code": lecture.sign_code, **body}),
                             content_type="application/json", headers=headers)

    assert post().json()["step"] == "in"
    refused = post()
    assert refused.status_code == 422 and "确定签退吗" in refused.json()["detail"]
    assert post(confirm_early=True).json()["step"] == "out"
