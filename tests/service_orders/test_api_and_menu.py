"""The API goes through the same selectors and services as the pages; the menu is kept by the office
and by each department for its own items."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from kepu.core.errors import ValidationFailed
from kepu.org.models import Region, Unit
from kepu.service_orders import services
from kepu.service_orders.models import OrderStatus, ServiceItem, ServiceOrder
from tests.service_orders.conftest import bearer

pytestmark = pytest.mark.django_db
S = OrderStatus


def _api(user: Any) -> Client:
    return Client(headers=bearer(user))


def test_lists_mask_phones_and_the_order_page_shows_them_to_whoever_must_call(cast: dict[str, Any],
                                                                               order_in: Any) -> None:
    order = order_in(S.DISPATCHED, phone="13912345678")
    listed = json.loads(_api(cast["office"]).get(f"/api/v1/orders/?q={order.number}").content)["items"]
    assert [row["requester_phone"] for row in listed] == ["139****5678"]
    detail = json.loads(_api(cast["jiaoyu"]).get(f"/api/v1/orders/{order.pk}").content)
    assert detail["requester_phone"] == "13912345678"
    assert detail["actions"] == ["claim", "return"]
    assert [e["kind"] for e in detail["events"]] == []


def test_a_team_accepts_through_the_api_and_the_second_is_told_it_lost(crew: Any, order_in: Any) -> None:
    order = order_in(S.CLAIMED)
    first = _api(crew.leader_a).post(f"/api/v1/orders/{order.pk}/actions/accept",
                                     data={"team_id": crew.a.pk}, content_type="application/json")
    assert first.status_code == 200 and json.loads(first.content)["status"] == "accepted"
    second = _api(crew.leader_b).post(f"/api/v1/orders/{order.pk}/actions/accept",
                                      data={"team_id": crew.b.pk}, content_type="application/json")
    assert second.status_code == 422
    assert "该工单已被其他队伍接单" in json.loads(second.content)["detail"]


def test_an_api_refusal_changes_nothing(cast: dict[str, Any], order_in: Any) -> None:
    order = order_in(S.RATED)
    client = _api(cast["office"])
    before = list(ServiceOrder.objects.filter(pk=order.pk).values()), order.events.count()
    response = client.post(f"/api/v1/orders/{order.pk}/actions/cancel", data={"reason": "测试"},
                           content_type="application/json")
    assert response.status_code == 422 and "不能执行“取消工单”" in json.loads(response.content)["detail"]
    assert (list(ServiceOrder.objects.filter(pk=order.pk).values()), order.events.count()) == before


def test_the_town_places_an_order_for_a_resident(cast: dict[str, Any], as_user: Any) -> None:
    import datetime

    from django.utils import timezone

    from tests.service_orders.conftest import community

    day = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = as_user("zhangpu").post("/office/orders/new/", {
        "title": "村民用药安全讲座", "category": "health", "region": community().pk, "address": "村委会会议室",
        "day": day, "slot": "afternoon", "headcount": 40, "requester_name": "王主任",
        "requester_phone": "13912349999"})
    order = ServiceOrder.objects.latest("id")
    assert response.status_code == 302 and order.channel == "community" and order.requester_user is None
    assert order.events.get().note == "社区代群众下单"


def test_the_town_cannot_place_an_order_outside_its_area(cast: dict[str, Any]) -> None:
    import datetime

    from django.utils import timezone

    zhoushi = Region.objects.get(code="320583102000")
    request = services.OrderRequest(requester_name="王", requester_phone="13912349999", region=zhoushi,
                                    address="x", scheduled_at=timezone.now() + datetime.timedelta(days=3),
                                    headcount=10, title="讲座")
    with pytest.raises(PermissionDenied):
        services.order_place(actor=cast["zhangpu"], request=request, channel="community")


def test_a_department_keeps_its_own_menu_items_only(cast: dict[str, Any], as_user: Any) -> None:
    city = Region.objects.get(code="320583000000")
    edu, agri = cast["jiaoyu"].unit, Unit.objects.get(name="昆山市农业农村局")
    item = services.item_create(actor=cast["jiaoyu"], name="科学家进校园", category="youth",
                                summary="邀请科研人员走进中小学。", provider_unit=edu, area=city)
    assert item.provider_unit == edu
    with pytest.raises(PermissionDenied):
        services.item_create(actor=cast["jiaoyu"], name="代农业局上架", category="agriculture", summary="x",
                             provider_unit=agri, area=city)
    with pytest.raises(PermissionDenied):
        services.item_update(actor=cast["jiaoyu"], item=ServiceItem.objects.get(pk=item.pk), provider_unit=agri)
    other = ServiceItem.objects.filter(provider_unit=agri).first()
    assert as_user("jiaoyu").get(f"/office/orders/menu/{other.pk}/edit/").status_code == 404
    with pytest.raises(ValidationFailed, match="该部门已有同名服务项目"):
        services.item_create(actor=cast["office"], name="科学家进校园", category="youth", summary="重复",
                             provider_unit=edu, area=city)


def test_an_item_taken_off_the_menu_is_no_longer_offered(cast: dict[str, Any]) -> None:
    item = ServiceItem.objects.get(name="暑期天文观测活动")
    services.item_update(actor=cast["office"], item=item, is_active=False)
    assert "暑期天文观测活动" not in Client().get("/services/").content.decode()
    assert Client().get(f"/services/order/?item={item.pk}").status_code == 302  # to verify first; then 404
