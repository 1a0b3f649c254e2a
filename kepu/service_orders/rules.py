"""Which buttons an order's page offers a user: the verbs the states table allows from the order's
status that the user may do to this order. The services check the same things again."""

from __future__ import annotations

from typing import Any

from kepu.core.access import can
from kepu.service_orders import teams
from kepu.service_orders.models import OrderStatus, ServiceOrder
from kepu.service_orders.selectors import can_reach_order
from kepu.service_orders.states import VERBS, allowed_verbs

S = OrderStatus
_SYSTEM_ONLY = {"time_out"}
_REQUESTER_ONLY = {"rate"}


def _team_may(user: Any, verb: str, order: ServiceOrder) -> bool:
    led = teams.led_team_ids(user)
    if not led:
        return False
    if verb == "accept":
        return order.offered_team_id is None or order.offered_team_id in led
    if verb == "release":
        holder = order.team_id if order.status == S.ACCEPTED else order.offered_team_id
        return holder in led
    return order.team_id in led  # start, complete


def can_do(user: Any, verb: str, order: ServiceOrder) -> bool:
    if verb in _SYSTEM_ONLY or verb in _REQUESTER_ONLY or verb not in allowed_verbs(order.status):
        return False
    granted = [a for a in VERBS[verb].actions if can(user, a)]
    if not granted:
        return False
    if verb in ("accept", "release", "start", "complete"):
        return _team_may(user, verb, order)
    return any(can_reach_order(user, a, order) for a in granted)


def available_verbs(user: Any, order: ServiceOrder) -> list[str]:
    """The verbs to offer on the order's page, in the table's order, without duplicates."""
    return [v for v in dict.fromkeys(allowed_verbs(order.status)) if can_do(user, v, order)]


def may_see_phone(user: Any, order: ServiceOrder) -> bool:
    """The full phone number is for those who must call the requester: the community, the department,
    the team that accepted the order, and roles granted personal data; everyone else sees it masked."""
    if can(user, "org.user.view_sensitive") or (order.team_id and order.team_id in teams.member_team_ids(user)):
        return True
    return any(can(user, a) and can_reach_order(user, a, order)
               for a in ("service_orders.order.dispatch", "service_orders.order.claim"))
