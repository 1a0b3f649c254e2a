"""Reads of regions, units and users — always through the user's data scope."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from kepu.core.access import scoped
from kepu.core.text import normalize_name
from kepu.org.models import Region, RoleAssignment, Unit, UnitAlias, User


@dataclass(frozen=True)
class UnitFilters:
    q: str = ""
    kind: str = ""
    region: int | None = None
    is_member: bool | None = None
    active: bool | None = True


def region_list(*, user: Any, action: str = "org.region.view", q: str = "", level: str = "") -> QuerySet[Region]:
    regions = scoped(Region.objects.select_related("parent"), user, action)
    if q:
        regions = regions.filter(Q(name__contains=q) | Q(code__startswith=q))
    if level:
        regions = regions.filter(level=level)
    return regions.annotate(unit_count=Count("units")).order_by("path")


def region_choices(*, user: Any, action: str = "org.unit.view") -> QuerySet[Region]:
    """Regions offered in a unit form or filter: those the user can place or find units in."""
    return scoped(Region.objects.filter(is_active=True), user, action).order_by("path")


def unit_list(*, user: Any, filters: UnitFilters | None = None, action: str = "org.unit.view") -> QuerySet[Unit]:
    f = filters or UnitFilters()
    units = scoped(Unit.objects.select_related("region", "parent"), user, action)
    if f.q:
        units = unit_search(units, f.q)
    if f.kind:
        units = units.filter(kind=f.kind)
    if f.region:
        region = Region.objects.filter(pk=f.region).only("path").first()
        units = units.filter(region__path__startswith=region.path) if region else units.none()
    if f.is_member is not None:
        units = units.filter(is_member=f.is_member)
    if f.active is not None:
        units = units.filter(is_active=f.active)
    return units.prefetch_related(Prefetch("aliases", queryset=UnitAlias.objects.order_by("name")))


def unit_search(units: QuerySet[Unit], q: str) -> QuerySet[Unit]:
    """The units whose name, short name or alias contains `q` (names compared after normalisation)."""
    normalized = normalize_name(q)
    return units.filter(
        Q(normalized_name__contains=normalized)
        | Q(short_name__contains=q)
        | Q(pk__in=UnitAlias.objects.filter(normalized_name__contains=normalized).values("unit_id"))
    )


def unit_children(*, user: Any, unit: Unit, action: str = "org.unit.view") -> QuerySet[Unit]:
    """The active units directly under a unit, within the user's reach (教育局 has 1,500 schools: the
    page shows them a page at a time)."""
    return scoped(Unit.objects.filter(parent=unit, is_active=True), user, action).order_by("sort_order", "name", "pk")


def unit_detail(*, user: Any, unit_id: int, action: str = "org.unit.view") -> Unit:
    from kepu.core.access import access_object

    return access_object(
        Unit.objects.select_related("region", "parent").prefetch_related("aliases"), user, action, pk=unit_id
    )


def unit_choices(*, user: Any, action: str = "org.unit.view") -> QuerySet[Unit]:
    return scoped(Unit.objects.filter(is_active=True), user, action).only("id", "name", "short_name")


def member_units() -> QuerySet[Unit]:
    """The leading group's member units: public knowledge (they are listed in the plan itself)."""
    return Unit.objects.filter(is_member=True, is_active=True).select_related("region")


def resolve_unit_name(name: str) -> Unit | None:
    """The unit a name or alias refers to (exact after normalisation), or None."""
    normalized = normalize_name(name)
    if not normalized:
        return None
    unit = Unit.objects.filter(normalized_name=normalized).first()
    if unit is not None:
        return unit
    alias = UnitAlias.objects.select_related("unit").filter(normalized_name=normalized).first()
    return alias.unit if alias else None


def unit_name_index() -> dict[str, Unit]:
    """Every normalised name and alias → unit, for matching many names at once (document import)."""
    index: dict[str, Unit] = {}
    units = {u.pk: u for u in Unit.objects.all()}
    for unit in units.values():
        index[unit.normalized_name] = unit
    for alias in UnitAlias.objects.all():
        index.setdefault(alias.normalized_name, units[alias.unit_id])
    return index


def user_list(*, user: Any, q: str = "", role: str = "", unit: int | None = None,
              action: str = "org.user.view") -> QuerySet[User]:
    users = scoped(User.objects.select_related("unit", "region"), user, action)
    if q:
        users = users.filter(Q(username__icontains=q) | Q(display_name__contains=q))
    if role:
        users = users.filter(pk__in=RoleAssignment.objects.filter(role=role).values("user_id"))
    if unit:
        users = users.filter(unit_id=unit)
    return users.prefetch_related("role_assignments").order_by("username")


def user_detail(*, user: Any, user_id: int, action: str = "org.user.view") -> User:
    from kepu.core.access import access_object

    return access_object(
        User.objects.select_related("unit", "region", "unit__region").prefetch_related("role_assignments"),
        user, action, pk=user_id,
    )
