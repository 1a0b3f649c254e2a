"""Who hears of an order's step: town and community staff, a unit's liaisons, team leaders, the office,
and the requester (by SMS when they have only a phone, in the app too when they have an account)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.urls import reverse

from kepu.core.roles import Role
from kepu.notifications import sms
from kepu.notifications.services import notify
from kepu.org.public import Region, User
from kepu.service_orders import teams
from kepu.service_orders.models import ServiceOrder


def _ancestor_paths(region: Region) -> list[str]:
    parts = [p for p in region.path.split("/") if p]
    return ["/" + "/".join(parts[: i + 1]) + "/" for i in range(len(parts))]


def area_staff(region: Region) -> list[User]:
    """Area administrators whose area contains the region (the town's and the community's staff)."""
    paths = _ancestor_paths(region)
    return list(User.objects.filter(role_assignments__role=Role.AREA_ADMIN, is_active=True).filter(
        Q(region__path__in=paths) | Q(region__isnull=True, unit__region__path__in=paths)).distinct())


def unit_liaisons(unit_id: int | None) -> list[User]:
    if unit_id is None:
        return []
    return list(User.objects.filter(role_assignments__role=Role.LIAISON, unit_id=unit_id, is_active=True))


def office_staff() -> list[User]:
    return list(User.objects.filter(role_assignments__role=Role.OFFICE, is_active=True))


def holders(order: ServiceOrder) -> list[User]:
    """The people currently holding the order: the unit's liaisons and the team's leaders."""
    people = unit_liaisons(order.dispatch_unit_id)
    people += teams.team_leader_users(order.team_id or order.offered_team_id)
    return people


def order_link(order: ServiceOrder) -> str:
    return reverse("service_orders:order_detail", args=[order.pk])


def tell_staff(people: Iterable[Any], order: ServiceOrder, title: str, body: str = "", kind: str = "") -> None:
    notify(people, title=f"{title}：{order.title}", body=body or f"工单 {order.number}",
           link=order_link(order), kind=f"orders.{kind}" if kind else "orders")


def tell_requester(order: ServiceOrder, text: str, *, link: str = "") -> None:
    """The requester hears by SMS (after commit); a requester with an account also in the app."""
    if order.requester_user_id:
        notify([order.requester_user], title=text[:120], link=link or reverse("service_orders_portal:mine"),
               kind="orders.requester")
    phone = order.requester_phone
    if phone:
        transaction.on_commit(lambda: sms.backend().send(phone, f"【科普服务】{text}"))
