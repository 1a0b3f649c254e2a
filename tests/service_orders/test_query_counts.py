"""The order pages answer in a fixed number of queries with 5,000 orders (no N+1)."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from kepu.org.models import Region, RegionLevel, Unit
from kepu.org.services import token_create
from kepu.service_orders.models import OrderStatus, ServiceItem, ServiceOrder

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
ORDERS = 5_000


@pytest.fixture
def volume(crew: Any) -> None:
    places = list(Region.objects.filter(level__in=(RegionLevel.TOWN, RegionLevel.COMMUNITY))
                  .select_related("parent"))
    units = list(Unit.objects.filter(is_member=True))
    items = list(ServiceItem.objects.all())
    statuses = itertools.cycle(OrderStatus.values)
    now = timezone.now()
    rows = []
    for n in range(ORDERS):
        place, status, item = places[n % len(places)], next(statuses), items[n % len(items)]
        has_team = status in ("accepted", "in_service", "completed", "rated")
        rows.append(ServiceOrder(
            item=item, title=item.name, category=item.category, requester_name=f"居民{n}",
            requester_phone=f"139{n:08d}", town=place if place.level == "town" else place.parent, region=place,
            address="活动室", scheduled_at=now + datetime.timedelta(days=n % 30), headcount=20, status=status,
            placed_at=now - datetime.timedelta(minutes=n), stage_started_at=now,
            dispatch_unit=None if status in ("placed", "rejected") else units[n % len(units)],
            team=(crew.a if n % 2 else crew.b) if has_team else None,
            offered_team=crew.a if status == "claimed" and n % 3 == 0 else None,
            rating=(n % 5) + 1 if status == "rated" else None,
        ))
    ServiceOrder.objects.bulk_create(rows, batch_size=1000)


PAGES = [
    ("office", "/office/orders/", 12),
    ("office", "/office/orders/?page=120&status=rated", 12),
    ("office", "/office/orders/?q=居民12", 12),
    ("office", "/office/orders/?queue=overdue", 12),
    ("zhangpu", "/office/orders/", 12),
    ("zhangpu", "/office/orders/?queue=mine", 12),
    ("jiaoyu", "/office/orders/", 12),
    ("volunteer", "/office/orders/", 15),  # + the user's teams (member, led, under led) once per request
    ("volunteer", "/office/orders/?queue=mine", 15),
    ("office", "/office/orders/menu/", 10),
    ("office", "/office/orders/stats/", 18),  # figures: overall, states, months, ratings, town/unit/team
    ("zhangpu", "/office/orders/stats/", 18),
]


def test_order_pages_and_the_api_use_a_fixed_number_of_queries(volume: None, as_user: Any,
                                                               cast: dict[str, Any]) -> None:
    too_many = []
    for username, url, limit in PAGES:
        client = as_user(username)
        client.get(url)  # warm the session
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        if len(queries) > limit:
            too_many.append(f"{username} {url}: {len(queries)} > {limit}\n"
                            + "\n".join(q["sql"][:160] for q in queries))
    _, key = token_create(actor=cast["office"], name="t")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    for url in ("/api/v1/orders/?page=20", "/api/v1/orders/?status=claimed", "/api/v1/orders/items"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        if len(queries) > 8:
            too_many.append(f"API {url}: {len(queries)} > 8\n" + "\n".join(q["sql"][:160] for q in queries))
    assert not too_many, "\n\n".join(too_many)


def test_the_home_card_costs_one_query(volume: None, as_user: Any) -> None:
    from kepu.service_orders.manifest import _orders_card

    client = as_user("zhangpu")
    request = client.get("/office/").wsgi_request
    with CaptureQueriesContext(connection) as queries:
        html = _orders_card(request)
    assert html and "待我处理" in html
    assert len(queries) <= 2
