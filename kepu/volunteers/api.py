"""Volunteers endpoints — through the same selectors and services as the pages, so the same data scopes
apply. ID numbers and phones come masked unless the caller's role may see them in full."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from kepu.api.answers import answers
from kepu.api.paging import Pages, year_query
from kepu.core.access import access_object, can, require
from kepu.core.text import mask_id_number, mask_phone
from kepu.volunteers import figures, rules, selectors, services
from kepu.volunteers.models import ServiceHours, SignChannel, Volunteer, VolunteerTeam

router = Router(tags=["科技志愿服务"])


class TeamOut(Schema):
    id: int
    name: str
    level: str
    parent_id: int | None
    unit: str = Field(alias="unit.name")
    region_code: str = Field(alias="region.code")
    is_active: bool
    member_count: int = 0


@router.get("/teams", response=answers(list[TeamOut]), summary="志愿服务队列表")
@paginate(Pages, page_size=100)
def team_list(request: HttpRequest, q: str = "", level: str = "") -> QuerySet[VolunteerTeam]:
    require(request.user, "volunteers.team.view")
    return selectors.team_list(user=request.user, filters=selectors.TeamFilters(q=q, level=level, active=None))


@router.get("/teams/{team_id}", response=answers(TeamOut), summary="志愿服务队详情")
def team_detail(request: HttpRequest, team_id: int) -> VolunteerTeam:
    return selectors.team_detail(user=request.user, team_id=team_id)


class VolunteerOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    region_code: str = Field(alias="region.code")
    skills: str
    is_active: bool
    hours_total: Decimal = Decimal(0)

    @staticmethod
    def resolve_id_number(v: Volunteer, context: dict[str, Any]) -> str:
        full = can(context["request"].user, "volunteers.volunteer.view_sensitive")
        return v.id_number if full else mask_id_number(v.id_number)

    @staticmethod
    def resolve_phone(v: Volunteer, context: dict[str, Any]) -> str:
        full = can(context["request"].user, "volunteers.volunteer.view_sensitive")
        return v.phone if full else mask_phone(v.phone)


@router.get("/volunteers", response=answers(list[VolunteerOut]), summary="志愿者列表（按权限脱敏）")
@paginate(Pages, page_size=100)
def volunteer_list(request: HttpRequest, q: str = "", team: int | None = None) -> QuerySet[Volunteer]:
    require(request.user, "volunteers.volunteer.view")
    return selectors.volunteer_list(user=request.user, filters=selectors.VolunteerFilters(q=q, team=team))


@router.get("/volunteers/{volunteer_id}", response=answers(VolunteerOut), summary="志愿者详情（按权限脱敏）")
def volunteer_detail(request: HttpRequest, volunteer_id: int) -> Volunteer:
    return selectors.volunteer_list(user=request.user, filters=selectors.VolunteerFilters(active=None)).get(
        pk=selectors.volunteer_detail(user=request.user, volunteer_id=volunteer_id).pk)


class ActivityOut(Schema):
    id: int
    title: str
    team_id: int
    team: str = Field(alias="team.name")
    place: str
    region_code: str = Field(alias="region.code")
    starts_at: datetime.datetime
    ends_at: datetime.datetime
    status: str
    attendance_count: int = 0


@router.get("/activities", response=answers(list[ActivityOut]), summary="志愿服务活动列表")
@paginate(Pages, page_size=100)
def activity_list(request: HttpRequest, team: int | None = None, when: str = "") -> QuerySet[Any]:
    require(request.user, "volunteers.activity.view")
    return selectors.activity_list(user=request.user, filters=selectors.ActivityFilters(team=team, when=when))


class HoursOut(Schema):
    id: int
    volunteer_id: int
    volunteer: str = Field(alias="volunteer.name")
    team_id: int
    source: str
    title: str
    served_on: datetime.date
    hours: Decimal
    status: str
    withdrawn: bool

    @staticmethod
    def resolve_withdrawn(record: ServiceHours) -> bool:
        return record.is_withdrawn


@router.get("/hours", response=answers(list[HoursOut]), summary="服务时长记录")
@paginate(Pages, page_size=100)
def hours_list(request: HttpRequest, status: str = "", source: str = "", team: int | None = None,
               year: int | None = year_query()) -> QuerySet[ServiceHours]:
    require(request.user, "volunteers.hours.view")
    return selectors.hours_list(user=request.user, filters=selectors.HoursFilters(
        status=status, source=source, team=team, year=year))


class ReviewIn(Schema):
    note: str = ""


def _record(request: HttpRequest, hours_id: int) -> ServiceHours:
    return access_object(ServiceHours.objects.select_related("volunteer", "volunteer__user", "team"), request.user,
                      "volunteers.hours.review", pk=hours_id)


@router.post("/hours/{hours_id}/approve", response=answers(HoursOut, write=True), summary="认定服务时长")
def hours_approve(request: HttpRequest, hours_id: int, payload: ReviewIn) -> ServiceHours:
    return services.hours_approve(actor=request.user, record=_record(request, hours_id), note=payload.note)


@router.post("/hours/{hours_id}/decline", response=answers(HoursOut, write=True), summary="不予认定服务时长（须填写理由）")
def hours_decline(request: HttpRequest, hours_id: int, payload: ReviewIn) -> ServiceHours:
    return services.hours_decline(actor=request.user, record=_record(request, hours_id), note=payload.note)


class SignIn(Schema):
    code: str
    # A sign-out within KEPU_SIGN_OUT_MIN_MINUTES of the sign-in is refused unless this confirms it.
    confirm_early: bool = False


class SignOut(Schema):
    step: str
    activity_id: int
    message: str
    hours: Decimal | None = None


@router.post("/sign", response=answers(SignOut, write=True), summary="凭签到码签到或签退（第一次签到，第二次签退）")
def sign(request: HttpRequest, payload: SignIn) -> dict[str, Any]:
    require(request.user, "volunteers.attendance.sign")
    activity = services.activity_by_code(actor=request.user, code=payload.code)
    result = services.attendance_sign(actor=request.user, activity=activity, channel=SignChannel.CODE,
                                      confirm_early=payload.confirm_early)
    return {"step": result.step, "activity_id": activity.pk, "message": result.message,
            "hours": result.hours.hours if result.hours else None}


class FigureOut(Schema):
    key: int
    label: str
    hours: Decimal
    volunteers: int


class FiguresOut(Schema):
    year: int
    hours: Decimal
    active_volunteers: int
    registered_volunteers: int
    by_region: list[FigureOut]
    by_unit: list[FigureOut]
    by_team: list[FigureOut]


@router.get("/figures", response=answers(FiguresOut), summary="志愿服务统计（按区域、单位、队伍）")
def figure_summary(request: HttpRequest, year: int | None = year_query()) -> dict[str, Any]:
    require(request.user, "volunteers.figures.view")
    year = year or timezone.localdate().year
    summary = figures.overview(user=request.user, year=year)
    totals, by = summary.totals, summary.by
    return {"year": year, "hours": totals.hours, "active_volunteers": totals.active,
            "registered_volunteers": totals.registered, "by_region": by["region"], "by_unit": by["unit"],
            "by_team": by["team"]}


class CertificateCheckOut(Schema):
    found: bool
    valid: bool = False
    name: str = ""
    level: int | None = None
    level_label: str = ""
    hours: Decimal | None = None
    issued_on: datetime.date | None = None
    issuing_unit: str = ""
    revoked: bool = False


@router.get("/certificates/verify", auth=None, response=answers(CertificateCheckOut, public=True), summary="证书查验（公开，姓名脱敏）")
def certificate_verify(request: HttpRequest, code: str) -> dict[str, Any]:
    certificate = selectors.certificate_by_code(code)
    if certificate is None:
        return {"found": False}
    return {"found": True, "valid": not certificate.is_withdrawn, "name": rules.mask_name(certificate.volunteer.name),
            "level": certificate.level, "level_label": f"{certificate.get_level_display()}志愿者",
            "hours": certificate.hours, "issued_on": certificate.issued_on,
            "issuing_unit": certificate.issuing_unit.name, "revoked": certificate.is_withdrawn}
