"""The volunteers' side of the portal (mobile first): registration, 我的志愿服务, joining a team, signing
in and out by code or QR code, applying for a star level; and two public pages anyone may use: the
public notices of star levels (with objections) and certificate verification."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from kepu.core.access import can
from kepu.core.errors import KepuError
from kepu.core.registry import my_page_cards
from kepu.core.text import mask_id_number
from kepu.core.views import int_param
from kepu.org.public import LOGIN_BACKEND, Region
from kepu.volunteers import rules, selectors, services
from kepu.volunteers.forms import ObjectionForm, ProfileForm, RegisterForm, SignCodeForm, VerifyForm
from kepu.volunteers.models import MembershipStatus, SignChannel, StarApplication, TeamMembership, Volunteer
from kepu.volunteers.services.activities import is_activity_member
from kepu.volunteers.views.common import form_error, run


def _volunteer(request: HttpRequest) -> Volunteer | None:
    if not request.user.is_authenticated:
        return None
    return Volunteer.objects.select_related("region").filter(user=request.user).first()


def _towns() -> object:
    return Region.objects.filter(is_active=True, level__in=("district", "town", "community")).order_by("path")


# ---------------------------------------------------------------- 我的志愿服务

def home(request: HttpRequest) -> HttpResponse:
    """我的志愿服务: the page volunteers and team leaders land on; visitors and users not registered as
    volunteers are led to registration (登记) from here."""
    volunteer = _volunteer(request)
    if volunteer is None:
        return render(request, "volunteers/portal/welcome.html", {"page_title": "我的志愿服务"})
    service = selectors.my_service(volunteer)
    leads = [m for m in service.memberships if m.is_leader and m.status == MembershipStatus.APPROVED]
    eligible = services.eligible_level(volunteer)
    certified = services.certified_level(volunteer)
    step = rules.next_star_level(certified)
    return render(request, "volunteers/portal/home.html", {
        "page_title": "我的志愿服务", "service": service, "volunteer": volunteer,
        "masked_id": mask_id_number(volunteer.id_number), "certified_level": certified,
        "eligible_level": eligible, "next_level": step,
        "progress": min(100, int(service.approved_total * 100 / step[1])) if step else 100,
        "approved_teams": [m for m in service.memberships if m.status == MembershipStatus.APPROVED],
        "can_apply": eligible and not any(a.status in ("submitted", "in_notice") for a in service.applications),
        "leads": leads, "leader": _leader_todo(request) if leads else None, "cards": _my_cards(request),
        "code_form": SignCodeForm(), "now": timezone.now(),
    })


def _leader_todo(request: HttpRequest) -> dict[str, int]:
    """What waits for a team leader: hours to review and join requests."""
    return {"hours": selectors.pending_hours_count(user=request.user),
            "members": selectors.team_list(user=request.user).filter(pending_count__gt=0).count()}


def _my_cards(request: HttpRequest) -> list[str]:
    """Cards other domains add to the volunteer's own page (e.g. the team's service orders for a leader)."""
    cards = []
    for card in my_page_cards():
        if can(request.user, card.action):
            html = card.render(request)
            if html:
                cards.append(mark_safe(html))  # rendered by the domain's own template
    return cards


def register(request: HttpRequest) -> HttpResponse:
    if _volunteer(request) is not None:
        return redirect("volunteers_portal:home")
    signed_in = request.user.is_authenticated
    form = RegisterForm(request.POST or None, regions=_towns(), needs_password=not signed_in,
                        initial={"name": getattr(request.user, "display_name", ""),
                                 "phone": getattr(request.user, "phone", "")} if signed_in else None)
    if request.method == "POST" and "send_code" in request.POST:
        # "获取验证码" submits the form without registering; what was typed is kept, nothing is checked yet.
        sent = False
        try:
            services.phone_code_send(phone=request.POST.get("phone", ""))
            sent = True
        except KepuError as exc:
            messages.error(request, exc.message)
        else:
            messages.info(request, "验证码已发送至您的手机，10 分钟内有效。")
        kept = {k: v for k, v in request.POST.items() if k not in ("password", "csrfmiddlewaretoken", "send_code")}
        form = RegisterForm(initial=kept, regions=_towns(), needs_password=not signed_in)
        return render(request, "volunteers/portal/register.html", {"page_title": "志愿者登记", "form": form,
                                                                   "code_sent": sent})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            volunteer = services.volunteer_register(
                actor=request.user, name=data["name"], id_number=data["id_number"], phone=data["phone"],
                code=data["code"], region=data["region"], skills=data["skills"], password=data.get("password", ""))
        except KepuError as exc:
            form_error(form, exc)
        else:
            if not signed_in:
                login(request, volunteer.user, backend=LOGIN_BACKEND)
            messages.success(request, "登记成功！下一步：申请加入一支志愿服务队。")
            return redirect("volunteers_portal:teams")
    return render(request, "volunteers/portal/register.html", {"page_title": "志愿者登记", "form": form})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer(request)
    if volunteer is None:
        return redirect("volunteers_portal:register")
    form = ProfileForm(request.POST or None, regions=_towns(),
                       initial={"region": volunteer.region_id, "skills": volunteer.skills})
    if request.method == "POST" and form.is_valid():
        services.volunteer_update_own(actor=request.user, **form.cleaned_data)
        messages.success(request, "已保存。")
        return redirect("volunteers_portal:home")
    return render(request, "volunteers/portal/profile.html", {"page_title": "我的登记信息", "form": form,
                                                              "volunteer": volunteer,
                                                              "masked_id": mask_id_number(volunteer.id_number)})


# ---------------------------------------------------------------- teams

@login_required
def teams(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer(request)
    rows = selectors.joinable_teams(region=int_param(request, "region"), q=request.GET.get("q", "").strip())
    mine = {m.team_id: m for m in TeamMembership.objects.filter(volunteer=volunteer)} if volunteer else {}
    return render(request, "volunteers/portal/teams.html", {
        "page_title": "加入志愿服务队", "teams": rows[:100], "mine": mine, "volunteer": volunteer,
        "regions": Region.objects.filter(is_active=True, level__in=("city", "town")).order_by("path"),
        "filters": request.GET,
    })


@require_POST
@login_required
def team_join(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(selectors.joinable_teams(), pk=team_id)
    if not can(request.user, "volunteers.membership.apply"):
        messages.error(request, "请先完成志愿者实名登记。")
        return redirect("volunteers_portal:register")
    run(request, lambda: services.membership_apply(actor=request.user, team=team, note=request.POST.get("note", "")),
        f"已提交加入“{team.name}”的申请，请等待队长审核。")
    return redirect("volunteers_portal:home")


@require_POST
@login_required
def membership_leave(request: HttpRequest, membership_id: int) -> HttpResponse:
    membership = get_object_or_404(TeamMembership.objects.select_related("team", "volunteer"), pk=membership_id,
                                   volunteer__user=request.user)
    run(request, lambda: services.membership_leave(actor=request.user, membership=membership),
        f"已退出“{membership.team.name}”。" if membership.status == MembershipStatus.APPROVED else "已撤回申请。")
    return redirect("volunteers_portal:home")


# ---------------------------------------------------------------- signing in and out

def _not_a_volunteer(request: HttpRequest) -> HttpResponse | None:
    if not can(request.user, "volunteers.attendance.sign") or _volunteer(request) is None:
        return render(request, "volunteers/portal/welcome.html", {"page_title": "活动签到", "for_sign": True})
    return None


def _confirm_page(request: HttpRequest, activity: Any, *, code: str = "", error: str = "") -> HttpResponse:
    """The activity the code or QR address names, and one button: 确认签到 or 确认签退 — with the warning
    “您刚签到 X 分钟，确定签退吗？” while a sign-out would come too soon after the sign-in."""
    volunteer = _volunteer(request)
    attendance = services.attendance_of(actor=request.user, activity=activity)
    return render(request, "volunteers/portal/sign_confirm.html", {
        "page_title": "确认签退" if attendance else "确认签到", "activity": activity, "attendance": attendance,
        "member": is_activity_member(volunteer, activity) if volunteer else False,
        "early": services.early_minutes(attendance), "code": code, "error": error,
    })


def _sign(request: HttpRequest, activity: Any, channel: str, code: str = "") -> HttpResponse:
    """The confirmed press: sign in or out; a too-early sign-out without its confirmation comes back."""
    try:
        result = services.attendance_sign(actor=request.user, activity=activity, channel=channel,
                                          confirm_early=request.POST.get("early") == "1")
    except services.EarlySignOut:
        return _confirm_page(request, activity, code=code)
    except KepuError as exc:
        return _confirm_page(request, activity, code=code, error=exc.message)
    return render(request, "volunteers/portal/signed.html", {"page_title": "签到", "result": result})


@login_required
def sign(request: HttpRequest) -> HttpResponse:
    """Enter the 6-digit code shown at the activity → the activity is shown → 确认签到 (the first time) or
    确认签退 (the second time). Entering the code alone never signs anybody in or out."""
    refusal = _not_a_volunteer(request)
    if refusal:
        return refusal
    form = SignCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        try:
            activity = services.activity_by_code(actor=request.user, code=code)
        except KepuError as exc:
            form_error(form, exc)
        else:
            if request.POST.get("confirm") == "1":
                return _sign(request, activity, SignChannel.CODE, code)
            return _confirm_page(request, activity, code=code)
    return render(request, "volunteers/portal/sign.html", {"page_title": "活动签到", "form": form})


@login_required
def sign_qr(request: HttpRequest, token: str) -> HttpResponse:
    """The address in an activity's QR code: shows the activity and one button to sign in or out."""
    refusal = _not_a_volunteer(request)
    if refusal:
        return refusal
    activity = services.activity_by_qr(token=token)
    if activity is None:
        return render(request, "volunteers/portal/sign.html", {
            "page_title": "活动签到", "form": SignCodeForm(), "qr_error": "二维码已失效，请向组织者索取最新的签到码"})
    if request.method == "POST":
        return _sign(request, activity, SignChannel.QR)
    return _confirm_page(request, activity)


# ---------------------------------------------------------------- stars

@require_POST
@login_required
def star_apply(request: HttpRequest) -> HttpResponse:
    volunteer = _volunteer(request)
    team = TeamMembership.objects.filter(volunteer=volunteer, team_id=int(request.POST.get("team") or 0),
                                         status=MembershipStatus.APPROVED).select_related("team").first()
    if volunteer is None or not can(request.user, "volunteers.star.apply"):
        messages.error(request, "请先完成志愿者实名登记。")
        return redirect("volunteers_portal:home")
    if team is None:
        messages.error(request, "请选择您已加入的队伍。")
        return redirect("volunteers_portal:home")
    run(request, lambda: services.star_apply(actor=request.user, team=team.team,
                                             statement=request.POST.get("statement", "")),
        "申请已提交，请等待所属单位审核。")
    return redirect("volunteers_portal:home")


@require_POST
@login_required
def star_cancel(request: HttpRequest, application_id: int) -> HttpResponse:
    application = get_object_or_404(StarApplication, pk=application_id, volunteer__user=request.user)
    run(request, lambda: services.star_cancel(actor=request.user, application=application), "已撤回申请。")
    return redirect("volunteers_portal:home")


# ---------------------------------------------------------------- public: notices and verification

def notices(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.notices())
    for row in rows:
        row.public_name = rules.mask_name(row.volunteer.name)
    return render(request, "volunteers/portal/notices.html", {
        "page_title": "星级志愿者公示", "rows": rows, "form": ObjectionForm(), "open": int_param(request, "objection"),
    })


@require_POST
def objection(request: HttpRequest, application_id: int) -> HttpResponse:
    application = get_object_or_404(selectors.notices(), pk=application_id)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请完整填写姓名、联系电话和异议内容。")
    else:
        run(request, lambda: services.objection_file(actor=request.user, application=application,
                                                     **form.cleaned_data),
            "异议已提交，审核单位将核实处理，并通过您留下的电话与您联系。")
    return redirect("volunteers_portal:notices")


def verify(request: HttpRequest) -> HttpResponse:
    """证书查验: anyone enters a certificate's code and sees whose (masked), which level, when and by whom."""
    form = VerifyForm(request.GET or None)
    certificate, checked = None, False
    if form.is_bound and form.is_valid():
        checked = True
        certificate = selectors.certificate_by_code(form.cleaned_data["code"])
    return render(request, "volunteers/portal/verify.html", {
        "page_title": "证书查验", "form": form, "checked": checked, "certificate": certificate,
        "public_name": rules.mask_name(certificate.volunteer.name) if certificate else "",
    })
