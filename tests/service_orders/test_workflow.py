"""Every verb from every status: the states table's rows succeed (one event, one audit entry, the
target status); every other pair is refused and changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from kepu.core.access import SYSTEM
from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.core.models import AuditEntry
from kepu.org.models import Unit
from kepu.service_orders import services
from kepu.service_orders.models import EventKind, OrderEvent, OrderStatus, ServiceOrder
from kepu.service_orders.states import TRANSITIONS, VERBS, transition_for
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db
S = OrderStatus

CLOSE_OUT = services.CloseOut(report="讲解了智能手机挂号与防诈骗，老人们现场练习。", served_count=28,
                              service_hours=Decimal("2"))


def _call(verb: str, cast: dict[str, Any], crew: Any) -> Callable[[ServiceOrder], Any]:
    """How each verb is done by a person allowed to do it."""
    nongye = Unit.objects.get(name="昆山市农业农村局")
    calls: dict[str, Callable[[ServiceOrder], Any]] = {
        "dispatch": lambda o: services.order_dispatch(actor=cast["zhangpu"], order=o, unit=nongye),
        "reject": lambda o: services.order_reject(actor=cast["zhangpu"], order=o, reason="不在服务范围"),
        "claim": lambda o: services.order_claim(actor=cast["jiaoyu"], order=o, team=None),
        "return": lambda o: services.order_return(actor=cast["jiaoyu"], order=o, reason="非本部门职责"),
        "offer": lambda o: services.order_offer(actor=cast["jiaoyu"], order=o, team=crew.b),
        "accept": lambda o: services.order_accept(actor=crew.leader_a, order=o, team=crew.a),
        "release": lambda o: services.order_release(actor=crew.leader_a, order=o, reason="队员临时有事"),
        "start": lambda o: services.order_start(actor=crew.leader_a, order=o),
        "complete": lambda o: services.order_complete(actor=crew.leader_a, order=o, close_out=CLOSE_OUT),
        "rate": lambda o: services.order_rate(actor=None, order=o, rating=5, comment="很好", token="tok"),
        "cancel": lambda o: services.order_cancel(actor=cast["office"], order=o, reason="场地取消"),
        "recall": lambda o: services.order_recall(actor=cast["office"], order=o, reason="承办部门调整"),
        "reassign": lambda o: services.order_reassign(actor=cast["office"], order=o, unit=nongye, reason="改由农业部门"),
        "time_out": lambda o: services.order_time_out(actor=SYSTEM, order=o, note="超时"),
    }
    return calls[verb]


def _order(order_in: Any, crew: Any, status: str) -> ServiceOrder:
    return order_in(status, team=crew.a, offered_team=crew.a,
                    rating_token_hash=services.rating_token_hash("tok"))


ALLOWED = sorted({(t.verb, t.source) for t in TRANSITIONS})
FORBIDDEN = sorted((verb, status) for verb in VERBS for status in S.values if (verb, status) not in ALLOWED)


@pytest.mark.parametrize(("verb", "status"), ALLOWED, ids=lambda v: str(v))
def test_an_allowed_transition_moves_the_order_and_leaves_a_trace(verb: str, status: str, cast: dict[str, Any],
                                                                   crew: Any, order_in: Any) -> None:
    order = _order(order_in, crew, status)
    audit_before = AuditEntry.objects.filter(action=f"service_orders.order.{verb}", object_id=str(order.pk)).count()
    _call(verb, cast, crew)(order)
    order.refresh_from_db()
    assert order.status == transition_for(verb, status).target
    assert order.version == 1
    event = OrderEvent.objects.filter(order=order).latest("id")
    assert event.kind == transition_for(verb, status).event and event.from_status == status
    assert AuditEntry.objects.filter(action=f"service_orders.order.{verb}", object_id=str(order.pk)).count() \
        == audit_before + 1


@pytest.mark.parametrize(("verb", "status"), FORBIDDEN, ids=lambda v: str(v))
def test_a_forbidden_transition_changes_nothing(verb: str, status: str, cast: dict[str, Any], crew: Any,
                                                order_in: Any) -> None:
    order = _order(order_in, crew, status)
    before = db_fingerprint()
    with pytest.raises((WorkflowError, PermissionDenied)):
        _call(verb, cast, crew)(order)
    assert db_fingerprint() == before
    assert ServiceOrder.objects.get(pk=order.pk).status == status


def test_the_table_refuses_in_chinese() -> None:
    with pytest.raises(WorkflowError, match="工单当前为“已评价”，不能执行“派单”"):
        transition_for("dispatch", S.RATED)


@pytest.mark.parametrize("verb", ["reject", "return", "release", "cancel", "recall", "reassign"])
def test_refusing_or_giving_back_needs_a_reason(verb: str, cast: dict[str, Any], crew: Any, order_in: Any) -> None:
    status = {"reject": S.PLACED, "return": S.DISPATCHED, "release": S.ACCEPTED, "cancel": S.PLACED,
              "recall": S.DISPATCHED, "reassign": S.DISPATCHED}[verb]
    order = _order(order_in, crew, status)
    nongye = Unit.objects.get(name="昆山市农业农村局")
    actor = {"reject": cast["zhangpu"], "return": cast["jiaoyu"], "release": crew.leader_a}.get(verb, cast["office"])
    call = getattr(services, f"order_{verb}")
    kwargs = {"unit": nongye} if verb == "reassign" else {}
    before = db_fingerprint()
    with pytest.raises(ValidationFailed, match="须填写原因"):
        call(actor=actor, order=order, reason="   ", **kwargs)
    assert db_fingerprint() == before


def test_a_stale_copy_loses_and_is_told_another_team_won(crew: Any, order_in: Any) -> None:
    order = order_in(S.CLAIMED)  # in the open pool
    first, second = ServiceOrder.objects.get(pk=order.pk), ServiceOrder.objects.get(pk=order.pk)
    services.order_accept(actor=crew.leader_a, order=first, team=crew.a)
    with pytest.raises(WorkflowError, match="该工单已被其他队伍接单"):
        services.order_accept(actor=crew.leader_b, order=second, team=crew.b)
    assert ServiceOrder.objects.get(pk=order.pk).team == crew.a
    assert OrderEvent.objects.filter(order=order, kind=EventKind.ACCEPTED).count() == 1


def test_a_team_reloading_after_losing_gets_the_same_message(crew: Any, order_in: Any) -> None:
    order = order_in(S.CLAIMED)
    services.order_accept(actor=crew.leader_a, order=ServiceOrder.objects.get(pk=order.pk), team=crew.a)
    with pytest.raises(WorkflowError, match="该工单已被其他队伍接单"):
        services.order_accept(actor=crew.leader_b, order=ServiceOrder.objects.get(pk=order.pk), team=crew.b)


def test_two_liaisons_of_one_unit_cannot_both_claim(cast: dict[str, Any], order_in: Any) -> None:
    order = order_in(S.DISPATCHED)
    first, second = ServiceOrder.objects.get(pk=order.pk), ServiceOrder.objects.get(pk=order.pk)
    services.order_claim(actor=cast["jiaoyu"], order=first)
    with pytest.raises(WorkflowError, match="该工单已被其他人领取"):
        services.order_claim(actor=cast["jiaoyu"], order=second)


def test_a_team_cannot_take_an_order_offered_to_another_team(crew: Any, order_in: Any) -> None:
    order = order_in(S.CLAIMED, offered_team=crew.a)
    before = db_fingerprint()
    with pytest.raises(WorkflowError, match="已指派给其他队伍"):
        services.order_accept(actor=crew.leader_b, order=order, team=crew.b)
    assert db_fingerprint() == before


def test_a_plain_member_cannot_accept_for_the_team(crew: Any, order_in: Any) -> None:
    order = order_in(S.CLAIMED)
    with pytest.raises(PermissionDenied):
        services.order_accept(actor=crew.member_a, order=order, team=crew.a)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.CLAIMED


def test_a_liaison_cannot_claim_an_order_dispatched_to_another_unit(cast: dict[str, Any], order_in: Any) -> None:
    order = order_in(S.DISPATCHED, unit=Unit.objects.get(name="昆山市农业农村局"))
    before = db_fingerprint()
    with pytest.raises(PermissionDenied):
        services.order_claim(actor=cast["jiaoyu"], order=order)
    assert db_fingerprint() == before


def test_town_staff_cannot_dispatch_another_towns_order(cast: dict[str, Any], order_in: Any) -> None:
    from tests.service_orders.conftest import ZHOUSHI, community

    order = order_in(S.PLACED, region=community(ZHOUSHI))
    with pytest.raises(PermissionDenied):
        services.order_dispatch(actor=cast["zhangpu"], order=order, unit=cast["jiaoyu"].unit)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.PLACED


def test_a_release_puts_the_order_back_into_the_open_pool(crew: Any, order_in: Any) -> None:
    order = order_in(S.ACCEPTED, team=crew.a)
    services.order_release(actor=crew.leader_a, order=order, reason="队员临时有事")
    order.refresh_from_db()
    assert (order.status, order.team, order.offered_team, order.in_open_pool) == (S.CLAIMED, None, None, True)
    # …where another team may take it
    services.order_accept(actor=crew.leader_b, order=order, team=crew.b)
    assert ServiceOrder.objects.get(pk=order.pk).team == crew.b


def test_a_recalled_order_returns_to_the_dispatch_queue(cast: dict[str, Any], crew: Any, order_in: Any) -> None:
    order = order_in(S.ACCEPTED, team=crew.a)
    services.order_recall(actor=cast["office"], order=order, reason="群众改期，重新派单")
    order.refresh_from_db()
    assert (order.status, order.dispatch_unit, order.team) == (S.PLACED, None, None)
    services.order_dispatch(actor=cast["zhangpu"], order=order, unit=cast["jiaoyu"].unit)
    assert ServiceOrder.objects.get(pk=order.pk).status == S.DISPATCHED
