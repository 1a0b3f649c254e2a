"""What this domain adds to the shells: navigation, the home card, the portal tile, the overdue job,
the demo data and the live indicators of the plan ledger."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kepu.core.registry import (
    DemoSeed,
    HomeCard,
    IndicatorProvider,
    NavItem,
    PortalTile,
    ScheduledJob,
    add_demo_seed,
    add_home_card,
    add_indicator_provider,
    add_my_page_card,
    add_nav,
    add_portal_tile,
    add_scheduled_job,
)
from kepu.service_orders.tasks import return_overdue_orders

SECTION = "基层科普服务"

add_nav(
    NavItem(SECTION, "服务工单", "service_orders:order_list", "service_orders.order.view", icon="inboxes",
            order=10, section_order=400),
    NavItem(SECTION, "服务菜单", "service_orders:item_list", "service_orders.item.view", icon="card-list",
            order=20, section_order=400),
    NavItem(SECTION, "服务统计", "service_orders:stats", "service_orders.stats.view", icon="bar-chart-line",
            order=30, section_order=400),
    NavItem(SECTION, "时限设置", "service_orders:settings", "service_orders.settings.change", icon="alarm",
            order=40, section_order=400),
)


def _orders_card(request: Any) -> str | None:
    from django.db.models import Count, Q

    from kepu.service_orders.selectors import orders_in_reach, queue_q

    counts = orders_in_reach(request.user).filter(queue_q(request.user)).aggregate(
        waiting=Count("id"), overdue=Count("id", filter=Q(escalated_at__isnull=False)))
    if not counts["waiting"] and not _is_order_role(request.user):
        return None
    return render_to_string("service_orders/home_card.html", counts, request=request)


def _is_order_role(user: Any) -> bool:
    from kepu.core.access import can

    return any(can(user, a) for a in ("service_orders.order.dispatch", "service_orders.order.claim",
                                      "service_orders.order.accept", "service_orders.order.reassign"))


add_home_card(HomeCard("service_orders.queue", "service_orders.order.view", _orders_card, order=400))


def _team_orders_card(request: Any) -> str | None:
    """On a team leader's own page (我的志愿服务): the orders waiting for the team — to accept, or under way."""
    from kepu.service_orders import teams
    from kepu.service_orders.selectors import LIST_RELATED, orders_in_reach, queue_q

    if not teams.led_teams(request.user).exists():
        return None
    waiting = orders_in_reach(request.user).filter(queue_q(request.user)).select_related(*LIST_RELATED)
    return render_to_string("service_orders/my_page_card.html", {
        "count": waiting.count(), "orders": list(waiting.order_by("-placed_at", "-id")[:5]),
    }, request=request)


add_my_page_card(HomeCard("service_orders.team", "service_orders.order.accept", _team_orders_card, order=400))
add_portal_tile(PortalTile("预约科普服务", "健康、应急、农技、青少年、老年数字技能等服务上门",
                           "service_orders_portal:menu", icon="calendar2-heart", order=10))


# Stage limits are in hours: check every hour (a run finding nothing overdue costs a few queries).
add_scheduled_job(ScheduledJob("service_orders.overdue", return_overdue_orders, every_minutes=60))


def _load_demo() -> None:
    from kepu.service_orders.demo import load

    load()


add_demo_seed(DemoSeed("service_orders", _load_demo, order=40))


def _indicator(name: str) -> Any:
    def value(year: int | None = None, region: Any = None) -> Any:
        from kepu.service_orders import stats

        return getattr(stats, name)(year, region)

    return value


for _code, _label, _unit, _fn in (
    ("service_orders.completed", "基层科普服务办结工单数", "件", "indicator_completed"),
    ("service_orders.completion_rate", "基层科普服务工单办结率", "%", "indicator_completion_rate"),
    ("service_orders.satisfaction_rate", "基层科普服务群众满意率", "%", "indicator_satisfaction_rate"),
    ("service_orders.people_served", "基层科普服务服务群众人次", "人次", "indicator_people_served"),
):
    add_indicator_provider(IndicatorProvider(_code, _label, _unit, value=_indicator(_fn), domain="service_orders"))


def _add_choice_sources() -> None:
    from kepu.core.choices import add_choice_source
    from kepu.service_orders.choices import DISPATCH_UNITS, LED_TEAMS, TEAMS

    for source in (DISPATCH_UNITS, TEAMS, LED_TEAMS):
        add_choice_source(source)


_add_choice_sources()
