"""The residents' side: a phone proved by an SMS code (read from the fake adapter's SmsMessage rows),
ordering from the menu or freely, "我的预约", cancelling, and rating through the SMS link."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from kepu.notifications.models import Notification, PhoneVerification, SmsMessage
from kepu.service_orders import services
from kepu.service_orders.models import OrderChannel, OrderStatus, ServiceItem, ServiceOrder
from tests.service_orders.conftest import community
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db
S = OrderStatus
PHONE = "13912340001"


def _code(phone: str = PHONE) -> str:
    return re.search(r"\d{6}", SmsMessage.objects.filter(phone=phone).latest("id").text).group()


def _verified(client: Client, phone: str = PHONE, capture: Any = None) -> Client:
    with capture(execute=True):
        client.post("/services/verify/", {"step": "send", "phone": phone})
    response = client.post("/services/verify/", {"step": "check", "phone": phone, "code": _code(phone),
                                                 "next": "/services/mine/"})
    assert response.status_code == 302 and response["Location"] == "/services/mine/"
    return client


def _order_data(**extra: Any) -> dict[str, Any]:
    day = timezone.localdate() + datetime.timedelta(days=4)
    data = {"region": community().pk, "address": "党群服务中心", "day": day.isoformat(), "slot": "morning",
            "headcount": 25, "requester_name": "郑阿姨", "description": ""}
    data.update(extra)
    return data


def test_the_menu_is_open_to_everyone_by_category() -> None:
    page = Client().get("/services/?category=health").content.decode()
    health = ServiceItem.objects.filter(category="health", is_active=True)
    assert health.exists() and all(item.name in page for item in health)
    assert "老年人智能手机使用课" not in page


def test_ordering_needs_a_verified_phone(django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    response = client.get("/services/order/?item=1")
    assert response.status_code == 302 and response["Location"].startswith("/services/verify/?next=")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/services/verify/", {"step": "send", "phone": PHONE})
    sms = SmsMessage.objects.get(phone=PHONE)
    assert re.search(r"验证码是 \d{6}", sms.text)
    assert PhoneVerification.objects.get(phone=PHONE).code_hash != _code()  # only a hash is kept


def test_a_wrong_code_is_refused_and_counted(django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/services/verify/", {"step": "send", "phone": PHONE})
    wrong = "000000" if _code() != "000000" else "111111"
    page = client.post("/services/verify/", {"step": "check", "phone": PHONE, "code": wrong}).content.decode()
    assert "验证码不正确，还可尝试 4 次" in page
    for _ in range(4):
        client.post("/services/verify/", {"step": "check", "phone": PHONE, "code": wrong})
    page = client.post("/services/verify/", {"step": "check", "phone": PHONE, "code": _code()}).content.decode()
    assert "错误次数过多" in page  # even the right code is refused after five misses
    assert client.get("/services/order/").status_code == 302


def test_codes_are_not_sent_twice_within_a_minute(django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/services/verify/", {"step": "send", "phone": PHONE})
        page = client.post("/services/verify/", {"step": "send", "phone": PHONE}).content.decode()
    assert "秒后再获取" in page and SmsMessage.objects.filter(phone=PHONE).count() == 1


def test_an_expired_code_is_refused(django_capture_on_commit_callbacks: Any) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/services/verify/", {"step": "send", "phone": PHONE})
    PhoneVerification.objects.update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    page = client.post("/services/verify/", {"step": "check", "phone": PHONE, "code": _code()}).content.decode()
    assert "验证码已过期" in page


def test_a_resident_orders_from_the_menu_and_the_town_hears_of_it(cast: dict[str, Any],
                                                                   django_capture_on_commit_callbacks: Any) -> None:
    client = _verified(Client(), capture=django_capture_on_commit_callbacks)
    item = ServiceItem.objects.get(name="老年人智能手机使用课")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/services/order/?item={item.pk}", _order_data())
    order = ServiceOrder.objects.latest("id")
    assert response.status_code == 302 and response["Location"] == f"/services/mine/{order.pk}/"
    assert (order.item, order.title, order.status, order.channel) == (item, item.name, S.PLACED,
                                                                      OrderChannel.PORTAL)
    assert (order.requester_phone, order.town.name, order.centre.name) == (PHONE, "张浦镇",
                                                                            f"{order.region.name}新时代文明实践站")
    assert order.number in SmsMessage.objects.filter(phone=PHONE).latest("id").text
    assert Notification.objects.filter(recipient=cast["zhangpu"], kind="orders.placed").exists()
    assert not Notification.objects.filter(recipient=cast["jiaoyu"], kind="orders.placed").exists()


def test_a_free_request_needs_a_description_of_the_service(django_capture_on_commit_callbacks: Any) -> None:
    client = _verified(Client(), capture=django_capture_on_commit_callbacks)
    before = db_fingerprint()
    page = client.post("/services/order/", _order_data()).content.decode()
    assert "请从服务菜单选择项目，或写明需要的服务" in page
    assert db_fingerprint() == before
    client.post("/services/order/", _order_data(title="讲讲电动自行车安全充电", category="emergency"))
    assert ServiceOrder.objects.latest("id").title == "讲讲电动自行车安全充电"


def test_the_headcount_and_date_are_checked(django_capture_on_commit_callbacks: Any) -> None:
    client = _verified(Client(), capture=django_capture_on_commit_callbacks)
    item = ServiceItem.objects.get(name="老年人智能手机使用课")
    page = client.post(f"/services/order/?item={item.pk}", _order_data(headcount=500)).content.decode()
    assert f"预计人数应在 1 至 {item.max_headcount} 人之间" in page
    page = client.post("/services/order/", _order_data(title="讲座", day=timezone.localdate().isoformat(),
                                                        slot="morning")).content.decode()
    assert "预约时间须在 12 小时以后" in page


def test_my_orders_show_only_the_verified_phones_orders(order_in: Any,
                                                        django_capture_on_commit_callbacks: Any) -> None:
    mine = order_in(S.DISPATCHED, phone=PHONE)
    other = order_in(S.DISPATCHED, phone="13912340002")
    client = _verified(Client(), capture=django_capture_on_commit_callbacks)
    page = client.get("/services/mine/").content.decode()
    assert mine.number in page and other.number not in page
    assert client.get(f"/services/mine/{other.pk}/").status_code == 404
    assert Client().get("/services/mine/").status_code == 302  # not verified: to the SMS step


def test_a_resident_cancels_before_a_team_commits_but_not_after(crew: Any, order_in: Any,
                                                                django_capture_on_commit_callbacks: Any) -> None:
    waiting = order_in(S.CLAIMED, phone=PHONE)
    accepted = order_in(S.ACCEPTED, phone=PHONE, team=crew.a)
    client = _verified(Client(), capture=django_capture_on_commit_callbacks)
    client.post(f"/services/mine/{waiting.pk}/cancel/", {"reason": "时间冲突"})
    waiting.refresh_from_db()
    assert (waiting.status, waiting.close_reason) == (S.CANCELLED, "时间冲突")
    before = db_fingerprint()
    response = client.post(f"/services/mine/{accepted.pk}/cancel/", {"reason": "不想要了"}, follow=True)
    assert "服务队已接单，如需取消请联系社区" in response.content.decode()
    assert db_fingerprint() == before


def test_the_sms_link_rates_the_service_once(crew: Any, order_in: Any,
                                             django_capture_on_commit_callbacks: Any) -> None:
    order = order_in(S.IN_SERVICE, phone=PHONE, team=crew.a)
    with django_capture_on_commit_callbacks(execute=True):
        services.order_complete(actor=crew.leader_a, order=order, site_url="https://kepu.example.cn/",
                                close_out=services.CloseOut(report="讲解防诈骗知识，现场答疑。", served_count=40,
                                                            service_hours=2))
    text = SmsMessage.objects.filter(phone=PHONE).latest("id").text
    link = re.search(r"https://kepu\.example\.cn(/services/rate/\S+/)", text).group(1)
    client = Client()
    assert "评价服务" in client.get(link).content.decode()
    assert "不在可选范围内" in client.post(link, {"rating": 9}).content.decode()
    done = client.post(link, {"rating": 4, "comment": "讲得清楚"}).content.decode()
    assert "评了 4 星" in done
    order.refresh_from_db()
    assert (order.status, order.rating, order.rating_comment) == (S.RATED, 4, "讲得清楚")
    assert client.get(link).status_code == 404  # the link works once


def test_an_unknown_rating_link_changes_nothing() -> None:
    before = db_fingerprint()
    response = Client().post("/services/rate/not-a-token/", {"rating": 1})
    assert response.status_code == 404 and "链接已失效" in response.content.decode()
    assert db_fingerprint() == before


def test_a_signed_in_resident_orders_with_the_accounts_phone(cast: dict[str, Any], as_user: Any) -> None:
    client = as_user("resident")
    client.post("/services/order/", _order_data(title="社区防诈骗讲座", category="elderly_digital"))
    order = ServiceOrder.objects.latest("id")
    assert (order.requester_user, order.requester_phone) == (cast["resident"], cast["resident"].phone)
    assert order.number in client.get("/services/mine/").content.decode()


def test_the_portal_home_offers_the_service_tile() -> None:
    assert "预约科普服务" in Client().get("/").content.decode()
