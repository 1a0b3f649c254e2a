"""The service orders' choice sources (kepu.core.choices): the units an order can be dispatched to
(`?order=12&action=…`, the order fetched in the user's reach), the teams an order can be offered to or an
item provided by, and the teams a leader may accept orders for."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from kepu.core.access import can, require
from kepu.core.choices import ChoiceSource, context_action, context_id
from kepu.org.public import Unit, unit_search
from kepu.service_orders import selectors, teams
from kepu.volunteers.public import VolunteerTeam

DISPATCH = "service_orders.order.dispatch"
REASSIGN = "service_orders.order.reassign"
# Who may see the list of all active teams: whoever offers, claims or reassigns an order or keeps the menu.
TEAM_ACTIONS = ("service_orders.order.claim", REASSIGN, "service_orders.item.change")


def dispatch_units(user: Any, context: Mapping[str, str]) -> QuerySet[Unit]:
    if context_action(user, context, default=DISPATCH) not in (DISPATCH, REASSIGN):
        raise Http404("没有这个操作")
    order = selectors.order_detail(user=user, order_id=context_id(context, "order"))
    return selectors.dispatch_units(order)


def active_teams(user: Any, context: Mapping[str, str]) -> QuerySet[VolunteerTeam]:
    if not any(can(user, action) for action in TEAM_ACTIONS):
        require(user, TEAM_ACTIONS[0])  # 403 and an audit entry
    return teams.active_teams()


def led_teams(user: Any, context: Mapping[str, str]) -> QuerySet[VolunteerTeam]:
    require(user, "service_orders.order.accept")
    return teams.led_teams(user)


def team_search(rows: QuerySet[VolunteerTeam], q: str) -> QuerySet[VolunteerTeam]:
    return rows.filter(name__contains=q)


def _name(row: Any) -> str:
    return str(row.name)


DISPATCH_UNITS = ChoiceSource(key="dispatch-units", noun="承办部门", choices=dispatch_units,
                              search=unit_search, label=_name, prompt="输入部门名称、简称或别名搜索")
TEAMS = ChoiceSource(key="service-teams", noun="服务队伍", choices=active_teams, search=team_search,
                     label=_name, prompt="输入队伍名称搜索")
LED_TEAMS = ChoiceSource(key="led-teams", noun="队伍", choices=led_teams, search=team_search,
                         label=_name, prompt="输入队伍名称搜索")
