"""The figures come from a few grouped scans with the names looked up after; they must be exactly what a
straightforward pass over the orders in reach gives, for the office and for a town, every period. And the
API, like the KPI page, reports the current year unless asked for another (or for all years)."""

from __future__ import annotations

import datetime
import json
from collections import Counter, defaultdict
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from django.utils import timezone

from kepu.org.services import token_create
from kepu.service_orders import stats
from kepu.service_orders.models import OrderStatus, ServiceOrder

pytestmark = pytest.mark.django_db
S = OrderStatus


def _mean_hours(spans: list[datetime.timedelta]) -> Decimal | None:
    return stats._hours(sum(spans, datetime.timedelta()) / len(spans)) if spans else None


def _row(orders: list[ServiceOrder]) -> tuple[Any, ...]:
    """A figures line computed order by order, the way the definitions in stats.py read."""
    done = [o for o in orders if o.status in stats.DONE]
    countable = [o for o in orders if o.status not in stats.NOT_COUNTED]
    ratings = [o.rating for o in orders if o.rating is not None]
    avg = (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.01"), ROUND_HALF_UP) if ratings else None
    return (len(orders), len(done), len(ratings), sum(o.served_count or 0 for o in done),
            stats._ratio(len(done), len(countable)), stats._ratio(sum(r >= 4 for r in ratings), len(ratings)), avg,
            _mean_hours([o.accepted_at - o.placed_at for o in orders if o.accepted_at]),
            _mean_hours([o.completed_at - o.placed_at for o in orders if o.completed_at]))


def _line(r: stats.Row) -> tuple[Any, ...]:
    return (r.total, r.done, r.rated, r.served, r.completion_rate, r.satisfaction_rate, r.avg_rating,
            r.response_hours, r.completion_hours)


def _by(orders: list[ServiceOrder], key: str, name: str) -> list[tuple[Any, ...]]:
    groups: dict[Any, list[ServiceOrder]] = defaultdict(list)
    for o in orders:
        if getattr(o, f"{key}_id") is not None:
            groups[getattr(o, f"{key}_id")].append(o)
    rows = [(k, getattr(g[0], key).name, *_row(g)) for k, g in groups.items()]
    return sorted(rows, key=lambda r: (-r[2], r[1]))


@pytest.fixture
def spread(cast: dict[str, Any]) -> None:
    """Orders of last year too, with odd times, so the periods and the averages have something to tell."""
    this_year = timezone.localdate().year
    for i, o in enumerate(list(ServiceOrder.objects.order_by("id"))[::3]):
        placed = o.placed_at.replace(year=this_year - 1) + datetime.timedelta(minutes=7 * i)
        ServiceOrder.objects.filter(pk=o.pk).update(
            placed_at=placed, accepted_at=placed + datetime.timedelta(hours=i, minutes=13) if o.accepted_at else None,
            completed_at=placed + datetime.timedelta(hours=3 * i + 1, seconds=17) if o.completed_at else None)


@pytest.mark.parametrize("who", ["office", "zhangpu"])
@pytest.mark.parametrize("period", ["this", "last", "all"])
def test_the_grouped_figures_are_those_of_a_pass_over_every_order(spread: None, cast: dict[str, Any], who: str,
                                                                  period: str) -> None:
    this_year = timezone.localdate().year
    year = {"this": this_year, "last": this_year - 1, "all": None}[period]
    user = cast[who]
    orders = list(stats.scoped_orders(user=user, filters=stats.StatsFilters(year=year))
                  .select_related("town", "dispatch_unit", "team"))
    assert orders, "the demo city has orders in reach in every period"
    figures = stats.figures(user=user, filters=stats.StatsFilters(year=year))
    assert _line(figures.overall) == _row(orders)
    assert figures.by_status == dict(Counter(o.status for o in orders))
    ratings = Counter(o.rating for o in orders if o.rating is not None)
    assert figures.ratings == {n: ratings.get(n, 0) for n in (5, 4, 3, 2, 1)}
    for got, key in ((figures.by_town, "town"), (figures.by_unit, "dispatch_unit"), (figures.by_team, "team")):
        assert [(r.key, r.label, *_line(r)) for r in got] == _by(orders, key, key), key
    months: dict[Any, list[ServiceOrder]] = defaultdict(list)
    for o in orders:
        local = timezone.localtime(o.placed_at)
        months[(local.year, local.month)].append(o)
    assert [((m["month"].year, m["month"].month), m["placed"], m["done"]) for m in figures.by_month] == [
        (k, len(g), sum(o.status in stats.DONE for o in g)) for k, g in sorted(months.items())]


def test_the_api_reports_the_current_year_unless_asked(spread: None, cast: dict[str, Any], client: Any) -> None:
    this_year = timezone.localdate().year
    _, key = token_create(actor=cast["office"], name="t")

    def total(query: str) -> int:
        answer = client.get(f"/api/v1/orders/stats{query}", headers={"Authorization": f"Bearer {key}"})
        assert answer.status_code == 200
        return json.loads(answer.content)["overall"]["total"]

    def placed(year: int | None) -> int:
        return stats.scoped_orders(user=cast["office"], filters=stats.StatsFilters(year=year)).count()

    assert placed(this_year - 1) > 0 and placed(this_year) > 0
    assert total("") == total(f"?year={this_year}") == placed(this_year)
    assert total(f"?year={this_year - 1}") == placed(this_year - 1)
    assert total("?all_years=true") == placed(None) > placed(this_year)
