"""The volunteers' choice sources (kepu.core.choices): teams and volunteers, in the data scope of the action
the form is for (`?action=volunteers.hours.add` …). A volunteer is shown by name and area, never by phone."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from kepu.core.access import scoped
from kepu.core.choices import ChoiceSource, context_action
from kepu.volunteers.models import TeamLevel, Volunteer, VolunteerTeam
from kepu.volunteers.selectors import team_choices


def teams_for(user: Any, context: Mapping[str, str]) -> QuerySet[VolunteerTeam]:
    action = context_action(user, context, default="volunteers.team.view")
    return team_choices(user=user, action=action).only("id", "name", "level", "path")


def volunteers_for(user: Any, context: Mapping[str, str]) -> QuerySet[Volunteer]:
    action = context_action(user, context, default="volunteers.volunteer.view")
    return scoped(Volunteer.objects.filter(is_active=True), user, action).select_related("region").only(
        "id", "name", "region__name").order_by("name", "pk")


def _team_detail(team: VolunteerTeam) -> str:
    return str(TeamLevel(team.level).label) if team.level in TeamLevel.values else ""


TEAMS = ChoiceSource(key="teams", noun="队伍", choices=teams_for,
                     search=lambda rows, q: rows.filter(name__contains=q),
                     label=lambda team: team.name, detail=_team_detail, prompt="输入队伍名称搜索")
VOLUNTEERS = ChoiceSource(key="volunteers", noun="志愿者", choices=volunteers_for,
                          search=lambda rows, q: rows.filter(name__contains=q),
                          label=lambda volunteer: volunteer.name, detail=lambda volunteer: volunteer.region.name,
                          prompt="输入志愿者姓名搜索")
