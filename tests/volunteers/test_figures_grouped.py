"""The figures come from one scan grouped by (team, volunteer), the regions, units and names looked up
after; they must be exactly what a pass over every counted record gives, for the office and for a town —
a volunteer serving in two teams of one region counted once for that region."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from kepu.volunteers import figures
from kepu.volunteers.models import ServiceHours

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _expected(records: list[ServiceHours], dimension: str) -> list[tuple[Any, ...]]:
    hours: dict[Any, Decimal] = defaultdict(Decimal)
    people: dict[Any, set[int]] = defaultdict(set)
    labels: dict[Any, str] = {}
    for r in records:
        thing = {"region": r.team.region, "unit": r.team.unit, "team": r.team}[dimension]
        hours[thing.pk] += r.hours
        people[thing.pk].add(r.volunteer_id)
        labels[thing.pk] = thing.name
    return sorted(((k, labels[k], hours[k], len(people[k])) for k in hours), key=lambda x: (-x[2], x[1]))


@pytest.mark.parametrize("who", ["office", "zhangpu"])
def test_the_overview_is_a_pass_over_every_counted_record(cast: dict[str, Any], who: str) -> None:
    user = cast[who]
    records = list(figures.counted_hours(user=user, year=YEAR).select_related("team__region", "team__unit"))
    assert records, "the demo city has counted hours in reach"
    overview = figures.overview(user=user, year=YEAR)
    for dimension in figures.DIMENSIONS:
        assert [(r.key, r.label, r.hours, r.volunteers) for r in overview.by[dimension]] == _expected(
            records, dimension), dimension
        assert figures.figures_by(user=user, year=YEAR, dimension=dimension, limit=3) == overview.by[dimension][:3]
    t = overview.totals
    assert (t.hours, t.active, t.records) == (sum((r.hours for r in records), Decimal(0)),
                                              len({r.volunteer_id for r in records}), len(records))
    assert t == figures.totals(user=user, year=YEAR)


def test_a_volunteer_of_two_teams_of_one_region_is_one_active_volunteer_there(cast: dict[str, Any]) -> None:
    records = list(figures.counted_hours(user=cast["office"], year=YEAR).select_related("team"))
    by_region: dict[int, set[int]] = defaultdict(set)
    for r in records:
        by_region[r.team.region_id].add(r.team_id)
    region, teams = next((k, v) for k, v in by_region.items() if len(v) >= 2)
    first, second = sorted(teams)[:2]
    volunteer = next(r.volunteer_id for r in records if r.team_id == first)
    template = next(r for r in records if r.team_id == first and r.volunteer_id == volunteer)
    ServiceHours.objects.create(volunteer_id=volunteer, team_id=second, served_on=template.served_on,
                                hours=Decimal("1.5"), status="approved", title="测试", source=template.source)
    row = next(r for r in figures.overview(user=cast["office"], year=YEAR).by["region"] if r.key == region)
    people = {r.volunteer_id for r in figures.counted_hours(user=cast["office"], year=YEAR) if r.team.region_id == region}
    assert row.volunteers == len(people)
