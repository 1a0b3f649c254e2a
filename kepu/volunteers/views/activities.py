"""Activities: list, create, edit, cancel, the organiser's page with the sign-in code and QR code, and
a full-screen display of both for the projector."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kepu.core.access import can_reach
from kepu.core.errors import KepuError
from kepu.core.views import act, action_required, int_param, paginate, typed_refusal
from kepu.org.public import Region
from kepu.volunteers import selectors, services
from kepu.volunteers.forms import ActivityForm
from kepu.volunteers.models import Activity, ActivityStatus
from kepu.volunteers.qr import qr_svg
from kepu.volunteers.views.common import (
    check_posted_team,
    form_error,
    require_some_team,
    run,
)

WHEN = (("upcoming", "未开始"), ("ongoing", "进行中"), ("past", "已结束"), ("cancelled", "已取消"))


@action_required("volunteers.activity.view")
def activity_list(request: HttpRequest) -> HttpResponse:
    filters = selectors.ActivityFilters(q=request.GET.get("q", "").strip(), team=int_param(request, "team"),
                                        when=request.GET.get("when", ""))
    rows = selectors.activity_list(user=request.user, filters=filters)
    context = {
        "page_title": "志愿服务活动", "page_subtitle": "每个活动自动生成 6 位签到码和签到二维码，志愿者用手机签到、签退",
        **paginate(request, rows), "filters": request.GET, "when_choices": WHEN, "now": timezone.now(),
        "teams": selectors.team_choices(user=request.user),
        "can_create": selectors.team_choices(user=request.user, action="volunteers.activity.manage").exists(),
    }
    template = "volunteers/activities_table.html" if request.htmx else "volunteers/activity_list.html"
    return render(request, template, context)


def _form(request: HttpRequest, initial: dict | None = None) -> ActivityForm:
    teams = selectors.team_choices(user=request.user, action="volunteers.activity.manage")
    return ActivityForm(request.POST or None, initial=initial or {}, teams=teams,
                        regions=Region.objects.filter(is_active=True).order_by("path"))


@action_required("volunteers.activity.manage")
def activity_create(request: HttpRequest) -> HttpResponse:
    require_some_team(request, "volunteers.activity.manage")
    check_posted_team(request, "volunteers.activity.manage")
    team_id = int_param(request, "team")
    form = _form(request, {"team": team_id} if team_id else None)
    if request.method == "POST" and form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, **form.cleaned_data)
        except KepuError as exc:
            form_error(form, exc)
        else:
            return redirect("volunteers:activity_detail", activity_id=activity.pk)
    return render(request, "volunteers/activity_form.html", {"page_title": "发布志愿服务活动", "form": form})


@action_required("volunteers.activity.manage")
def activity_edit(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_detail(user=request.user, activity_id=activity_id,
                                         action="volunteers.activity.manage")
    initial = {f: getattr(activity, f) for f in ("title", "place", "description")}
    initial.update(team=activity.team_id, region=activity.region_id,
                   starts_at=timezone.localtime(activity.starts_at), ends_at=timezone.localtime(activity.ends_at))
    form = _form(request, initial)
    form.fields["team"].disabled = True
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if k != "team"}
        try:
            services.activity_update(actor=request.user, activity=activity, **changes)
        except KepuError as exc:
            form_error(form, exc)
        else:
            return redirect("volunteers:activity_detail", activity_id=activity.pk)
    return render(request, "volunteers/activity_form.html", {"page_title": f"编辑：{activity.title}", "form": form,
                                                             "activity": activity})


def _sign_url(request: HttpRequest, activity: Activity) -> str:
    return request.build_absolute_uri(reverse("volunteers_portal:sign_qr", args=[activity.qr_token]))


@action_required("volunteers.activity.view")
def activity_detail(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_detail(user=request.user, activity_id=activity_id)
    manage = can_reach(request.user, "volunteers.activity.manage", activity)
    attendances = list(selectors.attendances_of(activity))
    return render(request, "volunteers/activity_detail.html", {
        "page_title": activity.title, "activity": activity, "can_manage": manage, "attendances": attendances,
        "signed_out": sum(1 for a in attendances if a.signed_out_at), "now": timezone.now(),
        "cancelled": activity.status == ActivityStatus.CANCELLED,
        # The code and the QR code are for the organiser to show on site: only those who manage see them.
        "qr": qr_svg(_sign_url(request, activity)) if manage else None,
        "sign_url": _sign_url(request, activity) if manage else "",
        "typed": typed_refusal(request),
    })


@action_required("volunteers.activity.manage")
def activity_display(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_detail(user=request.user, activity_id=activity_id,
                                         action="volunteers.activity.manage")
    return render(request, "volunteers/activity_display.html", {
        "page_title": f"签到：{activity.title}", "activity": activity,
        "qr": qr_svg(_sign_url(request, activity), css_class="kp-qr kp-qr-large"),
        "code_url": request.build_absolute_uri(reverse("volunteers_portal:sign")),
    })


@require_POST
@action_required("volunteers.activity.manage")
def activity_cancel(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_detail(user=request.user, activity_id=activity_id,
                                         action="volunteers.activity.manage")
    return act(request, lambda: services.activity_cancel(actor=request.user, activity=activity,
                                                         reason=request.POST.get("reason", "")), "活动已取消。",
               done=reverse("volunteers:activity_detail", args=[activity.pk]),
               page=lambda: activity_detail(request, activity.pk))


@require_POST
@action_required("volunteers.activity.manage")
def activity_new_code(request: HttpRequest, activity_id: int) -> HttpResponse:
    activity = selectors.activity_detail(user=request.user, activity_id=activity_id,
                                         action="volunteers.activity.manage")
    run(request, lambda: services.activity_new_code(actor=request.user, activity=activity),
        "已更换签到码和二维码，原签到码立即失效。")
    return redirect("volunteers:activity_detail", activity_id=activity.pk)
