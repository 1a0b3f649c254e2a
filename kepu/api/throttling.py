"""API throttles: per signed-in caller and per anonymous address, counted in the shared cache (Redis in
production) so every web process enforces the same rate. A throttled call answers 429 with
Retry-After. The address is kepu's own (trusted proxies only), never a client-supplied header."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

from kepu.core.middleware import client_ip


class _KepuThrottle(SimpleRateThrottle):
    setting = ""

    def __init__(self) -> None:
        super().__init__(rate="1/s")  # replaced from the settings on each request (tests change them)

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request: HttpRequest) -> str | None:
        return client_ip(request)


class CallerThrottle(_KepuThrottle):
    """Signed-in callers (token or session), by user."""

    scope = "kepu_caller"
    setting = "KEPU_API_RATE_CALLER"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        user: Any = getattr(request, "auth", None)
        if getattr(user, "pk", None) is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": f"user{user.pk}"}


class VisitorThrottle(_KepuThrottle):
    """Anonymous callers (the public endpoints), by client address."""

    scope = "kepu_visitor"
    setting = "KEPU_API_RATE_VISITOR"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        if getattr(getattr(request, "auth", None), "pk", None) is not None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
