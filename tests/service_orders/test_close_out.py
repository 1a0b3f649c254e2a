"""Completing a service: the close-out report with photos (real images only, served only to those who
may see the order), the team's hours credited through the volunteers domain, and everyone told."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from kepu.core.errors import ValidationFailed
from kepu.notifications.models import Notification, SmsMessage
from kepu.service_orders import services
from kepu.service_orders.models import OrderPhoto, OrderStatus
from kepu.volunteers.public import ServiceHours
from tests.service_orders.authz import png_bytes
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db
S = OrderStatus


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


def _close_out(**extra: Any) -> services.CloseOut:
    values: dict[str, Any] = {"report": "为社区老人讲解智能手机挂号与防诈骗，现场手把手练习。", "served_count": 36,
                              "service_hours": Decimal("2.5")}
    values.update(extra)
    return services.CloseOut(**values)


def test_the_close_out_keeps_photos_and_credits_hours(cast: dict[str, Any], crew: Any, order_in: Any,
                                                      django_capture_on_commit_callbacks: Any) -> None:
    order = order_in(S.IN_SERVICE, team=crew.a)
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    with django_capture_on_commit_callbacks(execute=True):
        services.order_complete(actor=crew.leader_a, order=order, site_url="https://kepu.example.cn/",
                                close_out=_close_out(photos=(photo,), volunteers=(crew.leader_a, crew.member_a)))
    order.refresh_from_db()
    assert (order.status, order.served_count, order.service_hours) == (S.COMPLETED, 36, Decimal("2.5"))
    stored = OrderPhoto.objects.get(order=order)
    assert stored.image.name.startswith(f"service_orders/{order.pk}/") and stored.image.name.endswith(".png")
    hours = ServiceHours.objects.filter(reference=f"service_orders.order:{order.pk}")
    assert sorted(h.volunteer.user_id for h in hours) == sorted([crew.leader_a.pk, crew.member_a.pk])
    assert {h.hours for h in hours} == {Decimal("2.5")}
    assert "评分" in SmsMessage.objects.filter(phone=order.requester_phone).latest("id").text
    assert Notification.objects.filter(recipient=cast["jiaoyu"], kind="orders.completed").exists()


def test_a_file_that_is_not_an_image_is_refused_and_nothing_changes(crew: Any, order_in: Any) -> None:
    order = order_in(S.IN_SERVICE, team=crew.a)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    before = db_fingerprint()
    with pytest.raises(ValidationFailed, match="不是可识别的图片"):
        services.order_complete(actor=crew.leader_a, order=order, close_out=_close_out(photos=(fake,)))
    assert db_fingerprint() == before


def test_a_thin_report_is_refused(crew: Any, order_in: Any) -> None:
    order = order_in(S.IN_SERVICE, team=crew.a)
    with pytest.raises(ValidationFailed, match="服务小结请至少写 10 个字"):
        services.order_complete(actor=crew.leader_a, order=order, close_out=_close_out(report="完成"))


def test_photos_are_served_only_within_the_orders_scope(cast: dict[str, Any], crew: Any, order_in: Any,
                                                        as_user: Any) -> None:
    from tests.service_orders.conftest import ZHOUSHI, community

    order = order_in(S.IN_SERVICE, team=crew.a, phone="13912340009", region=community(ZHOUSHI))
    services.order_complete(actor=crew.leader_a, order=order, close_out=_close_out(
        photos=(SimpleUploadedFile("a.png", png_bytes(), content_type="image/png"),)))
    photo = OrderPhoto.objects.get(order=order)
    url = f"/office/orders/{order.pk}/photos/{photo.pk}/"
    response = as_user("office").get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content)[:8] == b"\x89PNG\r\n\x1a\n"
    assert as_user("jiaoyu").get(url).status_code == 200  # dispatched to 教育局
    assert as_user("zhangpu").get(url).status_code == 404  # another town's order
    assert Client().get(url).status_code == 302  # anonymous: to the login page
    assert not str(photo.image.url).startswith("/media/") or Client().get(photo.image.url).status_code == 404


def test_the_close_out_form_offers_the_team_members(crew: Any, order_in: Any) -> None:
    order = order_in(S.IN_SERVICE, team=crew.a)
    client = Client()
    client.force_login(crew.leader_a, backend="kepu.org.auth.KepuModelBackend")
    page = client.get(f"/office/orders/{order.pk}/").content.decode()
    assert "form-complete" in page and "孙队员" in page and "钱队长" not in page
    response = client.post(f"/office/orders/{order.pk}/complete/", {
        "report": "讲解了智能手机的常用功能，大家收获很多。", "served_count": 20, "service_hours": "2",
        "volunteers": [crew.member_a.pk],
        "photos": [SimpleUploadedFile("b.png", png_bytes(), content_type="image/png")]})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == S.COMPLETED and order.photos.count() == 1
    assert ServiceHours.objects.filter(reference=f"service_orders.order:{order.pk}").count() == 1
