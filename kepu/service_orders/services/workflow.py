"""One service per verb of the states table, from 社区派单 to 群众评单, and the overdue job's steps."""

from __future__ import annotations

import datetime
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import can, deny, require
from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.core.models import AuditCategory
from kepu.org.public import Unit
from kepu.service_orders import photos as photo_files
from kepu.service_orders import recipients, teams
from kepu.service_orders.models import (
    EventKind,
    OrderEvent,
    OrderSettings,
    ServiceOrder,
)
from kepu.service_orders.services.core import LOST, S, _actor_name, _move, _reason, _require_verb
from kepu.service_orders.states import REQUESTER_CANCELLABLE, transition_for

MAX_PHOTOS = 9


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
    # The order page promises the requester an SMS on progress: 派单 is the first step they hear of.
    recipients.tell_requester(order, f"您预约的“{order.title}”（{order.number}）已派至{unit.name}承办，"
                                     "将有服务队与您联系")
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
        raise WorkflowError(f"{LOST['claim']}，请选择其他工单")
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
    if team is None or not teams.led_teams(actor).filter(pk=team.pk).exists():
        deny(actor, "service_orders.order.accept", obj=team)


@transaction.atomic
def order_accept(*, actor: Any, order: ServiceOrder, team: Any) -> ServiceOrder:
    """服务队接单: a team leader commits the team. Of two teams accepting at once, exactly one wins."""
    # The reach is read from the loaded order, not re-queried: a team that lost the race is told so
    # by the conditional UPDATE below, not refused as if it had never been offered the order.
    require(actor, "service_orders.order.accept")
    _require_leader(actor, team)
    if order.status in (S.ACCEPTED, S.IN_SERVICE, S.COMPLETED, S.RATED) and order.team_id != team.pk:
        raise WorkflowError(f"{LOST['accept']}，请选择其他工单")
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
    if holder is None or not teams.led_teams(actor).filter(pk=holder).exists():
        raise WorkflowError("只有指派给本队或本队已接的工单才能退回")
    reason = _reason(reason, "release")
    order = _move(actor=actor, order=order, verb="release", note=reason, team=None, offered_team=None,
                  accepted_at=None)
    recipients.tell_staff(recipients.unit_liaisons(order.dispatch_unit_id), order, "服务队退回工单，已进入抢单池",
                          body=reason, kind="released")
    return order


def _check_appointment(order: ServiceOrder, now: datetime.datetime, verb: str) -> None:
    """A service happens at its booked time: it may start no earlier than the office's window before it
    (OrderSettings.early_start_hours), so hours and figures come only from services that could have happened."""
    earliest = order.scheduled_at - datetime.timedelta(hours=OrderSettings.current().early_start_hours)
    if now < earliest:
        local = timezone.localtime(earliest).strftime("%Y-%m-%d %H:%M")
        action = "开始服务" if verb == "start" else "完成服务"
        raise WorkflowError(f"预约时间未到，最早可于 {local} {action}")


@transaction.atomic
def order_start(*, actor: Any, order: ServiceOrder) -> ServiceOrder:
    """开始服务: the team is on site, at (or within the office's window before) the booked time."""
    _require_verb(actor, "start", order)
    transition_for("start", order.status)
    now = timezone.now()
    _check_appointment(order, now, "start")
    return _move(actor=actor, order=order, verb="start", started_at=now)


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
    now = timezone.now()
    _check_appointment(order, now, "complete")
    if order.started_at is None or now < order.started_at:
        raise WorkflowError("服务尚未开始，不能完成")
    _check_close_out(close_out)
    token = secrets.token_urlsafe(16)
    order = _move(actor=actor, order=order, verb="complete", note=close_out.report.strip()[:200],
                  completed_at=now, report=close_out.report.strip(),
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
