"""Request-wide concerns: the client address for the audit trail, idle timeout, security headers."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from kepu.core import audit
from kepu.core.context import ClientInfo, client_context, denial_log
from kepu.core.text import CONTROL_CHARACTER_MESSAGE, control_character_context, has_control_characters


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


class ControlCharacterMiddleware:
    """Refuse any submitted text holding control characters, before a view can store it.

    One check for every input — form posts, uploads' form fields, API JSON bodies — instead of one
    per form: nobody types these characters, and a stored one would break Excel exports and hide
    text from reviewers. The refusal quotes the text around the character so the user can find it."""

    METHODS = ("POST", "PUT", "PATCH")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # The query string too: a NUL in a search term would reach PostgreSQL, which refuses it (a 500).
        found = _control_character_query(request)
        if found is None and request.method in self.METHODS:
            found = _control_character_field(request)
        if found is None:
            return self.get_response(request)
        message = f"提交的内容{CONTROL_CHARACTER_MESSAGE}（位置：“{control_character_context(found.text)}”）。"
        if request.path.startswith("/api/"):
            # The API refuses it after authentication (kepu.api.api), so an anonymous caller meets the 401
            # first, as with any other input; nothing reaches an operation meanwhile.
            request.kepu_control_characters = {  # type: ignore[attr-defined]
                "detail": [{"loc": [found.where, *found.field.split(".")], "msg": message,
                            "type": "control_characters"}]}
            return self.get_response(request)
        return render(request, "400_control.html", {"message": message}, status=400)


class _Found(NamedTuple):
    where: str  # "query" or "body"
    field: str
    text: str


def _control_character_query(request: HttpRequest) -> _Found | None:
    for key, values in request.GET.lists():
        for value in [key, *values]:
            if has_control_characters(value):
                return _Found("query", key, value)
    return None


def _control_character_field(request: HttpRequest) -> _Found | None:
    """The first submitted value with a control character."""
    if request.content_type == "application/json":
        try:
            found = _first_control_string(json.loads(request.body or b"null"), "")
        except ValueError:
            return None  # not JSON after all: the view answers that
        return _Found("body", *found) if found else None
    for key, values in request.POST.lists():
        for value in [key, *values]:
            if has_control_characters(value):
                return _Found("body", key, value)
    return None


def _first_control_string(value: Any, path: str) -> tuple[str, str] | None:
    if isinstance(value, str):
        return (path, value) if has_control_characters(value) else None
    items = value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    for key, item in items:
        if isinstance(key, str) and has_control_characters(key):
            return path, key
        found = _first_control_string(item, f"{path}.{key}" if path else str(key))
        if found is not None:
            return found
    return None


class RequestSizeMiddleware:
    """Refuse a request larger than KEPU_MAX_REQUEST_BYTES (413) before anything reads its body; the
    reverse proxy's client_max_body_size is set to the same figure (docs/operations.md)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.KEPU_MAX_REQUEST_BYTES
        if length > limit:
            message = f"提交的内容过大（{length / 1048576:.0f} MB），上限为 {limit // 1048576} MB，请压缩或拆分后再传。"
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=413)
            return render(request, "400_control.html", {"message": message, "heading": "文件过大"}, status=413)
        return self.get_response(request)
