"""Orders keep to their appointment (issue 10, item 3): a service starts no earlier than the office's
window before its booked time, and completes only after it started; a refusal changes nothing."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kepu.core.errors import WorkflowError
from kepu.service_orders import services
from kepu.service_orders.models import OrderSettings, OrderStatus, ServiceOrder
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db
S = OrderStatus

CLOSE_OUT = services.CloseOut(report="讲解了智能手机挂号与防诈骗，老人们现场练习。", served_count=28,
                              service_hours=Decimal("2"))


def test_a_service_booked_for_next_week_cannot_start_today(crew: Any, order_in: Any) -> None:
    order = order_in(S.ACCEPTED, team=crew.a, scheduled_at=timezone.now() + datetime.timedelta(days=7))
    before = db_fingerprint()
    with pytest.raises(WorkflowError, match="预约时间未到"):
        services.order_start(actor=crew.leader_a, order=order)
    assert db_fingerprint() == before
    assert ServiceOrder.objects.get(pk=order.pk).started_at is None


def test_a_service_may_start_within_the_offices_window(crew: Any, order_in: Any) -> None:
    OrderSettings.objects.update_or_create(pk=1, defaults={"early_start_hours": 3})
    order = order_in(S.ACCEPTED, team=crew.a, scheduled_at=timezone.now() + datetime.timedelta(hours=2))
    started = services.order_start(actor=crew.leader_a, order=order)
    assert started.status == S.IN_SERVICE


def test_the_window_is_the_offices_setting(crew: Any, order_in: Any) -> None:
    OrderSettings.objects.update_or_create(pk=1, defaults={"early_start_hours": 0})
    order = order_in(S.ACCEPTED, team=crew.a, scheduled_at=timezone.now() + datetime.timedelta(minutes=30))
    with pytest.raises(WorkflowError, match="预约时间未到"):
        services.order_start(actor=crew.leader_a, order=order)


def test_a_service_booked_for_next_week_cannot_be_completed_today(crew: Any, order_in: Any) -> None:
    # Even an order already marked 服务中 (imported, or started under an older rule) is not completed early.
    order = order_in(S.IN_SERVICE, team=crew.a, scheduled_at=timezone.now() + datetime.timedelta(days=7))
    with pytest.raises(WorkflowError, match="预约时间未到"):
        services.order_complete(actor=crew.leader_a, order=order, close_out=CLOSE_OUT)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.IN_SERVICE


def test_a_service_cannot_complete_before_it_started(crew: Any, order_in: Any) -> None:
    order = order_in(S.IN_SERVICE, team=crew.a, started_at=None)
    with pytest.raises(WorkflowError, match="尚未开始"):
        services.order_complete(actor=crew.leader_a, order=order, close_out=CLOSE_OUT)
    assert ServiceOrder.objects.get(pk=order.pk).completed_at is None


def test_dispatch_sends_the_sms_the_order_page_promises(cast: dict[str, Any], order_in: Any,
                                                        django_capture_on_commit_callbacks: Any) -> None:
    from kepu.notifications.models import SmsMessage
    from kepu.org.models import Unit

    order = order_in(S.PLACED, phone="13912340077")
    nongye = Unit.objects.get(name="昆山市农业农村局")
    with django_capture_on_commit_callbacks(execute=True):
        services.order_dispatch(actor=cast["zhangpu"], order=order, unit=nongye)
    text = SmsMessage.objects.filter(phone="13912340077").latest("id").text
    assert "已派至昆山市农业农村局" in text and order.title in text


def test_the_demo_has_only_services_that_could_have_happened() -> None:
    """Demo orders are booked after they were placed, started no earlier than the window before the
    booked time, and completed after they started: the figures built from them could be real."""
    from django.db.models import F, Q

    window = datetime.timedelta(hours=OrderSettings.current().early_start_hours)
    impossible = ServiceOrder.objects.filter(
        Q(scheduled_at__lt=F("placed_at")) | Q(started_at__lt=F("scheduled_at") - window)
        | Q(completed_at__lt=F("started_at")) | Q(completed_at__isnull=False, started_at__isnull=True))
    assert ServiceOrder.objects.exists()
    assert list(impossible.values_list("pk", "status")) == []
