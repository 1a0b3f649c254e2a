"""What other domains may use from kepu.volunteers — and nothing else of it.

The order workflow (kepu.service_orders) assigns orders to teams, lets a team's members claim and
deliver them, and records the hours of the volunteers who served when an order is completed:

    from kepu.volunteers.public import (VolunteerTeam, Volunteer, TeamMembership, teams_of_user,
                                        team_member_users, add_service_hours)

    teams_of_user(request.user)            # teams the user may act for (approved member or leader)
    team_member_users(team)                # accounts of the team's approved members
    add_service_hours(actor=request.user, team=order.team, volunteers=[...], hours=Decimal("2"),
                      served_on=order.served_on, reference=f"service_orders.order:{order.pk}",
                      title=order.title)

See docs/volunteers.md for the contract of each.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from kepu.volunteers.models import (
    HoursSource,
    HoursStatus,
    MembershipStatus,
    ServiceHours,
    TeamLevel,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)

__all__ = [
    "HoursSource", "HoursStatus", "MembershipStatus", "ServiceHours", "TeamLevel", "TeamMembership", "Volunteer",
    "VolunteerTeam", "add_service_hours", "approved_hours", "team_member_users",
    "teams_led_by", "teams_of_user", "volunteer_of",
]


def volunteer_of(user: Any) -> Volunteer | None:
    """The user's volunteer registration, or None."""
    if not getattr(user, "pk", None):
        return None
    return Volunteer.objects.filter(user_id=user.pk).first()


def teams_of_user(user: Any) -> QuerySet[VolunteerTeam]:
    """Active teams in which the user is an approved member (leaders included)."""
    if not getattr(user, "pk", None):
        return VolunteerTeam.objects.none()
    return VolunteerTeam.objects.filter(
        is_active=True, memberships__volunteer__user_id=user.pk, memberships__status=MembershipStatus.APPROVED,
    ).distinct()


def teams_led_by(user: Any) -> QuerySet[VolunteerTeam]:
    """Active teams the user leads (not the teams under them)."""
    return teams_of_user(user).filter(memberships__is_leader=True, memberships__volunteer__user_id=user.pk)


def team_member_users(team: VolunteerTeam) -> QuerySet[Any]:
    """The user accounts of the team's approved members (members without an account are left out)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        is_active=True, volunteer__is_active=True, volunteer__memberships__team=team,
        volunteer__memberships__status=MembershipStatus.APPROVED,
    ).order_by("display_name", "username")


def add_service_hours(*, actor: Any, team: VolunteerTeam, volunteers: Iterable[Any], hours: Decimal | str | float,
                      served_on: datetime.date, reference: str, title: str) -> list[ServiceHours]:
    """Record hours for the volunteers who served a completed order, as the distinct source 订单服务.

    `volunteers` are Volunteer rows or user accounts, each an approved member of `team`; `hours` is per
    volunteer, in half-hour steps (0.5–24); `reference` identifies the order (e.g.
    "service_orders.order:42") and makes the call idempotent: calling again adds nothing twice. The
    records start pending and are approved or declined by the team's reviewers like all hours.
    Raises kepu.core.errors.ValidationFailed (Chinese message) on bad input; writes nothing then.
    The caller has already checked that `actor` may complete the order.
    """
    from kepu.volunteers.services import order_hours_add

    return order_hours_add(actor=actor, team=team, volunteers=volunteers, hours=hours, served_on=served_on,
                           reference=reference, title=title)


def approved_hours(volunteer: Volunteer, *, year: int | None = None) -> Decimal:
    """The volunteer's approved, not withdrawn hours (in one year, or in all)."""
    from kepu.volunteers.selectors import approved_hours_total

    return approved_hours_total(volunteer, year=year)
