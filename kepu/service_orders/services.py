"""Writes of the order workflow: one service per verb of `states.py`, nothing else assigns `status`.

Each service checks the actor's permission and reach for the order (a refusal raises PermissionDenied
and leaves one audit entry), checks the transition against the states table (WorkflowError, nothing
changed), then moves the order with one conditional UPDATE on (pk, status, version): of two people
acting on the same order at the same moment exactly one wins, on SQLite and PostgreSQL alike, and the
other is told so in plain Chinese. The same transaction writes the OrderEvent and the audit entry;
notifications go out after commit.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import can, deny, require, scoped
from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.core.models import AuditCategory
from kepu.core.text import is_mobile
from kepu.org.models import Region, RegionLevel, Unit
from kepu.service_orders import photos as photo_files
from kepu.service_orders import recipients, teams
from kepu.service_orders.models import (
    EventKind,
    OrderChannel,
    OrderEvent,
    OrderSettings,
    OrderStatus,
    PracticeCentre,
    ServiceItem,
    ServiceOrder,
)
from kepu.service_orders.selectors import can_reach_order
from kepu.service_orders.states import REQUESTER_CANCELLABLE, VERBS, transition_for

S = OrderStatus
ORDER_FIELDS = ("title", "category", "status", "requester_name", "requester_phone", "town", "region",
                "address", "scheduled_at", "headcount", "dispatch_unit", "offered_team", "team", "rating")
MAX_OPEN_ORDERS_PER_PHONE = 5
MAX_PHOTOS = 9


# ---------------------------------------------------------------- the transition core

def _actor_name(actor: Any) -> str:
    if actor is None or getattr(actor, "is_system", False):
        return "系统"
    if not getattr(actor, "is_authenticated", False):
        return "群众"
    return str(actor)


def _require_verb(actor: Any, verb: str, order: ServiceOrder) -> None:
    """The actor holds one of the verb's actions and reaches this order with it (else 403 + audit)."""
    actions = VERBS[verb].actions
    granted = [a for a in actions if can(actor, a)]
    if not granted:
        require(actor, actions[0])
    if not any(can_reach_order(actor, a, order) for a in granted):
        deny(actor, granted[0], obj=order)


def _reason(reason: str, verb: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(f"“{VERBS[verb].label}”须填写原因", "reason")
    if len(text) > 500:
        raise ValidationFailed("原因不超过 500 字", "reason")
    return text


_LOST = {
    "accept": "该工单已被其他队伍接单",
    "claim": "该工单已被其他人领取",
}


def _lost_message(order: ServiceOrder, verb: str) -> str:
    if verb in _LOST:  # a claim race: the loser needs no lookup to be told what happened
        return f"{_LOST[verb]}，请选择其他工单"
    current = ServiceOrder.objects.filter(pk=order.pk).values_list("status", flat=True).first()
    label = OrderStatus(current).label if current else "已变化"
    return f"该工单刚刚已被他人处理（当前为“{label}”），请刷新后重试"


def _move(*, actor: Any, order: ServiceOrder, verb: str, note: str = "", actor_name: str = "",
          target: str | None = None, **changes: Any) -> ServiceOrder:
    """Apply one row of the states table to `order` (conditional UPDATE), then event and audit entry."""
    transition = transition_for(verb, order.status)
    to_status = target or transition.target
    now = timezone.now()
    before = audit.snapshot(order, ORDER_FIELDS)
    moved = {"status": to_status, "stage_started_at": now, "escalated_at": None, "updated_at": now, **changes}
    won = ServiceOrder.objects.filter(pk=order.pk, status=order.status, version=order.version).update(
        version=F("version") + 1, **moved)
    if won != 1:
        raise WorkflowError(_lost_message(order, verb))
    from_status = order.status
    # The row now holds exactly these values (the UPDATE matched the version we had): no reload needed.
    for field, value in {**moved, "version": order.version + 1}.items():
        setattr(order, field, value)
    name = actor_name or _actor_name(actor)
    OrderEvent.objects.create(order=order, kind=transition.event, from_status=from_status, to_status=to_status,
                              actor=actor if getattr(actor, "pk", None) else None, actor_name=name[:100],
                              note=note, created_at=now)
    audit.record(actor, f"service_orders.order.{verb}", category=AuditCategory.WORKFLOW, obj=order,
                 before=before, after=audit.snapshot(order, ORDER_FIELDS), reason=note, actor_name=actor_name)
    return order


# ---------------------------------------------------------------- place

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
    elif verified_phone != request.requester_phone:
        raise ValidationFailed("请先用短信验证码验证手机号", "requester_phone")
    return _place(actor=actor, request=request, channel=channel)


@transaction.atomic
def _place(*, actor: Any, request: OrderRequest, channel: str) -> ServiceOrder:
    now = timezone.now()
    _check_request(request, now=now)
    open_count = ServiceOrder.objects.filter(requester_phone=request.requester_phone,
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


# ---------------------------------------------------------------- community: dispatch, reject

@transaction.atomic
def order_dispatch(*, actor: Any, order: ServiceOrder, unit: Unit, note: str = "") -> ServiceOrder:
    """社区派单: the community or practice centre routes the order to a department."""
    _require_verb(actor, "dispatch", order)
    transition_for("dispatch", order.status)
    if not unit.is_active:
        raise ValidationFailed("请选择在用的承办部门", "unit")
    order = _move(actor=actor, order=order, verb="dispatch", note=note.strip() or f"派至{unit.name}",
                  dispatch_unit=unit, dispatched_at=timezone.now(), offered_team=None, team=None)
    recipients.tell_staff(recipients.unit_liaisons(unit.pk), order, "有新的派单待领取", kind="dispatched")
    return order


@transaction.atomic
def order_reject(*, actor: Any, order: ServiceOrder, reason: str) -> ServiceOrder:
    """不予受理: the community declines a request it cannot serve; the requester is told why."""
    _require_verb(actor, "reject", order)
    transition_for("reject", order.status)
    reason = _reason(reason, "reject")
    order = _move(actor=actor, order=order, verb="reject", note=reason, closed_at=timezone.now(),
                  close_reason=reason)
    recipients.tell_requester(order, f"很抱歉，您预约的“{order.title}”（{order.number}）未能受理：{reason}")
    return order


# ---------------------------------------------------------------- department: claim, return, offer

@transaction.atomic
def order_claim(*, actor: Any, order: ServiceOrder, team: Any = None, note: str = "") -> ServiceOrder:
    """部门领单: the department takes the order and offers it to one team, or to the open pool."""
    _require_verb(actor, "claim", order)
    if order.status == S.CLAIMED:
        raise WorkflowError(f"{_LOST['claim']}，请选择其他工单")
    transition_for("claim", order.status)
    _check_team(team)
    order = _move(actor=actor, order=order, verb="claim", note=note.strip() or _offer_note(team),
                  claimed_at=timezone.now(), offered_team=team)
    _tell_offer(order, team)
    return order


@transaction.atomic
def order_return(*, actor: Any, order: ServiceOrder, reason: str) -> ServiceOrder:
    """部门退单: the department gives the order back to the community's dispatch queue."""
    _require_verb(actor, "return", order)
    transition_for("return", order.status)
    reason = _reason(reason, "return")
    unit = order.dispatch_unit
    order = _move(actor=actor, order=order, verb="return", note=reason, dispatch_unit=None, offered_team=None,
                  dispatched_at=None, claimed_at=None)
    recipients.tell_staff(recipients.area_staff(order.region), order, f"{unit.label if unit else '部门'}退单",
                          body=reason, kind="returned")
    return order


@transaction.atomic
def order_offer(*, actor: Any, order: ServiceOrder, team: Any = None, note: str = "") -> ServiceOrder:
    """指派队伍: direct a claimed order to one team, or open it to every team (抢单池)."""
    _require_verb(actor, "offer", order)
    transition_for("offer", order.status)
    _check_team(team)
    order = _move(actor=actor, order=order, verb="offer", note=note.strip() or _offer_note(team),
                  offered_team=team)
    _tell_offer(order, team)
    return order


def _check_team(team: Any) -> None:
    if team is not None and not team.is_active:
        raise ValidationFailed("该队伍已停用，请选择其他队伍", "team")


def _offer_note(team: Any) -> str:
    return f"指派给{team.name}" if team is not None else "放入抢单池，各服务队均可接单"


def _tell_offer(order: ServiceOrder, team: Any) -> None:
    people = teams.team_leader_users(team.pk) if team is not None else teams.all_leader_users()
    title = "有工单指派给本队" if team is not None else "抢单池有新工单"
    recipients.tell_staff(people, order, title, kind="offered")


# ---------------------------------------------------------------- team: accept, release, start, complete

def _require_leader(actor: Any, team: Any) -> None:
    if team is None or team.pk not in teams.led_team_ids(actor):
        deny(actor, "service_orders.order.accept", obj=team)


@transaction.atomic
def order_accept(*, actor: Any, order: ServiceOrder, team: Any) -> ServiceOrder:
    """服务队接单: a team leader commits the team. Of two teams accepting at once, exactly one wins."""
    # The reach is read from the loaded order, not re-queried: a team that lost the race is told so
    # by the conditional UPDATE below, not refused as if it had never been offered the order.
    require(actor, "service_orders.order.accept")
    _require_leader(actor, team)
    if order.status in (S.ACCEPTED, S.IN_SERVICE, S.COMPLETED, S.RATED) and order.team_id != team.pk:
        raise WorkflowError(f"{_LOST['accept']}，请选择其他工单")
    transition_for("accept", order.status)
    if order.offered_team_id not in (None, team.pk):
        raise WorkflowError("该工单已指派给其他队伍")
    order = _move(actor=actor, order=order, verb="accept", note=f"{team.name}接单", team=team, offered_team=None,
                  accepted_at=timezone.now())
    recipients.tell_staff(recipients.unit_liaisons(order.dispatch_unit_id), order, f"{team.name}已接单",
                          kind="accepted")
    when = timezone.localtime(order.scheduled_at)
    recipients.tell_requester(order, f"您预约的“{order.title}”已由{team.name}接单，"
                                     f"将于{when.month}月{when.day}日{when:%H:%M}提供服务。")
    return order


@transaction.atomic
def order_release(*, actor: Any, order: ServiceOrder, reason: str) -> ServiceOrder:
    """服务队退回: a team declines an order offered to it, or gives back one it accepted."""
    _require_verb(actor, "release", order)
    transition_for("release", order.status)
    holder = order.team_id if order.status == S.ACCEPTED else order.offered_team_id
    if holder is None or holder not in teams.led_team_ids(actor):
        raise WorkflowError("只有指派给本队或本队已接的工单才能退回")
    reason = _reason(reason, "release")
    order = _move(actor=actor, order=order, verb="release", note=reason, team=None, offered_team=None,
                  accepted_at=None)
    recipients.tell_staff(recipients.unit_liaisons(order.dispatch_unit_id), order, "服务队退回工单，已进入抢单池",
                          body=reason, kind="released")
    return order


@transaction.atomic
def order_start(*, actor: Any, order: ServiceOrder) -> ServiceOrder:
    """开始服务: the team is on site."""
    _require_verb(actor, "start", order)
    transition_for("start", order.status)
    return _move(actor=actor, order=order, verb="start", started_at=timezone.now())


@dataclass(frozen=True)
class CloseOut:
    """The close-out report of a completed service (服务小结)."""

    report: str
    served_count: int
    service_hours: Decimal
    photos: tuple[Any, ...] = ()
    volunteers: tuple[Any, ...] = ()  # the team members who served: their hours are credited


def _check_close_out(close_out: CloseOut) -> None:
    if len(close_out.report.strip()) < 10:
        raise ValidationFailed("服务小结请至少写 10 个字：服务了什么、效果如何", "report")
    if not 1 <= close_out.served_count <= 100_000:
        raise ValidationFailed("请填写实际服务人数", "served_count")
    hours = Decimal(close_out.service_hours)
    if not Decimal("0.5") <= hours <= Decimal("24") or (hours * 2) % 1:
        raise ValidationFailed("每人服务时长应在 0.5 至 24 小时之间，以半小时为单位", "service_hours")
    if len(close_out.photos) > MAX_PHOTOS:
        raise ValidationFailed(f"照片最多 {MAX_PHOTOS} 张", "photos")
    for upload in close_out.photos:
        photo_files.check_image(upload)


@transaction.atomic
def order_complete(*, actor: Any, order: ServiceOrder, close_out: CloseOut, site_url: str = "") -> ServiceOrder:
    """完成服务: the team files the close-out report with photos; hours are credited; the requester
    receives a link to rate the service."""
    _require_verb(actor, "complete", order)
    transition_for("complete", order.status)
    _check_close_out(close_out)
    token = secrets.token_urlsafe(16)
    order = _move(actor=actor, order=order, verb="complete", note=close_out.report.strip()[:200],
                  completed_at=timezone.now(), report=close_out.report.strip(),
                  served_count=close_out.served_count, service_hours=close_out.service_hours,
                  rating_token_hash=rating_token_hash(token))
    photo_files.save_photos(order=order, uploads=close_out.photos, actor=actor)
    teams.credit_service_hours(order=order, actor=actor, hours=close_out.service_hours,
                               volunteers=list(close_out.volunteers))
    recipients.tell_staff(recipients.unit_liaisons(order.dispatch_unit_id), order, "服务已完成", kind="completed")
    from django.urls import reverse

    link = site_url.rstrip("/") + reverse("service_orders_portal:rate", args=[token])
    recipients.tell_requester(order, f"“{order.title}”服务已完成，请为本次服务评分：{link}", link=link)
    return order


# ---------------------------------------------------------------- requester: rate, cancel

def rating_token_hash(token: str) -> str:
    return hashlib.sha256(f"kepu-rating:{token}".encode()).hexdigest() if token else ""


@transaction.atomic
def order_rate(*, actor: Any, order: ServiceOrder, rating: int, comment: str = "", token: str = "",
               verified_phone: str = "") -> ServiceOrder:
    """群众评单: the requester rates the service, through the SMS link or signed in / phone-verified."""
    is_requester = bool(
        (token and secrets.compare_digest(rating_token_hash(token), order.rating_token_hash or "-"))
        or (verified_phone and verified_phone == order.requester_phone)
        or (getattr(actor, "pk", None) and actor.pk == order.requester_user_id)
    )
    if not is_requester:
        deny(actor, "service_orders.order.rate", obj=order)
    transition_for("rate", order.status)
    limit = OrderSettings.current().rating_days
    if order.completed_at and timezone.now() > order.completed_at + datetime.timedelta(days=limit):
        raise WorkflowError(f"评价已超过 {limit} 天的有效期")
    if rating not in (1, 2, 3, 4, 5):
        raise ValidationFailed("请选择 1 至 5 星", "rating")
    if len(comment) > 500:
        raise ValidationFailed("评价不超过 500 字", "comment")
    now = timezone.now()
    order = _move(actor=actor, order=order, verb="rate", note=f"{rating} 星。{comment.strip()}".strip(),
                  actor_name=f"{order.requester_name}（群众）", rating=rating, rating_comment=comment.strip(),
                  rated_at=now, closed_at=now, rating_token_hash="")
    if order.team_id:
        recipients.tell_staff(teams.team_leader_users(order.team_id), order, f"群众评价 {rating} 星", kind="rated")
    return order


@transaction.atomic
def order_cancel(*, actor: Any, order: ServiceOrder, reason: str, verified_phone: str = "") -> ServiceOrder:
    """取消工单: the requester withdraws the request before a team has committed, or the office cancels."""
    by_requester = bool((verified_phone and verified_phone == order.requester_phone)
                        or (getattr(actor, "pk", None) and actor.pk == order.requester_user_id))
    if by_requester and not can(actor, "service_orders.order.cancel"):
        transition_for("cancel", order.status)  # the table's refusal for closed orders
        if order.status not in REQUESTER_CANCELLABLE:
            raise WorkflowError("服务队已接单，如需取消请联系社区")
        name = f"{order.requester_name}（群众）"
    else:
        _require_verb(actor, "cancel", order)
        name = ""
    transition_for("cancel", order.status)
    reason = _reason(reason, "cancel")
    people = recipients.holders(order)
    order = _move(actor=actor, order=order, verb="cancel", note=reason, actor_name=name, closed_at=timezone.now(),
                  close_reason=reason)
    recipients.tell_staff(people, order, "工单已取消", body=reason, kind="cancelled")
    if not name:
        recipients.tell_requester(order, f"您预约的“{order.title}”（{order.number}）已取消：{reason}")
    return order


# ---------------------------------------------------------------- office: recall, reassign

@transaction.atomic
def order_recall(*, actor: Any, order: ServiceOrder, reason: str) -> ServiceOrder:
    """撤回重派: the office takes the order back from the department or team; it returns to the
    community's dispatch queue."""
    _require_verb(actor, "recall", order)
    transition_for("recall", order.status)
    reason = _reason(reason, "recall")
    people = recipients.holders(order)
    order = _move(actor=actor, order=order, verb="recall", note=reason, dispatch_unit=None, offered_team=None,
                  team=None, dispatched_at=None, claimed_at=None, accepted_at=None)
    recipients.tell_staff(people + recipients.area_staff(order.region), order, "工单已撤回，待重新派单",
                          body=reason, kind="recalled")
    return order


@transaction.atomic
def order_reassign(*, actor: Any, order: ServiceOrder, unit: Unit, reason: str) -> ServiceOrder:
    """改派: the office moves the order to another department, which claims it afresh."""
    _require_verb(actor, "reassign", order)
    transition_for("reassign", order.status)
    reason = _reason(reason, "reassign")
    if not unit.is_active:
        raise ValidationFailed("请选择在用的承办部门", "unit")
    people = recipients.holders(order)
    order = _move(actor=actor, order=order, verb="reassign", note=f"改派至{unit.name}：{reason}",
                  dispatch_unit=unit, offered_team=None, team=None, dispatched_at=timezone.now(), claimed_at=None,
                  accepted_at=None)
    recipients.tell_staff(people, order, "工单已改派", body=reason, kind="reassigned")
    recipients.tell_staff(recipients.unit_liaisons(unit.pk), order, "有改派的工单待领取", kind="reassigned")
    return order


# ---------------------------------------------------------------- the overdue job's steps

@transaction.atomic
def order_time_out(*, actor: Any, order: ServiceOrder, note: str) -> ServiceOrder:
    """超时退回: a stage overran its limit; the order goes back to the queue before it."""
    if not getattr(actor, "is_system", False):
        require(actor, "service_orders.order.reassign")
    transition_for("time_out", order.status)
    clear: dict[str, Any] = {
        S.DISPATCHED: {"dispatch_unit": None, "dispatched_at": None},
        S.CLAIMED: {"offered_team": None, "claimed_at": None},
        S.ACCEPTED: {"team": None, "offered_team": None, "accepted_at": None},
    }[order.status]
    order = _move(actor=actor, order=order, verb="time_out", note=note, **clear)
    ServiceOrder.objects.filter(pk=order.pk).update(escalated_at=order.stage_started_at)
    order.escalated_at = order.stage_started_at
    return order


@transaction.atomic
def order_escalate(*, actor: Any, order: ServiceOrder, note: str) -> bool:
    """超时督办: mark an order whose stage overran (once per stage) and record it; no status change."""
    if not getattr(actor, "is_system", False):
        require(actor, "service_orders.order.reassign")
    now = timezone.now()
    marked = ServiceOrder.objects.filter(pk=order.pk, status=order.status, version=order.version,
                                         escalated_at__isnull=True).update(escalated_at=now)
    if not marked:
        return False
    OrderEvent.objects.create(order=order, kind=EventKind.ESCALATED, from_status=order.status,
                              to_status=order.status, actor_name=_actor_name(actor), note=note, created_at=now)
    audit.record(actor, "service_orders.order.escalate", category=AuditCategory.WORKFLOW, obj=order, reason=note)
    return True


# ---------------------------------------------------------------- menu and settings

ITEM_FIELDS = ("name", "category", "summary", "audience", "duration_minutes", "max_headcount", "provider_unit",
               "provider_team", "area", "is_active", "sort_order")


def _require_item_reach(actor: Any, item: ServiceItem) -> None:
    """A liaison keeps the items of the own unit; the office keeps every item."""
    action = "service_orders.item.change"
    if item.pk is not None and not scoped(ServiceItem.objects.filter(pk=item.pk), actor, action).exists():
        deny(actor, action, obj=item)
    if not scoped(Unit.objects.filter(pk=item.provider_unit_id), actor, action).exists():
        deny(actor, action, obj=item.provider_unit)


def _check_item(item: ServiceItem) -> None:
    item.name = item.name.strip()
    if not item.name:
        raise ValidationFailed("请填写服务名称", "name")
    if not item.summary.strip():
        raise ValidationFailed("请填写服务内容", "summary")
    if ServiceItem.objects.filter(name=item.name, provider_unit=item.provider_unit_id).exclude(pk=item.pk).exists():
        raise ValidationFailed("该部门已有同名服务项目", "name")


@transaction.atomic
def item_create(*, actor: Any, **fields: Any) -> ServiceItem:
    require(actor, "service_orders.item.change")
    item = ServiceItem(**fields)
    _require_item_reach(actor, item)
    _check_item(item)
    item.save()
    audit.record(actor, "service_orders.item.create", category=AuditCategory.CREATE, obj=item,
                 after=audit.snapshot(item, ITEM_FIELDS))
    return item


@transaction.atomic
def item_update(*, actor: Any, item: ServiceItem, **changes: Any) -> ServiceItem:
    require(actor, "service_orders.item.change")
    _require_item_reach(actor, item)
    before = audit.snapshot(item, ITEM_FIELDS)
    for field, value in changes.items():
        setattr(item, field, value)
    _require_item_reach(actor, item)  # a liaison cannot hand an item to another unit
    _check_item(item)
    item.save()
    after = audit.snapshot(item, ITEM_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "service_orders.item.update", obj=item, before=before, after=after)
    return item


SETTINGS_FIELDS = ("dispatch_hours", "claim_hours", "accept_hours", "complete_days", "rating_days")
_SETTING_RANGES = {"dispatch_hours": (1, 720), "claim_hours": (1, 720), "accept_hours": (1, 720),
                   "complete_days": (0, 60), "rating_days": (1, 365)}


@transaction.atomic
def settings_update(*, actor: Any, **values: int) -> OrderSettings:
    """The office sets each stage's time limit; the overdue job applies them from its next run."""
    require(actor, "service_orders.settings.change")
    current = OrderSettings.current()
    before = audit.snapshot(current, SETTINGS_FIELDS)
    for field, value in values.items():
        if field not in _SETTING_RANGES:
            raise ValidationFailed(f"未知的设置项：{field}", field)
        low, high = _SETTING_RANGES[field]
        if not isinstance(value, int) or not low <= value <= high:
            raise ValidationFailed(f"应为 {low} 至 {high} 之间的整数", field)
        setattr(current, field, value)
    current.updated_by = actor if getattr(actor, "pk", None) else None
    current.save()
    audit.record(actor, "service_orders.settings.change", obj=current, before=before,
                 after=audit.snapshot(current, SETTINGS_FIELDS))
    return current
