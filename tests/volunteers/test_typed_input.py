"""A reason or note the service refuses (missing, blank) comes back on its page, as typed, with the
error under its box — not lost to a redirect; nothing is saved."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from kepu.core.access import SYSTEM
from kepu.volunteers import services
from kepu.volunteers.models import Activity, ActivityStatus, StarStatus, VolunteerTeam
from tests.typed import field_state
from tests.typed import refused_post as _refused

pytestmark = pytest.mark.django_db
BLANK = "   \n  "  # what a browser's `required` lets through; the service refuses it




def _lecture_in_three_days(demo: dict[str, Any]) -> Any:
    start = timezone.now() + datetime.timedelta(days=3)
    return services.activity_create(actor=SYSTEM, team=demo["squad"], title="下周科普讲座", place="文明实践站",
                                    region=demo["squad"].region, starts_at=start,
                                    ends_at=start + datetime.timedelta(hours=2))

def test_a_blank_reason_to_deactivate_a_team_is_kept_and_refused_under_its_box(as_user: Any,
                                                                               demo: dict[str, Any]) -> None:
    squad = demo["squad"]
    response = _refused(as_user("zhangpu"), reverse("volunteers:team_deactivate", args=[squad.pk]),
                        {"reason": BLANK})
    text, error = field_state(response, "reason")
    assert text == BLANK and error == "停用队伍须填写原因"
    assert VolunteerTeam.objects.get(pk=squad.pk).is_active


def test_a_team_with_active_sub_teams_keeps_the_typed_reason(as_user: Any, demo: dict[str, Any]) -> None:
    brigade = demo["brigade"]
    response = _refused(as_user("zhangpu"), reverse("volunteers:team_deactivate", args=[brigade.pk]),
                        {"reason": "大队合并到镇科协"})
    assert field_state(response, "reason") == ("大队合并到镇科协", "请先停用其下级队伍")


def test_a_volunteer_removal_without_reason_comes_back_under_its_box(as_user: Any, demo: dict[str, Any]) -> None:
    liu = demo["liu"]
    response = _refused(as_user("zhangpu"), reverse("volunteers:volunteer_deactivate", args=[liu.pk]),
                        {"reason": BLANK})
    assert field_state(response, "reason") == (BLANK, "停用须填写原因")


def test_an_activity_cancelled_without_reason_comes_back_under_its_box(as_user: Any, demo: dict[str, Any]) -> None:
    activity = _lecture_in_three_days(demo)
    response = _refused(as_user("zhangpu"), reverse("volunteers:activity_cancel", args=[activity.pk]),
                        {"reason": BLANK})
    assert field_state(response, "reason") == (BLANK, "取消活动须填写原因")
    assert Activity.objects.get(pk=activity.pk).status != ActivityStatus.CANCELLED


def test_a_star_return_without_reason_comes_back_under_its_box(as_user: Any, cast: dict[str, Any],
                                                              demo: dict[str, Any]) -> None:
    from tests.volunteers.test_stars import _give_hours

    _give_hours(demo["liu"], demo["squad"], 300)
    application = services.star_apply(actor=cast["volunteer"], team=demo["squad"])
    response = _refused(as_user("zhangpu"), reverse("volunteers:star_return", args=[application.pk]),
                        {"note": BLANK})
    assert field_state(response, "note") == (BLANK, "须填写理由")
    application.refresh_from_db()
    assert application.status == StarStatus.SUBMITTED


def test_a_membership_refusal_without_reason_comes_back_in_its_row(as_user: Any, cast: dict[str, Any],
                                                                              demo: dict[str, Any]) -> None:
    rescue = demo["rescue"]
    membership = services.membership_apply(actor=cast["volunteer"], team=rescue, note="想学急救")
    url = reverse("volunteers:membership_reject", args=[membership.pk])
    response = _refused(as_user("zhangpu"), url, {"note": "  "})
    page = response.content.decode()
    form = page.split(f'action="{url}"')[1].split("</form>")[0]
    assert 'value="  "' in form and "不予通过须填写理由" in form


# ---------------------------------------------------------------- the hours list's row forms

def _pending_hours(cast: dict[str, Any], demo: dict[str, Any]) -> Any:
    from tests.volunteers.test_hours import _add

    return _add(cast["office"], demo)


@pytest.mark.parametrize(("typed", "error"), [
    (" ", "不予认定须填写理由"),
    ("无" * 201, "理由不能超过 200 个字（现有 201 个）"),
])
def test_a_refused_decline_reason_comes_back_in_the_filtered_hours_list(as_user: Any, cast: dict[str, Any],
                                                                        demo: dict[str, Any], typed: str,
                                                                        error: str) -> None:
    from kepu.volunteers.models import HoursStatus, ServiceHours
    from tests.typed import input_state

    record = _pending_hours(cast, demo)
    listed = reverse("volunteers:hours_list") + "?status=pending"
    response = _refused(as_user("duizhang"), reverse("volunteers:hours_decline", args=[record.pk]),
                        {"note": typed, "next": listed})
    assert input_state(response, "note") == (typed, error)
    page = response.content.decode()
    assert f'name="next" value="{listed}"' in page.replace("&amp;", "&")  # still returns to the list as filtered
    assert ServiceHours.objects.get(pk=record.pk).status == HoursStatus.PENDING


def test_a_revocation_without_reason_comes_back_under_its_box(as_user: Any, cast: dict[str, Any],
                                                              demo: dict[str, Any]) -> None:
    from kepu.volunteers.models import ServiceHours
    from tests.typed import input_state

    record = services.hours_approve(actor=cast["duizhang"], record=_pending_hours(cast, demo))
    response = _refused(as_user("office"), reverse("volunteers:hours_withdraw", args=[record.pk]),
                        {"reason": "  ", "next": reverse("volunteers:hours_list")})
    assert input_state(response, "reason") == ("  ", "撤销须填写原因")
    assert not ServiceHours.objects.get(pk=record.pk).is_withdrawn


def test_a_decline_reason_is_kept_whole_not_cut(as_user: Any, cast: dict[str, Any], demo: dict[str, Any]) -> None:
    from kepu.volunteers.models import ServiceHours

    record = _pending_hours(cast, demo)
    reason = "无" * 200
    response = as_user("duizhang").post(reverse("volunteers:hours_decline", args=[record.pk]),
                                        {"note": reason, "next": reverse("volunteers:hours_list")})
    assert response.status_code == 302 and ServiceHours.objects.get(pk=record.pk).review_note == reason


def test_a_long_membership_refusal_reason_is_refused_not_cut(as_user: Any, cast: dict[str, Any],
                                                             demo: dict[str, Any]) -> None:
    membership = services.membership_apply(actor=cast["volunteer"], team=demo["rescue"], note="想学急救")
    url = reverse("volunteers:membership_reject", args=[membership.pk])
    response = _refused(as_user("zhangpu"), url, {"note": "否" * 201})
    form = response.content.decode().split(f'action="{url}"')[1].split("</form>")[0]
    assert "否" * 201 in form and "理由不能超过 200 个字（现有 201 个）" in form


def test_a_long_activity_cancel_reason_is_refused_not_cut(as_user: Any, demo: dict[str, Any]) -> None:
    activity = _lecture_in_three_days(demo)
    response = _refused(as_user("zhangpu"), reverse("volunteers:activity_cancel", args=[activity.pk]),
                        {"reason": "雨" * 201})
    assert field_state(response, "reason") == ("雨" * 201, "取消原因不能超过 200 个字（现有 201 个）")
