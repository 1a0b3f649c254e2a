"""Template helpers for orders: the status badge, stars, the stage progress."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from kepu.service_orders.models import OrderStatus

register = template.Library()

STEPS = (("placed", "点单"), ("dispatched", "派单"), ("claimed", "领单"), ("accepted", "接单"),
         ("in_service", "服务"), ("completed", "完成"), ("rated", "评单"))
_STEP_INDEX = {code: i for i, (code, _) in enumerate(STEPS)}


@register.simple_tag
def order_status(order: Any, public: bool = False) -> str:
    """The status badge; staff also see 超时 and 抢单池, residents only where their order stands."""
    label = OrderStatus(order.status).label
    badge = format_html('<span class="kp-status kp-status-{}">{}</span>', order.status, label)
    if public:
        return badge
    if getattr(order, "escalated_at", None) and order.status not in ("rated", "rejected", "cancelled",
                                                                    "completed"):
        badge += mark_safe(' <span class="kp-status kp-status-overdue" title="超时督办">超时</span>')
    if order.status == "claimed" and not order.offered_team_id:
        badge += mark_safe(' <span class="kp-status kp-status-pool">抢单池</span>')
    return badge


@register.simple_tag
def stars(rating: int | None) -> str:
    if not rating:
        return "—"
    return format_html('<span class="kp-stars" title="{} 星">{}<span class="kp-stars-off">{}</span></span>',
                       rating, "★" * rating, "★" * (5 - rating))


@register.simple_tag
def order_steps(order: Any) -> str:
    """The seven stages as a progress strip; a closed-early order shows where it stopped."""
    current = _STEP_INDEX.get(order.status, -1)
    items = []
    for index, (_code, label) in enumerate(STEPS):
        state = "done" if index < current or order.status == "rated" else "now" if index == current else ""
        items.append((state, label))
    return format_html('<ol class="kp-steps">{}</ol>',
                       format_html_join("", '<li class="{}"><span></span>{}</li>', items))
