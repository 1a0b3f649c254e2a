"""Data scopes of this domain: the platform's role scopes (kepu.core.access), plus team leadership.

A team leader holds the role 志愿者 (scope 本人). For the actions in `LEADER_ACTIONS` a leader also
reaches the own team and every team under it (by the team path), and the rows that belong to them.
Every selector and every service re-check of this domain goes through `reach()`; the leader part is
never applied to any other action.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model, Q, QuerySet

from kepu.core.access import can, deny, profile_of, rule_of, scope_filter
from kepu.core.roles import Role
from kepu.volunteers.models import MembershipStatus, TeamMembership, Volunteer, VolunteerTeam
from kepu.volunteers.permissions import LEADER_ACTIONS

# How each model's rows reach a team: a lookup to a VolunteerTeam ("" = the row is the team).
TEAM_PATHS: dict[str, str] = {
    "volunteerteam": "",
    "teammembership": "team",
    "activity": "team",
    "attendance": "activity__team",
    "servicehours": "team",
    "starapplication": "team",
}

_CACHE = "_volunteers_led_team_paths"


def led_team_paths(user: Any) -> tuple[str, ...]:
    """The paths of the active teams the user leads (empty for everyone who leads none)."""
    if user is None or getattr(user, "is_system", False) or not getattr(user, "is_authenticated", False):
        return ()
    if Role.VOLUNTEER not in profile_of(user).roles:
        return ()
    cached = getattr(user, _CACHE, None)
    if cached is None:
        cached = tuple(TeamMembership.objects.filter(
            volunteer__user_id=user.pk, status=MembershipStatus.APPROVED, is_leader=True, team__is_active=True,
        ).values_list("team__path", flat=True))
        setattr(user, _CACHE, cached)
    return cached


def forget_leadership(user: Any) -> None:
    """Drop the cached leadership (after a leader is appointed or removed in the same request)."""
    if user is not None and hasattr(user, _CACHE):
        delattr(user, _CACHE)


def _led_teams_q(paths: tuple[str, ...], prefix: str) -> Q:
    lookup = f"{prefix}__path__startswith" if prefix else "path__startswith"
    q = Q()
    for path in paths:
        q |= Q(**{lookup: path})
    return q


def leader_filter(user: Any, action: str, model: type[Model]) -> Q | None:
    """The rows a team leader reaches through leadership for `action`, or None."""
    if action not in LEADER_ACTIONS:
        return None
    paths = led_team_paths(user)
    if not paths:
        return None
    name = model._meta.model_name
    if model is Volunteer:
        # Members and applicants of the led teams (an applicant must be seen to be reviewed).
        teams = VolunteerTeam.objects.filter(_led_teams_q(paths, ""))
        return Q(pk__in=TeamMembership.objects.filter(team__in=teams).values("volunteer_id"))
    if name not in TEAM_PATHS:
        return None
    return _led_teams_q(paths, TEAM_PATHS[name])


def reach[M: Model](queryset: QuerySet[M], user: Any, action: str) -> QuerySet[M]:
    """The rows of `queryset` the user may reach with `action`: role scopes ∪ team leadership."""
    if not can(user, action):
        return queryset.none()
    model = queryset.model
    rule = rule_of(model)
    parts = [q for q in (scope_filter(user, action, rule), leader_filter(user, action, model)) if q is not None]
    if not parts:
        return queryset.none()
    if any(not q for q in parts):  # Q() — everything
        return queryset
    combined = parts[0]
    for q in parts[1:]:
        combined |= q
    filtered = queryset.filter(combined)
    return filtered.distinct() if rule.units else filtered


def can_reach(user: Any, action: str, obj: Model) -> bool:
    return reach(type(obj)._default_manager.filter(pk=obj.pk), user, action).exists()


def require_reach(user: Any, action: str, obj: Model) -> None:
    """Services re-check the row: a view that forgot to would still change nothing (403 + audit entry)."""
    if not can_reach(user, action, obj):
        deny(user, action, obj=obj)


def access_row[M: Model](queryset: QuerySet[M], user: Any, action: str, **lookup: Any) -> M:
    """One row within reach, or 404 — the same answer for a missing row and one outside the scope."""
    from django.http import Http404

    from kepu.core import audit
    from kepu.core.access import require

    require(user, action)
    try:
        return reach(queryset, user, action).get(**lookup)
    except queryset.model.DoesNotExist:
        if queryset.filter(**lookup).exists():
            audit.record_denied(user, action, obj=None, detail=f"越权访问 {lookup}")
        raise Http404("没有找到该记录，或不在您的数据范围内") from None
