"""Volunteers: list (ID numbers and phones masked unless the role may see them), detail with teams,
hours and stars, registration by an administrator, edit, deactivation, import and export."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from kepu.core.access import can, can_reach, scoped
from kepu.core.errors import KepuError
from kepu.core.views import (
    act,
    action_required,
    describe_filters,
    excel_export,
    int_param,
    paginate,
    typed_refusal,
)
from kepu.org.public import Region
from kepu.volunteers import selectors, services, sheets
from kepu.volunteers.forms import VolunteerForm
from kepu.volunteers.views.common import (
    filter_regions,
    form_error,
    import_page,
    show_full,
)

FILTER_LABELS = {"q": "关键词", "region": "区域", "team": "队伍", "skill": "专长", "active": "状态"}


def _filters(request: HttpRequest) -> selectors.VolunteerFilters:
    return selectors.VolunteerFilters(
        q=request.GET.get("q", "").strip(), region=int_param(request, "region"), team=int_param(request, "team"),
        skill=request.GET.get("skill", "").strip(),
        active={"1": True, "0": False, "all": None}.get(request.GET.get("active", "1"), True),
    )


@action_required("volunteers.volunteer.view")
def volunteer_list(request: HttpRequest) -> HttpResponse:
    people = selectors.volunteer_list(user=request.user, filters=_filters(request))
    context = {
        "page_title": "志愿者", "page_subtitle": "实名登记的科技志愿者；身份证号、手机号按权限脱敏显示",
        **paginate(request, people), "filters": request.GET, "regions": filter_regions(),
        "teams": selectors.team_choices(user=request.user), "show_full": show_full(request),
        "can_change": can(request.user, "volunteers.volunteer.change"),
        "can_import": can(request.user, "volunteers.volunteer.import"),
        "can_export": can(request.user, "volunteers.volunteer.export"),
    }
    template = "volunteers/volunteers_table.html" if request.htmx else "volunteers/volunteer_list.html"
    return render(request, template, context)


@action_required("volunteers.volunteer.export")
def volunteer_export(request: HttpRequest) -> HttpResponse:
    action = "volunteers.volunteer.export"
    people = selectors.volunteer_list(user=request.user, filters=_filters(request), action=action)
    full = show_full(request)
    return excel_export(request, action=action, data=lambda: sheets.volunteers_export(people, full=full),
                        filename="志愿者.xlsx", count=people,
                        filters=describe_filters(request, FILTER_LABELS))


@action_required("volunteers.volunteer.import")
def volunteer_import(request: HttpRequest) -> HttpResponse:
    return import_page(request, title="导入志愿者", importer=sheets.volunteers_import,
                       back="volunteers:volunteer_list", columns=sheets.VOLUNTEER_COLUMNS)


def _regions(request: HttpRequest) -> object:
    return scoped(Region.objects.filter(is_active=True), request.user, "volunteers.volunteer.change").order_by("path")


@action_required("volunteers.volunteer.change")
def volunteer_create(request: HttpRequest) -> HttpResponse:
    form = VolunteerForm(request.POST or None, regions=_regions(request))
    if request.method == "POST" and form.is_valid():
        try:
            volunteer = services.volunteer_create(actor=request.user, **form.cleaned_data)
        except KepuError as exc:
            form_error(form, exc)
        else:
            return redirect("volunteers:volunteer_detail", volunteer_id=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"page_title": "登记志愿者", "form": form})


@action_required("volunteers.volunteer.change")
def volunteer_edit(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    volunteer = selectors.volunteer_detail(user=request.user, volunteer_id=volunteer_id,
                                           action="volunteers.volunteer.change")
    full = show_full(request)
    initial = {"name": volunteer.name, "region": volunteer.region_id, "skills": volunteer.skills,
               "id_number": volunteer.id_number if full else "", "phone": volunteer.phone if full else ""}
    form = VolunteerForm(request.POST or None, initial=initial, regions=_regions(request))
    if not full:  # a role that may not see the numbers cannot overwrite them either
        del form.fields["id_number"], form.fields["phone"]
    if request.method == "POST" and form.is_valid():
        try:
            services.volunteer_update(actor=request.user, volunteer=volunteer, **form.cleaned_data)
        except KepuError as exc:
            form_error(form, exc)
        else:
            return redirect("volunteers:volunteer_detail", volunteer_id=volunteer.pk)
    return render(request, "volunteers/volunteer_form.html", {"page_title": f"编辑：{volunteer.name}", "form": form,
                                                              "volunteer": volunteer})


@action_required("volunteers.volunteer.view")
def volunteer_detail(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    volunteer = selectors.volunteer_detail(user=request.user, volunteer_id=volunteer_id)
    hours = selectors.hours_list(user=request.user, filters=selectors.HoursFilters(volunteer=volunteer.pk))
    return render(request, "volunteers/volunteer_detail.html", {
        "page_title": volunteer.name, "volunteer": volunteer, "show_full": show_full(request),
        "memberships": selectors.memberships_of(volunteer), "hours": hours[:30], "hours_count": hours.count(),
        "approved_total": selectors.approved_hours_total(volunteer),
        "certified_level": services.certified_level(volunteer),
        "applications": selectors.star_list(user=request.user).filter(volunteer=volunteer),
        "can_change": can_reach(request.user, "volunteers.volunteer.change", volunteer),
        "typed": typed_refusal(request),
    })


@require_POST
@action_required("volunteers.volunteer.change")
def volunteer_deactivate(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    volunteer = selectors.volunteer_detail(user=request.user, volunteer_id=volunteer_id,
                                           action="volunteers.volunteer.change")
    return act(request, lambda: services.volunteer_deactivate(actor=request.user, volunteer=volunteer,
                                                              reason=request.POST.get("reason", "")),
               f"已将{volunteer.name}移出在册名单。", done=reverse("volunteers:volunteer_detail", args=[volunteer.pk]),
               page=lambda: volunteer_detail(request, volunteer.pk))
