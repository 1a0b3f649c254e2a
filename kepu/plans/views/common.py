"""Small helpers the plans views share."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from kepu.core.errors import KepuError, ValidationFailed


def form_error(request: HttpRequest, form: forms.Form | None, exc: KepuError) -> None:
    """Put a service's refusal on the form field it names, or on the page."""
    field = getattr(exc, "field", None) if isinstance(exc, ValidationFailed) else None
    if form is not None and field in form.fields:
        form.add_error(field, exc.message)
    elif form is not None:
        form.add_error(None, exc.message)
    else:
        messages.error(request, exc.message)


def first_error(form: forms.Form) -> str:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        return f"{label}：{errors[0]}" if label else str(errors[0])
    return "输入有误"


def querystring(request: HttpRequest, **changes: Any) -> str:
    params = request.GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return params.urlencode()
