"""The one module of this domain that touches the volunteers domain, and only through its facade
`kepu.volunteers.public`: which teams a user belongs to or leads, who leads a team, and crediting the
service hours of a completed order. Which teams a user reaches is decided by kepu.core.access (the team
scopes the volunteers domain registers), like every other scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet

from kepu.core.access import scoped
from kepu.volunteers.public import (
    MembershipStatus,
    TeamMembership,
    VolunteerTeam,
    add_service_hours,
    team_member_users,
)

ACCEPT = "service_orders.order.accept"


def active_teams() -> QuerySet[VolunteerTeam]:
    return VolunteerTeam.objects.filter(is_active=True).order_by("path", "name")


def led_teams(user: Any) -> QuerySet[VolunteerTeam]:
    """The active teams the user may accept orders for: the teams they lead and the teams under them
    (a 支队 leader acts for its 分队) — the scope 本人带领的队伍及下级队伍 of kepu.core.access."""
    return scoped(active_teams(), user, ACCEPT)


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
