"""Reads of teams, volunteers, activities, hours and stars — always through the user's reach (role data
scopes, team leadership included, see kepu.core.access). Pages, counts, charts, exports and the API all
call these; the few public reads (notices, certificate verification, joinable teams) say so."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kepu.core.access import access_object, scoped
from kepu.core.protected import digest
from kepu.org.public import Region
from kepu.volunteers.models import (
    Activity,
    ActivityStatus,
    Attendance,
    Certificate,
    HoursStatus,
    MembershipStatus,
    ServiceHours,
    StarApplication,
    StarStatus,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)
from kepu.volunteers.rules import normalize_certificate_code

COUNTED = Q(status=HoursStatus.APPROVED, withdrawn_at=None)
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=10, decimal_places=1))


def approved_hours_total(volunteer: Volunteer, *, year: int | None = None) -> Decimal:
    records = ServiceHours.objects.filter(COUNTED, volunteer=volunteer)
    if year is not None:
        records = records.filter(served_on__year=year)
    return records.aggregate(total=Sum("hours"))["total"] or Decimal(0)


# A prefix no stored path has (they all begin with "/"): a filter by a team or region that does not exist
# finds nothing. Not "\0": PostgreSQL refuses NUL in text, which turned such a filter into a server error.
NO_PATH = "?"


def _region_path(region_id: int | None) -> str | None:
    if not region_id:
        return None
    return Region.objects.filter(pk=region_id).values_list("path", flat=True).first() or NO_PATH


def _team_path(team_id: int | None) -> str | None:
    if not team_id:
        return None
    return VolunteerTeam.objects.filter(pk=team_id).values_list("path", flat=True).first() or NO_PATH


# ---------------------------------------------------------------- teams

@dataclass(frozen=True)
class TeamFilters:
    q: str = ""
    level: str = ""
    unit: int | None = None
    region: int | None = None
    active: bool | None = True


def team_list(*, user: Any, filters: TeamFilters | None = None, action: str = "volunteers.team.view",
              counts: bool = True) -> QuerySet[VolunteerTeam]:
    """The teams in reach, by the tree. `counts=False` leaves out the member counts (the export's sheet
    shows none, and at a city's volume they cost more than the rows themselves)."""
    f = filters or TeamFilters()
    teams = scoped(VolunteerTeam.objects.select_related("unit", "region", "parent"), user, action)
    if f.q:
        teams = teams.filter(name__contains=f.q)
    if f.level:
        teams = teams.filter(level=f.level)
    if f.unit:
        teams = teams.filter(unit_id=f.unit)
    if f.region:
        teams = teams.filter(region__path__startswith=_region_path(f.region))
    if f.active is not None:
        teams = teams.filter(is_active=f.active)
    if not counts:
        return teams.order_by("path")
    return teams.annotate(
        member_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.APPROVED)),
        pending_count=Count("memberships", filter=Q(memberships__status=MembershipStatus.PENDING)),
        tree_member_count=_tree_members(),
    ).order_by("path")


def _tree_members() -> Subquery:
    """Distinct approved members of a team and of every team under it (one scalar subquery per row)."""
    count = Func(F("volunteer_id"), function="COUNT", template="%(function)s(DISTINCT %(expressions)s)",
                 output_field=IntegerField())
    rows = TeamMembership.objects.filter(team__path__startswith=OuterRef("path"), status=MembershipStatus.APPROVED)
    return Subquery(rows.order_by().annotate(n=count).values("n")[:1], output_field=IntegerField())


def team_detail(*, user: Any, team_id: int, action: str = "volunteers.team.view") -> VolunteerTeam:
    return access_object(VolunteerTeam.objects.select_related("unit", "region", "parent"), user, action, pk=team_id)


def team_choices(*, user: Any, action: str = "volunteers.team.view") -> QuerySet[VolunteerTeam]:
    return scoped(VolunteerTeam.objects.filter(is_active=True), user, action).order_by("path")


def team_members(*, team: VolunteerTeam) -> QuerySet[TeamMembership]:
    """A team's memberships, requests first; the caller has fetched the team through team_detail."""
    return TeamMembership.objects.filter(team=team).select_related(
        "volunteer", "volunteer__region", "reviewed_by").order_by("status", "-is_leader", "volunteer__name")


def joinable_teams(*, region: int | None = None, q: str = "") -> QuerySet[VolunteerTeam]:
    """Active teams a volunteer may ask to join. Public: team names, units and areas are public."""
    teams = VolunteerTeam.objects.filter(is_active=True).select_related("unit", "region", "parent")
    if region:
        teams = teams.filter(region__path__startswith=_region_path(region))
    if q:
        teams = teams.filter(name__contains=q)
    return teams.annotate(tree_member_count=_tree_members()).order_by("path")


# ---------------------------------------------------------------- volunteers

@dataclass(frozen=True)
class VolunteerFilters:
    q: str = ""
    region: int | None = None
    team: int | None = None
    skill: str = ""
    active: bool | None = True


def _hours_subquery(year: int | None = None) -> Coalesce:
    records = ServiceHours.objects.filter(COUNTED, volunteer=OuterRef("pk"))
    if year:
        records = records.filter(served_on__year=year)
    total = records.order_by().values("volunteer").annotate(total=Sum("hours")).values("total")
    return Coalesce(Subquery(total), ZERO)


def volunteer_list(*, user: Any, filters: VolunteerFilters | None = None,
                   action: str = "volunteers.volunteer.view") -> QuerySet[Volunteer]:
    f = filters or VolunteerFilters()
    people = scoped(Volunteer.objects.select_related("region", "user"), user, action)
    if f.q:
        text = f.q.strip()
        # ID number and phone are encrypted: found by their exact digests, never by a fragment.
        people = people.filter(Q(name__contains=text) | Q(id_number_digest=digest("id_number", text))
                               | Q(phone_digest=digest("phone", text)))
    if f.region:
        people = people.filter(region__path__startswith=_region_path(f.region))
    if f.team:
        teams = VolunteerTeam.objects.filter(path__startswith=_team_path(f.team))
        people = people.filter(pk__in=TeamMembership.objects.filter(
            team__in=teams, status=MembershipStatus.APPROVED).values("volunteer_id"))
    if f.skill:
        people = people.filter(skills__contains=f.skill)
    if f.active is not None:
        people = people.filter(is_active=f.active)
    return people.annotate(hours_total=_hours_subquery()).order_by("name", "pk")


def volunteer_detail(*, user: Any, volunteer_id: int, action: str = "volunteers.volunteer.view") -> Volunteer:
    return access_object(Volunteer.objects.select_related("region", "user"), user, action, pk=volunteer_id)


def memberships_of(volunteer: Volunteer) -> QuerySet[TeamMembership]:
    return volunteer.memberships.select_related("team", "team__unit", "team__region").order_by("status", "team__path")


# ---------------------------------------------------------------- activities

@dataclass(frozen=True)
class ActivityFilters:
    q: str = ""
    team: int | None = None
    when: str = ""  # upcoming / ongoing / past / cancelled


def activity_list(*, user: Any, filters: ActivityFilters | None = None,
                  action: str = "volunteers.activity.view") -> QuerySet[Activity]:
    f = filters or ActivityFilters()
    rows = scoped(Activity.objects.select_related("team", "region"), user, action)
    if f.q:
        rows = rows.filter(Q(title__contains=f.q) | Q(place__contains=f.q))
    if f.team:
        rows = rows.filter(team__path__startswith=_team_path(f.team))
    now = timezone.now()
    planned = rows.filter(status=ActivityStatus.PLANNED)
    rows = {
        "upcoming": planned.filter(starts_at__gt=now),
        "ongoing": planned.filter(starts_at__lte=now, ends_at__gte=now),
        "past": planned.filter(ends_at__lt=now),
        "cancelled": rows.filter(status=ActivityStatus.CANCELLED),
    }.get(f.when, rows)
    return rows.annotate(attendance_count=Count("attendances")).order_by("-starts_at", "-pk")


def activity_detail(*, user: Any, activity_id: int, action: str = "volunteers.activity.view") -> Activity:
    return access_object(Activity.objects.select_related("team", "team__unit", "region", "created_by"), user, action,
                      pk=activity_id)


def attendances_of(activity: Activity) -> QuerySet[Attendance]:
    return activity.attendances.select_related("volunteer", "hours_record").order_by("signed_in_at")


# ---------------------------------------------------------------- hours

@dataclass(frozen=True)
class HoursFilters:
    status: str = ""  # pending / approved / declined / withdrawn
    source: str = ""
    team: int | None = None
    unit: int | None = None
    region: int | None = None
    volunteer: int | None = None
    year: int | None = None
    month: int | None = None
    q: str = ""


def hours_list(*, user: Any, filters: HoursFilters | None = None, action: str = "volunteers.hours.view"
               ) -> QuerySet[ServiceHours]:
    f = filters or HoursFilters()
    rows = scoped(ServiceHours.objects.select_related("volunteer", "team", "team__unit", "activity", "reviewed_by"),
                 user, action)
    if f.status == "withdrawn":
        rows = rows.exclude(withdrawn_at=None)
    elif f.status:
        rows = rows.filter(status=f.status, withdrawn_at=None)
    if f.source:
        rows = rows.filter(source=f.source)
    if f.team:
        rows = rows.filter(team__path__startswith=_team_path(f.team))
    if f.unit:
        rows = rows.filter(team__unit_id=f.unit)
    if f.region:
        rows = rows.filter(team__region__path__startswith=_region_path(f.region))
    if f.volunteer:
        rows = rows.filter(volunteer_id=f.volunteer)
    if f.year:
        rows = rows.filter(served_on__year=f.year)
    if f.month:
        rows = rows.filter(served_on__month=f.month)
    if f.q:
        rows = rows.filter(Q(volunteer__name__contains=f.q) | Q(title__contains=f.q))
    return rows.order_by("-served_on", "-pk")


def hours_detail(*, user: Any, hours_id: int, action: str = "volunteers.hours.view") -> ServiceHours:
    return access_object(ServiceHours.objects.select_related("volunteer", "team", "activity"), user, action,
                      pk=hours_id)


def pending_hours_count(*, user: Any) -> int:
    return hours_list(user=user, filters=HoursFilters(status=HoursStatus.PENDING),
                      action="volunteers.hours.review").count()


# ---------------------------------------------------------------- stars and certificates

def star_list(*, user: Any, status: str = "", level: int | None = None, q: str = "",
              action: str = "volunteers.star.view") -> QuerySet[StarApplication]:
    rows = scoped(StarApplication.objects.select_related("volunteer", "team", "team__unit", "certificate"),
                 user, action)
    if status:
        rows = rows.filter(status=status)
    if level:
        rows = rows.filter(level=level)
    if q:
        rows = rows.filter(volunteer__name__contains=q)
    return rows.annotate(open_objections=Count("objections", filter=Q(objections__status="open")))\
        .order_by("-created_at", "-pk")


def star_detail(*, user: Any, application_id: int, action: str = "volunteers.star.view") -> StarApplication:
    return access_object(StarApplication.objects.select_related("volunteer", "team", "team__unit", "reviewed_by"),
                      user, action, pk=application_id)


def certificate_detail(*, user: Any, certificate_id: int, action: str = "volunteers.certificate.view"
                       ) -> Certificate:
    return access_object(Certificate.objects.select_related("volunteer", "issuing_unit", "application__team"),
                      user, action, pk=certificate_id)


def notices(*, today: datetime.date | None = None) -> QuerySet[StarApplication]:
    """Applications in public notice today: published at approval, shown until the notice's last day
    (see services.stars.in_notice_today). Public: the notice is meant to be read by anyone."""
    today = today or timezone.localdate()
    return StarApplication.objects.filter(status=StarStatus.IN_NOTICE, notice_ends_on__gte=today)\
        .select_related("volunteer", "volunteer__region", "team", "team__unit").order_by("notice_ends_on", "pk")


def certificate_by_code(code: str) -> Certificate | None:
    """The certificate with this verification code (public check on the portal), or None."""
    normalized = normalize_certificate_code(code)
    if not normalized:
        return None
    return Certificate.objects.select_related("volunteer", "issuing_unit").filter(code=normalized).first()


# ---------------------------------------------------------------- the volunteer's own view

@dataclass
class MyService:
    volunteer: Volunteer
    memberships: list[TeamMembership]
    hours: list[ServiceHours]
    approved_total: Decimal
    pending_total: Decimal
    year_total: Decimal
    activities: list[Activity]
    open_attendance: list[Attendance]
    applications: list[StarApplication]
    certificates: list[Certificate]


def my_service(volunteer: Volunteer, *, hours_limit: int = 20) -> MyService:
    """Everything the 我的志愿服务 page shows about one volunteer (the volunteer's own rows only)."""
    year = timezone.localdate().year
    records = ServiceHours.objects.filter(volunteer=volunteer)
    totals = records.aggregate(
        approved=Sum("hours", filter=COUNTED),
        pending=Sum("hours", filter=Q(status=HoursStatus.PENDING, withdrawn_at=None)),
        year=Sum("hours", filter=COUNTED & Q(served_on__year=year)),
    )
    memberships = list(memberships_of(volunteer))
    team_paths = [m.team.path for m in memberships if m.status == MembershipStatus.APPROVED]
    in_teams = Q()
    for path in team_paths:
        # Activities of the own teams and of the teams above them that include their sub-teams.
        in_teams |= Q(team__path=path) | Q(team__path__in=_ancestor_paths(path))
    now = timezone.now()
    activities = list(Activity.objects.filter(in_teams, status=ActivityStatus.PLANNED, ends_at__gte=now
                                              - datetime.timedelta(hours=2))
                      .select_related("team").order_by("starts_at")[:10]) if team_paths else []
    return MyService(
        volunteer=volunteer, memberships=memberships,
        hours=list(records.select_related("team", "activity").order_by("-served_on", "-pk")[:hours_limit]),
        approved_total=totals["approved"] or Decimal(0), pending_total=totals["pending"] or Decimal(0),
        year_total=totals["year"] or Decimal(0), activities=activities,
        open_attendance=list(Attendance.objects.filter(volunteer=volunteer, signed_out_at=None,
                                                       activity__ends_at__gte=now - datetime.timedelta(hours=2))
                             .select_related("activity")),
        applications=list(volunteer.star_applications.select_related("team").order_by("-created_at")[:5]),
        certificates=list(volunteer.certificates.filter(withdrawn_at=None).order_by("-level")),
    )


def _ancestor_paths(path: str) -> list[str]:
    ids = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(ids[:i]) + "/" for i in range(1, len(ids))]
