"""Order endpoints: the menu, the orders (scoped exactly like the pages), one order with its history,
the workflow verbs, and the figures reported upward."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from kepu.api.answers import answers
from kepu.api.paging import Pages, year_query
from kepu.core.access import require
from kepu.core.errors import ValidationFailed
from kepu.org.public import Unit
from kepu.service_orders import rules, selectors, services, stats, teams
from kepu.service_orders.models import OrderStatus, ServiceItem, ServiceOrder

router = Router(tags=["基层科普服务"])


class ItemOut(Schema):
    id: int
    name: str
    category: str
    summary: str
    audience: str
    duration_minutes: int
    max_headcount: int
    provider_unit: str = Field(alias="provider_unit.name")
    provider_team: str | None = Field(None, alias="provider_team.name")
    area_code: str = Field(alias="area.code")


@router.get("/items", response=answers(list[ItemOut]), summary="服务菜单")
@paginate(Pages, page_size=100)
def item_list(request: HttpRequest, category: str = "") -> QuerySet[ServiceItem]:
    require(request.user, "service_orders.item.view")
    return selectors.item_list(user=request.user, filters=selectors.ItemFilters(category=category))


class OrderOut(Schema):
    id: int
    number: str
    title: str
    category: str
    status: str
    status_label: str
    town_code: str = Field(alias="town.code")
    region_code: str = Field(alias="region.code")
    address: str
    scheduled_at: datetime.datetime
    headcount: int
    requester_name: str
    requester_phone: str
    dispatch_unit_id: int | None
    offered_team_id: int | None
    team_id: int | None
    in_open_pool: bool
    overdue: bool
    placed_at: datetime.datetime
    accepted_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    served_count: int | None
    rating: int | None

    @staticmethod
    def resolve_status_label(order: ServiceOrder) -> str:
        return OrderStatus(order.status).label

    @staticmethod
    def resolve_requester_phone(order: ServiceOrder) -> str:
        return order.masked_phone  # lists never carry full numbers; the order's page may

    @staticmethod
    def resolve_overdue(order: ServiceOrder) -> bool:
        return order.escalated_at is not None and not order.is_closed


class EventOut(Schema):
    kind: str
    from_status: str
    to_status: str
    actor_name: str
    note: str
    created_at: datetime.datetime


class OrderDetailOut(OrderOut):
    description: str
    report: str
    rating_comment: str
    events: list[EventOut]
    actions: list[str]

    @staticmethod
    def resolve_events(order: ServiceOrder) -> list[Any]:
        return list(selectors.order_events(order=order))

    @staticmethod
    def resolve_actions(order: ServiceOrder, context: dict[str, Any]) -> list[str]:
        return rules.available_verbs(context["request"].user, order)

    @staticmethod
    def resolve_requester_phone(order: ServiceOrder, context: dict[str, Any]) -> str:
        user = context["request"].user
        return order.requester_phone if rules.may_see_phone(user, order) else order.masked_phone


@router.get("/", response=answers(list[OrderOut]), summary="服务工单列表（按数据范围）")
@paginate(Pages, page_size=50)
def order_list(request: HttpRequest, q: str = "", status: str = "", queue: str = "", town: int | None = None,
               unit: int | None = None, team: int | None = None) -> QuerySet[ServiceOrder]:
    require(request.user, "service_orders.order.view")
    filters = selectors.OrderFilters(q=q, status=status, queue=queue, town=town, unit=unit, team=team)
    return selectors.order_list(user=request.user, filters=filters)


class StatsRowOut(Schema):
    label: str
    total: int
    done: int
    rated: int
    served: int
    completion_rate: Decimal | None
    satisfaction_rate: Decimal | None
    avg_rating: Decimal | None
    response_hours: Decimal | None
    completion_hours: Decimal | None


class StatsOut(Schema):
    overall: StatsRowOut
    by_status: dict[str, int]
    by_town: list[StatsRowOut]
    by_unit: list[StatsRowOut]
    by_team: list[StatsRowOut]


@router.get("/stats", response=answers(StatsOut), summary="服务统计（按数据范围）")
def order_stats(request: HttpRequest, year: int | None = year_query("缺省为本年，与统计页相同"),
                town: int | None = None,
                all_years: bool = Query(False, description="统计全部年份（忽略 year）")) -> dict[str, Any]:
    require(request.user, "service_orders.stats.view")
    # The current year by default, as on the KPI page: a year is what is reported upward.
    chosen = None if all_years else year or timezone.localdate().year
    figures = stats.figures(user=request.user, filters=stats.StatsFilters(year=chosen, town=town))

    def row(r: stats.Row) -> dict[str, Any]:
        return {"label": r.label, "total": r.total, "done": r.done, "rated": r.rated, "served": r.served,
                "completion_rate": r.completion_rate, "satisfaction_rate": r.satisfaction_rate,
                "avg_rating": r.avg_rating, "response_hours": r.response_hours,
                "completion_hours": r.completion_hours}

    return {"overall": row(figures.overall), "by_status": figures.by_status,
            "by_town": [row(r) for r in figures.by_town], "by_unit": [row(r) for r in figures.by_unit],
            "by_team": [row(r) for r in figures.by_team]}


@router.get("/{order_id}", response=answers(OrderDetailOut), summary="工单详情与办理记录")
def order_detail(request: HttpRequest, order_id: int) -> ServiceOrder:
    return selectors.order_detail(user=request.user, order_id=order_id)


class ActionIn(Schema):
    unit_id: int | None = None
    team_id: int | None = None
    reason: str = ""
    note: str = ""
    report: str = ""
    served_count: int | None = None
    service_hours: Decimal | None = None


def _unit(unit_id: int | None) -> Unit:
    unit = Unit.objects.filter(pk=unit_id, is_active=True).first() if unit_id else None
    if unit is None:
        raise ValidationFailed("请指定承办部门（unit_id）", "unit_id")
    return unit


def _team(team_id: int | None, *, required: bool = False) -> Any:
    if team_id is None:
        if required:
            raise ValidationFailed("请指定队伍（team_id）", "team_id")
        return None
    team = teams.active_teams().filter(pk=team_id).first()
    if team is None:
        raise ValidationFailed("没有找到该队伍", "team_id")
    return team


def _complete(actor: Any, order: ServiceOrder, p: ActionIn, request: HttpRequest) -> Any:
    close_out = services.CloseOut(report=p.report, served_count=p.served_count or 0,
                                  service_hours=p.service_hours or Decimal("0"))
    return services.order_complete(actor=actor, order=order, close_out=close_out,
                                   site_url=request.build_absolute_uri("/"))


Runner = Callable[[Any, ServiceOrder, ActionIn, HttpRequest], Any]
RUNNERS: dict[str, Runner] = {
    "dispatch": lambda a, o, p, r: services.order_dispatch(actor=a, order=o, unit=_unit(p.unit_id), note=p.note),
    "reject": lambda a, o, p, r: services.order_reject(actor=a, order=o, reason=p.reason),
    "claim": lambda a, o, p, r: services.order_claim(actor=a, order=o, team=_team(p.team_id), note=p.note),
    "return": lambda a, o, p, r: services.order_return(actor=a, order=o, reason=p.reason),
    "offer": lambda a, o, p, r: services.order_offer(actor=a, order=o, team=_team(p.team_id), note=p.note),
    "accept": lambda a, o, p, r: services.order_accept(actor=a, order=o, team=_team(p.team_id, required=True)),
    "release": lambda a, o, p, r: services.order_release(actor=a, order=o, reason=p.reason),
    "start": lambda a, o, p, r: services.order_start(actor=a, order=o),
    "complete": _complete,
    "cancel": lambda a, o, p, r: services.order_cancel(actor=a, order=o, reason=p.reason),
    "recall": lambda a, o, p, r: services.order_recall(actor=a, order=o, reason=p.reason),
    "reassign": lambda a, o, p, r: services.order_reassign(actor=a, order=o, unit=_unit(p.unit_id),
                                                          reason=p.reason),
}


@router.post("/{order_id}/actions/{verb}", response=answers(OrderDetailOut, write=True), summary="办理工单（派单、领单、接单等）",
             description="verb 取值：" + "、".join(RUNNERS) + "。被他人抢先时返回 422 与中文说明。")
def order_act(request: HttpRequest, order_id: int, verb: str, payload: ActionIn) -> ServiceOrder:
    load = selectors.order_to_accept if verb == "accept" else selectors.order_detail
    order = load(user=request.user, order_id=order_id)
    if verb not in RUNNERS:
        raise ValidationFailed(f"未知的操作：{verb}", "verb")
    return RUNNERS[verb](request.user, order, payload, request)
