"""What the plan ledger adds to the shells: navigation, home cards, a portal tile, the demo plan and the
daily supervision job."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

from kepu.core.registry import (
    DemoSeed,
    HomeCard,
    NavItem,
    NavNote,
    PortalTile,
    ScheduledJob,
    add_demo_seed,
    add_home_card,
    add_nav,
    add_nav_note,
    add_portal_tile,
    add_scheduled_job,
)
from kepu.core.roles import Role

SECTION = "纲要实施"

add_nav(
    NavItem(SECTION, "驾驶舱", "plans:dashboard", "plans.task.view", icon="speedometer2", order=10, section_order=100),
    NavItem(SECTION, "任务台账", "plans:task_list", "plans.task.view", icon="list-check", order=20, section_order=100),
    NavItem(SECTION, "进展填报", "plans:report_list", "plans.report.view", icon="pencil-square", order=30,
            section_order=100),
    NavItem(SECTION, "督办单", "plans:order_list", "plans.order.view", icon="megaphone", order=40, section_order=100),
    NavItem(SECTION, "目标指标", "plans:indicator_list", "plans.indicator.view", icon="bullseye", order=50,
            section_order=100),
    NavItem(SECTION, "目标考核", "plans:rubric_list", "plans.assessment.view", icon="award", order=60,
            section_order=100),
    NavItem(SECTION, "方案管理", "plans:plan_list", "plans.plan.view", icon="journal-richtext", order=70,
            section_order=100),
    NavItem(SECTION, "文件导入", "plans:import_start", "plans.plan.import", icon="file-earmark-arrow-up", order=80,
            section_order=100),
)

# The system administrator runs accounts, not the ledger (see permissions.py): the menu says so.
add_nav_note(NavNote(SECTION, "纲要实施由纲要办负责。系统管理员管理账号与权限，按职责分离不查看任务台账；"
                              "如需查看，请使用纲要办账号。", roles=(Role.SYSTEM_ADMIN,), section_order=100))


def _office_card(request: Any) -> str | None:
    from kepu.plans.views.home import office_card_context

    context = office_card_context(request.user)
    return render_to_string("plans/home_office.html", context, request=request) if context else None


def _my_tasks_card(request: Any) -> str | None:
    from kepu.plans.views.home import my_tasks_context

    context = my_tasks_context(request.user)
    return render_to_string("plans/home_mine.html", context, request=request) if context else None


add_home_card(HomeCard("plans.office", "plans.report.review", _office_card, order=10))
add_home_card(HomeCard("plans.mine", "plans.task.view", _my_tasks_card, order=11))

add_portal_tile(PortalTile("纲要实施", "行动方案与考核结果公开", "plans_portal:home", icon="clipboard-data", order=80))


def _load_demo() -> None:
    from kepu.plans.demo import load

    load()


# After the domains whose live figures feed plan indicators (literacy ratio, volunteer hours …).
add_demo_seed(DemoSeed("plans", _load_demo, order=60))


def _daily_job() -> ScheduledJob:
    from kepu.plans.jobs import daily_supervision

    return ScheduledJob("plans.daily_supervision", daily_supervision, hour=6)


add_scheduled_job(_daily_job())


def _add_choice_sources() -> None:
    from kepu.core.choices import add_choice_source
    from kepu.plans.choices import ORDER_UNITS

    add_choice_source(ORDER_UNITS)


_add_choice_sources()
