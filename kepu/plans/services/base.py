"""What every plans service shares: who to tell, and how (or whether: the demo loads quietly)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db.models import QuerySet

from kepu.core.roles import Role
from kepu.notifications.services import notify
from kepu.org.public import User

_quiet: ContextVar[bool] = ContextVar("kepu_plans_quiet", default=False)


def liaisons_of(unit_ids: Any) -> QuerySet[User]:
    """The active liaisons of the given units: the people who report and answer for them."""
    return User.objects.filter(unit_id__in=list(unit_ids), is_active=True,
                               role_assignments__role=Role.LIAISON).distinct()


def office_staff() -> QuerySet[User]:
    return User.objects.filter(is_active=True, role_assignments__role=Role.OFFICE).distinct()


@contextmanager
def quietly() -> Iterator[None]:
    """Writing history rather than making news (the demo ledger): nobody is told — no message, mail or SMS."""
    token = _quiet.set(True)
    try:
        yield
    finally:
        _quiet.reset(token)


def tell(recipients: Any, **kwargs: Any) -> list[Any]:
    """kepu.notifications.services.notify, unless the ledger is being written quietly."""
    if _quiet.get():
        return []
    return notify(recipients, **kwargs)
