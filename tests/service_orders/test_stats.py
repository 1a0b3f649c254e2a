"""Known-answer figures: five orders in a town of their own give exactly the rates and times the office
reports, on the KPI page, in its Excel export, in the API and as live indicators of the plan ledger."""

from __future__ import annotations

import datetime
import json
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kepu.core.access import SYSTEM
from kepu.core.registry import indicator_providers
from kepu.org import services as org_services
from kepu.org.models import Region
from kepu.org.services import token_create
from kepu.service_orders import stats
from kepu.service_orders.models import OrderStatus, ServiceOrder
from tests.org.sheets import read_xlsx

pytestmark = pytest.mark.django_db
S = OrderStatus
H = datetime.timedelta(hours=1)


@pytest.fixture
def town(crew: Any, cast: dict[str, Any]) -> Region:
    """测试镇 with five orders: two rated (5★, 3★), one awaiting its rating, one cancelled, one waiting."""
    city = Region.objects.get(code="320583000000")
    town = org_services.region_create(actor=SYSTEM, code="320583777000", name="测试镇", level="town", parent=city)
    placed = timezone.now() - datetime.timedelta(days=30)
    unit = cast["jiaoyu"].unit

    def order(status: str, accepted: int | None = None, completed: int | None = None, **fields: Any) -> None:
        ServiceOrder.objects.create(
            title="测试", category="health", requester_name="测", requester_phone="13700000000", town=town,
            region=town, address="测试", scheduled_at=placed + 40 * H, headcount=30, status=status,
            placed_at=placed, stage_started_at=placed, dispatch_unit=unit,
            team=crew.a if accepted is not None else None,
            accepted_at=placed + accepted * H if accepted is not None else None,
            completed_at=placed + completed * H if completed is not None else None,
            rated_at=placed + 80 * H if fields.get("rating") else None, **fields)

    order(S.RATED, 10, 50, rating=5, served_count=30)
    order(S.RATED, 20, 70, rating=3, served_count=20)
    order(S.COMPLETED, 30, 90, served_count=10)
    order(S.CANCELLED)
    order(S.PLACED)
    return town


def test_the_figures_of_a_town_are_exact(town: Region, cast: dict[str, Any]) -> None:
    figures = stats.figures(user=cast["office"], filters=stats.StatsFilters(town=town.pk))
    o = figures.overall
    assert (o.total, o.done, o.rated, o.served) == (5, 3, 2, 60)
    assert o.completion_rate == Decimal("0.7500")  # 3 done of 4 (the cancelled order does not count)
    assert o.satisfaction_rate == Decimal("0.5000")  # one of two ratings is 4★ or more
    assert o.avg_rating == Decimal("4.00")
    assert (o.response_hours, o.completion_hours) == (Decimal("20.0"), Decimal("70.0"))
    assert figures.by_status == {"rated": 2, "completed": 1, "cancelled": 1, "placed": 1}
    assert [r.label for r in figures.by_town] == ["测试镇"]
    assert figures.ratings == {5: 1, 4: 0, 3: 1, 2: 0, 1: 0}


def test_the_live_indicators_feed_the_plan_ledger(town: Region) -> None:
    providers = indicator_providers()
    year = ServiceOrder.objects.filter(town=town).first().placed_at.year
    values = {code: providers[code].value(year, town) for code in (
        "service_orders.completed", "service_orders.completion_rate", "service_orders.satisfaction_rate",
        "service_orders.people_served")}
    assert values == {"service_orders.completed": Decimal(3), "service_orders.completion_rate": Decimal("75.00"),
                      "service_orders.satisfaction_rate": Decimal("50.00"),
                      "service_orders.people_served": Decimal(60)}
    assert providers["service_orders.completion_rate"].value(year, town.code) == Decimal("75.00")
    assert providers["service_orders.completion_rate"].value(year - 10, town) is None  # no orders, no figure


def test_the_kpi_page_charts_click_through_to_the_orders(town: Region, as_user: Any) -> None:
    response = as_user("office").get(f"/office/orders/stats/?year=all&town={town.pk}")
    assert response.status_code == 200
    drill = response.context["status_chart"]["kpDrill"]
    assert drill["已评价"] == f"/office/orders/?town={town.pk}&status=rated"
    listed = as_user("office").get(drill["已评价"]).context["page_obj"].paginator.count
    assert listed == 2


def test_the_figures_export_matches_the_page(town: Region, as_user: Any) -> None:
    rows = read_xlsx(as_user("office").get(f"/office/orders/stats/export/?year=all&town={town.pk}").content)
    assert rows[0][:4] == ["分组", "工单数", "已办结", "办结率"]
    assert rows[1][:4] == ["合计", 5, 3, "75.0%"]
    assert rows[2][:4] == ["镇（街道）：测试镇", 5, 3, "75.0%"]


def test_the_api_gives_the_same_figures(town: Region, cast: dict[str, Any], client: Any) -> None:
    _, key = token_create(actor=cast["office"], name="t")
    body = json.loads(client.get(f"/api/v1/orders/stats?town={town.pk}",
                                 headers={"Authorization": f"Bearer {key}"}).content)
    assert body["overall"]["total"] == 5 and body["overall"]["completion_rate"] == "0.7500"
