"""Organisation endpoints: regions, units, users — through the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from kepu.api.answers import answers
from kepu.api.paging import Pages
from kepu.core.access import access_object, can, require
from kepu.core.text import mask_phone
from kepu.org import selectors, services
from kepu.org.models import Region, Unit, User

router = Router(tags=["组织"])


class RegionOut(Schema):
    id: int
    code: str
    name: str
    level: str
    parent_code: str | None = Field(None, alias="parent.code")


@router.get("/regions", response=answers(list[RegionOut]), summary="行政区划")
@paginate(Pages, page_size=100)
def region_list(request: HttpRequest, q: str = "", level: str = "") -> QuerySet[Region]:
    require(request.user, "org.region.view")
    return selectors.region_list(user=request.user, q=q, level=level)


class UnitOut(Schema):
    id: int
    name: str
    short_name: str
    kind: str
    region_code: str = Field(alias="region.code")
    parent_id: int | None
    is_member: bool
    is_active: bool
    aliases: list[str]

    @staticmethod
    def resolve_aliases(unit: Unit) -> list[str]:
        return [a.name for a in unit.aliases.all()]


@router.get("/units", response=answers(list[UnitOut]), summary="单位列表")
@paginate(Pages, page_size=100)
def unit_list(request: HttpRequest, q: str = "", kind: str = "", is_member: bool | None = None) -> QuerySet[Unit]:
    require(request.user, "org.unit.view")
    filters = selectors.UnitFilters(q=q, kind=kind, is_member=is_member, active=None)
    return selectors.unit_list(user=request.user, filters=filters)


@router.get("/units/{unit_id}", response=answers(UnitOut), summary="单位详情")
def unit_detail(request: HttpRequest, unit_id: int) -> Unit:
    return selectors.unit_detail(user=request.user, unit_id=unit_id)


class UnitIn(Schema):
    name: str
    short_name: str = ""
    kind: str = "party_government"
    region_code: str
    parent_id: int | None = None
    is_member: bool = False
    aliases: list[str] = []


@router.post("/units", response=answers({201: UnitOut}, write=True), summary="新增单位")
def unit_create(request: HttpRequest, payload: UnitIn) -> Status:
    require(request.user, "org.unit.change")
    region = access_object(Region.objects.all(), request.user, "org.unit.change", code=payload.region_code)
    parent = (access_object(Unit.objects.all(), request.user, "org.unit.view", pk=payload.parent_id)
              if payload.parent_id else None)
    unit = services.unit_create(actor=request.user, name=payload.name, region=region, parent=parent,
                                short_name=payload.short_name, kind=payload.kind, is_member=payload.is_member,
                                aliases=payload.aliases)
    return Status(201, selectors.unit_detail(user=request.user, unit_id=unit.pk))


class UnitPatch(Schema):
    name: str | None = None
    short_name: str | None = None
    is_member: bool | None = None


@router.patch("/units/{unit_id}", response=answers(UnitOut, write=True), summary="修改单位")
def unit_update(request: HttpRequest, unit_id: int, payload: UnitPatch) -> Unit:
    unit = access_object(Unit.objects.select_related("region"), request.user, "org.unit.change", pk=unit_id)
    services.unit_update(actor=request.user, unit=unit, **payload.dict(exclude_none=True))
    return selectors.unit_detail(user=request.user, unit_id=unit.pk)


class UserOut(Schema):
    id: int
    username: str
    display_name: str
    phone: str
    unit_id: int | None
    roles: list[str]
    is_active: bool

    @staticmethod
    def resolve_phone(user: User, context: dict[str, Any]) -> str:
        # Full numbers only for roles granted them; everyone else gets the masked form.
        return user.phone if can(context["request"].user, "org.user.view_sensitive") else mask_phone(user.phone)

    @staticmethod
    def resolve_roles(user: User) -> list[str]:
        return sorted(user.role_codes)


@router.get("/users", response=answers(list[UserOut]), summary="用户列表")
@paginate(Pages, page_size=100)
def user_list(request: HttpRequest, q: str = "", role: str = "") -> QuerySet[User]:
    require(request.user, "org.user.view")
    return selectors.user_list(user=request.user, q=q, role=role)
