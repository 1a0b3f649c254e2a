"""群众点单: a resident or a community places an order."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core import audit, limits
from kepu.core.access import deny, require, scoped
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.protected import digest
from kepu.core.text import is_mobile
from kepu.org.public import Region, RegionLevel
from kepu.service_orders import recipients
from kepu.service_orders.models import (
    EventKind,
    OrderChannel,
    OrderEvent,
    PracticeCentre,
    ServiceItem,
    ServiceOrder,
)
from kepu.service_orders.services.core import ORDER_FIELDS, S, _actor_name

MAX_OPEN_ORDERS_PER_PHONE = 5


@dataclass(frozen=True)
class OrderRequest:
    """What a resident or a community asks for: from the menu (item) or a free request (title)."""

    requester_name: str
    requester_phone: str
    region: Region
    address: str
    scheduled_at: datetime.datetime
    headcount: int
    item: ServiceItem | None = None
    title: str = ""
    category: str = ""
    description: str = ""


def _town_of(region: Region) -> Region:
    if region.level == RegionLevel.TOWN:
        return region
    if region.level == RegionLevel.COMMUNITY and region.parent_id:
        return region.parent
    raise ValidationFailed("请选择服务地点所在的镇（街道）或社区", "region")


def _centre_of(region: Region) -> PracticeCentre | None:
    codes = [p for p in region.path.split("/") if p]
    centres = {c.region.code: c for c in PracticeCentre.objects.filter(region__code__in=codes)
               .select_related("region")}
    for code in reversed(codes):
        if code in centres:
            return centres[code]
    return None


def _check_request(request: OrderRequest, *, now: datetime.datetime) -> None:
    if not request.requester_name.strip() or len(request.requester_name.strip()) > 50:
        raise ValidationFailed("请填写联系人姓名（不超过 50 字）", "requester_name")
    if not is_mobile(request.requester_phone):
        raise ValidationFailed("请填写 11 位手机号码", "requester_phone")
    if request.item is None and not request.title.strip():
        raise ValidationFailed("请从服务菜单选择项目，或写明需要的服务", "title")
    if request.item is not None and not request.item.is_active:
        raise ValidationFailed("该服务项目已下架，请重新选择", "item")
    if not request.address.strip():
        raise ValidationFailed("请填写详细地址", "address")
    if request.scheduled_at < now + datetime.timedelta(hours=12):
        raise ValidationFailed("预约时间须在 12 小时以后，以便安排服务", "scheduled_at")
    if request.scheduled_at > now + datetime.timedelta(days=90):
        raise ValidationFailed("只能预约 90 天以内的服务", "scheduled_at")
    limit = request.item.max_headcount if request.item is not None else 5000
    if not 1 <= request.headcount <= limit:
        raise ValidationFailed(f"预计人数应在 1 至 {limit} 人之间", "headcount")


def order_place(*, actor: Any, request: OrderRequest, verified_phone: str = "",
                channel: str = OrderChannel.PORTAL) -> ServiceOrder:
    """A resident (with a verified phone or signed in) or a community places an order (群众点单)."""
    if channel == OrderChannel.COMMUNITY:
        require(actor, "service_orders.order.place")
        if not scoped(Region.objects.filter(pk=request.region.pk), actor, "service_orders.order.place").exists():
            deny(actor, "service_orders.order.place", obj=request.region)
    else:
        limits.take_anonymous(actor)  # a scripted portal cannot flood the dispatchers
        if verified_phone != request.requester_phone:
            raise ValidationFailed("请先用短信验证码验证手机号", "requester_phone")
    return _place(actor=actor, request=request, channel=channel)


@transaction.atomic
def _place(*, actor: Any, request: OrderRequest, channel: str) -> ServiceOrder:
    now = timezone.now()
    _check_request(request, now=now)
    open_count = ServiceOrder.objects.filter(requester_phone_digest=digest("phone", request.requester_phone),
                                             status__in=(S.PLACED, S.DISPATCHED, S.CLAIMED)).count()
    if channel == OrderChannel.PORTAL and open_count >= MAX_OPEN_ORDERS_PER_PHONE:
        raise ValidationFailed(f"该手机号已有 {open_count} 个待处理的预约，请等待处理后再预约", "requester_phone")
    item = request.item
    user = actor if getattr(actor, "is_authenticated", False) and getattr(actor, "pk", None) else None
    order = ServiceOrder.objects.create(
        item=item, title=(item.name if item else request.title.strip())[:100],
        category=item.category if item else (request.category or "other"),
        description=request.description.strip(), channel=channel,
        requester_name=request.requester_name.strip(), requester_phone=request.requester_phone,
        requester_user=user if channel == OrderChannel.PORTAL else None,
        town=_town_of(request.region), region=request.region, centre=_centre_of(request.region),
        address=request.address.strip(), scheduled_at=request.scheduled_at, headcount=request.headcount,
        status=S.PLACED, stage_started_at=now, placed_at=now,
    )
    name = _actor_name(actor) if channel == OrderChannel.COMMUNITY or user else f"{order.requester_name}（群众）"
    OrderEvent.objects.create(order=order, kind=EventKind.PLACED, to_status=S.PLACED, actor=user,
                              actor_name=name[:100], created_at=now,
                              note="社区代群众下单" if channel == OrderChannel.COMMUNITY else "")
    audit.record(actor, "service_orders.order.place", category=AuditCategory.CREATE, obj=order,
                 after=audit.snapshot(order, ORDER_FIELDS), actor_name="" if user else name)
    recipients.tell_staff(recipients.area_staff(order.region), order, "新的群众点单", kind="placed")
    recipients.tell_requester(order, f"您预约的“{order.title}”已提交，工单号 {order.number}。"
                                     "社区将尽快派单，可在“我的预约”查看进度。")
    return order
