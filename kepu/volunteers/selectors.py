"""Reads of teams, volunteers, activities, hours and stars — always through the user's reach
(role scopes plus team leadership, kepu.volunteers.scopes)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q, Sum

from kepu.volunteers.models import HoursStatus, ServiceHours, Volunteer

COUNTED = Q(status=HoursStatus.APPROVED, withdrawn_at=None)


def approved_hours_total(volunteer: Volunteer, *, year: int | None = None) -> Decimal:
    records = ServiceHours.objects.filter(COUNTED, volunteer=volunteer)
    if year is not None:
        records = records.filter(served_on__year=year)
    return records.aggregate(total=Sum("hours"))["total"] or Decimal(0)
