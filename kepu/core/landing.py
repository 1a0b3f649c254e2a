"""Where a user lands: after signing in, from the portal's header and from the way back on error pages.

Each shell or domain declares the landing page of a role (`registry.add_landing`); a user with several
roles lands on the page of the lowest order, so a liaison who is also an expert lands on 工作台. An
address asked for with `next` wins, unless it is a back-office address the user may not open — then
the user lands on the own page instead of a 403.
"""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch, reverse

from kepu.core.access import can, profile_of
from kepu.core.registry import landings

PORTAL = ("/", "公众门户")


def landing_for(user: Any) -> tuple[str, str]:
    """(address, name) of the user's own page; the portal for visitors and for users without a role."""
    roles = profile_of(user).roles
    for landing in landings():
        if landing.role in roles:
            try:
                return reverse(landing.url_name), landing.label
            except NoReverseMatch:
                continue
    return PORTAL


def may_open(user: Any, target: str) -> bool:
    """False for a back-office address when the user may not enter the back office at all."""
    return not target.startswith("/office/") or can(user, "backoffice.access")
