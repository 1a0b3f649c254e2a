"""Factories for the volunteers tests: fictitious people with valid-checksum ID numbers."""

from __future__ import annotations

import datetime
from typing import Any

import factory

from kepu.org.models import Region
from kepu.volunteers.demo import synthetic_id_number
from kepu.volunteers.models import MembershipStatus, TeamMembership, Volunteer


class VolunteerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Volunteer

    name = factory.Sequence(lambda n: f"测试{n:04d}")
    # Born on 1 January 1980 + n days: unique per sequence, valid check digit.
    id_number = factory.Sequence(lambda n: synthetic_id_number(datetime.date(1980, 1, 1) + datetime.timedelta(days=n),
                                                               900 + n % 99))
    phone = factory.Sequence(lambda n: f"137{n:08d}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="320583106000"))
    skills = "科普宣讲"


def member(team: Any, volunteer: Volunteer | None = None, *, leader: bool = False,
           status: str = MembershipStatus.APPROVED, **fields: Any) -> Volunteer:
    """A volunteer (new unless given) with a membership of `team`."""
    volunteer = volunteer or VolunteerFactory(region=team.region, **fields)
    TeamMembership.objects.create(volunteer=volunteer, team=team, status=status, is_leader=leader)
    return volunteer
