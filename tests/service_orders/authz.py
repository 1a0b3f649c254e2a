"""Who may reach each page and endpoint of the order workflow (C4).

`objects()` makes one order in each status the cases act on: all in a 张浦镇 community (so the town's
administrator zhangpu reaches them), dispatched to 教育局 (the liaison jiaoyu's unit) from
`dispatched` on, and a team whose leader is the demo volunteer.
"""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from tests.authz import EVERYONE, OFFICE, Endpoint, Page, PortalPage

VIEWERS = ("admin", "office", "zhangpu", "jiaoyu", "volunteer")
STAFF_VIEW = ("admin", "office", "zhangpu", "jiaoyu")
AREA = ("admin", "office", "zhangpu")
MENU_VIEWERS = ("admin", "office", "zhangpu", "jiaoyu", "expert", "volunteer")


def png_bytes(color: str = "#1f5fbf") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (48, 36), color).save(buffer, format="PNG")
    return buffer.getvalue()


def _stored_png() -> str:
    """One small PNG under MEDIA_ROOT, written once and shared by every case (no file per test)."""
    from django.core.files.storage import default_storage

    name = "service_orders/tests/authz.png"
    if not default_storage.exists(name):
        default_storage.save(name, SimpleUploadedFile("authz.png", png_bytes()))
    return name


def objects(cast: dict[str, Any]) -> dict[str, Any]:
    from kepu.org.models import Region, Unit
    from kepu.service_orders.models import OrderPhoto, ServiceItem, ServiceOrder
    from kepu.volunteers.public import MembershipStatus, TeamMembership, Volunteer, VolunteerTeam

    zhangpu = Region.objects.get(code="320583106000")
    place = Region.objects.filter(parent=zhangpu, level="community").order_by("code").first() or zhangpu
    edu = cast["jiaoyu"].unit
    team = VolunteerTeam.objects.create(name="授权测试·科普服务分队", level="squad", unit=edu, region=zhangpu)
    team.path = f"/{team.pk}/"
    team.save(update_fields=["path"])
    volunteer = Volunteer.objects.filter(user=cast["volunteer"]).first() or Volunteer.objects.create(
        user=cast["volunteer"], name="刘志愿", id_number="320583199002020016", phone="13800000007", region=zhangpu)
    TeamMembership.objects.create(volunteer=volunteer, team=team, status=MembershipStatus.APPROVED, is_leader=True)
    now = timezone.now()

    def order(status: str, **fields: Any) -> ServiceOrder:
        values = dict(title="授权测试工单", category="health", requester_name="吴阿姨", requester_phone="13700000009",
                      town=zhangpu, region=place, address="活动室", scheduled_at=now + datetime.timedelta(days=2),
                      headcount=20, status=status, placed_at=now, stage_started_at=now,
                      dispatch_unit=None if status == "placed" else edu)
        values.update(fields)
        return ServiceOrder.objects.create(**values)

    completed = order("completed", team=team, report="服务小结内容不少于十个字。", served_count=20)
    photo = OrderPhoto.objects.create(order=completed, image=_stored_png())
    # The demo resident's own order (placed from the account), for the portal's “我的预约”.
    own = order("completed", team=team, requester_user=cast["resident"], requester_phone="13700000011")
    item = ServiceItem.objects.create(name="授权测试服务", category="youth", summary="测试", provider_unit=edu,
                                      area=Region.objects.get(code="320583000000"))
    return {
        "team:authz": team, "item:edu": item, "order:placed": order("placed"),
        "order:dispatched": order("dispatched"), "order:pool": order("claimed"),
        "order:accepted": order("accepted", team=team), "order:in_service": order("in_service", team=team),
        "order:completed": completed, "photo:completed": photo,
        "order:resident": own, "photo:resident": OrderPhoto.objects.create(order=own, image=_stored_png()),
        "unit:nongye": Unit.objects.get(name="昆山市农业农村局"),
    }


def _o(name: str) -> Any:
    return lambda objs: {"order_id": objs[f"order:{name}"].pk}


def _reason(objs: dict[str, Any]) -> dict[str, Any]:
    return {"reason": "授权测试原因"}


CASES = [
    Page("backoffice:choices", AREA, kwargs=lambda o: {"source": "dispatch-units"},
         data=lambda o: {"order": o["order:placed"].pk}, label="派单承办部门"),
    Page("backoffice:choices", OFFICE, kwargs=lambda o: {"source": "dispatch-units"},
         data=lambda o: {"order": o["order:dispatched"].pk, "action": "service_orders.order.reassign"},
         label="改派承办部门"),
    Page("backoffice:choices", ("admin", "office", "jiaoyu"), kwargs=lambda o: {"source": "service-teams"},
         label="指派服务队伍"),
    Page("backoffice:choices", ("volunteer",), kwargs=lambda o: {"source": "led-teams"},
         label="接单队伍"),
    Page("service_orders:order_list", VIEWERS),
    Page("service_orders:order_export", STAFF_VIEW),
    Page("service_orders:order_create", AREA),
    Page("service_orders:order_create", AREA, method="post", label="张浦镇社区",
         data=lambda o: {"title": "授权测试自由需求", "category": "health", "region": o["order:placed"].region_id,
                         "address": "活动室", "day": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
                         "slot": "morning", "headcount": 20, "requester_name": "吴阿姨",
                         "requester_phone": "13700000010"}),
    Page("service_orders:order_detail", AREA, kwargs=_o("placed"), label="待派单"),
    Page("service_orders:order_detail", STAFF_VIEW, kwargs=_o("dispatched"), label="派至教育局"),
    Page("service_orders:order_detail", VIEWERS, kwargs=_o("pool"), label="抢单池"),
    Page("service_orders:order_dispatch", AREA, method="post", kwargs=_o("placed"),
         data=lambda o: {"unit": o["unit:nongye"].pk}),
    Page("service_orders:order_reject", AREA, method="post", kwargs=_o("placed"), data=_reason),
    Page("service_orders:order_claim", ("jiaoyu",), method="post", kwargs=_o("dispatched")),
    Page("service_orders:order_return", ("jiaoyu",), method="post", kwargs=_o("dispatched"), data=_reason),
    Page("service_orders:order_offer", ("admin", "office", "jiaoyu"), method="post", kwargs=_o("pool"),
         data=lambda o: {"team": o["team:authz"].pk}),
    Page("service_orders:order_accept", ("volunteer",), method="post", kwargs=_o("pool"),
         data=lambda o: {"team": o["team:authz"].pk}),
    Page("service_orders:order_release", ("volunteer",), method="post", kwargs=_o("accepted"), data=_reason),
    Page("service_orders:order_start", ("volunteer",), method="post", kwargs=_o("accepted")),
    Page("service_orders:order_complete", ("volunteer",), method="post", kwargs=_o("in_service"),
         data=lambda o: {"report": "给社区老人讲解了智能手机的常用功能。", "served_count": 25,
                         "service_hours": "2"}),
    Page("service_orders:order_cancel", OFFICE, method="post", kwargs=_o("placed"), data=_reason),
    Page("service_orders:order_recall", OFFICE, method="post", kwargs=_o("dispatched"), data=_reason),
    Page("service_orders:order_reassign", OFFICE, method="post", kwargs=_o("dispatched"),
         data=lambda o: {"unit": o["unit:nongye"].pk, "reason": "授权测试改派"}),
    Page("service_orders:order_photo", VIEWERS,
         kwargs=lambda o: {"order_id": o["order:completed"].pk, "photo_id": o["photo:completed"].pk}),
    Page("service_orders:item_list", MENU_VIEWERS),
    Page("service_orders:item_create", ("admin", "office", "jiaoyu")),
    Page("service_orders:item_edit", ("admin", "office", "jiaoyu"), kwargs=lambda o: {"item_id": o["item:edu"].pk}),
    Page("service_orders:stats", STAFF_VIEW),
    Page("service_orders:stats_export", STAFF_VIEW),
    Page("service_orders:settings", OFFICE),
    Page("service_orders:settings", OFFICE, method="post",
         data=lambda o: {"dispatch_hours": 12, "claim_hours": 24, "accept_hours": 48, "complete_days": 3,
                         "rating_days": 30}),
    Endpoint("get", "/api/v1/orders/items", MENU_VIEWERS),
    Endpoint("get", "/api/v1/orders/", VIEWERS),
    Endpoint("get", "/api/v1/orders/stats", STAFF_VIEW),
    Endpoint("get", "/api/v1/orders/{order_id}", STAFF_VIEW, params=_o("dispatched")),
    Endpoint("post", "/api/v1/orders/{order_id}/actions/{verb}", ("jiaoyu",),
             params=lambda o: {"order_id": o["order:dispatched"].pk, "verb": "claim"}, json=lambda o: {}),
    # Portal (/services/): a resident's own orders by verified phone or account, nobody else's.
    PortalPage("service_orders_portal:menu", EVERYONE),
    PortalPage("service_orders_portal:verify", EVERYONE),
    PortalPage("service_orders_portal:order", EVERYONE, anonymous="verify"),
    PortalPage("service_orders_portal:mine", EVERYONE, anonymous="verify"),
    PortalPage("service_orders_portal:mine_detail", ("resident",), anonymous="verify", kwargs=_o("resident"),
               label="本人账号的工单"),
    PortalPage("service_orders_portal:mine_detail", (), anonymous="verify", kwargs=_o("completed"), label="他人的工单"),
    PortalPage("service_orders_portal:mine_cancel", (), anonymous="denied", method="post", kwargs=_o("completed"),
               data=_reason, label="他人的工单"),
    PortalPage("service_orders_portal:mine_rate", ("resident",), anonymous="denied", method="post",
               kwargs=_o("resident"), data=lambda o: {"rating": 5}, label="本人账号的工单"),
    PortalPage("service_orders_portal:mine_rate", (), anonymous="denied", method="post", kwargs=_o("completed"),
               data=lambda o: {"rating": 5}, label="他人的工单"),
    PortalPage("service_orders_portal:mine_photo", ("resident",), anonymous="denied",
               kwargs=lambda o: {"order_id": o["order:resident"].pk, "photo_id": o["photo:resident"].pk},
               label="本人账号的工单"),
    PortalPage("service_orders_portal:mine_photo", (), anonymous="denied",
               kwargs=lambda o: {"order_id": o["order:completed"].pk, "photo_id": o["photo:completed"].pk},
               label="他人的工单"),
    PortalPage("service_orders_portal:rate", (), anonymous="denied", kwargs=lambda o: {"token": "no-such-link"},
               label="无效链接"),
]
