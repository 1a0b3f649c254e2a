"""What the organisation domain adds to the shells: navigation, home card, demo data."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kepu.core.registry import DemoSeed, HomeCard, NavItem, add_demo_seed, add_home_card, add_nav

SECTION = "组织与权限"

add_nav(
    NavItem(SECTION, "单位管理", "org:unit_list", "org.unit.view", icon="buildings", order=10, section_order=900),
    NavItem(SECTION, "行政区划", "org:region_list", "org.region.view", icon="diagram-3", order=20, section_order=900),
    NavItem(SECTION, "用户与角色", "org:user_list", "org.user.view", icon="people", order=30, section_order=900),
    NavItem(SECTION, "权限矩阵", "org:permission_list", "core.permission.view", icon="grid-3x3", order=40,
            section_order=900),
    NavItem(SECTION, "操作日志", "org:audit_list", "core.audit.view", icon="journal-text", order=50,
            section_order=900),
)


def _org_card(request: Any) -> str:
    from kepu.org.selectors import UnitFilters, unit_list

    units = unit_list(user=request.user, filters=UnitFilters())
    return render_to_string("org/home_card.html", {
        "unit_count": units.count(), "member_count": units.filter(is_member=True).count(),
    }, request=request)


add_home_card(HomeCard("org.units", "org.unit.view", _org_card, order=900))


def _load_demo() -> None:
    from kepu.org.demo import load

    load()


add_demo_seed(DemoSeed("org", _load_demo, order=10))


def _add_choice_sources() -> None:
    from kepu.core.choices import add_choice_source
    from kepu.org.choices import UNITS

    add_choice_source(UNITS)


_add_choice_sources()
