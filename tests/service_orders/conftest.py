"""The order workflow's test cast: the demo users plus two volunteer teams.

Team A (张浦镇健康科普服务分队) is led by the demo volunteer (刘志愿); team B (应急科普服务分队) by a
second leader; a plain member of team A leads nothing. Orders are made directly in any status
(`order_in`) so each test starts where it needs to.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from kepu.core import access
from kepu.org.models import Region, RoleAssignment, Unit, User
from kepu.service_orders.models import OrderStatus, ServiceOrder
from kepu.volunteers.public import MembershipStatus, TeamMembership, Volunteer, VolunteerTeam

S = OrderStatus
ZHANGPU = "320583106000"
ZHOUSHI = "320583102000"


@dataclass
class Crew:
    a: VolunteerTeam
    b: VolunteerTeam
    leader_a: User
    leader_b: User
    member_a: User


def _volunteer_user(username: str, name: str, phone: str) -> User:
    # No password hashing (Argon2 is slow on purpose); tests sign these users in with force_login.
    user = User.objects.create(username=username, password="!", display_name=name, phone=phone)
    RoleAssignment.objects.create(user=user, role="volunteer")
    return user


def _join(user: User, team: VolunteerTeam, *, leader: bool, id_number: str, region: Region) -> None:
    volunteer = Volunteer.objects.filter(user=user).first() or Volunteer.objects.create(
        user=user, name=user.display_name, id_number=id_number, phone=user.phone or "13900000000", region=region)
    TeamMembership.objects.create(volunteer=volunteer, team=team, status=MembershipStatus.APPROVED, is_leader=leader)


def make_team(name: str, unit: Unit, region: Region) -> VolunteerTeam:
    team = VolunteerTeam.objects.create(name=name, level="squad", unit=unit, region=region)
    team.path = f"/{team.pk}/"
    team.save(update_fields=["path"])
    return team


@pytest.fixture
def crew(cast: dict[str, Any]) -> Crew:
    zhangpu = Region.objects.get(code=ZHANGPU)
    health = Unit.objects.get(name="昆山市卫生健康委员会")
    a = make_team("测试·张浦镇健康科普服务分队", health, zhangpu)
    b = make_team("测试·应急科普服务分队", Unit.objects.get(name="昆山市应急管理局"), zhangpu)
    leader_b = _volunteer_user("leader_b", "钱队长", "13900000021")
    member_a = _volunteer_user("member_a", "孙队员", "13900000022")
    _join(cast["volunteer"], a, leader=True, id_number="320583199001010011", region=zhangpu)
    _join(leader_b, b, leader=True, id_number="320583199001010038", region=zhangpu)
    _join(member_a, a, leader=False, id_number="32058319900101005X", region=zhangpu)
    for user in (cast["volunteer"], leader_b, member_a):
        access.forget(user)
    return Crew(a=a, b=b, leader_a=cast["volunteer"], leader_b=leader_b, member_a=member_a)


def community(town_code: str = ZHANGPU) -> Region:
    """A demo community of the town (the demo seed adds two or three per town)."""
    return Region.objects.filter(parent__code=town_code, level="community").order_by("code").first()


@pytest.fixture
def order_in(cast: dict[str, Any]) -> Any:
    """order_in(status, **fields) → an order in that status, by default in a 张浦镇 community,
    dispatched to 教育局 (the liaison jiaoyu's unit) from `dispatched` on."""

    def make(status: str, *, region: Region | None = None, team: Any = None, offered_team: Any = None,
             unit: Unit | None = None, phone: str = "13700000001", **fields: Any) -> ServiceOrder:
        region = region or community()
        town = region if region.level == "town" else region.parent
        now = timezone.now()
        before_dispatch = status in (S.PLACED, S.REJECTED)
        # From 已接单 on the service is due (it may start only near its booked time) and, once in
        # service, it has started: a completion needs a start.
        due = status in (S.ACCEPTED, S.IN_SERVICE, S.COMPLETED, S.RATED)
        values = dict(
            title="老年人智能手机使用课", category="elderly_digital", requester_name="吴阿姨",
            requester_phone=phone, town=town, region=region, address=f"{region.name}活动室",
            scheduled_at=now + (datetime.timedelta(hours=-1) if due else datetime.timedelta(days=3)), headcount=30, status=status, placed_at=now,
            stage_started_at=now, dispatch_unit=None if before_dispatch else unit or cast["jiaoyu"].unit,
            team=team if status in (S.ACCEPTED, S.IN_SERVICE, S.COMPLETED, S.RATED) else None,
            offered_team=offered_team if status == S.CLAIMED else None,
            started_at=now - datetime.timedelta(minutes=30) if due and status != S.ACCEPTED else None,
        )
        values.update(fields)
        return ServiceOrder.objects.create(**values)

    return make


def bearer(user: Any) -> dict[str, str]:
    """API headers with a token for any user (made directly: volunteers cannot create one in the UI)."""
    from kepu.org import services
    from kepu.org.models import ApiToken

    prefix = "s" + str(user.pk).zfill(7)
    key = f"kp_{prefix}_service-orders-tests"
    ApiToken.objects.get_or_create(user=user, prefix=prefix, defaults={
        "name": "测试", "key_hash": services._hash_key(key), "expires_at": "2999-01-01T00:00:00Z"})
    return {"Authorization": f"Bearer {key}"}
