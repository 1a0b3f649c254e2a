"""What literacy monitoring adds to the shells: navigation, home card, portal tile, demo data, and the
live literacy ratio for the plan ledger's indicators."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kepu.core.leases import TrackedWork, track
from kepu.core.registry import (
    DemoSeed,
    HomeCard,
    IndicatorProvider,
    NavItem,
    PortalTile,
    add_demo_seed,
    add_home_card,
    add_indicator_provider,
    add_nav,
    add_portal_tile,
)

SECTION = "素质监测"

add_nav(
    NavItem(SECTION, "监测结果", "literacy:results", "literacy.result.view", icon="clipboard-data", order=10,
            section_order=300),
    NavItem(SECTION, "历年趋势", "literacy:trend", "literacy.result.view", icon="graph-up", order=20, section_order=300),
    NavItem(SECTION, "调查轮次", "literacy:wave_list", "literacy.wave.view", icon="collection", order=30,
            section_order=300),
    NavItem(SECTION, "测评工具", "literacy:instrument_list", "literacy.instrument.view", icon="ui-checks", order=40,
            section_order=300),
    NavItem(SECTION, "评分规则", "literacy:ruleset_list", "literacy.instrument.view", icon="rulers", order=50,
            section_order=300),
    NavItem(SECTION, "目标值", "literacy:target_list", "literacy.target.manage", icon="bullseye", order=60,
            section_order=300),
)


def _home_card(request: Any) -> str | None:
    from kepu.literacy import selectors

    results = selectors.result_waves(user=request.user)
    latest = next((r for r in results if r.ratio is not None), None)
    if latest is None:
        return None
    city = next((t for t in selectors.targets() if t.kind == "city" and t.year >= latest.wave.year), None)
    return render_to_string("literacy/home_card.html", {"latest": latest, "city_target": city}, request=request)


add_home_card(HomeCard("literacy.ratio", "literacy.result.view", _home_card, order=300))

add_portal_tile(PortalTile("科学素质监测", "本市公民具备科学素质的比例", "literacy_portal:index", icon="clipboard-data",
                           order=80))


def _ratio(year: int | None = None, region: Any = None) -> Any:
    from kepu.literacy.selectors import published_ratio

    return published_ratio(year, region)


add_indicator_provider(IndicatorProvider(code="literacy.ratio", label="公民具备科学素质的比例", unit_of_measure="%",
                                         value=_ratio, domain="literacy"))


def _load_demo() -> None:
    from kepu.literacy.demo import load

    load()


add_demo_seed(DemoSeed("literacy", _load_demo, order=50))


def _estimation_runs() -> Any:
    from kepu.literacy.models import EstimationRun

    return EstimationRun.objects.all()


def _enqueue_run(run_id: int) -> None:
    from kepu.literacy.tasks import estimate_wave

    estimate_wave.enqueue(run_id)


# An estimation whose worker died is put back in the queue once, then failed with a message.
track(TrackedWork("literacy.run", _estimation_runs, queued="queued", running="running", failed="failed",
                  enqueue=_enqueue_run))
