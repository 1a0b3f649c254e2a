"""Activities and signing in and out by the 6-digit code or the QR address; the hours a sign-out yields."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kepu.core.access import SYSTEM
from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.volunteers import services
from kepu.volunteers.models import Activity, Attendance, HoursSource, HoursStatus, ServiceHours
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def lecture(demo: dict[str, Any]) -> Activity:
    """A three-hour activity of 刘志愿's squad that started half an hour ago."""
    start = timezone.now() - HOUR / 2
    return services.activity_create(actor=SYSTEM, team=demo["squad"], title="测试讲座", place="文明实践站",
                                    region=demo["squad"].region, starts_at=start, ends_at=start + 3 * HOUR)


def test_an_activity_gets_a_six_digit_code_and_a_qr_token(lecture: Activity) -> None:
    assert len(lecture.sign_code) == 6 and lecture.sign_code.isdigit()
    assert len(lecture.qr_token) >= 20


def test_signing_in_then_out_by_code_yields_pending_sign_in_hours(lecture: Activity, cast: dict[str, Any]) -> None:
    user = cast["volunteer"]
    found = services.activity_by_code(actor=user, code=lecture.sign_code)
    first = services.attendance_sign(actor=user, activity=found, now=lecture.starts_at + datetime.timedelta(minutes=5))
    assert first.step == "in" and first.hours is None
    second = services.attendance_sign(actor=user, activity=found, now=lecture.starts_at + datetime.timedelta(
        minutes=5 + 134))
    record = second.hours
    assert second.step == "out" and record.hours == Decimal("2.0")  # 2 h 14 min → 2 h
    assert (record.source, record.status, record.activity, record.attendance) == (
        HoursSource.SIGN_IN, HoursStatus.PENDING, lecture, first.attendance)
    assert "待队伍审核" in second.message


def test_hours_never_exceed_the_activity(lecture: Activity, cast: dict[str, Any]) -> None:
    user = cast["volunteer"]
    services.attendance_sign(actor=user, activity=lecture, now=lecture.starts_at - HOUR / 2)
    result = services.attendance_sign(actor=user, activity=lecture, now=lecture.ends_at + HOUR)
    assert result.hours.hours == Decimal("3.0")


def test_a_third_entry_of_the_code_is_refused(lecture: Activity, cast: dict[str, Any]) -> None:
    user = cast["volunteer"]
    services.attendance_sign(actor=user, activity=lecture, now=lecture.starts_at)
    services.attendance_sign(actor=user, activity=lecture, now=lecture.starts_at + HOUR)
    before = db_fingerprint()
    with pytest.raises(WorkflowError, match="已完成"):
        services.attendance_sign(actor=user, activity=lecture, now=lecture.starts_at + 2 * HOUR)
    assert db_fingerprint() == before


def test_a_wrong_code_is_refused_and_too_many_wrong_codes_lock_for_a_while(cast: dict[str, Any],
                                                                             lecture: Activity) -> None:
    user = cast["volunteer"]
    wrong = "999999" if lecture.sign_code != "999999" else "999998"
    if Activity.objects.filter(sign_code=wrong).exists():
        pytest.skip("the random code collided with the wrong one")
    for _ in range(10):
        with pytest.raises(ValidationFailed, match="签到码不正确"):
            services.activity_by_code(actor=user, code=wrong)
    with pytest.raises(ValidationFailed, match="次数过多"):
        services.activity_by_code(actor=user, code=lecture.sign_code)


def test_someone_outside_the_team_cannot_sign_in(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    start = timezone.now() - HOUR / 2
    other = services.activity_create(actor=SYSTEM, team=demo["zhoushi"], title="周市活动", place="周市",
                                     region=demo["zhoushi"].region, starts_at=start, ends_at=start + HOUR * 2)
    with pytest.raises(ValidationFailed, match="不是"):
        services.attendance_sign(actor=cast["volunteer"], activity=other)
    assert not Attendance.objects.filter(activity=other).exists()


def test_members_of_sub_teams_may_sign_in_to_their_brigades_activities(demo: dict[str, Any],
                                                                        cast: dict[str, Any]) -> None:
    start = timezone.now()
    brigade = services.activity_create(actor=SYSTEM, team=demo["brigade"], title="大队活动", place="张浦",
                                       region=demo["brigade"].region, starts_at=start, ends_at=start + HOUR)
    assert services.attendance_sign(actor=cast["volunteer"], activity=brigade).step == "in"


@pytest.mark.parametrize(("offset", "message"), [(-2 * HOUR, "尚未开始"), (4 * HOUR, "已结束")])
def test_sign_in_opens_an_hour_before_and_closes_at_the_end(lecture: Activity, cast: dict[str, Any],
                                                             offset: datetime.timedelta, message: str) -> None:
    with pytest.raises(WorkflowError, match=message):
        services.attendance_sign(actor=cast["volunteer"], activity=lecture, now=lecture.starts_at + offset)


def test_sign_out_closes_two_hours_after_the_end(lecture: Activity, cast: dict[str, Any]) -> None:
    services.attendance_sign(actor=cast["volunteer"], activity=lecture, now=lecture.starts_at)
    with pytest.raises(WorkflowError, match="签退时限"):
        services.attendance_sign(actor=cast["volunteer"], activity=lecture, now=lecture.ends_at + 3 * HOUR)


def test_a_short_stay_signs_out_without_hours(lecture: Activity, cast: dict[str, Any]) -> None:
    services.attendance_sign(actor=cast["volunteer"], activity=lecture, now=lecture.starts_at)
    result = services.attendance_sign(actor=cast["volunteer"], activity=lecture,
                                      now=lecture.starts_at + datetime.timedelta(minutes=10))
    assert result.hours is None and "不足半小时" in result.message


def test_staff_cannot_sign_in(lecture: Activity, cast: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.attendance_sign(actor=cast["office"], activity=lecture)


def test_the_code_page_signs_in_and_out(lecture: Activity, as_user: Any, demo: dict[str, Any]) -> None:
    client = as_user("volunteer")
    first = client.post("/volunteer/sign/", {"code": lecture.sign_code, "confirm": "1"})
    assert "签到成功" in first.content.decode()
    Attendance.objects.filter(activity=lecture).update(signed_in_at=timezone.now() - 2 * HOUR)
    second = client.post("/volunteer/sign/", {"code": lecture.sign_code, "confirm": "1"})
    assert "签退成功" in second.content.decode() and "2.0 小时" in second.content.decode()
    home = client.get("/volunteer/").content.decode()
    assert "测试讲座" in home and "待审核" in home


def test_the_qr_address_shows_the_activity_and_signs_in_with_one_press(lecture: Activity, as_user: Any) -> None:
    client = as_user("volunteer")
    page = client.get(f"/volunteer/s/{lecture.qr_token}/").content.decode()
    assert "测试讲座" in page and "签到" in page
    done = client.post(f"/volunteer/s/{lecture.qr_token}/")
    assert "签到成功" in done.content.decode()
    assert Attendance.objects.get(activity=lecture).channel == "qr"


def test_the_qr_address_asks_anonymous_visitors_to_sign_in_first(lecture: Activity) -> None:
    from django.test import Client

    response = Client().get(f"/volunteer/s/{lecture.qr_token}/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/volunteer/s/")


def test_a_new_code_stops_the_old_one(lecture: Activity, cast: dict[str, Any]) -> None:
    old_code, old_token = lecture.sign_code, lecture.qr_token
    services.activity_new_code(actor=cast["zhangpu"], activity=lecture)
    assert lecture.sign_code != old_code and lecture.qr_token != old_token
    assert services.activity_by_qr(token=old_token) is None


def test_an_activity_with_sign_ins_cannot_be_cancelled_or_moved(lecture: Activity, cast: dict[str, Any]) -> None:
    services.attendance_sign(actor=cast["volunteer"], activity=lecture)
    with pytest.raises(WorkflowError):
        services.activity_cancel(actor=cast["zhangpu"], activity=lecture, reason="下雨")
    with pytest.raises(ValidationFailed, match="不能再修改活动时间"):
        services.activity_update(actor=cast["zhangpu"], activity=lecture, starts_at=lecture.starts_at + HOUR)


def test_the_organiser_page_shows_the_code_and_an_svg_qr_code(lecture: Activity, as_user: Any) -> None:
    page = as_user("duizhang").get(f"/office/volunteers/activities/{lecture.pk}/").content.decode()
    assert lecture.sign_code in page and "<svg" in page and f"/volunteer/s/{lecture.qr_token}/" in page


def test_the_sign_api_signs_in(lecture: Activity, cast: dict[str, Any]) -> None:
    import json

    from django.test import Client

    from tests.volunteers.conftest import api_headers

    headers = api_headers(cast["volunteer"])
    response = Client().post("/api/v1/volunteers/sign", data=json.dumps({"code": lecture.sign_code}),
                             content_type="application/json", headers=headers)
    assert response.status_code == 200 and response.json()["step"] == "in"
    wrong = Client().post("/api/v1/volunteers/sign", data=json.dumps({"code": "12"}), content_type="application/json",
                          headers=headers)
    assert wrong.status_code == 422 and "签到码不正确" in wrong.json()["detail"]
    assert ServiceHours.objects.filter(activity=lecture).count() == 0
