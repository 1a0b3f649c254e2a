"""The requester's phone is encrypted at rest, found through its digest and masked in the audit log."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

from kepu.core.models import AuditEntry
from kepu.service_orders import selectors, services
from kepu.service_orders.models import OrderStatus as S

pytestmark = pytest.mark.django_db


def test_the_phone_is_ciphertext_in_the_database_and_finds_the_residents_orders(order_in: Any) -> None:
    mine, other = order_in(S.PLACED, phone="13712345678"), order_in(S.PLACED, phone="13787654321")
    with connection.cursor() as cursor:
        cursor.execute("SELECT requester_phone FROM service_orders_serviceorder WHERE id = %s", [mine.pk])
        raw = cursor.fetchone()[0]
    assert raw.startswith("k2$") and "12345678" not in raw
    assert [o.pk for o in selectors.orders_of_phone(phone="13712345678")] == [mine.pk]
    assert other.pk not in [o.pk for o in selectors.orders_of_phone(phone="13712345678")]


def test_a_transition_audits_the_phone_masked(order_in: Any, cast: dict[str, Any]) -> None:
    order = order_in(S.PLACED, phone="13712345678")
    services.order_reject(actor=cast["zhangpu"], order=order, reason="不在服务范围")
    entry = AuditEntry.objects.filter(object_id=str(order.pk)).latest("id")
    text = f"{entry.before} {entry.after}"
    assert "137****5678" in text and "13712345678" not in text and "k2$" not in text
