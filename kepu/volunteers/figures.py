"""The figures the office reports upward: approved hours and active volunteers by region, unit and team,
and by month. Scoped like every list (a town sees its town); the plan ledger's indicator providers
(city-wide, no user) are at the bottom."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone

from kepu.core.access import scoped
from kepu.volunteers.models import ServiceHours, Volunteer
from kepu.volunteers.selectors import COUNTED

ACTION = "volunteers.figures.view"
DIMENSIONS = {
    "region": ("team__region_id", "team__region__name", "按服务区域"),
    "unit": ("team__unit_id", "team__unit__name", "按所属单位"),
    "team": ("team_id", "team__name", "按队伍"),
}


@dataclass(frozen=True)
class FigureRow:
    key: int
    label: str
    hours: Decimal
    volunteers: int


@dataclass(frozen=True)
class Totals:
    hours: Decimal
    active: int
    registered: int
    records: int


def counted_hours(*, user: Any, year: int, action: str = ACTION) -> QuerySet[ServiceHours]:
    return scoped(ServiceHours.objects.filter(COUNTED, served_on__year=year), user, action)


def figures_by(*, user: Any, year: int, dimension: str, action: str = ACTION, limit: int | None = None
               ) -> list[FigureRow]:
    key, label, _ = DIMENSIONS[dimension]
    rows = (counted_hours(user=user, year=year, action=action).order_by().values(key, label)
            .annotate(hours=Sum("hours"), volunteers=Count("volunteer", distinct=True)).order_by("-hours", label))
    if limit:
        rows = rows[:limit]
    return [FigureRow(r[key], r[label], r["hours"] or Decimal(0), r["volunteers"]) for r in rows]


def monthly(*, user: Any, year: int, action: str = ACTION) -> list[tuple[int, Decimal, int]]:
    """(month, hours, active volunteers) for the 12 months of the year."""
    rows = (counted_hours(user=user, year=year, action=action).order_by()
            .annotate(month=ExtractMonth("served_on")).values("month")
            .annotate(hours=Sum("hours"), volunteers=Count("volunteer", distinct=True)))
    by_month = {r["month"]: (r["hours"], r["volunteers"]) for r in rows}
    return [(m, *by_month.get(m, (Decimal(0), 0))) for m in range(1, 13)]


def totals(*, user: Any, year: int, action: str = ACTION) -> Totals:
    agg = counted_hours(user=user, year=year, action=action).aggregate(
        hours=Sum("hours"), active=Count("volunteer", distinct=True), records=Count("id"))
    registered = scoped(Volunteer.objects.filter(is_active=True), user, action).count()
    return Totals(agg["hours"] or Decimal(0), agg["active"], registered, agg["records"])


# ---------------------------------------------------------------- ECharts options

def _drill(dimension: str, year: int, rows: list[FigureRow]) -> dict[str, str]:
    base = reverse("volunteers:hours_list")
    return {r.label: f"{base}?status=approved&year={year}&{dimension}={r.key}" for r in rows}


def bar_option(rows: list[FigureRow], *, year: int, dimension: str) -> dict[str, Any]:
    """Hours (bars) and active volunteers (line, right axis); each bar clicks through to its hours."""
    labels = [r.label for r in rows]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["认定时长（小时）", "活跃志愿者（人）"], "top": 0},
        "grid": {"left": 50, "right": 50, "top": 40, "bottom": 80},
        "xAxis": {"type": "category", "data": labels,
                  "axisLabel": {"interval": 0, "rotate": 30 if sum(len(x) for x in labels) > 24 else 0}},
        "yAxis": [{"type": "value", "name": "小时"}, {"type": "value", "name": "人"}],
        "series": [
            {"name": "认定时长（小时）", "type": "bar", "data": [float(r.hours) for r in rows],
             "itemStyle": {"color": "#1f5fbf"}, "barMaxWidth": 36},
            {"name": "活跃志愿者（人）", "type": "line", "yAxisIndex": 1, "data": [r.volunteers for r in rows],
             "itemStyle": {"color": "#f2b705"}},
        ],
        "kpDrill": _drill(dimension, year, rows),
    }


def line_option(months: list[tuple[int, Decimal, int]], *, year: int) -> dict[str, Any]:
    labels = [f"{m}月" for m, _, _ in months]
    base = reverse("volunteers:hours_list")
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": ["认定时长（小时）", "活跃志愿者（人）"], "top": 0},
        "grid": {"left": 50, "right": 50, "top": 40, "bottom": 30},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": [{"type": "value", "name": "小时"}, {"type": "value", "name": "人"}],
        "series": [
            {"name": "认定时长（小时）", "type": "line", "smooth": True, "areaStyle": {"opacity": 0.15},
             "data": [float(h) for _, h, _ in months], "itemStyle": {"color": "#1f5fbf"}},
            {"name": "活跃志愿者（人）", "type": "bar", "yAxisIndex": 1, "data": [v for _, _, v in months],
             "itemStyle": {"color": "#f2b705"}, "barMaxWidth": 18},
        ],
        "kpDrill": {f"{m}月": f"{base}?status=approved&year={year}&month={m}" for m, _, _ in months},
    }


# ---------------------------------------------------------------- live indicators for the plan ledger

def _in_region(records: QuerySet[Any], region: Any, path: str) -> QuerySet[Any]:
    return records.filter(**{f"{path}__path__startswith": region.path}) if region is not None else records


def indicator_hours(year: int | None, region: Any = None) -> Decimal:
    """Approved hours served in the year (all years when None), by teams in the region."""
    records = ServiceHours.objects.filter(COUNTED)
    if year:
        records = records.filter(served_on__year=year)
    return _in_region(records, region, "team__region").aggregate(t=Sum("hours"))["t"] or Decimal(0)


def indicator_active(year: int | None, region: Any = None) -> Decimal:
    """Volunteers with approved hours in the year, by teams in the region."""
    records = ServiceHours.objects.filter(COUNTED)
    if year:
        records = records.filter(served_on__year=year)
    count = _in_region(records, region, "team__region").aggregate(n=Count("volunteer", distinct=True))["n"]
    return Decimal(count)


def indicator_registered(year: int | None, region: Any = None) -> Decimal:
    """Volunteers on the roll at the end of the year (registered by then and not taken off), by area."""
    people = Volunteer.objects.filter(is_active=True)
    if year:
        people = people.filter(created_at__lt=timezone.make_aware(datetime.datetime(year + 1, 1, 1)))
    return Decimal(_in_region(people, region, "region").count())


