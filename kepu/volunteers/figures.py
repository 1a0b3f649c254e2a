"""The figures the office reports upward: approved hours and active volunteers by region, unit and team,
and by month. Scoped like every list (a town sees its town); the plan ledger's indicator providers
(city-wide, no user) are at the bottom."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum
from django.db.models.functions import ExtractMonth
from django.urls import reverse
from django.utils import timezone

from kepu.core.access import scoped
from kepu.org.public import Region, Unit
from kepu.volunteers.models import ServiceHours, Volunteer, VolunteerTeam
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


@dataclass(frozen=True)
class Overview:
    totals: Totals
    by: dict[str, list[FigureRow]]


def _names(model: Any, ids: set[int]) -> dict[int, str]:
    return dict(model._default_manager.filter(pk__in=ids).values_list("pk", "name"))


def _registered(user: Any, action: str) -> int:
    return scoped(Volunteer.objects.filter(is_active=True), user, action).count()


def overview(*, user: Any, year: int, action: str = ACTION) -> Overview:
    """The totals and the rows by region, unit and team from one scan of the year's counted hours,
    grouped by (team, volunteer): a team's region and unit, and every name, are looked up after, for
    the groups found — so the active volunteers of a region or unit are counted once however many of
    its teams they served in."""
    cells = list(counted_hours(user=user, year=year, action=action).order_by()
                 .values_list("team_id", "volunteer_id").annotate(hours=Sum("hours"), records=Count("id")))
    team_ids = {team for team, _, _, _ in cells}
    teams = {pk: (region, unit, name) for pk, region, unit, name in
             VolunteerTeam.objects.filter(pk__in=team_ids).values_list("pk", "region_id", "unit_id", "name")}
    # Each (team, volunteer) is one cell, so a team's own line is a plain sum; a region's or unit's
    # volunteers are the union of its teams' (one person in two of its teams is one person).
    team_hours: dict[int, Decimal] = defaultdict(Decimal)
    team_people: dict[int, set[int]] = defaultdict(set)
    for team, volunteer, hours, _ in cells:
        team_hours[team] += hours
        team_people[team].add(volunteer)
    sums: dict[str, dict[int, list[Any]]] = {d: {} for d in DIMENSIONS}
    for team, hours in team_hours.items():
        region, unit, _ = teams[team]
        for dimension, key in (("region", region), ("unit", unit), ("team", team)):
            slot = sums[dimension].setdefault(key, [Decimal(0), set()])
            slot[0] += hours
            slot[1] |= team_people[team]
    labels = {"region": _names(Region, set(sums["region"])), "unit": _names(Unit, set(sums["unit"])),
              "team": {pk: name for pk, (_, _, name) in teams.items()}}
    by = {d: sorted((FigureRow(k, labels[d].get(k, ""), h, len(v)) for k, (h, v) in sums[d].items()),
                    key=lambda r: (-r.hours, r.label)) for d in DIMENSIONS}
    totals = Totals(sum((h for _, _, h, _ in cells), Decimal(0)), len({v for _, v, _, _ in cells}),
                    _registered(user, action),
                    sum(n for _, _, _, n in cells))
    return Overview(totals, by)


def figures_by(*, user: Any, year: int, dimension: str, action: str = ACTION, limit: int | None = None
               ) -> list[FigureRow]:
    return overview(user=user, year=year, action=action).by[dimension][:limit]


def monthly(*, user: Any, year: int, action: str = ACTION) -> list[tuple[int, Decimal, int]]:
    """(month, hours, active volunteers) for the 12 months of the year."""
    rows = (counted_hours(user=user, year=year, action=action).order_by()
            .annotate(month=ExtractMonth("served_on")).values("month")
            .annotate(hours=Sum("hours"), volunteers=Count("volunteer", distinct=True)))
    by_month = {r["month"]: (r["hours"], r["volunteers"]) for r in rows}
    return [(m, *by_month.get(m, (Decimal(0), 0))) for m in range(1, 13)]


def totals(*, user: Any, year: int, action: str = ACTION) -> Totals:
    """The totals alone (the 工作台 card), in one aggregate; `overview` gives the same with the rows."""
    agg = counted_hours(user=user, year=year, action=action).aggregate(
        hours=Sum("hours"), active=Count("volunteer", distinct=True), records=Count("id"))
    return Totals(agg["hours"] or Decimal(0), agg["active"], _registered(user, action), agg["records"])


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


