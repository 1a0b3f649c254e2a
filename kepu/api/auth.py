"""API authentication: bearer tokens (kp_…), or the signed-in session for the interactive docs."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from kepu.org.public import token_authenticate


class TokenAuth(HttpBearer):
    openapi_description = "在“账号安全”页面创建令牌，以 `Authorization: Bearer kp_…` 方式携带。"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session (CSRF-checked for writes), so the docs page can be tried while signed in."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a signed-in session there is nothing for CSRF to protect: the caller is anonymous (401),
        # not a forged browser request (403).
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise PermissionDenied("请求缺少有效的 CSRF 令牌，请刷新页面后重试") from None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None
