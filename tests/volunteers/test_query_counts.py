"""List pages, the figures page and the API answer in a fixed number of queries at a city's volumes
(5,000 volunteers, 20,000 hour records): no query per row."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kepu.volunteers.models import HoursSource, MembershipStatus, ServiceHours, TeamMembership, Volunteer
from tests.volunteers.factories import VolunteerFactory

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

VOLUNTEERS, HOURS_EACH = 5_000, 4


@pytest.fixture
def city_volume(demo: dict[str, Any]) -> None:
    teams = [demo["squad"], demo["rescue"], demo["zhoushi"], demo["edu_squad"]]
    people = Volunteer.objects.bulk_create(
        [VolunteerFactory.build(region=teams[i % 4].region) for i in range(VOLUNTEERS)], batch_size=1000)
    TeamMembership.objects.bulk_create(
        [TeamMembership(volunteer=p, team=teams[i % 4], status=MembershipStatus.APPROVED) for i, p in enumerate(people)],
        batch_size=2000)
    day = datetime.date.today() - datetime.timedelta(days=10)
    ServiceHours.objects.bulk_create(
        [ServiceHours(volunteer=p, team=teams[i % 4], source=HoursSource.MANUAL, title="批量", served_on=day
                      - datetime.timedelta(days=k * 20), hours=2, status="approved" if k else "pending")
         for i, p in enumerate(people) for k in range(HOURS_EACH)], batch_size=5000)


PAGES = [
    ("office", "/office/volunteers/teams/", 11),
    ("office", "/office/volunteers/people/", 12),
    ("office", "/office/volunteers/people/?page=100&region=&q=测试", 12),
    ("zhangpu", "/office/volunteers/people/", 12),
    ("jiaoyu", "/office/volunteers/people/", 12),
    ("duizhang", "/office/volunteers/people/", 13),
    ("office", "/office/volunteers/hours/", 13),
    ("office", "/office/volunteers/hours/?status=pending&page=30", 13),
    ("duizhang", "/office/volunteers/hours/?status=pending", 14),
    ("volunteer", "/office/volunteers/hours/", 13),
    ("office", "/office/volunteers/activities/", 12),
    ("office", "/office/volunteers/stars/", 10),
    ("office", "/office/volunteers/figures/", 14),
    ("office", "/office/volunteers/teams/{squad}/", 15),
    ("volunteer", "/volunteer/", 18),
]


def test_pages_use_a_fixed_number_of_queries(city_volume: None, as_user: Any, demo: dict[str, Any]) -> None:
    too_many = []
    for username, url, limit in PAGES:
        url = url.format(squad=demo["squad"].pk)
        client = as_user(username)
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        if len(queries) > limit:
            too_many.append(f"{username} {url}: {len(queries)} > {limit}\n" +
                            "\n".join(q["sql"][:200] for q in queries))
    from kepu.org.services import token_create

    _, key = token_create(actor=_office(), name="t")
    client = Client(headers={"Authorization": f"Bearer {key}"})
    for url in ("/api/v1/volunteers/volunteers?page=20", "/api/v1/volunteers/hours?page=50",
                "/api/v1/volunteers/teams", "/api/v1/volunteers/activities"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        if len(queries) > 8:
            too_many.append(f"API {url}: {len(queries)} > 8\n" + "\n".join(q["sql"][:200] for q in queries))
    assert not too_many, "\n\n".join(too_many)


def _office() -> Any:
    from kepu.org.models import User

    return User.objects.get(username="office")
