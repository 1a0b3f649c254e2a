"""Request-wide concerns: the client address for the audit trail, idle timeout, security headers."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from kepu.core import audit
from kepu.core.context import ClientInfo, client_context, denial_log


def client_ip(request: HttpRequest) -> str | None:
    """The client address, trusting X-Forwarded-For only as many hops as there are known proxies."""
    hops = settings.KEPU_TRUSTED_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if hops and forwarded:
        chain = [part.strip() for part in forwarded.split(",") if part.strip()]
        if len(chain) >= hops:
            return chain[-hops]
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        channel = "api" if request.path.startswith("/api/") else "web"
        info = ClientInfo(ip=client_ip(request), user_agent=request.META.get("HTTP_USER_AGENT", ""), channel=channel)
        with client_context(info), denial_log() as denials:
            response = self.get_response(request)
            audit.restore_rolled_back(denials)
            return response


class IdleTimeoutMiddleware:
    """Log a signed-in user out after KEPU_IDLE_TIMEOUT_SECONDS without a request."""

    SESSION_KEY = "kepu_last_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/api/"):
            now = int(time.time())
            last_seen = request.session.get(self.SESSION_KEY, now)
            if now - last_seen > settings.KEPU_IDLE_TIMEOUT_SECONDS:
                from kepu.core import audit
                from kepu.core.models import AuditCategory

                audit.record(user, "auth.idle_timeout", category=AuditCategory.LOGOUT, reason="长时间未操作，自动退出")
                logout(request)
                messages.info(request, "您已长时间未操作，为保护账号安全已自动退出，请重新登录。")
                return redirect_to_login(request.get_full_path())
            request.session[self.SESSION_KEY] = now
        return self.get_response(request)


class SecurityHeadersMiddleware:
    """Headers Django does not set by itself."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", "camera=(self), geolocation=(self), microphone=()")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Pages behind a login are never kept by shared caches or the browser's history cache.
            response.headers.setdefault("Cache-Control", "no-store")
        return response
