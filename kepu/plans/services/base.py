"""What every plans service shares: the row re-check and who to tell."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kepu.core.access import can_reach, deny
from kepu.core.roles import Role
from kepu.org.models import User


def require_reach(actor: Any, action: str, obj: Any) -> None:
    """Services re-check the row's scope: a view that forgot to would still change nothing."""
    if not can_reach(actor, action, obj):
        deny(actor, action, obj=obj)


def liaisons_of(unit_ids: Any) -> QuerySet[User]:
    """The active liaisons of the given units: the people who report and answer for them."""
    return User.objects.filter(unit_id__in=list(unit_ids), is_active=True,
                               role_assignments__role=Role.LIAISON).distinct()


def office_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_assignments__role=Role.OFFICE).distinct()
