"""Teams in the 支队 > 大队 > 分队 hierarchy, joining with approval, and what team leaders reach."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from kepu.core.access import SYSTEM, can_reach, scoped
from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.core.models import AuditCategory, AuditEntry
from kepu.notifications.models import Notification
from kepu.org.models import Region, Unit, User
from kepu.volunteers import public, selectors, services
from kepu.volunteers.models import MembershipStatus, TeamMembership, VolunteerTeam
from tests.test_authorization import db_fingerprint
from tests.volunteers.factories import VolunteerFactory, member

pytestmark = pytest.mark.django_db


def _team(name: str, level: str, parent: VolunteerTeam | None = None) -> VolunteerTeam:
    return services.team_create(actor=SYSTEM, name=name, level=level, parent=parent,
                                unit=Unit.objects.get(name="张浦镇科协"), region=Region.objects.get(code="320583106000"))


def test_a_squad_cannot_sit_above_a_brigade(demo: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="大队不能隶属于分队"):
        _team("错误大队", "brigade", demo["squad"])


def test_a_team_cannot_move_under_its_own_sub_team(demo: dict[str, Any]) -> None:
    before = db_fingerprint()
    with pytest.raises(ValidationFailed):
        services.team_update(actor=SYSTEM, team=demo["root"], parent=demo["brigade"])
    assert db_fingerprint() == before


def test_moving_a_team_moves_the_paths_of_the_teams_under_it(demo: dict[str, Any]) -> None:
    other_root = VolunteerTeam.objects.get(name="昆山市卫生健康科技志愿服务支队")
    services.team_update(actor=SYSTEM, team=demo["brigade"], parent=other_root)
    demo["squad"].refresh_from_db()
    assert demo["squad"].path.startswith(other_root.path)


def test_an_area_administrator_cannot_place_a_team_outside_the_own_area(cast: dict[str, Any]) -> None:
    with pytest.raises(PermissionDenied):
        services.team_create(actor=cast["zhangpu"], name="周市镇新分队", level="squad",
                             unit=Unit.objects.get(name="周市镇人民政府"), region=Region.objects.get(code="320583102000"))
    assert not VolunteerTeam.objects.filter(name="周市镇新分队").exists()


def test_joining_needs_the_leaders_approval(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    rescue, liu = demo["rescue"], demo["liu"]
    membership = services.membership_apply(actor=cast["volunteer"], team=rescue, note="我有急救证")
    assert membership.status == MembershipStatus.PENDING
    assert rescue not in public.teams_of_user(cast["volunteer"])
    # The brigade's leader (王队长) is told, and approves.
    assert Notification.objects.filter(recipient=cast["duizhang"], title__contains="申请加入").exists()
    services.membership_approve(actor=cast["duizhang"], membership=membership)
    assert rescue in public.teams_of_user(cast["volunteer"])
    assert Notification.objects.filter(recipient=cast["volunteer"], title__contains="已通过").exists()
    assert liu.memberships.get(team=rescue).reviewed_by == cast["duizhang"]


def test_a_rejection_needs_a_reason_and_a_rejected_volunteer_may_apply_again(demo: dict[str, Any],
                                                                              cast: dict[str, Any]) -> None:
    membership = services.membership_apply(actor=cast["volunteer"], team=demo["rescue"])
    with pytest.raises(ValidationFailed):
        services.membership_reject(actor=cast["zhangpu"], membership=membership, note=" ")
    services.membership_reject(actor=cast["zhangpu"], membership=membership, note="名额已满")
    again = services.membership_apply(actor=cast["volunteer"], team=demo["rescue"])
    assert again.pk == membership.pk and again.status == MembershipStatus.PENDING


def test_an_approved_membership_cannot_be_approved_again_and_nothing_changes(demo: dict[str, Any],
                                                                               cast: dict[str, Any]) -> None:
    membership = TeamMembership.objects.get(volunteer=demo["liu"], team=demo["squad"])
    before = db_fingerprint()
    with pytest.raises(WorkflowError, match="已加入"):
        services.membership_approve(actor=cast["office"], membership=membership)
    assert db_fingerprint() == before


def test_a_leader_cannot_review_requests_of_other_teams(demo: dict[str, Any], cast: dict[str, Any],
                                                      as_user: Any) -> None:
    applicant = member(demo["zhoushi"], VolunteerFactory(), status=MembershipStatus.PENDING)
    membership = applicant.memberships.get()
    client = as_user("duizhang")
    before, denied = db_fingerprint(), AuditEntry.objects.filter(category=AuditCategory.DENIED).count()
    with pytest.raises(PermissionDenied):
        services.membership_approve(actor=cast["duizhang"], membership=membership)
    response = client.post(f"/office/volunteers/memberships/{membership.pk}/approve/")
    assert response.status_code == 404
    assert db_fingerprint() == before
    assert AuditEntry.objects.filter(category=AuditCategory.DENIED).count() == denied + 1


def test_a_leader_sees_the_own_team_and_the_teams_under_it_only(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    seen = set(selectors.team_list(user=cast["duizhang"]).values_list("name", flat=True))
    assert seen == {"张浦镇科技志愿服务大队", "张浦镇科普宣讲分队", "张浦镇应急救护分队"}
    people = selectors.volunteer_list(user=cast["duizhang"])
    assert demo["liu"] in people
    assert not people.filter(memberships__team=demo["zhoushi"]).exclude(memberships__team__path__startswith=demo[
        "brigade"].path).exists()


def test_a_plain_member_leads_nothing_and_sees_only_the_own_rows(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    user = cast["volunteer"]
    assert not selectors.team_list(user=user).exists()
    assert list(selectors.volunteer_list(user=user)) == [demo["liu"]]
    hours = selectors.hours_list(user=user)
    assert hours.exists() and not hours.exclude(volunteer=demo["liu"]).exists()


def test_appointing_a_leader_widens_what_the_volunteer_reaches(demo: dict[str, Any],
                                                                        cast: dict[str, Any]) -> None:
    user = cast["volunteer"]
    membership = TeamMembership.objects.get(volunteer=demo["liu"], team=demo["squad"])
    assert not scoped(VolunteerTeam.objects.all(), user, "volunteers.team.view").exists()
    services.membership_set_leader(actor=cast["zhangpu"], membership=membership, is_leader=True)
    user = User.objects.get(pk=user.pk)  # the next request loads the account afresh
    assert list(scoped(VolunteerTeam.objects.all(), user, "volunteers.team.view")) == [demo["squad"]]
    assert can_reach(user, "volunteers.team.view", demo["squad"])
    assert not can_reach(user, "volunteers.team.view", demo["brigade"])


def test_only_an_approved_member_with_an_account_can_lead(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    no_account = member(demo["squad"])
    with pytest.raises(ValidationFailed, match="账号"):
        services.membership_set_leader(actor=cast["office"], membership=no_account.memberships.get(), is_leader=True)


def test_a_deactivated_team_keeps_its_rows(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    squad = demo["squad"]
    with pytest.raises(ValidationFailed):
        services.team_deactivate(actor=cast["office"], team=squad, reason="")
    with pytest.raises(ValidationFailed, match="下级队伍"):
        services.team_deactivate(actor=cast["office"], team=demo["brigade"], reason="合并")
    services.team_deactivate(actor=cast["office"], team=squad, reason="并入应急救护分队")
    assert VolunteerTeam.objects.filter(pk=squad.pk, is_active=False).exists()
    assert squad.hours_records.exists()


def test_the_team_page_shows_requests_and_members(demo: dict[str, Any], as_user: Any, cast: dict[str, Any]) -> None:
    services.membership_apply(actor=cast["volunteer"], team=demo["rescue"])
    page = as_user("duizhang").get(f"/office/volunteers/teams/{demo['rescue'].pk}/").content.decode()
    assert "入队申请（1）" in page and "刘志愿" in page and "同意入队" in page
