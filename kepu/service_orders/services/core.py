"""The transition core: permission and reach checks, reasons, and the conditional UPDATE (`_move`)."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from kepu.core import audit
from kepu.core.access import can, can_reach, deny, require
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.transitions import AlreadyHandled, transition
from kepu.service_orders.models import (
    OrderEvent,
    OrderStatus,
    ServiceOrder,
)
from kepu.service_orders.states import VERBS, transition_for

S = OrderStatus
ORDER_FIELDS = ("title", "category", "status", "requester_name", "requester_phone", "town", "region",
                "address", "scheduled_at", "headcount", "dispatch_unit", "offered_team", "team", "rating")


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
    if not any(can_reach(actor, a, order) for a in granted):
        deny(actor, granted[0], obj=order)


def _reason(reason: str, verb: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise ValidationFailed(f"“{VERBS[verb].label}”须填写原因", "reason")
    if len(text) > 500:
        raise ValidationFailed("原因不超过 500 字", "reason")
    return text


LOST = {
    "accept": "该工单已被其他队伍接单",
    "claim": "该工单已被其他人领取",
}


def _lost_message(order: ServiceOrder, verb: str) -> str:
    if verb in LOST:  # a claim race: the loser needs no lookup to be told what happened
        return f"{LOST[verb]}，请选择其他工单"
    current = ServiceOrder.objects.filter(pk=order.pk).values_list("status", flat=True).first()
    label = OrderStatus(current).label if current else "已变化"
    return f"该工单刚刚已被他人处理（当前为“{label}”），请刷新后重试"


def _move(*, actor: Any, order: ServiceOrder, verb: str, note: str = "", actor_name: str = "",
          target: str | None = None, **changes: Any) -> ServiceOrder:
    """Apply one row of the states table to `order` (conditional UPDATE), then event and audit entry."""
    step = transition_for(verb, order.status)
    to_status = target or step.target
    now = timezone.now()
    before = audit.snapshot(order, ORDER_FIELDS)
    from_status = order.status
    try:  # the shared conditional UPDATE on (status, version): two claimers cannot both win
        transition(order, to=to_status, actor=actor, action=f"service_orders.order.{verb}",
                   stage_started_at=now, escalated_at=None, updated_at=now, **changes)
    except AlreadyHandled:
        raise AlreadyHandled(_lost_message(order, verb)) from None
    name = actor_name or _actor_name(actor)
    OrderEvent.objects.create(order=order, kind=step.event, from_status=from_status, to_status=to_status,
                              actor=actor if getattr(actor, "pk", None) else None, actor_name=name[:100],
                              note=note, created_at=now)
    audit.record(actor, f"service_orders.order.{verb}", category=AuditCategory.WORKFLOW, obj=order,
                 before=before, after=audit.snapshot(order, ORDER_FIELDS), reason=note, actor_name=actor_name)
    return order
