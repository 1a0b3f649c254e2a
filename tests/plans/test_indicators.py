"""Indicators take their actual value from a registered provider of another domain, from approved reports,
or by hand; completion is measured in the plan's direction; the dashboard shows actual vs target."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from kepu.core import registry
from kepu.plans.indicators import completion_of
from kepu.plans.models import Indicator, IndicatorValue
from kepu.plans.services import importing, ledger

D = Decimal


@pytest.fixture
def bases_provider() -> Any:
    """A provider the way another domain (venues) registers one: accredited bases per year."""
    figures = {2021: D(18), 2022: D(21), 2023: D(24), 2024: D(26)}
    registry.add_indicator_provider(registry.IndicatorProvider(
        "test.accredited_bases", "科普教育基地", "家", value=lambda year, region=None: figures.get(year),
        domain="venues"))
    yield "test.accredited_bases"
    registry._registry.indicator_providers.pop("test.accredited_bases")


def test_completion_goes_from_baseline_to_target_in_the_plans_direction() -> None:
    assert completion_of(D("19.85"), D(23), D("16.7"), "ge") == D("0.5")
    assert completion_of(D(30), D(40), None, "ge") == D("0.75")
    assert completion_of(D(50), D(40), None, "ge") == D(1)
    assert completion_of(D(8), D(10), None, "le") == D(1)  # at most 10: done once under it
    assert completion_of(D(12), D(10), D(14), "le") == D("0.5")
    assert completion_of(None, D(10), None, "ge") is None


@pytest.mark.django_db
def test_an_indicator_reads_its_actual_value_and_trend_from_a_provider(cast: dict[str, Any], demo_plan: Any,
                                                                      bases_provider: str) -> None:
    bases = Indicator.objects.get(plan=demo_plan, name="科普教育基地")
    ledger.indicator_update(actor=cast["office"], indicator=bases, source="provider", provider_code=bases_provider)
    bases.refresh_from_db()
    assert (bases.actual_value, bases.actual_label) == (D(26), "2024年")
    assert list(IndicatorValue.objects.filter(indicator=bases, source="provider").values_list("year", "value")) == [
        (2021, D(18)), (2022, D(21)), (2023, D(24)), (2024, D(26))]
    assert bases.completion == D("0.8667")


@pytest.mark.django_db
def test_a_plan_goal_naming_a_provided_figure_is_fed_by_it_on_import(cast: dict[str, Any]) -> None:
    registry.add_indicator_provider(registry.IndicatorProvider(
        "test.volunteers", "注册科技志愿者", "人", value=lambda year, region=None: D(4120) if year == 2024 else None))
    try:
        text = "测试市2024—2025年科学素质行动方案\n一、主要目标\n到2025年，全市注册科技志愿者达到5000人。\n二、重点任务\n" \
               "1.开展科普活动。（牵头单位：市科协）\n"
        plan = importing.draft_commit(actor=cast["office"], draft=importing.draft_create(actor=cast["office"],
                                                                                        text=text))
        goal = plan.indicators.get(task=None)
        assert (goal.name, goal.source, goal.provider_code) == ("注册科技志愿者", "provider", "test.volunteers")
        ledger.indicator_refresh(indicator=goal)
        assert goal.actual_value == D(4120)
    finally:
        registry._registry.indicator_providers.pop("test.volunteers")


@pytest.mark.django_db
def test_the_daily_run_refreshes_provider_indicators(cast: dict[str, Any], demo_plan: Any,
                                                     bases_provider: str) -> None:
    from kepu.plans.services.supervision import daily_run

    bases = Indicator.objects.get(plan=demo_plan, name="科普教育基地")
    Indicator.objects.filter(pk=bases.pk).update(source="provider", provider_code=bases_provider)
    daily_run()
    bases.refresh_from_db()
    assert bases.actual_value == D(26)


@pytest.mark.django_db
def test_manual_values_are_entered_by_the_office(cast: dict[str, Any], demo_plan: Any) -> None:
    goal = demo_plan.indicators.get(task=None)
    ledger.indicator_update(actor=cast["office"], indicator=goal, source="manual")
    ledger.indicator_record_value(actor=cast["office"], indicator=goal, year=2026, value=D("23.4"))
    goal.refresh_from_db()
    assert (goal.actual_value, goal.actual_label) == (D("23.4"), "2026年")


@pytest.mark.django_db
def test_the_dashboard_shows_actual_against_target_and_clicks_through(as_user: Any, demo_plan: Any) -> None:
    page = as_user("office").get(f"/office/plans/dashboard/?plan={demo_plan.pk}")
    assert page.status_code == 200
    option = page.context["indicator_chart"]
    schools = Indicator.objects.get(plan=demo_plan, name="科学教育综合示范学校")
    assert option["series"][0]["data"][option["yAxis"]["data"].index("科学教育综合示范学校")] == 85.0  # 34 of 40
    assert option["kpDrill"]["科学教育综合示范学校"] == f"/office/plans/indicators/{schools.pk}/"
    sections = page.context["section_chart"]
    assert sections["kpDrill"]["红灯|三（二）实施农民科学素质提升行动"].endswith(
        f"section={demo_plan.sections.get(title='实施农民科学素质提升行动').pk}&light=red")
    assert json.loads(page.content.decode().split('id="trend-chart" type="application/json">')[1].split("</script>")[0])


@pytest.mark.django_db
def test_every_dashboard_figure_lists_exactly_the_tasks_it_counts(as_user: Any, demo_plan: Any) -> None:
    client = as_user("office")
    page = client.get(f"/office/plans/dashboard/?plan={demo_plan.pk}")
    for row in page.context["sections"]:
        for light in ("red", "yellow", "green"):
            listed = client.get(f"{row['url']}&light={light}").context["page_obj"].paginator.count
            assert listed == row[light], (row["label"], light)
    for row in page.context["units"]:
        url = f"/office/plans/tasks/?plan={demo_plan.pk}&unit={row['unit_id']}&role=lead"
        assert client.get(url).context["page_obj"].paginator.count == row["total"], row["label"]
