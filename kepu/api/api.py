"""The REST API: /api/v1/…, token auth, the same data scopes as the pages, OpenAPI at /api/docs."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from kepu.api.auth import SessionAuth, TokenAuth
from kepu.api.invalid import chinese_error
from kepu.api.throttling import CallerThrottle, VisitorThrottle
from kepu.core.errors import KepuError
from kepu.core.limits import LimitExceeded
from kepu.core.transitions import AlreadyHandled

api = NinjaAPI(
    title="科普工作平台 API",
    version="1",
    description="全民科学素质行动工作平台的接口。所有列表、详情、统计与导出均按调用者的数据范围过滤。",
    auth=[TokenAuth(), SessionAuth()],
    throttle=[CallerThrottle(), VisitorThrottle()],
    docs_url="/docs",
    openapi_url="/openapi.json",
    urls_namespace="api",
)


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(request, {"detail": "请先登录，或以 Authorization: Bearer 携带有效的 API 令牌"},
                               status=401)


@api.exception_handler(HttpError)
def _bad_request(request: HttpRequest, exc: HttpError) -> HttpResponse:
    # ninja's own refusals; the only one it sends is 400 for a body that is not JSON.
    detail = "请求内容无法解析，须为 JSON" if exc.status_code == 400 else str(exc)
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(PermissionDenied)
def _denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc) or "没有权限"}, status=403)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"detail": "没有找到该记录，或不在您的数据范围内"}, status=404)


@api.exception_handler(OverflowError)
def _no_such_row(request: HttpRequest, exc: OverflowError) -> HttpResponse:
    # An id past the database's integer range (SQLite's driver refuses it before the query): no such row.
    return api.create_response(request, {"detail": "没有找到该记录，或不在您的数据范围内"}, status=404)


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    # ninja adds Retry-After to this response.
    return api.create_response(request, {"detail": "请求过于频繁，请稍后再试"}, status=429)


@api.exception_handler(LimitExceeded)
def _limited(request: HttpRequest, exc: LimitExceeded) -> HttpResponse:
    response = api.create_response(request, {"detail": exc.message}, status=429)
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(AlreadyHandled)
def _conflict(request: HttpRequest, exc: AlreadyHandled) -> HttpResponse:
    # Another request decided or changed the row first: the client should reload, not retry blindly.
    return api.create_response(request, {"detail": exc.message}, status=409)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return api.create_response(request, {"detail": [chinese_error(error) for error in exc.errors]}, status=422)


def _refuse_control_characters(operation: Callable[..., Any]) -> Callable[..., Any]:
    """Every operation, after authentication, throttling and validation: the refusal the control-character
    middleware left on the request (kepu.core.middleware), so an anonymous caller learns 401 first."""

    @wraps(operation)
    def checked(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        refusal = getattr(request, "kepu_control_characters", None)
        if refusal is not None:
            return api.create_response(request, refusal, status=422)
        return operation(request, *args, **kwargs)

    return checked


api.add_decorator(_refuse_control_characters)


@api.exception_handler(KepuError)
def _refused(request: HttpRequest, exc: KepuError) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=422)


def _mount() -> None:
    # One line per domain; each domain's api.py owns its router.
    from kepu.api.core_api import router as core_router
    from kepu.literacy.api import router as literacy_router
    from kepu.org.api import router as org_router
    from kepu.plans.api import router as plans_router
    from kepu.service_orders.api import router as orders_router
    from kepu.volunteers.api import router as volunteers_router

    api.add_router("/v1/", core_router)
    api.add_router("/v1/org/", org_router)
    api.add_router("/v1/plans/", plans_router)
    api.add_router("/v1/literacy/", literacy_router)
    api.add_router("/v1/volunteers/", volunteers_router)
    api.add_router("/v1/orders/", orders_router)


_mount()
