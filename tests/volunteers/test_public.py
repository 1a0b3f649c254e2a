"""The facade other domains use: teams of a user, team members, the order-service hours hook."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from kepu.core.access import SYSTEM
from kepu.core.errors import ValidationFailed
from kepu.org.models import Region, Unit
from kepu.volunteers import public
from kepu.volunteers.models import HoursSource, HoursStatus, MembershipStatus, TeamMembership, Volunteer

pytestmark = pytest.mark.django_db


@pytest.fixture
def squad(cast: dict[str, Any]) -> Any:
    from kepu.volunteers.services import team_create

    return team_create(actor=SYSTEM, name="测试分队", level="squad", unit=Unit.objects.get(name="张浦镇科协"),
                       region=Region.objects.get(code="320583106000"))


def _member(team: Any, user: Any = None, *, name: str, id_number: str, leader: bool = False) -> Volunteer:
    volunteer = Volunteer.objects.create(user=user, name=name, id_number=id_number, phone="13900000000",
                                         region=team.region)
    TeamMembership.objects.create(volunteer=volunteer, team=team, status=MembershipStatus.APPROVED,
                                  is_leader=leader)
    return volunteer


def test_teams_of_user_lists_approved_memberships_only(squad: Any, cast: dict[str, Any]) -> None:
    user = cast["resident"]
    volunteer = _member(squad, user, name="周市民", id_number="11010519491231002X")
    assert list(public.teams_of_user(user)) == [squad]
    TeamMembership.objects.filter(volunteer=volunteer).update(status=MembershipStatus.PENDING)
    assert list(public.teams_of_user(user)) == []


def test_team_member_users_are_the_approved_members_with_accounts(squad: Any, cast: dict[str, Any]) -> None:
    _member(squad, cast["resident"], name="周市民", id_number="11010519491231002X")
    _member(squad, None, name="无账号", id_number="110105194912310037")
    assert list(public.team_member_users(squad)) == [cast["resident"]]


def test_add_service_hours_records_pending_order_hours_once(squad: Any, cast: dict[str, Any]) -> None:
    _member(squad, cast["resident"], name="周市民", id_number="11010519491231002X")
    day = datetime.date.today()
    first = public.add_service_hours(actor=SYSTEM, team=squad, volunteers=[cast["resident"]], hours="2",
                                     served_on=day, reference="service_orders.order:1", title="健康讲座")
    again = public.add_service_hours(actor=SYSTEM, team=squad, volunteers=[cast["resident"]], hours="2",
                                     served_on=day, reference="service_orders.order:1", title="健康讲座")
    assert [r.pk for r in first] == [r.pk for r in again]
    record = first[0]
    assert (record.source, record.status, record.hours) == (HoursSource.ORDER, HoursStatus.PENDING, Decimal("2.0"))


def test_add_service_hours_refuses_someone_outside_the_team(squad: Any, cast: dict[str, Any]) -> None:
    Volunteer.objects.create(user=cast["resident"], name="周市民", id_number="11010519491231002X",
                             phone="13900000000", region=squad.region)
    with pytest.raises(ValidationFailed, match="不是"):
        public.add_service_hours(actor=SYSTEM, team=squad, volunteers=[cast["resident"]], hours=2,
                                 served_on=datetime.date.today(), reference="service_orders.order:2", title="讲座")
