"""Star applications: the unit's review queue and detail (approve, return, objections during the public
notice, issue the certificate), and the printable certificate."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can, can_reach
from kepu.core.views import act, action_required, int_param, paginate, typed_refusal
from kepu.reports.docx import seal_data_uri
from kepu.volunteers import rules, selectors, services
from kepu.volunteers.models import ObjectionStatus, StarLevel, StarObjection, StarStatus
from kepu.volunteers.qr import qr_svg
from kepu.volunteers.views.common import run


@action_required("volunteers.star.view")
def star_list(request: HttpRequest) -> HttpResponse:
    rows = selectors.star_list(user=request.user, status=request.GET.get("status", ""),
                               level=int_param(request, "level"), q=request.GET.get("q", "").strip())
    context = {
        "page_title": "星级认定", "page_subtitle": "累计认定时长 100/300/600/1000/1500 小时可申请一至五星；单位审核 → 公示 5 个工作日 → 发证",
        **paginate(request, rows), "filters": request.GET, "statuses": StarStatus.choices, "levels": StarLevel.choices,
    }
    template = "volunteers/stars_table.html" if request.htmx else "volunteers/star_list.html"
    return render(request, template, context)


@action_required("volunteers.star.view")
def star_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.star_detail(user=request.user, application_id=application_id)
    user = request.user
    review = can(user, "volunteers.star.review") and can_reach(user, "volunteers.star.review", application)
    issue = can(user, "volunteers.certificate.issue") and can_reach(user, "volunteers.certificate.issue", application)
    objections = list(application.objections.select_related("handled_by"))
    today = timezone.localdate()
    notice_over = application.notice_ends_on is not None and today > application.notice_ends_on
    return render(request, "volunteers/star_detail.html", {
        "page_title": f"{application.volunteer.name} · {application.get_level_display()}志愿者认定",
        "application": application, "objections": objections, "can_review": review,
        "can_issue": issue and application.status == StarStatus.IN_NOTICE and notice_over
        and not any(o.status == ObjectionStatus.OPEN for o in objections),
        "notice_over": notice_over, "threshold": rules.STAR_THRESHOLDS[application.level],
        "working_days_left": rules.working_days_between(today, application.notice_ends_on)
        if application.notice_ends_on and not notice_over else 0,
        "certificate": getattr(application, "certificate", None) if application.status == StarStatus.CERTIFIED else None,
        "approved_total": selectors.approved_hours_total(application.volunteer),
        "typed": typed_refusal(request),
    })


def _back(application_id: int) -> HttpResponse:
    return redirect("volunteers:star_detail", application_id=application_id)


@require_POST
@action_required("volunteers.star.review")
def star_approve(request: HttpRequest, application_id: int) -> HttpResponse:
    a = selectors.star_detail(user=request.user, application_id=application_id, action="volunteers.star.review")
    run(request, lambda: services.star_approve(actor=request.user, application=a, note=request.POST.get("note", "")),
        "审核通过，已在门户公示。")
    return _back(a.pk)


@require_POST
@action_required("volunteers.star.review")
def star_return(request: HttpRequest, application_id: int) -> HttpResponse:
    a = selectors.star_detail(user=request.user, application_id=application_id, action="volunteers.star.review")
    return act(request, lambda: services.star_return(actor=request.user, application=a,
                                                     note=request.POST.get("note", "")), "已退回申请。",
               done=reverse("volunteers:star_detail", args=[a.pk]), page=lambda: star_detail(request, a.pk))


@require_POST
@action_required("volunteers.certificate.issue")
def certificate_issue(request: HttpRequest, application_id: int) -> HttpResponse:
    a = selectors.star_detail(user=request.user, application_id=application_id,
                              action="volunteers.certificate.issue")
    run(request, lambda: services.certificate_issue(actor=request.user, application=a), "证书已签发。")
    return _back(a.pk)


@require_POST
@action_required("volunteers.star.review")
def objection_handle(request: HttpRequest, objection_id: int) -> HttpResponse:
    objection = access_object(StarObjection.objects.select_related("application__volunteer__user",
                                                                "application__team"),
                           request.user, "volunteers.star.review", pk=objection_id)
    uphold = request.POST.get("uphold") == "1"
    return act(request, lambda: services.objection_handle(actor=request.user, objection=objection, uphold=uphold,
                                                          note=request.POST.get("note", "")),
               "已认定异议成立，申请不予认定。" if uphold else "已认定异议不成立。",
               done=reverse("volunteers:star_detail", args=[objection.application_id]),
               page=lambda: star_detail(request, objection.application_id))


@action_required("volunteers.certificate.view")
def certificate_print(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = selectors.certificate_detail(user=request.user, certificate_id=certificate_id)
    verify_url = request.build_absolute_uri(reverse("volunteers_portal:verify")) + f"?code={certificate.code}"
    return render(request, "volunteers/certificate_print.html", {
        "page_title": "星级志愿者证书", "certificate": certificate, "qr": qr_svg(verify_url, css_class="kp-cert-qr"),
        "verify_url": request.build_absolute_uri(reverse("volunteers_portal:verify")),
        "stars": range(certificate.level), "seal_image": seal_data_uri(),
        "back_url": reverse("volunteers:star_detail", args=[certificate.application_id])
        if can(request.user, "volunteers.star.review") else reverse("volunteers_portal:home"),
    })


@require_POST
@action_required("volunteers.certificate.issue")
def certificate_revoke(request: HttpRequest, certificate_id: int) -> HttpResponse:
    certificate = selectors.certificate_detail(user=request.user, certificate_id=certificate_id,
                                               action="volunteers.certificate.view")
    return act(request, lambda: services.certificate_revoke(actor=request.user, certificate=certificate,
                                                            reason=request.POST.get("reason", "")), "证书已撤销。",
               done=reverse("volunteers:star_detail", args=[certificate.application_id]),
               page=lambda: star_detail(request, certificate.application_id))
