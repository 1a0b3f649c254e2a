"""Signing in and out, the second factor, own password and API tokens."""

from __future__ import annotations

import base64
import io

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_POST

from kepu.core import audit, limits
from kepu.core.access import access_object, can
from kepu.core.errors import ValidationFailed
from kepu.core.landing import landing_for, may_open
from kepu.core.models import AuditCategory
from kepu.org import services
from kepu.org.auth import (
    account_identifier,
    attempt_login,
    login_succeeded,
    password_expired,
    second_factor_limit,
)
from kepu.org.forms import LoginForm, PasswordChangeForm, TokenForm, TotpForm
from kepu.org.models import ApiToken, User

PENDING_KEY = "kepu_pending_user"


def _next_url(request: HttpRequest) -> str:
    """The address asked for with `next`, if it is ours; empty when none was asked for."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


def _finish_login(request: HttpRequest, user: User) -> HttpResponse:
    login(request, user, backend="kepu.org.auth.KepuModelBackend")
    login_succeeded(user)
    if password_expired(user):
        messages.warning(request, "请先修改密码后再继续使用。")
        return redirect("account:password")
    # The asked-for address, unless it is a back office the user may not enter; else the user's own page.
    target = _next_url(request)
    if target and may_open(user, target):
        return redirect(target)
    return redirect(landing_for(user)[0])


def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        outcome = attempt_login(request, form.cleaned_data["username"], form.cleaned_data["password"])
        if outcome.user is None:
            error = outcome.message
        elif outcome.needs_second_factor:
            request.session[PENDING_KEY] = outcome.user.pk
            return redirect(f"{reverse('login_verify')}?{urlencode({'next': _next_url(request)})}")
        else:
            return _finish_login(request, outcome.user)
    return render(request, "registration/login.html", {"form": form, "error": error, "next": _next_url(request),
                                                       "page_title": "登录"})


def verify_view(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_KEY)
    user = User.objects.filter(pk=user_id, is_active=True).first() if user_id else None
    if user is None:
        return redirect("login")
    form = TotpForm(request.POST or None)
    error = ""
    if request.method == "POST" and form.is_valid():
        # Guesses at the second factor count and lock like wrong passwords (per account and address).
        limit, identifier = second_factor_limit(), account_identifier(user.username)
        try:
            limits.refuse_if_reached(limit, identifier)
        except limits.LimitExceeded as exc:
            audit.record(None, "auth.totp_locked", category=AuditCategory.LOGIN_FAILED, actor_name=user.username,
                         reason="动态口令锁定期间尝试")
            error = exc.message
        else:
            if services.verify_totp(user, form.cleaned_data["code"]):
                limits.clear(limit, identifier)
                del request.session[PENDING_KEY]
                return _finish_login(request, user)
            failures = limits.hit(limit, identifier)
            audit.record(None, "auth.totp_failed", category=AuditCategory.LOGIN_FAILED, actor_name=user.username,
                         reason=f"动态口令错误（第 {failures} 次）")
            error = "动态口令不正确，请重试。"
    return render(request, "registration/verify.html", {"form": form, "error": error, "next": _next_url(request),
                                                        "page_title": "动态口令验证"})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        audit.record(request.user, "auth.logout", category=AuditCategory.LOGOUT, obj=request.user)
    logout(request)
    messages.info(request, "您已安全退出。")
    return redirect("login")


def _account_layout(user: User) -> str:
    """Account pages sit in the back office for its users, in the portal for everyone else."""
    return "backoffice/layout.html" if can(user, "backoffice.access") else "portal/page.html"


@login_required
def password_view(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        if not user.check_password(form.cleaned_data["old_password"]):
            form.add_error("old_password", "原密码不正确")
        else:
            try:
                services.user_set_password(actor=user, user=user, password=form.cleaned_data["new_password"])
            except ValidationFailed as exc:
                form.add_error("new_password", exc.message)
            else:
                from django.contrib.auth import update_session_auth_hash

                update_session_auth_hash(request, user)
                messages.success(request, "密码已修改。")
                return redirect(landing_for(user)[0])
    return render(request, "org/password.html", {"form": form, "page_title": "修改密码",
                                                 "layout": _account_layout(request.user)})


def _qr_data_uri(text: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@login_required
def security_view(request: HttpRequest) -> HttpResponse:
    user: User = request.user
    context: dict[str, object] = {"page_title": "账号安全", "can_totp": services.totp_can_enable(user),
                                  "tokens": ApiToken.objects.filter(user=user, revoked_at=None),
                                  "token_form": TokenForm(), "can_tokens": can(user, "api.token.manage"),
                                  "layout": _account_layout(user)}
    if request.method == "POST":
        step = request.POST.get("step")
        try:
            if step == "totp_begin":
                import pyotp

                secret = services.totp_begin(actor=user)
                uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="kepu")
                context.update(totp_secret=secret, totp_qr=_qr_data_uri(uri), totp_form=TotpForm())
            elif step == "totp_confirm":
                form = TotpForm(request.POST)
                if form.is_valid():
                    services.totp_confirm(actor=user, code=form.cleaned_data["code"])
                    messages.success(request, "动态口令已启用，下次登录时需要输入。")
                    return redirect("account:security")
            elif step == "totp_disable":
                services.totp_disable(actor=user, user=user)
                messages.success(request, "动态口令已关闭。")
                return redirect("account:security")
            elif step == "token_create":
                form = TokenForm(request.POST)
                if form.is_valid():
                    _, key = services.token_create(actor=user, name=form.cleaned_data["name"])
                    context["new_token"] = key
            elif step == "token_revoke":
                token = access_object(ApiToken.objects.all(), user, "api.token.manage",
                                      pk=request.POST.get("token"))
                services.token_revoke(actor=user, token=token)
                messages.success(request, "令牌已吊销。")
                return redirect("account:security")
        except ValidationFailed as exc:
            messages.error(request, exc.message)
    return render(request, "org/security.html", context)
