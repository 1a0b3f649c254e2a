"""A refused step on the order page comes back with what the user typed and the error under its field;
nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kepu.service_orders.models import OrderStatus as S
from tests.typed import field_state
from tests.typed import refused_post as _refused

pytestmark = pytest.mark.django_db
TOO_LONG = "群众临时改期，需重新协调场地和时间。" * 40  # beyond the 500 characters of a reason



@pytest.mark.parametrize(("verb", "status", "who"), [("return", S.DISPATCHED, "jiaoyu"),
                                                     ("reject", S.PLACED, "zhangpu"),
                                                     ("cancel", S.PLACED, "office")])
def test_a_reason_refused_is_kept_under_its_form(verb: str, status: str, who: str, as_user: Any,
                                                 order_in: Any) -> None:
    order = order_in(status)
    url = reverse(f"service_orders:order_{verb}", args=[order.pk])
    long = _refused(as_user(who), url, {"reason": TOO_LONG})
    assert field_state(long, "reason", f"reason-{verb}") == (TOO_LONG, "原因不超过 500 字")
    blank = _refused(as_user(who), url, {"reason": "   "})
    assert "须填写原因" in field_state(blank, "reason", f"reason-{verb}")[1]
    order.refresh_from_db()
    assert order.status == status


def test_a_refused_reassignment_keeps_the_chosen_unit_and_reason(as_user: Any, order_in: Any) -> None:
    order = order_in(S.DISPATCHED)
    response = _refused(as_user("office"), reverse("service_orders:order_reassign", args=[order.pk]),
                        {"unit": "", "reason": "该部门更对口"})
    assert field_state(response, "reason", "id_reason")[0] == "该部门更对口"
    assert "请选择" in response.content.decode() or "请填写此项" in response.content.decode()
