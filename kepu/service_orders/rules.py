"""Which buttons an order's page offers a user: the verbs the states table allows from the order's
status that the user may do to this order. The services check the same things again."""

from __future__ import annotations

from typing import Any

from kepu.core.access import ScopeRule, can, can_reach
from kepu.service_orders.models import OrderStatus, ServiceOrder
from kepu.service_orders.states import VERBS, allowed_verbs

S = OrderStatus
_SYSTEM_ONLY = {"time_out"}
_REQUESTER_ONLY = {"rate"}


def _holds(order: ServiceOrder) -> bool:
    """A team may give back only an order offered to it or accepted by it (not one from the pool)."""
    holder = order.team_id if order.status == S.ACCEPTED else order.offered_team_id
    return holder is not None


def can_do(user: Any, verb: str, order: ServiceOrder) -> bool:
    if verb in _SYSTEM_ONLY or verb in _REQUESTER_ONLY or verb not in allowed_verbs(order.status):
        return False
    granted = [a for a in VERBS[verb].actions if can(user, a)]
    if not granted:
        return False
    if verb == "release" and not _holds(order):
        return False
    return any(can_reach(user, a, order) for a in granted)


def available_verbs(user: Any, order: ServiceOrder) -> list[str]:
    """The verbs to offer on the order's page, in the table's order, without duplicates."""
    return [v for v in dict.fromkeys(allowed_verbs(order.status)) if can_do(user, v, order)]


# The team that serves an order (not one it is merely offered to, not the open pool).
SERVING_TEAM = ScopeRule(team="team")
# While the team holds the order; once it is completed, rated or closed its members see the phone masked.
SERVING = frozenset({S.ACCEPTED, S.IN_SERVICE})


def may_see_phone(user: Any, order: ServiceOrder) -> bool:
    """The full phone number is for those who must call the requester: the community, the department,
    roles granted personal data, and the team serving the order while it serves it; everyone else (and
    the team once the order is completed, rated or closed) sees it masked."""
    if can(user, "org.user.view_sensitive"):
        return True
    if any(can(user, a) and can_reach(user, a, order)
           for a in ("service_orders.order.dispatch", "service_orders.order.claim")):
        return True
    return order.status in SERVING and order.team_id is not None and can_reach(
        user, "service_orders.order.view", order, rule=SERVING_TEAM)
