"""The team serving an order may call the requester while it serves; once the order is completed, rated
or closed the team's members and leaders see the phone masked — on the page and through the API — while
the office and the department still see it per their rights."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from kepu.service_orders import services
from kepu.service_orders.models import OrderStatus, ServiceOrder
from tests.service_orders.conftest import bearer

pytestmark = pytest.mark.django_db
S = OrderStatus
PHONE = "13912340123"
MASKED = "139****0123"


def _page_phone(user: Any, order: Any) -> str:
    client = Client()
    client.force_login(user, backend="kepu.org.auth.KepuModelBackend")
    response = client.get(f"/office/orders/{order.pk}/")
    assert response.status_code == 200
    page = response.content.decode()
    return page.split('id="requester-phone">', 1)[1].split("</span>", 1)[0]


def _api_phone(user: Any, order: Any) -> str:
    response = Client(headers=bearer(user)).get(f"/api/v1/orders/{order.pk}")
    assert response.status_code == 200
    return json.loads(response.content)["requester_phone"]


@pytest.mark.parametrize("status", [S.ACCEPTED, S.IN_SERVICE])
def test_the_serving_team_sees_the_phone_while_it_serves(status: str, crew: Any, order_in: Any) -> None:
    order = order_in(status, team=crew.a, phone=PHONE)
    for person in (crew.leader_a, crew.member_a):
        assert _page_phone(person, order) == PHONE
        assert _api_phone(person, order) == PHONE


@pytest.mark.parametrize("status", [S.COMPLETED, S.RATED, S.CANCELLED])
def test_the_team_sees_the_phone_masked_once_the_order_closes(status: str, crew: Any, order_in: Any,
                                                              cast: dict[str, Any]) -> None:
    order = order_in(S.ACCEPTED, team=crew.a, phone=PHONE)
    ServiceOrder.objects.filter(pk=order.pk).update(status=status)  # e.g. the office cancelled it
    for person in (crew.leader_a, crew.member_a):
        assert _page_phone(person, order) == MASKED
        assert _api_phone(person, order) == MASKED
    for staff in (cast["office"], cast["jiaoyu"]):  # the office and the department keep their view
        assert _page_phone(staff, order) == PHONE
        assert _api_phone(staff, order) == PHONE


def test_completing_the_service_ends_the_teams_view_of_the_phone(crew: Any, order_in: Any) -> None:
    order = order_in(S.IN_SERVICE, team=crew.a, phone=PHONE)
    assert _page_phone(crew.member_a, order) == PHONE
    services.order_complete(actor=crew.leader_a, order=order, close_out=services.CloseOut(
        report="为社区老人讲解智能手机挂号与防诈骗，现场手把手练习。", served_count=30, service_hours=Decimal("2")))
    order.refresh_from_db()
    assert order.status == S.COMPLETED
    assert _page_phone(crew.member_a, order) == MASKED
    assert _api_phone(crew.leader_a, order) == MASKED


def test_a_team_only_offered_the_order_sees_the_phone_masked(crew: Any, order_in: Any) -> None:
    order = order_in(S.CLAIMED, offered_team=crew.a, phone=PHONE)
    assert _page_phone(crew.leader_a, order) == MASKED
    assert _api_phone(crew.member_a, order) == MASKED
