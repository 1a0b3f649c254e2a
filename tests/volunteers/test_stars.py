"""Star levels: apply when eligible → the unit reviews → public notice of five working days (objections
welcome) → certificate with a code anyone can verify."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.utils import timezone

from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.volunteers import services
from kepu.volunteers.models import Certificate, HoursSource, ServiceHours, StarApplication, StarStatus
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db


def _give_hours(volunteer: Any, team: Any, hours: int) -> None:
    day = timezone.localdate() - datetime.timedelta(days=400)
    for _ in range(hours // 20):
        ServiceHours.objects.create(volunteer=volunteer, team=team, source=HoursSource.MANUAL, title="历年时长",
                                    served_on=day, hours=20, status="approved", reason="台账")


@pytest.fixture
def eligible(demo: dict[str, Any]) -> Any:
    """刘志愿 with enough approved hours for 2 stars (300)."""
    _give_hours(demo["liu"], demo["squad"], 300)
    return demo["liu"]


def _past_notice(application: StarApplication) -> None:
    StarApplication.objects.filter(pk=application.pk).update(
        notice_starts_on=timezone.localdate() - datetime.timedelta(days=14),
        notice_ends_on=timezone.localdate() - datetime.timedelta(days=7))
    application.refresh_from_db()


def test_a_volunteer_under_100_hours_cannot_apply(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="申请一星需 100 小时"):
        services.star_apply(actor=cast["volunteer"], team=demo["squad"])


def test_the_application_is_for_the_highest_level_the_hours_reach(eligible: Any, demo: dict[str, Any],
                                                                  cast: dict[str, Any]) -> None:
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"], statement="服务三年")
    assert application.level == 2 and application.status == StarStatus.SUBMITTED
    with pytest.raises(WorkflowError, match="正在办理"):
        services.star_apply(actor=cast["volunteer"], team=demo["squad"])


def test_the_unit_reviews_not_the_team_leader(eligible: Any, demo: dict[str, Any], cast: dict[str, Any]) -> None:
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    before = db_fingerprint()
    for outsider in ("duizhang", "jiaoyu"):
        with pytest.raises(PermissionDenied):
            services.star_approve(actor=cast[outsider], application=application)
    assert db_fingerprint() == before


def test_approval_opens_a_five_working_day_notice_on_the_portal(eligible: Any, demo: dict[str, Any],
                                                                cast: dict[str, Any]) -> None:
    from kepu.volunteers import rules

    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    services.star_approve(actor=cast["zhangpu"], application=application, note="属实")
    assert application.status == StarStatus.IN_NOTICE
    assert rules.working_days_between(application.notice_starts_on, application.notice_ends_on) == 5
    page = Client().get("/volunteer/notices/").content.decode()
    assert f'id="notice-{application.pk}"' in page and "刘*愿" in page and "刘志愿" not in page


@pytest.mark.parametrize("weekday", range(7))
def test_the_notice_is_readable_and_open_to_objections_from_approval_whatever_the_weekday(
        weekday: int, eligible: Any, demo: dict[str, Any], cast: dict[str, Any], monkeypatch: Any) -> None:
    from kepu.volunteers import rules

    day = datetime.date(2026, 11, 30) + datetime.timedelta(days=weekday)  # a Monday, plus 0–6 days
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    services.star_approve(actor=cast["zhangpu"], application=application)
    # Five working days, counted from the approval day or, at a weekend, from Monday.
    expected_start = day if weekday < 5 else datetime.date(2026, 12, 7)
    assert application.notice_starts_on == expected_start
    assert rules.working_days_between(application.notice_starts_on, application.notice_ends_on) == 5
    page = Client().get("/volunteer/notices/").content.decode()
    assert f'id="notice-{application.pk}"' in page
    services.objection_file(actor=None, application=application, name="周某", phone="13911112222",
                            text="时长系重复登记，请核实。")
    assert application.objections.count() == 1


def test_objections_after_the_last_notice_day_are_refused(eligible: Any, demo: dict[str, Any],
                                                          cast: dict[str, Any]) -> None:
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    services.star_approve(actor=cast["zhangpu"], application=application)
    _past_notice(application)
    before = db_fingerprint()
    with pytest.raises(WorkflowError, match="不在公示期内"):
        services.objection_file(actor=None, application=application, name="周某", phone="13911112222",
                                text="时长系重复登记，请核实。")
    assert db_fingerprint() == before
    assert f'id="notice-{application.pk}"' not in Client().get("/volunteer/notices/").content.decode()


def test_a_return_needs_a_reason(eligible: Any, demo: dict[str, Any], cast: dict[str, Any]) -> None:
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    with pytest.raises(ValidationFailed):
        services.star_return(actor=cast["zhangpu"], application=application, note="")
    services.star_return(actor=cast["zhangpu"], application=application, note="请补充证明")
    assert application.status == StarStatus.RETURNED
    assert services.star_apply(actor=cast["volunteer"], team=demo["squad"]).pk != application.pk


def test_the_certificate_waits_for_the_end_of_the_notice(eligible: Any, demo: dict[str, Any],
                                                         cast: dict[str, Any]) -> None:
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    services.star_approve(actor=cast["zhangpu"], application=application)
    before = db_fingerprint()
    with pytest.raises(WorkflowError, match="期满后方可发证"):
        services.certificate_issue(actor=cast["zhangpu"], application=application)
    assert db_fingerprint() == before
    _past_notice(application)
    certificate = services.certificate_issue(actor=cast["zhangpu"], application=application)
    assert (certificate.level, certificate.issuing_unit, certificate.issued_on) == (
        2, demo["squad"].unit, timezone.localdate())
    assert services.certified_level(demo["liu"]) == 2 and services.eligible_level(demo["liu"]) == 0


def test_anyone_may_object_during_the_notice_and_an_open_objection_blocks_the_certificate(
        eligible: Any, demo: dict[str, Any], cast: dict[str, Any]) -> None:
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    services.star_approve(actor=cast["zhangpu"], application=application)
    response = Client().post(f"/volunteer/notices/{application.pk}/objection/",
                             {"name": "周某", "phone": "13911112222", "text": "该志愿者去年多数活动并未到场。"})
    assert response.status_code == 302
    objection = application.objections.get()
    _past_notice(application)
    with pytest.raises(WorkflowError, match="未处理的公示异议"):
        services.certificate_issue(actor=cast["zhangpu"], application=application)
    services.objection_handle(actor=cast["zhangpu"], objection=objection, uphold=False, note="核实签到记录属实")
    assert services.certificate_issue(actor=cast["zhangpu"], application=application).pk


def test_an_upheld_objection_means_no_certificate(eligible: Any, demo: dict[str, Any], cast: dict[str, Any]) -> None:
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    services.star_approve(actor=cast["zhangpu"], application=application)
    objection = services.objection_file(actor=None, application=application, name="周某", phone="13911112222",
                                        text="时长系重复登记，请核实。")
    services.objection_handle(actor=cast["zhangpu"], objection=objection, uphold=True, note="确有重复登记")
    application.refresh_from_db()
    assert application.status == StarStatus.REJECTED and "异议成立" in application.review_note


def test_objections_outside_the_notice_are_refused(demo: dict[str, Any]) -> None:
    submitted = StarApplication.objects.get(status="submitted")
    with pytest.raises(WorkflowError):
        services.objection_file(actor=None, application=submitted, name="周某", phone="13911112222",
                                text="这是一条内容充分的异议。")


def test_the_certificate_is_verified_by_anyone_with_the_name_masked(demo: dict[str, Any]) -> None:
    certificate = Certificate.objects.select_related("volunteer").first()
    page = Client().get("/volunteer/verify/", {"code": certificate.code.lower().replace("-", "")}).content.decode()
    assert "证书有效" in page and certificate.volunteer.name not in page
    assert certificate.issuing_unit.name in page and f"{certificate.get_level_display()}志愿者" in page
    api = Client().get("/api/v1/volunteers/certificates/verify", {"code": certificate.code}).json()
    assert api["found"] and api["valid"] and api["level"] == certificate.level and "*" in api["name"]
    assert "查无此证书" in Client().get("/volunteer/verify/", {"code": "ZY-2345-6789-ABCD"}).content.decode()


def test_a_revoked_certificate_verifies_as_revoked(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    certificate = Certificate.objects.first()
    services.certificate_revoke(actor=cast["office"], certificate=certificate, reason="时长认定有误")
    page = Client().get("/volunteer/verify/", {"code": certificate.code}).content.decode()
    assert "证书已撤销" in page
    assert Client().get("/api/v1/volunteers/certificates/verify", {"code": certificate.code}).json()["valid"] is False


def test_the_printable_certificate_has_the_code_a_qr_code_and_a4_print_css(demo: dict[str, Any],
                                                                          as_user: Any) -> None:
    certificate = Certificate.objects.first()
    page = as_user("zhangpu").get(f"/office/volunteers/certificates/{certificate.pk}/").content.decode()
    assert certificate.code in page and "<svg" in page and "荣誉证书" in page and "data-kp-print" in page


def test_the_volunteer_applies_from_the_portal(eligible: Any, demo: dict[str, Any], as_user: Any) -> None:
    client = as_user("volunteer")
    home = client.get("/volunteer/").content.decode()
    assert "已达到 2 星标准" in home
    client.post("/volunteer/stars/apply/", {"team": demo["squad"].pk, "statement": "服务三年"})
    assert StarApplication.objects.filter(volunteer=demo["liu"], status="submitted", level=2).exists()


def test_the_unit_is_told_the_day_after_a_notice_ends(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    from kepu.notifications.models import Notification
    from kepu.volunteers.services.stars import notices_ended_remind

    application = StarApplication.objects.get(status="in_notice")
    day_after = application.notice_ends_on + datetime.timedelta(days=1)
    assert notices_ended_remind(today=day_after) == 1
    assert notices_ended_remind(today=application.notice_ends_on) == 0
    notes = Notification.objects.filter(kind="volunteers.star.notice_ended")
    assert [n.recipient for n in notes] == [cast["zhangpu"]]  # the area administrator of 张浦镇
    assert "可签发证书" in notes[0].title
