"""The one module of this domain that touches the volunteers domain, and only through its facade
`kepu.volunteers.public`: which teams a user belongs to or leads, who leads a team, and crediting the
service hours of a completed order."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from kepu.core.roles import Role
from kepu.volunteers.public import (
    MembershipStatus,
    TeamMembership,
    VolunteerTeam,
    add_service_hours,
    team_member_users,
    teams_led_by,
    teams_of_user,
)

_LED = "_service_orders_led_teams"
_MEMBER = "_service_orders_member_teams"


def _is_volunteer(user: Any) -> bool:
    if user is None or getattr(user, "is_system", False) or not getattr(user, "is_authenticated", False):
        return False
    return Role.VOLUNTEER in getattr(user, "role_codes", frozenset())


def led_team_ids(user: Any) -> frozenset[int]:
    """The active teams the user leads, and the teams under them (a 支队 leader acts for its 分队);
    cached on the user object for the request."""
    if not _is_volunteer(user):
        return frozenset()
    cached = getattr(user, _LED, None)
    if cached is None:
        paths = list(teams_led_by(user).values_list("path", flat=True))
        under = Q()
        for path in paths:
            under |= Q(path__startswith=path)
        cached = frozenset(VolunteerTeam.objects.filter(under, is_active=True).values_list("pk", flat=True)) \
            if paths else frozenset()
        setattr(user, _LED, cached)
    return cached


def member_team_ids(user: Any) -> frozenset[int]:
    """The active teams the user belongs to (leaders included) or leads from above."""
    if not _is_volunteer(user):
        return frozenset()
    cached = getattr(user, _MEMBER, None)
    if cached is None:
        cached = frozenset(teams_of_user(user).values_list("pk", flat=True)) | led_team_ids(user)
        setattr(user, _MEMBER, cached)
    return cached


def forget(user: Any) -> None:
    """Drop the cached team ids (after memberships change within one request or test)."""
    for name in (_LED, _MEMBER):
        if hasattr(user, name):
            delattr(user, name)


def active_teams() -> QuerySet[VolunteerTeam]:
    return VolunteerTeam.objects.filter(is_active=True).order_by("path", "name")


def _leaders(teams: Q) -> list[Any]:
    from django.contrib.auth import get_user_model

    memberships = TeamMembership.objects.filter(teams, is_leader=True, status=MembershipStatus.APPROVED)
    return list(get_user_model().objects.filter(
        is_active=True, volunteer__in=memberships.values("volunteer_id")).distinct())


def team_leader_users(team_id: int | None) -> list[Any]:
    """The accounts of a team's leaders: they hear of orders offered to the team."""
    return _leaders(Q(team_id=team_id)) if team_id is not None else []


def all_leader_users() -> list[Any]:
    """Leaders of every active team: they hear of orders put into the open pool."""
    return _leaders(Q(team__is_active=True))


def member_users(team: VolunteerTeam) -> QuerySet[Any]:
    """The accounts of the team's approved members (who may be credited with an order's hours)."""
    return team_member_users(team)


def credit_service_hours(*, order: Any, actor: Any, hours: Decimal, volunteers: list[Any]) -> None:
    """Record the hours of the volunteers who served a completed order, through the volunteers domain
    (pending its approval; idempotent per order)."""
    if order.team is None or not volunteers:
        return
    from django.utils import timezone

    # The day served: the booked day, or today when the team came earlier than booked.
    served_on = min(timezone.localdate(order.scheduled_at), timezone.localdate())
    add_service_hours(actor=actor, team=order.team, volunteers=volunteers, hours=hours, served_on=served_on,
                      reference=f"service_orders.order:{order.pk}", title=order.title)
