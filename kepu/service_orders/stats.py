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

from django.db import connection
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
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


def _duration(end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F("placed_at"), output_field=DurationField())


def _sums() -> dict[str, Any]:
    """Counts and sums only — no averages — so the groups of one scan add up to any coarser line."""
    return {
        "total": Count("id"),
        "countable": Count("id", filter=_countable_q),
        "done": Count("id", filter=_done_q),
        "rated": Count("rating"),
        "satisfied": Count("id", filter=Q(rating__gte=4)),
        "rating_sum": Sum("rating"),
        "served": Sum("served_count", filter=_done_q),
        "response_sum": Sum(_duration("accepted_at"), filter=Q(accepted_at__isnull=False)),
        "response_n": Count("accepted_at"),
        "completion_sum": Sum(_duration("completed_at"), filter=Q(completed_at__isnull=False)),
        "completion_n": Count("completed_at"),
    }


SUM_KEYS = tuple(_sums())


def _add(into: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    for k in SUM_KEYS:
        if values[k] is not None:
            into[k] = values[k] if into.get(k) is None else into[k] + values[k]
    return into


def _zero() -> dict[str, Any]:
    return dict.fromkeys(SUM_KEYS, None)


def _mean(total: Any, n: int) -> Any:
    return total / n if n and total is not None else None


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
        """From the counts and sums of `_sums` (averages are sum ÷ count, as AVG computes them)."""
        v = {k: values[k] or 0 for k in SUM_KEYS if k not in ("response_sum", "completion_sum")}
        rating = Decimal(v["rating_sum"]) / Decimal(v["rated"]) if v["rated"] else None
        return cls(
            key=key, label=label, total=v["total"], done=v["done"], rated=v["rated"], served=v["served"],
            completion_rate=_ratio(v["done"], v["countable"]),
            satisfaction_rate=_ratio(v["satisfied"], v["rated"]),
            avg_rating=rating.quantize(Decimal("0.01"), ROUND_HALF_UP) if rating is not None else None,
            response_hours=_hours(_mean(values["response_sum"], v["response_n"])),
            completion_hours=_hours(_mean(values["completion_sum"], v["completion_n"])),
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


def _names(key: str, ids: list[Any]) -> dict[Any, str]:
    """Names fetched after grouping, for the groups' keys only (the scan itself joins nothing)."""
    model = ServiceOrder._meta.get_field(key.removesuffix("_id")).related_model
    return dict(model._default_manager.filter(pk__in=ids).values_list("pk", "name"))  # type: ignore[union-attr]


KEYS = ("town_id", "dispatch_unit_id", "team_id")
CELL = ("status", "rating")


def _group_sets(orders: QuerySet[ServiceOrder]) -> dict[str, list[dict[str, Any]]]:
    """The counts and sums by (state, rating) and by each of `KEYS`, grouped on bare ids so the scans
    read the covering index alone and join nothing (names come after). PostgreSQL groups all four ways
    in one scan (GROUPING SETS over the very query Django builds, scope included); elsewhere a scan each."""
    if connection.vendor != "postgresql":
        return {"cell": list(orders.values(*CELL).annotate(**_sums())),
                **{key: list(orders.values(key).annotate(**_sums())) for key in KEYS}}
    query = orders.values(*CELL, *KEYS).annotate(**_sums())
    sql, params = query.query.get_compiler(using=orders.db).as_sql()
    table = connection.ops.quote_name(ServiceOrder._meta.db_table)
    column = {c: f"{table}.{connection.ops.quote_name(c)}" for c in (*CELL, *KEYS)}
    head, grouped = sql.rsplit(" GROUP BY ", 1)
    assert grouped.count(",") == len(CELL) + len(KEYS) - 1, "the query groups by its own columns only"
    sets = ", ".join([f"({column['status']}, {column['rating']})", *(f"({column[k]})" for k in KEYS)])
    # GROUPING(...) tells the sets apart: bit i is set when column i is not grouped in the row's set.
    sql = (head.replace("SELECT ", f"SELECT GROUPING({', '.join(column[k] for k in KEYS)}) AS kp_set, ", 1)
           + f" GROUP BY GROUPING SETS ({sets})")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [d[0] for d in cursor.description]
        rows = [dict(zip(names, r, strict=True)) for r in cursor.fetchall()]
    full = (1 << len(KEYS)) - 1
    out: dict[str, list[dict[str, Any]]] = {"cell": [r for r in rows if r["kp_set"] == full]}
    for i, key in enumerate(KEYS):
        out[key] = [r for r in rows if r["kp_set"] == full ^ (1 << (len(KEYS) - 1 - i))]
    return out


def _grouped(groups: list[dict[str, Any]], key: str) -> list[Row]:
    groups = [g for g in groups if g[key] is not None]  # the orders with none (not yet dispatched, say)
    names = _names(key, [g[key] for g in groups])
    return sorted((Row.of(g[key], names.get(g[key], ""), g) for g in groups), key=lambda r: (-r.total, r.label))


def figures(*, user: Any, filters: StatsFilters | None = None) -> Figures:
    orders = scoped_orders(user=user, filters=filters)
    # The (state, rating) groups — a few dozen — give the overall line, the states and the ratings;
    # one scan by month the trend.
    sets = _group_sets(orders)
    overall, by_status, ratings = _zero(), dict[str, int](), dict.fromkeys((5, 4, 3, 2, 1), 0)
    for c in sets["cell"]:
        _add(overall, c)
        by_status[c["status"]] = by_status.get(c["status"], 0) + c["total"]
        if c["rating"] in ratings:
            ratings[c["rating"]] += c["total"]
    months = (orders.annotate(month=TruncMonth("placed_at")).values("month")
              .annotate(placed=Count("id"), done=Count("id", filter=_done_q)).order_by("month"))
    return Figures(
        overall=Row.of(None, "合计", overall), by_status=by_status,
        by_town=_grouped(sets["town_id"], "town_id"),
        by_unit=_grouped(sets["dispatch_unit_id"], "dispatch_unit_id"),
        by_team=_grouped(sets["team_id"], "team_id"),
        by_month=[{"month": m["month"], "placed": m["placed"], "done": m["done"]} for m in months],
        ratings=ratings,
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
