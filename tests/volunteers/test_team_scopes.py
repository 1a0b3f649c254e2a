"""Team leadership and membership are data scopes of kepu.core.access like every other: declared in
permissions.py, shown on the permission matrix, read once per request and never shared between users."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kepu.core import access
from kepu.core.access import can_reach, granted_scopes, scoped
from kepu.core.permissions import get_action
from kepu.core.roles import DataScope, Role
from kepu.org.models import User
from kepu.volunteers.models import TeamMembership, VolunteerTeam
from tests.org.sheets import read_xlsx

pytestmark = pytest.mark.django_db

LED = "本人 + 本人带领的队伍及下级队伍"


def test_the_permissions_declare_the_team_scopes() -> None:
    assert get_action("volunteers.hours.review").scopes(Role.VOLUNTEER) == (DataScope.SELF, DataScope.TEAM_LED)
    assert get_action("service_orders.order.view").scopes(Role.VOLUNTEER) == (
        DataScope.SELF, DataScope.TEAM, DataScope.TEAM_LED)
    assert get_action("service_orders.order.accept").scopes(Role.VOLUNTEER) == (DataScope.TEAM_LED,)
    assert get_action("volunteers.star.review").scopes(Role.VOLUNTEER) == ()  # not a leader action


def test_the_permission_matrix_shows_the_team_scopes_in_chinese(as_user: Any) -> None:
    column = 3 + Role.values.index(Role.VOLUNTEER)
    rows = {r[2]: r for r in read_xlsx(as_user("office").get("/office/org/permissions/export/").content)}
    assert rows["volunteers.hours.review"][column] == LED
    assert rows["service_orders.order.view"][column] == "本人 + 本队 + 本人带领的队伍及下级队伍"
    assert rows["service_orders.order.accept"][column] == "本人带领的队伍及下级队伍"
    page = as_user("office").get("/office/org/permissions/").content.decode()
    assert LED in page and "本队" in page


def test_the_user_page_and_the_api_name_a_leaders_scopes(as_user: Any, cast: dict[str, Any]) -> None:
    page = as_user("office").get(f"/office/org/users/{cast['duizhang'].pk}/").content.decode()
    assert "本人带领的队伍及下级队伍" in page
    assert granted_scopes(cast["duizhang"], "volunteers.hours.review") == {"volunteer": "self+team_led"}


def test_a_leader_reaches_the_led_team_and_the_teams_under_it(demo: dict[str, Any], cast: dict[str, Any]) -> None:
    leader = cast["duizhang"]
    assert can_reach(leader, "volunteers.team.view", demo["brigade"])
    assert can_reach(leader, "volunteers.team.view", demo["squad"])  # a 分队 under the led 大队
    assert not can_reach(leader, "volunteers.team.view", demo["root"])  # the 支队 above it
    assert not can_reach(leader, "volunteers.team.view", demo["zhoushi"])  # another town's team
    # A plain member: 本人 only for team actions of this domain.
    assert not scoped(VolunteerTeam.objects.all(), cast["volunteer"], "volunteers.team.view").exists()


def test_leadership_is_read_once_per_request_and_never_shared_between_users(demo: dict[str, Any],
                                                                             cast: dict[str, Any]) -> None:
    leader = User.objects.get(pk=cast["duizhang"].pk)
    member = User.objects.get(pk=cast["volunteer"].pk)
    with CaptureQueriesContext(connection) as queries:
        first = set(scoped(VolunteerTeam.objects.all(), leader, "volunteers.team.view"))
        second = set(scoped(VolunteerTeam.objects.all(), leader, "volunteers.hours.review"))
    membership_reads = [q for q in queries.captured_queries if "volunteers_teammembership" in q["sql"]
                        and "is_leader" in q["sql"]]
    assert len(membership_reads) == 1 and first == second and demo["brigade"] in first
    # The member's own object holds its own (empty) leadership: nothing of the leader's leaks over.
    assert not scoped(VolunteerTeam.objects.all(), member, "volunteers.team.view").exists()
    # Within one request, a change is seen after forget(); the next request reads afresh anyway.
    TeamMembership.objects.filter(volunteer__user=leader).update(is_leader=False)
    assert scoped(VolunteerTeam.objects.all(), leader, "volunteers.team.view").exists()  # memoised
    access.forget(leader)
    assert not scoped(VolunteerTeam.objects.all(), leader, "volunteers.team.view").exists()
