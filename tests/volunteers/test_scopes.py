"""Data scopes: a page, its export and the API show the same rows — an area its area, a unit's liaison its
unit's teams, a leader the own team and those under it, a volunteer only the own rows, the office all."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from kepu.volunteers.models import ServiceHours, Volunteer, VolunteerTeam
from tests.org.sheets import read_xlsx
from tests.volunteers.conftest import api_headers

pytestmark = pytest.mark.django_db


def _page_ids(client: Client, url: str) -> set[int]:
    response = client.get(url)
    assert response.status_code == 200, url
    return {row.pk for row in response.context["page_obj"].paginator.object_list}


def _api_ids(user: Any, path: str) -> set[int]:
    headers = api_headers(user)
    ids, page = set(), 1
    while True:
        body = Client().get(f"{path}?page={page}", headers=headers).json()
        ids |= {item["id"] for item in body["items"]}
        if len(ids) >= body["count"]:
            return ids
        page += 1


TEAM_CASES = {
    "office": lambda: set(VolunteerTeam.objects.values_list("pk", flat=True)),
    "zhangpu": lambda: set(VolunteerTeam.objects.filter(region__code="320583106000").values_list("pk", flat=True)),
    "jiaoyu": lambda: set(VolunteerTeam.objects.filter(unit__name__in=["昆山市教育局", "昆山市第一中学"])
                          .values_list("pk", flat=True)),
    "nongye": lambda: set(VolunteerTeam.objects.filter(name="千灯镇农技服务分队").values_list("pk", flat=True)),
    "duizhang": lambda: set(VolunteerTeam.objects.filter(name__startswith="张浦镇").values_list("pk", flat=True)),
    "volunteer": lambda: set(),
}


@pytest.mark.parametrize("username", list(TEAM_CASES))
def test_teams_in_the_list_the_export_and_the_api_are_the_same(username: str, as_user: Any,
                                                              cast: dict[str, Any]) -> None:
    expected = TEAM_CASES[username]()
    client = as_user(username)
    assert _page_ids(client, "/office/volunteers/teams/?active=all") == expected
    assert _api_ids(cast[username], "/api/v1/volunteers/teams") == expected
    export = client.get("/office/volunteers/teams/export/?active=all")
    if export.status_code == 200:
        assert {row[0] for row in read_xlsx(export.content)[1:]} == expected


def test_an_area_sees_the_volunteers_of_its_area_and_of_its_teams(as_user: Any, cast: dict[str, Any]) -> None:
    zhangpu = cast["zhangpu"].region.path
    expected = set(Volunteer.objects.filter(region__path__startswith=zhangpu).values_list("pk", flat=True))
    client = as_user("zhangpu")
    assert _page_ids(client, "/office/volunteers/people/?active=all") == expected
    exported = {row[0] for row in read_xlsx(client.get("/office/volunteers/people/export/?active=all").content)[1:]}
    assert exported == expected == _api_ids(cast["zhangpu"], "/api/v1/volunteers/volunteers")


def test_a_liaison_sees_the_members_of_the_own_units_teams(as_user: Any, cast: dict[str, Any]) -> None:
    seen = _page_ids(as_user("nongye"), "/office/volunteers/people/")
    expected = set(Volunteer.objects.filter(memberships__team__name="千灯镇农技服务分队").values_list("pk", flat=True))
    assert seen == expected and expected


def test_a_volunteer_sees_only_the_own_hours_in_the_list_and_the_api(as_user: Any, cast: dict[str, Any],
                                                                     demo: dict[str, Any]) -> None:
    expected = set(ServiceHours.objects.filter(volunteer=demo["liu"]).values_list("pk", flat=True))
    assert expected
    assert _page_ids(as_user("volunteer"), "/office/volunteers/hours/") == expected
    assert _api_ids(cast["volunteer"], "/api/v1/volunteers/hours") == expected
    assert _api_ids(cast["volunteer"], "/api/v1/volunteers/volunteers") == {demo["liu"].pk}


def test_a_leader_sees_the_hours_of_the_own_teams(as_user: Any, demo: dict[str, Any]) -> None:
    expected = set(ServiceHours.objects.filter(team__path__startswith=demo["brigade"].path).values_list("pk",
                                                                                                        flat=True))
    assert _page_ids(as_user("duizhang"), "/office/volunteers/hours/") == expected


def test_filters_narrow_within_the_scope_never_beyond(as_user: Any, demo: dict[str, Any]) -> None:
    other = demo["zhoushi"]
    assert _page_ids(as_user("zhangpu"), f"/office/volunteers/hours/?team={other.pk}") == set()
    assert _page_ids(as_user("zhangpu"), f"/office/volunteers/people/?team={other.pk}") == set()


def test_detail_pages_outside_the_scope_answer_404(as_user: Any, demo: dict[str, Any]) -> None:
    assert as_user("jiaoyu").get(f"/office/volunteers/teams/{demo['squad'].pk}/").status_code == 404
    assert as_user("zhangpu").get(f"/office/volunteers/teams/{demo['edu'].pk}/").status_code == 404
    assert as_user("duizhang").get(f"/office/volunteers/teams/{demo['zhoushi'].pk}/").status_code == 404


def test_figures_follow_the_scope(cast: dict[str, Any]) -> None:
    from django.utils import timezone

    from kepu.volunteers import figures

    year = timezone.localdate().year
    office = figures.totals(user=cast["office"], year=year)
    area = figures.totals(user=cast["zhangpu"], year=year)
    assert 0 < area.hours < office.hours
    regions = {r.label for r in figures.figures_by(user=cast["zhangpu"], year=year, dimension="region")}
    assert regions == {"张浦镇"}
