"""Time limits: an order whose stage overran goes back to the previous queue and is escalated to the
office and the responsible unit — once — and orders within their limits are left alone."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from kepu.core import registry
from kepu.notifications.models import Notification
from kepu.service_orders import services
from kepu.service_orders.models import EventKind, OrderEvent, OrderStatus, ServiceOrder
from kepu.service_orders.overdue import process_overdue

pytestmark = pytest.mark.django_db
S = OrderStatus
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def clock() -> datetime.datetime:
    """The job's "now"; orders are aged against it, so nothing depends on the wall clock."""
    return timezone.now() + datetime.timedelta(days=400)  # later than every demo order's limit too


def _aged(order: ServiceOrder, *, hours: float, now: datetime.datetime) -> ServiceOrder:
    ServiceOrder.objects.filter(pk=order.pk).update(stage_started_at=now - hours * HOUR)
    return ServiceOrder.objects.get(pk=order.pk)


def _only(*orders: ServiceOrder) -> None:
    """Keep the test's orders alone in the open statuses (the demo city has open orders too)."""
    ServiceOrder.objects.exclude(pk__in=[o.pk for o in orders]).update(status=S.CANCELLED)


def test_an_unclaimed_dispatch_returns_to_the_community_and_is_escalated(cast: dict[str, Any], order_in: Any,
                                                                          clock: datetime.datetime) -> None:
    order = _aged(order_in(S.DISPATCHED), hours=25, now=clock)
    _only(order)
    summary = process_overdue(now=clock)
    order.refresh_from_db()
    assert (summary.returned, order.status, order.dispatch_unit) == (1, S.PLACED, None)
    assert order.escalated_at is not None
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.kind == EventKind.TIMED_OUT and "24 小时" in event.note and event.actor_name == "系统"
    for person in ("office", "jiaoyu", "zhangpu"):  # the office, the unit that let it lapse, the town
        note = Notification.objects.filter(recipient=cast[person], kind="orders.overdue").get()
        assert order.number in note.body


def test_an_order_no_team_accepts_goes_back_to_the_department(order_in: Any, crew: Any,
                                                               clock: datetime.datetime) -> None:
    order = _aged(order_in(S.CLAIMED, offered_team=crew.a), hours=49, now=clock)
    _only(order)
    process_overdue(now=clock)
    order.refresh_from_db()
    assert (order.status, order.offered_team, order.dispatch_unit_id is not None) == (S.DISPATCHED, None, True)


def test_an_accepted_order_never_started_returns_to_the_open_pool(order_in: Any, crew: Any,
                                                                  clock: datetime.datetime) -> None:
    order = order_in(S.ACCEPTED, team=crew.a, scheduled_at=clock - datetime.timedelta(days=4))
    _only(order)
    process_overdue(now=clock)
    order.refresh_from_db()
    assert (order.status, order.team, order.in_open_pool) == (S.CLAIMED, None, True)
    assert Notification.objects.filter(recipient=crew.leader_a, kind="orders.overdue").exists()


def test_a_late_dispatch_and_a_late_service_are_escalated_once(cast: dict[str, Any], order_in: Any, crew: Any,
                                                                clock: datetime.datetime) -> None:
    waiting = _aged(order_in(S.PLACED), hours=30, now=clock)
    serving = order_in(S.IN_SERVICE, team=crew.a, scheduled_at=clock - datetime.timedelta(days=5))
    _only(waiting, serving)
    first = process_overdue(now=clock)
    second = process_overdue(now=clock + HOUR)
    assert (first.escalated, second.escalated, first.returned) == (2, 0, 0)
    assert ServiceOrder.objects.get(pk=waiting.pk).status == S.PLACED
    assert ServiceOrder.objects.get(pk=serving.pk).status == S.IN_SERVICE
    assert OrderEvent.objects.filter(order__in=[waiting, serving], kind=EventKind.ESCALATED).count() == 2
    assert Notification.objects.filter(recipient=cast["office"], kind="orders.overdue").count() == 1


def test_orders_within_their_limits_are_left_alone(order_in: Any, crew: Any, clock: datetime.datetime) -> None:
    fresh = [_aged(order_in(S.DISPATCHED), hours=23, now=clock), _aged(order_in(S.CLAIMED), hours=47, now=clock),
             order_in(S.ACCEPTED, team=crew.a, scheduled_at=clock - datetime.timedelta(days=2))]
    _only(*fresh)
    summary = process_overdue(now=clock)
    assert (summary.returned, summary.escalated) == (0, 0)
    assert [ServiceOrder.objects.get(pk=o.pk).status for o in fresh] == [S.DISPATCHED, S.CLAIMED, S.ACCEPTED]


def test_the_office_shortens_a_limit_and_the_next_run_applies_it(cast: dict[str, Any], order_in: Any,
                                                                clock: datetime.datetime) -> None:
    order = _aged(order_in(S.DISPATCHED), hours=10, now=clock)
    _only(order)
    assert process_overdue(now=clock).returned == 0
    services.settings_update(actor=cast["office"], claim_hours=8)
    assert process_overdue(now=clock).returned == 1


def test_the_settings_page_saves_the_limits(as_user: Any) -> None:
    response = as_user("office").post("/office/orders/settings/", {
        "dispatch_hours": 12, "claim_hours": 24, "accept_hours": 36, "complete_days": 2, "early_start_hours": 2,
        "rating_days": 15})
    assert response.status_code == 302
    from kepu.service_orders.models import OrderSettings

    limits = OrderSettings.current()
    assert (limits.dispatch_hours, limits.accept_hours, limits.complete_days) == (12, 36, 2)


def test_the_command_runs_the_check_now(order_in: Any) -> None:
    order = order_in(S.DISPATCHED)
    ServiceOrder.objects.filter(pk=order.pk).update(stage_started_at=timezone.now() - 30 * HOUR)
    out = StringIO()
    call_command("service_orders_overdue", stdout=out)
    assert "超时退回" in out.getvalue()
    assert ServiceOrder.objects.get(pk=order.pk).status == S.PLACED


def test_the_check_is_scheduled_every_hour(order_in: Any) -> None:
    from kepu.core.scheduler import enqueue_due

    job = next(j for j in registry.scheduled_jobs() if j.name == "service_orders.overdue")
    assert job.every_minutes == 60
    order = order_in(S.DISPATCHED)
    ServiceOrder.objects.filter(pk=order.pk).update(stage_started_at=timezone.now() - 30 * HOUR)
    assert "service_orders.overdue" in enqueue_due()  # what the scheduler does each hour (inline in tests)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.PLACED
    assert "service_orders.overdue" not in enqueue_due()  # once per hour
