"""The figures the office reports upward: hours and active volunteers by region, unit, team and month;
the charts click through to the hours behind them; the live indicators of the plan ledger."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from kepu.core.registry import indicator_providers
from kepu.org.models import Region
from kepu.volunteers import figures
from kepu.volunteers.models import ServiceHours, Volunteer
from tests.org.sheets import read_xlsx

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


def _counted() -> Any:
    return ServiceHours.objects.filter(status="approved", withdrawn_at=None, served_on__year=YEAR)


def test_the_totals_are_the_approved_hours_and_the_volunteers_who_served(cast: dict[str, Any]) -> None:
    totals = figures.totals(user=cast["office"], year=YEAR)
    expected = _counted().aggregate(h=Sum("hours"), n=Count("volunteer", distinct=True))
    assert (totals.hours, totals.active) == (expected["h"], expected["n"])
    assert totals.registered == Volunteer.objects.filter(is_active=True).count()


def test_the_breakdowns_add_up_to_the_total(cast: dict[str, Any]) -> None:
    total = figures.totals(user=cast["office"], year=YEAR).hours
    for dimension in figures.DIMENSIONS:
        rows = figures.figures_by(user=cast["office"], year=YEAR, dimension=dimension)
        assert sum(r.hours for r in rows) == total, dimension
        assert rows == sorted(rows, key=lambda r: -r.hours)
    assert sum(h for _, h, _ in figures.monthly(user=cast["office"], year=YEAR)) == total


def test_each_bar_links_to_its_hours(cast: dict[str, Any], as_user: Any) -> None:
    rows = figures.figures_by(user=cast["office"], year=YEAR, dimension="region")
    option = figures.bar_option(rows, year=YEAR, dimension="region")
    first = rows[0]
    url = option["kpDrill"][first.label]
    response = as_user("office").get(url)
    listed = response.context["page_obj"].paginator.object_list
    assert sum(r.hours for r in listed) == first.hours


def test_the_page_renders_four_charts_and_the_export_has_every_breakdown(as_user: Any) -> None:
    client = as_user("office")
    page = client.get("/office/volunteers/figures/").content.decode()
    for chart in ("month-data", "region-data", "unit-data", "team-data"):
        assert f'data-kp-chart="{chart}"' in page and f'id="{chart}"' in page
    rows = read_xlsx(client.get(f"/office/volunteers/figures/export/?year={YEAR}").content)
    assert rows[0] == ["统计维度", "名称", "认定时长（小时）", "活跃志愿者（人）"]
    assert {r[0] for r in rows[1:]} == {f"{YEAR}年按服务区域", f"{YEAR}年按所属单位", f"{YEAR}年按队伍", f"{YEAR}年按月份"}


def test_the_indicator_providers_give_city_and_town_figures() -> None:
    providers = indicator_providers()
    assert {"volunteers.hours", "volunteers.active", "volunteers.registered"} <= set(providers)
    hours = providers["volunteers.hours"].value(YEAR)
    assert hours == _counted().aggregate(h=Sum("hours"))["h"]
    town = Region.objects.get(code="320583106000")
    in_town = providers["volunteers.hours"].value(YEAR, town)
    assert Decimal(0) < in_town < hours
    assert providers["volunteers.active"].value(YEAR) == Decimal(
        _counted().values("volunteer").distinct().count())
    assert providers["volunteers.registered"].value(YEAR, town) == Decimal(
        Volunteer.objects.filter(is_active=True, region=town).count())
    assert providers["volunteers.registered"].value(2000) == Decimal(0)


def test_the_home_page_cards(cast: dict[str, Any], rf: Any) -> None:
    from kepu.volunteers.manifest import _card, _leader_card

    request = rf.get("/office/")
    request.user = cast["office"]
    assert f"{YEAR} 年科技志愿服务" in _card(request)
    assert _leader_card(request) is None  # the office has the figures card
    request.user = cast["duizhang"]
    assert "队长待办" in _leader_card(request)
