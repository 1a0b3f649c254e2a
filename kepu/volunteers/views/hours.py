"""Service hours: the review queue and the full record (filters, export), hours added by hand,
approve / decline / withdraw — each a POST to one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can, scoped
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
from kepu.volunteers import selectors, services, sheets
from kepu.volunteers.forms import HoursForm
from kepu.volunteers.models import HoursSource, HoursStatus, ServiceHours, Volunteer
from kepu.volunteers.views.common import (
    check_posted_team,
    filter_regions,
    form_error,
    require_some_team,
    run,
    show_full,
)

FILTER_LABELS = {"status": "状态", "source": "来源", "team": "队伍", "unit": "单位", "region": "区域", "year": "年度",
                 "month": "月份", "q": "关键词"}
STATUS_CHOICES = [*HoursStatus.choices, ("withdrawn", "已撤销")]


def _filters(request: HttpRequest) -> selectors.HoursFilters:
    return selectors.HoursFilters(
        status=request.GET.get("status", ""), source=request.GET.get("source", ""), team=int_param(request, "team"),
        unit=int_param(request, "unit"), region=int_param(request, "region"),
        volunteer=int_param(request, "volunteer"), year=int_param(request, "year"),
        month=int_param(request, "month"), q=request.GET.get("q", "").strip(),
    )


@action_required("volunteers.hours.view")
def hours_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.hours_list(user=request.user, filters=_filters(request))
    year = timezone.localdate().year
    context = {
        "page_title": "服务时长", "page_subtitle": "活动签到、管理员补录、订单服务三类来源分别记录；仅“已认定”且未撤销的时长计入累计",
        **paginate(request, rows), "filters": request.GET, "statuses": STATUS_CHOICES, "sources": HoursSource.choices,
        "teams": selectors.team_choices(user=request.user), "regions": filter_regions(),
        "years": list(range(year, year - 5, -1)), "show_full": show_full(request),
        # Volunteers hold these actions for the teams they lead: offer them only to those who lead one.
        "can_review": _acts_for_a_team(request, "volunteers.hours.review"),
        "can_withdraw": can(request.user, "volunteers.hours.withdraw"),
        "can_add": _acts_for_a_team(request, "volunteers.hours.add"),
        "can_export": can(request.user, "volunteers.hours.export"),
        # Where the row forms return to: this list as filtered, also when shown again after a refusal.
        "back": _next(request) if request.method == "POST" else request.get_full_path(),
        "typed": typed_refusal(request),
    }
    template = "volunteers/hours_table.html" if request.htmx else "volunteers/hours_list.html"
    return render(request, template, context)


def _acts_for_a_team(request: HttpRequest, action: str) -> bool:
    return can(request.user, action) and selectors.team_choices(user=request.user, action=action).exists()


@action_required("volunteers.hours.export")
def hours_export(request: HttpRequest) -> HttpResponse:
    action = "volunteers.hours.export"
    records = selectors.hours_list(user=request.user, filters=_filters(request), action=action)
    full = show_full(request)
    return excel_export(request, action=action, data=lambda: sheets.hours_export(records, full=full),
                        filename="服务时长.xlsx", count=records,
                        filters=describe_filters(request, FILTER_LABELS))


@action_required("volunteers.hours.add")
def hours_create(request: HttpRequest) -> HttpResponse:
    require_some_team(request, "volunteers.hours.add")
    check_posted_team(request, "volunteers.hours.add")
    teams = selectors.team_choices(user=request.user, action="volunteers.hours.add")
    volunteers = scoped(Volunteer.objects.filter(is_active=True), request.user, "volunteers.volunteer.view")
    initial = {"served_on": timezone.localdate(), "team": int_param(request, "team"),
               "volunteer": int_param(request, "volunteer")}
    form = HoursForm(request.POST or None, initial=initial, teams=teams, volunteers=volunteers.order_by("name"))
    if request.method == "POST" and form.is_valid():
        try:
            services.hours_add(actor=request.user, **form.cleaned_data)
        except KepuError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已补录，待审核后计入累计时长。")
            return redirect(f"{reverse('volunteers:hours_list')}?status=pending")
    return render(request, "volunteers/hours_form.html", {"page_title": "补录服务时长", "form": form})


def _record(request: HttpRequest, hours_id: int, action: str) -> ServiceHours:
    return access_object(ServiceHours.objects.select_related("volunteer", "volunteer__user", "team"), request.user,
                      action, pk=hours_id)


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("volunteers:hours_list")


def _back(request: HttpRequest) -> HttpResponse:
    return redirect(_next(request))


def _list_again(request: HttpRequest) -> HttpResponse:
    """The hours list the row form was posted from, with its filters (from `next`), for a refused reason."""
    path, _, query = _next(request).partition("?")
    request.GET = QueryDict(query if path == reverse("volunteers:hours_list") else "")
    return hours_list(request)


@require_POST
@action_required("volunteers.hours.review")
def hours_approve(request: HttpRequest, hours_id: int) -> HttpResponse:
    record = _record(request, hours_id, "volunteers.hours.review")
    run(request, lambda: services.hours_approve(actor=request.user, record=record, note=request.POST.get("note", "")),
        f"已认定{record.volunteer.name} {record.hours} 小时。")
    return _back(request)


@require_POST
@action_required("volunteers.hours.review")
def hours_decline(request: HttpRequest, hours_id: int) -> HttpResponse:
    record = _record(request, hours_id, "volunteers.hours.review")
    return act(request, lambda: services.hours_decline(actor=request.user, record=record,
                                                       note=request.POST.get("note", "")),
               "已不予认定。", done=_next(request), page=lambda: _list_again(request))


@require_POST
@action_required("volunteers.hours.review")
def hours_approve_many(request: HttpRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    records = scoped(ServiceHours.objects.filter(pk__in=ids).select_related("volunteer", "volunteer__user"),
                    request.user, "volunteers.hours.review")
    try:
        count = services.hours_approve_many(actor=request.user, records=list(records))
    except KepuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已认定 {count} 条记录。" if count else "没有可认定的记录（仅待审核的记录可认定，且不能审核本人的记录）。")
    return _back(request)


@require_POST
@action_required("volunteers.hours.withdraw")
def hours_withdraw(request: HttpRequest, hours_id: int) -> HttpResponse:
    record = _record(request, hours_id, "volunteers.hours.withdraw")
    return act(request, lambda: services.hours_withdraw(actor=request.user, record=record,
                                                        reason=request.POST.get("reason", "")),
               "已撤销该记录（记录保留，不再计入时长）。", done=_next(request), page=lambda: _list_again(request))
