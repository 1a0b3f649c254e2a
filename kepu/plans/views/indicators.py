"""Indicators: actual against target, the trend, and where the actual value comes from."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can
from kepu.core.errors import KepuError
from kepu.core.views import action_required
from kepu.plans import dashboard, selectors
from kepu.plans.forms import IndicatorForm, IndicatorValueForm
from kepu.plans.models import Indicator, IndicatorValue
from kepu.plans.services import ledger
from kepu.plans.views.common import form_error

INDICATOR_FIELDS = ("name", "unit_of_measure", "baseline", "target", "target_year", "annual", "direction", "source",
                    "provider_code", "aggregation")


def _plain(value: Any) -> Any:
    """23.0000 → 23 and 6.2000 → 6.2 in the form (never 2E+1)."""
    if isinstance(value, Decimal):
        return value.quantize(Decimal(1)) if value == value.to_integral_value() else value.normalize()
    return value


@action_required("plans.indicator.view")
def indicator_list(request: HttpRequest) -> HttpResponse:
    plan = selectors.current_plan(user=request.user, plan_id=request.GET.get("plan"))
    rows = dashboard.indicator_rows(selectors.indicator_list(user=request.user, plan=plan)) if plan else []
    return render(request, "plans/indicator_list.html", {
        "page_title": "目标指标", "page_subtitle": "实际值来自平台数据、进展填报或手工录入", "plan": plan,
        "plans": selectors.plan_list(user=request.user), "rows": rows,
        "chart": dashboard.indicator_chart(rows, limit=30)})


@action_required("plans.indicator.view")
def indicator_detail(request: HttpRequest, indicator_id: int) -> HttpResponse:
    return _detail_page(request, selectors.indicator_detail(user=request.user, indicator_id=indicator_id))


def _detail_page(request: HttpRequest, indicator: Indicator, *, form: IndicatorForm | None = None,
                 value_form: IndicatorValueForm | None = None) -> HttpResponse:
    """The indicator's page; after a refused edit or value, that form as the user left it, errors under
    the fields (nothing saved)."""
    can_change = can(request.user, "plans.indicator.change")
    initial = {f: _plain(getattr(indicator, f)) for f in INDICATOR_FIELDS}
    return render(request, "plans/indicator_detail.html", {
        "page_title": indicator.name, "indicator": indicator, "trend": dashboard.trend_chart(indicator),
        "values": IndicatorValue.objects.filter(indicator=indicator).select_related("period")
        .order_by("-year", "-period__start")[:60],
        "can_change": can_change, "form": (form or IndicatorForm(initial=initial)) if can_change else None,
        "value_form": (value_form or IndicatorValueForm()) if can_change else None})


@require_POST
@action_required("plans.indicator.change")
def indicator_edit(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = access_object(Indicator.objects.all(), request.user, "plans.indicator.change", pk=indicator_id)
    form = IndicatorForm(request.POST)
    if form.is_valid():
        try:
            ledger.indicator_update(actor=request.user, indicator=indicator, **form.cleaned_data)
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, "指标已保存，实际值已按新的来源更新。")
            return redirect("plans:indicator_detail", indicator_id=indicator.pk)
    return _detail_page(request, _reloaded(request, indicator), form=form)


@require_POST
@action_required("plans.indicator.change")
def indicator_value_add(request: HttpRequest, indicator_id: int) -> HttpResponse:
    indicator = access_object(Indicator.objects.all(), request.user, "plans.indicator.change", pk=indicator_id)
    form = IndicatorValueForm(request.POST)
    if form.is_valid():
        try:
            ledger.indicator_record_value(actor=request.user, indicator=indicator, **form.cleaned_data)
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, "已录入。")
            return redirect("plans:indicator_detail", indicator_id=indicator.pk)
    return _detail_page(request, _reloaded(request, indicator), value_form=form)


def _reloaded(request: HttpRequest, indicator: Indicator) -> Indicator:
    # A refused service call may have set fields on the object before refusing: show the stored row.
    return selectors.indicator_detail(user=request.user, indicator_id=indicator.pk)
