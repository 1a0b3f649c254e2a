"""Teams and memberships: list with filters (HTMX), detail with members and join requests, create, edit,
deactivate, appoint leaders, import and export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can, can_reach, scoped
from kepu.core.errors import KepuError
from kepu.core.transitions import edit_token
from kepu.core.views import (
    act,
    action_required,
    describe_filters,
    excel_export,
    int_param,
    paginate,
    typed_refusal,
)
from kepu.org.public import Region, Unit
from kepu.volunteers import selectors, services, sheets
from kepu.volunteers.forms import NoteForm, ReasonForm, TeamForm
from kepu.volunteers.models import MembershipStatus, TeamLevel, TeamMembership
from kepu.volunteers.views.common import (
    filter_regions,
    form_error,
    import_page,
    run,
    show_full,
)

FILTER_LABELS = {"q": "关键词", "level": "层级", "unit": "单位", "region": "区域", "active": "状态"}


def _filters(request: HttpRequest) -> selectors.TeamFilters:
    return selectors.TeamFilters(
        q=request.GET.get("q", "").strip(), level=request.GET.get("level", ""), unit=int_param(request, "unit"),
        region=int_param(request, "region"),
        active={"1": True, "0": False, "all": None}.get(request.GET.get("active", "1"), True),
    )


@action_required("volunteers.team.view")
def team_list(request: HttpRequest) -> HttpResponse:
    teams = selectors.team_list(user=request.user, filters=_filters(request))
    context = {
        "page_title": "志愿服务队", "page_subtitle": "科技志愿服务队按 支队 > 大队 > 分队 分级管理，队伍隶属于单位、服务于区域",
        **paginate(request, teams), "levels": TeamLevel.choices, "filters": request.GET,
        "regions": filter_regions(), "can_change": can(request.user, "volunteers.team.change"),
        "can_import": can(request.user, "volunteers.team.import"),
        "can_export": can(request.user, "volunteers.team.export"),
    }
    template = "volunteers/teams_table.html" if request.htmx else "volunteers/team_list.html"
    return render(request, template, context)


@action_required("volunteers.team.export")
def team_export(request: HttpRequest) -> HttpResponse:
    teams = list(selectors.team_list(user=request.user, filters=_filters(request), action="volunteers.team.export",
                                     counts=False))
    return excel_export(request, action="volunteers.team.export", data=sheets.teams_export(teams),
                        filename="志愿服务队.xlsx", count=len(teams), filters=describe_filters(request, FILTER_LABELS))


@action_required("volunteers.team.import")
def team_import(request: HttpRequest) -> HttpResponse:
    return import_page(request, title="导入志愿服务队", importer=sheets.teams_import, back="volunteers:team_list",
                       columns=sheets.TEAM_COLUMNS)


def _team_form(request: HttpRequest, team: object = None) -> TeamForm:
    action = "volunteers.team.change"
    initial = {}
    if team is not None:
        initial = {"name": team.name, "level": team.level, "parent": team.parent_id, "unit": team.unit_id,
                   "region": team.region_id, "edit_token": edit_token(team)}
    teams = selectors.team_choices(user=request.user)
    if team is not None:
        teams = teams.exclude(path__startswith=team.path)
    return TeamForm(request.POST or None, initial=initial, teams=teams,
                    units=scoped(Unit.objects.filter(is_active=True), request.user, action).order_by("sort_order"),
                    regions=scoped(Region.objects.filter(is_active=True), request.user, action).order_by("path"))


@action_required("volunteers.team.change")
def team_create(request: HttpRequest) -> HttpResponse:
    form = _team_form(request)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "edit_token"}
            team = services.team_create(actor=request.user, **data)
        except KepuError as exc:
            form_error(form, exc)
        else:
            return redirect("volunteers:team_detail", team_id=team.pk)
    return render(request, "volunteers/team_form.html", {"page_title": "新增志愿服务队", "form": form})


@action_required("volunteers.team.change")
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_detail(user=request.user, team_id=team_id, action="volunteers.team.change")
    form = _team_form(request, team)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(actor=request.user, team=team, **form.cleaned_data)
        except KepuError as exc:
            form_error(form, exc)
        else:
            return redirect("volunteers:team_detail", team_id=team.pk)
    return render(request, "volunteers/team_form.html", {"page_title": f"编辑：{team.name}", "form": form,
                                                         "team": team})


@action_required("volunteers.team.view")
def team_detail(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_detail(user=request.user, team_id=team_id)
    members = list(selectors.team_members(team=team))
    user = request.user
    return render(request, "volunteers/team_detail.html", {
        "page_title": team.name, "team": team,
        "pending": [m for m in members if m.status == MembershipStatus.PENDING],
        "members": [m for m in members if m.status == MembershipStatus.APPROVED],
        "children": selectors.team_list(user=user, filters=selectors.TeamFilters(active=None)).filter(parent=team),
        "activities": selectors.activity_list(user=user).filter(team=team)[:8],
        "can_review": can_reach(user, "volunteers.membership.review", team),
        "can_change": can(user, "volunteers.team.change") and can_reach(user, "volunteers.team.change", team),
        "can_activity": can_reach(user, "volunteers.activity.manage", team),
        "show_full": show_full(request), "note_form": NoteForm(), "reason_form": ReasonForm(),
        "typed": typed_refusal(request),
    })


@require_POST
@action_required("volunteers.team.change")
def team_deactivate(request: HttpRequest, team_id: int) -> HttpResponse:
    team = selectors.team_detail(user=request.user, team_id=team_id, action="volunteers.team.change")
    return act(request, lambda: services.team_deactivate(actor=request.user, team=team,
                                                         reason=request.POST.get("reason", "")),
               f"已停用“{team.name}”。", done=reverse("volunteers:team_detail", args=[team.pk]),
               page=lambda: team_detail(request, team.pk))


def _membership(request: HttpRequest, membership_id: int, action: str) -> TeamMembership:
    return access_object(TeamMembership.objects.select_related("team", "volunteer", "volunteer__user"),
                      request.user, action, pk=membership_id)


@require_POST
@action_required("volunteers.membership.review")
def membership_approve(request: HttpRequest, membership_id: int) -> HttpResponse:
    m = _membership(request, membership_id, "volunteers.membership.review")
    run(request, lambda: services.membership_approve(actor=request.user, membership=m,
                                                     note=request.POST.get("note", "")), f"已同意{m.volunteer.name}入队。")
    return redirect("volunteers:team_detail", team_id=m.team_id)


@require_POST
@action_required("volunteers.membership.review")
def membership_reject(request: HttpRequest, membership_id: int) -> HttpResponse:
    m = _membership(request, membership_id, "volunteers.membership.review")
    return act(request, lambda: services.membership_reject(actor=request.user, membership=m,
                                                           note=request.POST.get("note", "")),
               f"已拒绝{m.volunteer.name}的入队申请。", done=reverse("volunteers:team_detail", args=[m.team_id]),
               page=lambda: team_detail(request, m.team_id))


@require_POST
@action_required("volunteers.team.change")
def membership_leader(request: HttpRequest, membership_id: int) -> HttpResponse:
    m = _membership(request, membership_id, "volunteers.team.change")
    lead = request.POST.get("is_leader") == "1"
    run(request, lambda: services.membership_set_leader(actor=request.user, membership=m, is_leader=lead),
        f"已{'任命' if lead else '免去'}{m.volunteer.name}{'为' if lead else '的'}队长。")
    return redirect("volunteers:team_detail", team_id=m.team_id)


@require_POST
@action_required("volunteers.team.change")
def membership_remove(request: HttpRequest, membership_id: int) -> HttpResponse:
    m = _membership(request, membership_id, "volunteers.team.change")
    run(request, lambda: services.membership_leave(actor=request.user, membership=m,
                                                   reason=request.POST.get("reason", "")), f"已将{m.volunteer.name}移出队伍。")
    return redirect("volunteers:team_detail", team_id=m.team_id)
