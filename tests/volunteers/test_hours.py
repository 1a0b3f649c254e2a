"""Hours: three sources kept apart, approve or decline by a reviewer of the team, withdrawn with a reason,
never deleted; totals count only approved hours that are not withdrawn."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from kepu.core.access import SYSTEM
from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.volunteers import public, selectors, services
from kepu.volunteers.models import HoursSource, HoursStatus, ServiceHours
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db

YESTERDAY = datetime.date.today() - datetime.timedelta(days=1)


def _add(actor: Any, demo: dict[str, Any], hours: Any = "2", **changes: Any) -> ServiceHours:
    values = {"volunteer": demo["liu"], "team": demo["squad"], "hours": hours, "served_on": YESTERDAY,
              "title": "社区讲座", "reason": "纸质签到表补录", "evidence_note": "签到表存档"}
    values.update(changes)
    return services.hours_add(actor=actor, **values)


def test_hours_added_by_hand_are_a_source_of_their_own_and_need_a_reason(demo: dict[str, Any],
                                                                          cast: dict[str, Any]) -> None:
    record = _add(cast["duizhang"], demo)
    assert (record.source, record.status, record.created_by) == (HoursSource.MANUAL, HoursStatus.PENDING,
                                                                 cast["duizhang"])
    with pytest.raises(ValidationFailed, match="原因"):
        _add(cast["duizhang"], demo, reason=" ")


@pytest.mark.parametrize(("hours", "message"), [("0", "大于 0"), ("25", "不超过 24"), ("1.2", "半小时"), ("两", "数字")])
def test_hours_are_half_hour_steps_up_to_a_day(demo: dict[str, Any], cast: dict[str, Any], hours: str,
                                               message: str) -> None:
    with pytest.raises(ValidationFailed, match=message):
        _add(cast["office"], demo, hours=hours)


def test_hours_cannot_be_added_for_a_future_day_or_a_non_member(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="晚于今天"):
        _add(cast["office"], demo, served_on=datetime.date.today() + datetime.timedelta(days=1))
    with pytest.raises(ValidationFailed, match="不是"):
        _add(cast["office"], demo, team=demo["zhoushi"])


def test_a_leader_cannot_add_hours_to_another_team(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        _add(cast["duizhang"], demo, team=demo["zhoushi"])


def test_only_approved_hours_count(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    before = public.approved_hours(demo["liu"])
    approved = _add(cast["office"], demo, hours="2")
    declined = _add(cast["office"], demo, hours="3")
    _add(cast["office"], demo, hours="4")  # left pending
    services.hours_approve(actor=cast["duizhang"], record=approved)
    services.hours_decline(actor=cast["duizhang"], record=declined, note="无佐证")
    assert public.approved_hours(demo["liu"]) == before + Decimal(2)
    services.hours_withdraw(actor=cast["zhangpu"], record=approved, reason="与活动签到重复")
    assert public.approved_hours(demo["liu"]) == before


def test_a_decline_needs_a_reason_and_changes_nothing_without_one(demo: dict[str, Any],
                                                                   cast: dict[str, Any]) -> None:
    record = _add(cast["office"], demo)
    before = db_fingerprint()
    with pytest.raises(ValidationFailed):
        services.hours_decline(actor=cast["duizhang"], record=record, note="")
    assert db_fingerprint() == before


@pytest.mark.parametrize("verb", ["approve", "decline"])
def test_a_reviewed_record_cannot_be_reviewed_again(demo: dict[str, Any], cast: dict[str, Any], verb: str) -> None:
    record = _add(cast["office"], demo)
    services.hours_approve(actor=cast["office"], record=record)
    before = db_fingerprint()
    with pytest.raises(WorkflowError):
        getattr(services, f"hours_{verb}")(actor=cast["office"], record=record, note="再审")
    assert db_fingerprint() == before


def test_nobody_reviews_the_own_hours(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    own = _add(cast["office"], demo, volunteer=demo["leader"], team=demo["brigade"])
    with pytest.raises(WorkflowError, match="本人"):
        services.hours_approve(actor=cast["duizhang"], record=own)


def test_a_volunteer_cannot_review_even_the_own_team(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    record = _add(cast["office"], demo, volunteer=demo["leader"], team=demo["brigade"])
    before = db_fingerprint()
    with pytest.raises(PermissionDenied):
        services.hours_approve(actor=cast["volunteer"], record=record)
    assert db_fingerprint() == before


def test_records_are_withdrawn_never_deleted(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    record = _add(cast["office"], demo)
    with pytest.raises(PermissionError):
        record.delete()
    with pytest.raises(ValidationFailed):
        services.hours_withdraw(actor=cast["office"], record=record, reason="")
    services.hours_withdraw(actor=cast["office"], record=record, reason="录入错误")
    record.refresh_from_db()
    assert record.is_withdrawn and record.withdrawal_reason == "录入错误" and record.withdrawn_by == cast["office"]
    with pytest.raises(WorkflowError):
        services.hours_withdraw(actor=cast["office"], record=record, reason="再次")
    assert selectors.hours_list(user=cast["office"], filters=selectors.HoursFilters(status="withdrawn")).filter(
        pk=record.pk).exists()


def test_team_leaders_cannot_withdraw(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    record = _add(cast["office"], demo)
    with pytest.raises(PermissionDenied):
        services.hours_withdraw(actor=cast["duizhang"], record=record, reason="x")


def test_approving_many_skips_what_is_not_pending_or_out_of_reach(demo: dict[str, Any], cast: dict[str, Any],
                                                                   as_user: Any) -> None:
    mine = [_add(cast["office"], demo) for _ in range(3)]
    done = _add(cast["office"], demo)
    services.hours_approve(actor=cast["office"], record=done)
    other = ServiceHours.objects.filter(team=demo["zhoushi"], status="pending").first() or \
        ServiceHours.objects.create(volunteer=demo["zhoushi"].memberships.first().volunteer, team=demo["zhoushi"],
                                    source=HoursSource.MANUAL, title="x", served_on=YESTERDAY, hours=1)
    response = as_user("duizhang").post("/office/volunteers/hours/approve/",
                                        {"ids": [r.pk for r in [*mine, done, other]]})
    assert response.status_code == 302
    assert ServiceHours.objects.filter(pk__in=[r.pk for r in mine], status="approved").count() == 3
    assert ServiceHours.objects.get(pk=other.pk).status == "pending"


def test_the_review_queue_page_approves_and_declines(demo: dict[str, Any], cast: dict[str, Any],
                                                     as_user: Any) -> None:
    record = _add(cast["office"], demo)
    client = as_user("duizhang")
    page = client.get("/office/volunteers/hours/?status=pending").content.decode()
    assert f'id="hours-{record.pk}"' in page and "纸质签到表补录" in page
    client.post(f"/office/volunteers/hours/{record.pk}/decline/", {"note": ""})
    assert ServiceHours.objects.get(pk=record.pk).status == "pending"  # no reason: refused
    client.post(f"/office/volunteers/hours/{record.pk}/decline/", {"note": "无佐证"})
    assert ServiceHours.objects.get(pk=record.pk).status == "declined"


def test_order_service_hours_go_through_the_facade_and_the_same_review(demo: dict[str, Any],
                                                                        cast: dict[str, Any]) -> None:
    records = public.add_service_hours(actor=SYSTEM, team=demo["squad"], volunteers=[demo["liu"]], hours="1.5",
                                       served_on=YESTERDAY, reference="service_orders.order:99", title="健康讲座")
    services.hours_approve(actor=cast["duizhang"], record=records[0])
    assert ServiceHours.objects.get(pk=records[0].pk).source == HoursSource.ORDER
    with pytest.raises(ValidationFailed):
        public.add_service_hours(actor=SYSTEM, team=demo["squad"], volunteers=[], hours="1", served_on=YESTERDAY,
                                 reference="service_orders.order:100", title="x")
