"""Time limits: each waiting stage has a limit set by the office (OrderSettings). When one overruns,
the order goes back to the queue before it (超时退回) and the office and the responsible unit hear of
it (督办) in one digest per person and run:

| stage (status)  | limit                                  | what happens                           |
|-----------------|----------------------------------------|----------------------------------------|
| 待派单 placed    | dispatch_hours after it was placed      | escalated (there is no earlier queue)  |
| 待领单 dispatched| claim_hours after dispatch              | back to 待派单, escalated               |
| 待接单 claimed   | accept_hours after the claim/offer      | back to 待领单 (the department), escalated |
| 已接单 accepted  | scheduled time + complete_days, unstarted | back to 待接单 (open pool), escalated  |
| 服务中 in_service| scheduled time + complete_days, not done | escalated                              |

Each order moves in its own transaction through the services, so a person acting on it at the same
moment simply wins; the job is idempotent and can run as often as wanted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from kepu.core.access import SYSTEM
from kepu.core.errors import WorkflowError
from kepu.notifications.services import notify
from kepu.service_orders import recipients, services
from kepu.service_orders.models import OrderSettings, OrderStatus, ServiceOrder

S = OrderStatus
BATCH = 500


@dataclass
class OverdueSummary:
    returned: int = 0
    escalated: int = 0
    # user → list of (order, what happened), for one digest per person
    digests: dict[Any, list[str]] = field(default_factory=lambda: defaultdict(list))

    def __str__(self) -> str:
        return f"超时退回 {self.returned} 件，督办 {self.escalated} 件"


def _hours(n: int) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


def overdue_orders(*, now: datetime.datetime, limits: OrderSettings) -> dict[str, Any]:
    """The querysets of overdue orders per stage (the same rules the job applies)."""
    service_deadline = now - datetime.timedelta(days=limits.complete_days)
    base = ServiceOrder.objects.select_related("region", "dispatch_unit", "team", "offered_team")
    return {
        S.PLACED: base.filter(status=S.PLACED, escalated_at__isnull=True,
                              stage_started_at__lt=now - _hours(limits.dispatch_hours)),
        S.DISPATCHED: base.filter(status=S.DISPATCHED, stage_started_at__lt=now - _hours(limits.claim_hours)),
        S.CLAIMED: base.filter(status=S.CLAIMED, stage_started_at__lt=now - _hours(limits.accept_hours)),
        S.ACCEPTED: base.filter(status=S.ACCEPTED, scheduled_at__lt=service_deadline),
        S.IN_SERVICE: base.filter(status=S.IN_SERVICE, escalated_at__isnull=True,
                                  scheduled_at__lt=service_deadline),
    }


def stage_deadline(order: ServiceOrder, limits: OrderSettings) -> datetime.datetime | None:
    """When the order's current stage overruns (shown on its page); None for closed stages."""
    hours = {S.PLACED: limits.dispatch_hours, S.DISPATCHED: limits.claim_hours, S.CLAIMED: limits.accept_hours}
    if order.status in hours:
        return order.stage_started_at + _hours(hours[order.status])
    if order.status in (S.ACCEPTED, S.IN_SERVICE):
        return order.scheduled_at + datetime.timedelta(days=limits.complete_days)
    return None


_RETURN_NOTES = {
    S.DISPATCHED: "超过领单时限（{limit} 小时）未领单，退回待派单",
    S.CLAIMED: "超过接单时限（{limit} 小时）无队伍接单，退回承办部门",
    S.ACCEPTED: "超过预约日期 {limit} 天仍未开始服务，退回抢单池",
}
_ESCALATE_NOTES = {
    S.PLACED: "超过派单时限（{limit} 小时）未派单，已督办",
    S.IN_SERVICE: "超过预约日期 {limit} 天仍未办结，已督办",
}


def _limit(status: str, limits: OrderSettings) -> int:
    return {S.PLACED: limits.dispatch_hours, S.DISPATCHED: limits.claim_hours, S.CLAIMED: limits.accept_hours,
            S.ACCEPTED: limits.complete_days, S.IN_SERVICE: limits.complete_days}[status]


def _responsible(order: ServiceOrder) -> list[Any]:
    """The unit (or, before dispatch, the area's staff) and the team that let the stage overrun."""
    people = recipients.holders(order)
    if order.status in (S.PLACED, S.DISPATCHED):  # the order is (back) in the community's queue
        people += recipients.area_staff(order.region)
    return people


def process_overdue(*, now: datetime.datetime | None = None) -> OverdueSummary:
    """Return overdue orders to the previous queue and escalate; safe to run at any time."""
    now = now or timezone.now()
    limits = OrderSettings.current()
    summary = OverdueSummary()
    office = recipients.office_staff()
    for status, queryset in overdue_orders(now=now, limits=limits).items():
        for order in queryset.order_by("stage_started_at")[:BATCH * 20].iterator(chunk_size=BATCH):
            _process_one(order, status=status, limit=_limit(status, limits), office=office, summary=summary)
    _send_digests(summary)
    return summary


def _process_one(order: ServiceOrder, *, status: str, limit: int, office: list[Any],
                 summary: OverdueSummary) -> None:
    people = _responsible(order) + office
    try:
        if status in _RETURN_NOTES:
            note = _RETURN_NOTES[status].format(limit=limit)
            services.order_time_out(actor=SYSTEM, order=order, note=note)
            summary.returned += 1
        else:
            note = _ESCALATE_NOTES[status].format(limit=limit)
            if not services.order_escalate(actor=SYSTEM, order=order, note=note):
                return
            summary.escalated += 1
    except WorkflowError:
        return  # someone acted on the order meanwhile: nothing is overdue any more
    for person in people:
        summary.digests[person].append(f"{order.number} {order.title}：{note}")


def _send_digests(summary: OverdueSummary) -> None:
    for person, lines in summary.digests.items():
        shown = "\n".join(lines[:50]) + (f"\n…… 共 {len(lines)} 件" if len(lines) > 50 else "")
        notify([person], title=f"超时工单督办：{len(lines)} 件", body=shown,
               link=reverse("service_orders:order_list") + "?queue=overdue", kind="orders.overdue")
