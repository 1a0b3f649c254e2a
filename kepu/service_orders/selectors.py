"""Reads of the service menu and the orders — always through the user's data scope.

Which orders a user reaches for an action is decided by kepu.core.access from the grants in
permissions.py and `ServiceOrder.scope_rule` (office: all; town and community staff: their area; a
liaison: orders dispatched to the own unit; a resident: the own orders; team members and leaders: the
orders offered to their team, served by it, or waiting in the open pool). Pages, counts, charts,
exports and the API all start from `scoped()`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404

from kepu.core.access import can, require, scope_filter, scoped
from kepu.core.protected import digest
from kepu.org.public import Region, RegionLevel, Unit
from kepu.service_orders import teams
from kepu.service_orders.models import (
    OrderEvent,
    OrderSettings,
    OrderStatus,
    ServiceItem,
    ServiceOrder,
)

S = OrderStatus
VIEW = "service_orders.order.view"
ACCEPT = "service_orders.order.accept"


def orders_in_reach(user: Any, action: str = VIEW) -> QuerySet[ServiceOrder]:
    return scoped(ServiceOrder.objects.all(), user, action)


# ---------------------------------------------------------------- lists

@dataclass(frozen=True)
class OrderFilters:
    q: str = ""
    status: str = ""
    queue: str = ""  # "mine": awaiting the user's own step; "pool": the open pool; "overdue"
    town: int | None = None
    unit: int | None = None
    team: int | None = None
    category: str = ""
    year: int | None = None


LIST_RELATED = ("town", "region", "dispatch_unit", "team", "offered_team")


def order_list(*, user: Any, filters: OrderFilters | None = None, action: str = VIEW) -> QuerySet[ServiceOrder]:
    f = filters or OrderFilters()
    orders = scoped(ServiceOrder.objects.select_related(*LIST_RELATED), user, action)
    if f.q:
        orders = orders.filter(_search_q(f.q))
    if f.status:
        orders = orders.filter(status=f.status)
    if f.town:
        orders = orders.filter(town_id=f.town)
    if f.unit:
        orders = orders.filter(dispatch_unit_id=f.unit)
    if f.team:
        orders = orders.filter(Q(team_id=f.team) | Q(offered_team_id=f.team))
    if f.category:
        orders = orders.filter(category=f.category)
    if f.year:
        orders = orders.filter(placed_at__year=f.year)
    if f.queue == "mine":
        orders = orders.filter(queue_q(user))
    elif f.queue == "pool":
        orders = orders.filter(status=S.CLAIMED, offered_team__isnull=True)
    elif f.queue == "overdue":
        orders = orders.filter(overdue_q())
    return orders.order_by("-placed_at", "-id")


def _search_q(text: str) -> Q:
    text = text.strip()
    q = Q(title__contains=text) | Q(requester_name__contains=text) | Q(address__contains=text)
    number = text.upper().removeprefix("FW")
    if number.isdigit() and len(number) >= 6:
        q |= Q(pk=int(number[-6:]))
    return q


def queue_q(user: Any) -> Q:
    """The orders waiting for this user's own next step (the 待办 queue), by the user's roles and teams."""
    parts = []
    waiting = {
        "service_orders.order.dispatch": Q(status=S.PLACED),
        "service_orders.order.claim": Q(status=S.DISPATCHED),
        ACCEPT: Q(status=S.CLAIMED),
        "service_orders.order.deliver": Q(status__in=(S.ACCEPTED, S.IN_SERVICE)),
    }
    for action, state_q in waiting.items():
        reach = scope_filter(user, action, ServiceOrder.scope_rule)
        if reach is not None:
            parts.append(state_q & reach)
    if can(user, "service_orders.order.reassign"):
        parts.append(Q(escalated_at__isnull=False, status__in=(S.PLACED, S.DISPATCHED, S.CLAIMED, S.ACCEPTED,
                                                                S.IN_SERVICE)))
    if not parts:
        return Q(pk__in=[])
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def overdue_q() -> Q:
    return Q(escalated_at__isnull=False, status__in=(S.PLACED, S.DISPATCHED, S.CLAIMED, S.ACCEPTED, S.IN_SERVICE))


def queue_count(*, user: Any) -> int:
    return orders_in_reach(user).filter(queue_q(user)).count()


def status_counts(*, user: Any, filters: OrderFilters | None = None) -> dict[str, int]:
    base = order_list(user=user, filters=filters).order_by()
    rows = base.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


# ---------------------------------------------------------------- one order

def order_detail(*, user: Any, order_id: int, action: str = VIEW) -> ServiceOrder:
    """One order in the user's reach, or 404 — the same answer for missing and out of scope."""
    require(user, action)
    queryset = ServiceOrder.objects.select_related(
        *LIST_RELATED, "item", "item__provider_unit", "centre", "requester_user")
    found = scoped(queryset, user, action).filter(pk=order_id).first()
    if found is None:
        if ServiceOrder.objects.filter(pk=order_id).exists():
            from kepu.core import audit

            audit.record_denied(user, action, detail=f"越权访问工单 {order_id}")
        raise Http404("没有找到该工单，或不在您的数据范围内")
    return found


def dispatch_units(order: ServiceOrder) -> QuerySet[Unit]:
    """Where an order can be dispatched: the leading group's member units, and the units of its town."""
    return Unit.objects.filter(Q(is_member=True) | Q(region__path__startswith=order.town.path),
                               is_active=True).order_by("-is_member", "sort_order", "name")


def order_to_accept(*, user: Any, order_id: int) -> ServiceOrder:
    """The order a team leader asks to accept. When another team was faster the order has left the
    leader's reach; it is still returned (not 404) so that the service can say who won the race."""
    led = teams.led_teams(user)
    if led.exists():
        taken = ServiceOrder.objects.filter(pk=order_id, team__isnull=False).exclude(team__in=led).first()
        if taken is not None:
            return taken
    return order_detail(user=user, order_id=order_id)


def order_events(*, order: ServiceOrder) -> QuerySet[OrderEvent]:
    return order.events.order_by("created_at", "id")


def orders_of_phone(*, phone: str, user: Any = None) -> QuerySet[ServiceOrder]:
    """A resident's own orders: those placed with the verified phone, or from the signed-in account."""
    q = Q(requester_phone_digest=digest("phone", phone)) if phone else Q(pk__in=[])
    if user is not None and getattr(user, "is_authenticated", False) and getattr(user, "pk", None):
        q |= Q(requester_user_id=user.pk)
    return ServiceOrder.objects.filter(q).select_related("town", "region", "team", "item").order_by(
        "-placed_at", "-id")


def order_by_rating_token(*, token_hash: str) -> ServiceOrder | None:
    if not token_hash:
        return None
    return ServiceOrder.objects.select_related("team", "town", "region").filter(
        rating_token_hash=token_hash).first()


# ---------------------------------------------------------------- menu and places

@dataclass(frozen=True)
class ItemFilters:
    q: str = ""
    category: str = ""
    unit: int | None = None
    active: bool | None = True


def item_list(*, user: Any, filters: ItemFilters | None = None,
              action: str = "service_orders.item.view") -> QuerySet[ServiceItem]:
    f = filters or ItemFilters()
    items = scoped(ServiceItem.objects.select_related("provider_unit", "provider_team", "area"), user, action)
    if f.q:
        items = items.filter(Q(name__contains=f.q) | Q(summary__contains=f.q))
    if f.category:
        items = items.filter(category=f.category)
    if f.unit:
        items = items.filter(provider_unit_id=f.unit)
    if f.active is not None:
        items = items.filter(is_active=f.active)
    return items.annotate(order_count=Count("orders")).order_by("category", "sort_order", "name")


def item_detail(*, user: Any, item_id: int, action: str = "service_orders.item.view") -> ServiceItem:
    from kepu.core.access import access_object

    return access_object(ServiceItem.objects.select_related("provider_unit", "provider_team", "area"),
                         user, action, pk=item_id)


def public_menu(*, category: str = "") -> QuerySet[ServiceItem]:
    """The menu residents browse: every item on offer (public knowledge, no scope)."""
    items = ServiceItem.objects.filter(is_active=True).select_related("provider_unit", "provider_team", "area")
    if category:
        items = items.filter(category=category)
    return items.order_by("sort_order", "name")


def public_item(*, item_id: int) -> ServiceItem:
    item = public_menu().filter(pk=item_id).first()
    if item is None:
        raise Http404("该服务项目不存在或已下架")
    return item


def menu_category_counts() -> dict[str, int]:
    rows = ServiceItem.objects.filter(is_active=True).values("category").annotate(n=Count("id"))
    return {row["category"]: row["n"] for row in rows}


def service_places() -> list[Region]:
    """Towns and communities residents may order to, in tree order (a town before its communities)."""
    return list(Region.objects.filter(level__in=(RegionLevel.TOWN, RegionLevel.COMMUNITY), is_active=True)
                .select_related("parent").order_by("path"))


def place_choices(*, user: Any = None, action: str = "service_orders.order.place") -> list[Region]:
    """The places an order may be placed for: all for residents; the own area for town staff."""
    places = Region.objects.filter(level__in=(RegionLevel.TOWN, RegionLevel.COMMUNITY), is_active=True)
    if user is not None:
        places = scoped(places, user, action)
    return list(places.order_by("path"))


def settings_current() -> OrderSettings:
    return OrderSettings.current()
