"""Helpers every surface's views share: access-checked views, pagination, file responses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from kepu.core.access import require
from kepu.core.converters import MAX_ID
from kepu.core.errors import KepuError, ValidationFailed
from kepu.core.excel import XLSX_CONTENT_TYPE

PER_PAGE = 20


def action_required(action: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A signed-in user granted `action` (403 and an audit entry otherwise)."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, action)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator




def int_value(value: str | None, *, low: int = 0, high: int = MAX_ID) -> int | None:
    """A whole number from a query parameter, or None when it is absent, not ASCII digits, or out of
    range (a database refuses integers past its column's range; such a filter matches nothing anyway)."""
    if not value or not (value.isascii() and value.isdigit()):
        return None
    number = int(value)
    return number if low <= number <= high else None


def int_param(request: HttpRequest, name: str, *, low: int = 0, high: int = MAX_ID) -> int | None:
    return int_value(request.GET.get(name), low=low, high=high)


def paginate(request: HttpRequest, queryset: QuerySet[Any], per_page: int = PER_PAGE) -> dict[str, Any]:
    page: Page[Any] = Paginator(queryset, per_page).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    encoded = params.urlencode()
    return {"page_obj": page, "rows": page.object_list, "querystring_without_page": f"{encoded}&" if encoded else ""}


def file_response(data: bytes, filename: str, content_type: str = XLSX_CONTENT_TYPE) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


def excel_export(request: HttpRequest, *, action: str, data: bytes | Callable[[], bytes], filename: str,
                 count: int | QuerySet[Any], filters: str = "") -> HttpResponse:
    """Send an export and record it (exports are audited like writes). Pass `data` as a function that
    builds the workbook and a large export is built in the background instead (kepu.core.exports); pass
    `count` as the rows' queryset and they are counted only as far as that decision needs."""
    from kepu.core import exports

    return exports.respond(request, action=action, data=data, filename=filename, count=count, filters=filters)


def describe_filters(request: HttpRequest, labels: dict[str, str]) -> str:
    return "，".join(f"{labels[k]}={v}" for k, v in request.GET.items() if k in labels and v)


TYPED = "_kepu_typed_refusal"


def act(request: HttpRequest, call: Callable[[], Any], success: str, *, done: str,
        page: Callable[[], HttpResponse]) -> HttpResponse:
    """Run one service call from a small form (a reason, a note) and go to `done`. When the service
    refuses what was typed (ValidationFailed), `page()` — the page the form sits on — is shown again
    instead, the text as typed in its box and the error under it (see `typed_refusal`): nothing typed is
    lost to a redirect. Other refusals become a message."""
    from django.contrib import messages

    try:
        call()
    except ValidationFailed as exc:
        return refused_page(request, page, field=exc.field or "", message=exc.message)
    except KepuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect(done)


def refused_page(request: HttpRequest, page: Callable[[], HttpResponse], *, field: str, message: str) -> HttpResponse:
    """`page()` shown again after a refusal of the form posted here: the text posted as `field` kept in
    its box, `message` under it."""
    setattr(request, TYPED, {"path": request.path, "field": field, "text": request.POST.get(field, ""),
                             "error": message})
    return page()


def typed_refusal(request: HttpRequest) -> dict[str, str]:
    """For the page's template: the refused form's address (`path`), field, text as typed and error —
    a form whose action is `path` fills its box with `text` and shows `error` under it. Empty otherwise."""
    return getattr(request, TYPED, {})
