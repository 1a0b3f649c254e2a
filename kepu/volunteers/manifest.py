"""What this domain adds to the shells: navigation, a home card, portal tiles, demo data and the live
indicators the plan ledger can use (志愿服务时长, 活跃志愿者, 注册志愿者)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from kepu.core.registry import (
    DemoLogin,
    DemoSeed,
    HomeCard,
    IndicatorProvider,
    Landing,
    MembershipScope,
    NavItem,
    PortalTile,
    ScheduledJob,
    add_demo_login,
    add_demo_seed,
    add_home_card,
    add_indicator_provider,
    add_landing,
    add_membership_scope,
    add_nav,
    add_portal_tile,
    add_scheduled_job,
)
from kepu.core.roles import DataScope, Role

# ---------------------------------------------------------------- the team scopes of kepu.core.access

def _led_team_paths(user: Any) -> tuple[str, ...]:
    """The paths of the active teams the user leads (approved membership marked leader)."""
    from kepu.volunteers.models import MembershipStatus, TeamMembership

    return tuple(TeamMembership.objects.filter(
        volunteer__user_id=user.pk, status=MembershipStatus.APPROVED, is_leader=True, team__is_active=True,
    ).values_list("team__path", flat=True))


def _under_led_teams(paths: tuple[str, ...], to_team: str) -> Q:
    """The led teams and every team under them (支队 → 大队 → 分队), by the team path."""
    lookup = f"{to_team}__path__startswith" if to_team else "path__startswith"
    q = Q()
    for path in paths:
        q |= Q(**{lookup: path})
    return q


def _member_team_ids(user: Any) -> frozenset[int]:
    """The active teams in which the user is an approved member (leaders included)."""
    from kepu.volunteers.models import MembershipStatus, VolunteerTeam

    return frozenset(VolunteerTeam.objects.filter(
        is_active=True, memberships__volunteer__user_id=user.pk, memberships__status=MembershipStatus.APPROVED,
    ).values_list("pk", flat=True))


def _in_teams(ids: frozenset[int], to_team: str) -> Q:
    return Q(**{f"{to_team}__in" if to_team else "pk__in": sorted(ids)})


add_membership_scope(MembershipScope(DataScope.TEAM_LED, load=_led_team_paths, filter=_under_led_teams))
add_membership_scope(MembershipScope(DataScope.TEAM, load=_member_team_ids, filter=_in_teams))


SECTION = "科技志愿服务"
ORDER = 410

add_nav(
    NavItem(SECTION, "志愿服务队", "volunteers:team_list", "volunteers.team.view", icon="people-fill", order=10,
            section_order=ORDER),
    NavItem(SECTION, "志愿者", "volunteers:volunteer_list", "volunteers.volunteer.view", icon="person-vcard",
            order=20, section_order=ORDER),
    NavItem(SECTION, "志愿服务活动", "volunteers:activity_list", "volunteers.activity.view", icon="calendar-check",
            order=30, section_order=ORDER),
    NavItem(SECTION, "服务时长", "volunteers:hours_list", "volunteers.hours.view", icon="clock-history", order=40,
            section_order=ORDER),
    NavItem(SECTION, "星级认定", "volunteers:star_list", "volunteers.star.view", icon="award", order=50,
            section_order=ORDER),
    NavItem(SECTION, "志愿服务统计", "volunteers:figures", "volunteers.figures.view", icon="bar-chart-line",
            order=60, section_order=ORDER),
)

# Volunteers and team leaders land on their own phone-first page, not on the back office.
add_landing(Landing(Role.VOLUNTEER, "volunteers_portal:home", "我的志愿服务", order=50))

add_portal_tile(PortalTile("我的志愿服务", "志愿者登记、入队、签到签退、服务时长与星级", "volunteers_portal:home",
                           icon="person-heart", order=40))
add_portal_tile(PortalTile("证书查验", "输入查验码，核验星级志愿者证书真伪", "volunteers_portal:verify",
                           icon="patch-check", order=41))
add_portal_tile(PortalTile("星级公示", "正在公示的星级志愿者，公示期内可提出异议", "volunteers_portal:notices",
                           icon="megaphone", order=42))


def _card(request: Any) -> str | None:
    from kepu.volunteers import figures, selectors

    user = request.user
    year = timezone.localdate().year
    totals = figures.totals(user=user, year=year)
    pending = selectors.pending_hours_count(user=user)
    return render_to_string("volunteers/home_card.html", {"totals": totals, "pending": pending, "year": year},
                            request=request)


add_home_card(HomeCard("volunteers.figures", "volunteers.figures.view", _card, order=410))


def _leader_card(request: Any) -> str | None:
    """Team leaders (volunteers) see what waits for them; others have the figures card."""
    from kepu.core.access import can, scoped
    from kepu.volunteers import selectors
    from kepu.volunteers.models import VolunteerTeam

    if can(request.user, "volunteers.figures.view") or not scoped(
            VolunteerTeam.objects.all(), request.user, "volunteers.hours.review").exists():
        return None
    pending_members = selectors.team_list(user=request.user).filter(pending_count__gt=0).count()
    return render_to_string("volunteers/leader_card.html", {
        "pending_hours": selectors.pending_hours_count(user=request.user), "pending_members": pending_members,
    }, request=request)


add_home_card(HomeCard("volunteers.leader", "volunteers.hours.review", _leader_card, order=411))


def _load_demo() -> None:
    from kepu.volunteers.demo import load

    load()


add_demo_seed(DemoSeed("volunteers", _load_demo, order=30))
add_demo_login(DemoLogin("duizhang", "志愿者（队长）", "张浦镇科技志愿服务大队队长", order=30))


def _provider(code: str, label: str, unit: str, name: str) -> IndicatorProvider:
    def value(year: int | None, region: Any = None) -> Any:
        from kepu.volunteers import figures

        return getattr(figures, name)(year, region)

    return IndicatorProvider(code, label, unit, value, domain="volunteers")


add_indicator_provider(_provider("volunteers.hours", "科技志愿服务时长（已认定）", "小时", "indicator_hours"))
add_indicator_provider(_provider("volunteers.active", "活跃科技志愿者（当年有认定时长）", "人", "indicator_active"))
add_indicator_provider(_provider("volunteers.registered", "注册科技志愿者（在册）", "人", "indicator_registered"))


def _notice_job() -> ScheduledJob:
    from kepu.volunteers.tasks import remind_notices_ended

    return ScheduledJob("volunteers.notices_ended", remind_notices_ended, hour=8)


add_scheduled_job(_notice_job())


def _add_choice_sources() -> None:
    from kepu.core.choices import add_choice_source
    from kepu.volunteers.choices import TEAMS, VOLUNTEERS

    add_choice_source(TEAMS)
    add_choice_source(VOLUNTEERS)


_add_choice_sources()
