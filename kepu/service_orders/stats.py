"""The figures the office reports upward: orders by state, response and completion times, completion
and satisfaction rates, people served — by town, unit and team. Always through the data scopes
(`orders_in_reach`), so a town sees its own figures and the office the city's. The same numbers feed the KPI page, its Excel
export, the API and the plan ledger's live indicators.

Definitions (also on the KPI page):
- 办结 (done): completed or rated. 办结率 = done ÷ (orders − cancelled − not accepted for service).
- 响应时长: from the order being placed to a team accepting it; 办结时长: placed to completed (hours).
- 满意率: ratings of 4 or 5 stars ÷ all ratings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from kepu.org.public import Region
from kepu.service_orders.models import OrderStatus, ServiceOrder
from kepu.service_orders.selectors import orders_in_reach

S = OrderStatus
DONE = (S.COMPLETED, S.RATED)
NOT_COUNTED = (S.CANCELLED, S.REJECTED)
STATS = "service_orders.stats.view"

_done_q = Q(status__in=DONE)
_countable_q = ~Q(status__in=NOT_COUNTED)


def _aggregates() -> dict[str, Any]:
    return {
        "total": Count("id"),
        "countable": Count("id", filter=_countable_q),
        "done": Count("id", filter=_done_q),
        "rated": Count("id", filter=Q(rating__isnull=False)),
        "satisfied": Count("id", filter=Q(rating__gte=4)),
        "avg_rating": Avg("rating"),
        "served": Sum("served_count", filter=_done_q),
        "response": Avg(ExpressionWrapper(F("accepted_at") - F("placed_at"), output_field=DurationField()),
                        filter=Q(accepted_at__isnull=False)),
        "completion": Avg(ExpressionWrapper(F("completed_at") - F("placed_at"), output_field=DurationField()),
                          filter=Q(completed_at__isnull=False)),
    }


def _ratio(part: int | None, whole: int | None) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole)).quantize(Decimal("0.0001"), ROUND_HALF_UP)


def _hours(value: Any) -> Decimal | None:
    if value is None:
        return None
    seconds = value.total_seconds() if hasattr(value, "total_seconds") else float(value) / 1_000_000
    return Decimal(seconds / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Row:
    """One line of figures: for the whole scope, or for a town, unit or team."""

    key: Any
    label: str
    total: int = 0
    done: int = 0
    rated: int = 0
    served: int = 0
    completion_rate: Decimal | None = None
    satisfaction_rate: Decimal | None = None
    avg_rating: Decimal | None = None
    response_hours: Decimal | None = None
    completion_hours: Decimal | None = None

    @classmethod
    def of(cls, key: Any, label: str, values: dict[str, Any]) -> Row:
        avg = values.get("avg_rating")
        return cls(
            key=key, label=label, total=values["total"], done=values["done"], rated=values["rated"],
            served=values["served"] or 0,
            completion_rate=_ratio(values["done"], values["countable"]),
            satisfaction_rate=_ratio(values["satisfied"], values["rated"]),
            avg_rating=Decimal(str(avg)).quantize(Decimal("0.01"), ROUND_HALF_UP) if avg is not None else None,
            response_hours=_hours(values["response"]), completion_hours=_hours(values["completion"]),
        )


@dataclass(frozen=True)
class StatsFilters:
    year: int | None = None
    town: int | None = None
    unit: int | None = None
    team: int | None = None


@dataclass
class Figures:
    overall: Row
    by_status: dict[str, int]
    by_town: list[Row] = field(default_factory=list)
    by_unit: list[Row] = field(default_factory=list)
    by_team: list[Row] = field(default_factory=list)
    by_month: list[dict[str, Any]] = field(default_factory=list)
    ratings: dict[int, int] = field(default_factory=dict)


def scoped_orders(*, user: Any, filters: StatsFilters | None = None) -> QuerySet[ServiceOrder]:
    f = filters or StatsFilters()
    orders = orders_in_reach(user, STATS).order_by()
    if f.year:
        orders = orders.filter(placed_at__year=f.year)
    if f.town:
        orders = orders.filter(town_id=f.town)
    if f.unit:
        orders = orders.filter(dispatch_unit_id=f.unit)
    if f.team:
        orders = orders.filter(team_id=f.team)
    return orders


def _grouped(orders: QuerySet[ServiceOrder], key: str, label: str) -> list[Row]:
    rows = orders.exclude(**{f"{key}__isnull": True}).values(key, label).annotate(**_aggregates())
    return sorted((Row.of(r[key], r[label], r) for r in rows), key=lambda r: (-r.total, r.label))


def figures(*, user: Any, filters: StatsFilters | None = None) -> Figures:
    orders = scoped_orders(user=user, filters=filters)
    overall = Row.of(None, "合计", orders.aggregate(**_aggregates()))
    by_status = {r["status"]: r["n"] for r in orders.values("status").annotate(n=Count("id"))}
    months = (orders.annotate(month=TruncMonth("placed_at")).values("month")
              .annotate(placed=Count("id"), done=Count("id", filter=_done_q)).order_by("month"))
    ratings = {r["rating"]: r["n"] for r in orders.filter(rating__isnull=False).values("rating")
               .annotate(n=Count("id"))}
    return Figures(
        overall=overall, by_status=by_status,
        by_town=_grouped(orders, "town_id", "town__name"),
        by_unit=_grouped(orders, "dispatch_unit_id", "dispatch_unit__name"),
        by_team=_grouped(orders, "team_id", "team__name"),
        by_month=[{"month": m["month"], "placed": m["placed"], "done": m["done"]} for m in months],
        ratings={n: ratings.get(n, 0) for n in (5, 4, 3, 2, 1)},
    )


# ---------------------------------------------------------------- live indicators for the plan ledger

def _region_q(region: Any) -> Q:
    if region is None:
        return Q()
    if not isinstance(region, Region):
        lookup = {"code": region} if isinstance(region, str) else {"pk": region}
        region = Region.objects.filter(**lookup).first()
        if region is None:
            return Q(pk__in=[])
    return Q(region__path__startswith=region.path)


def _year_orders(year: int | None, region: Any, field_name: str = "placed_at") -> QuerySet[ServiceOrder]:
    orders = ServiceOrder.objects.filter(_region_q(region))
    if year:
        orders = orders.filter(**{f"{field_name}__year": year})
    return orders


def indicator_completed(year: int | None = None, region: Any = None) -> Decimal:
    """办结工单数: orders completed in the year (rated or awaiting rating)."""
    return Decimal(_year_orders(year, region, "completed_at").filter(status__in=DONE).count())


def indicator_completion_rate(year: int | None = None, region: Any = None) -> Decimal | None:
    """办结率 (%) of the orders placed in the year."""
    values = _year_orders(year, region).aggregate(done=Count("id", filter=_done_q),
                                                  countable=Count("id", filter=_countable_q))
    rate = _ratio(values["done"], values["countable"])
    return None if rate is None else (rate * 100).quantize(Decimal("0.01"))


def indicator_satisfaction_rate(year: int | None = None, region: Any = None) -> Decimal | None:
    """满意率 (%) of the ratings given in the year (4 or 5 stars)."""
    values = _year_orders(year, region, "rated_at").aggregate(
        rated=Count("id", filter=Q(rating__isnull=False)), satisfied=Count("id", filter=Q(rating__gte=4)))
    rate = _ratio(values["satisfied"], values["rated"])
    return None if rate is None else (rate * 100).quantize(Decimal("0.01"))


def indicator_people_served(year: int | None = None, region: Any = None) -> Decimal:
    """服务群众人次: people served by the orders completed in the year."""
    total = _year_orders(year, region, "completed_at").filter(status__in=DONE).aggregate(
        n=Sum("served_count"))["n"]
    return Decimal(total or 0)
