"""Instruments (items and answer key), scoring rule sets and targets."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can
from kepu.core.errors import ImportRejected, ValidationFailed
from kepu.core.views import action_required, excel_export
from kepu.literacy import selectors, services, sheets
from kepu.literacy import standards as std
from kepu.literacy.forms import ExcelForm, InstrumentForm, RuleSetForm, TargetForm
from kepu.literacy.models import LiteracyTarget

# ---------------------------------------------------------------- instruments


@action_required("literacy.instrument.view")
def instrument_list(request: HttpRequest) -> HttpResponse:
    return render(request, "literacy/instrument_list.html", {
        "page_title": "测评工具", "page_subtitle": "测评题目、所属维度、分值与标准答案",
        "instruments": selectors.instrument_list(user=request.user),
        "can_manage": can(request.user, "literacy.instrument.manage"),
    })


@action_required("literacy.instrument.manage")
def instrument_create(request: HttpRequest) -> HttpResponse:
    form = InstrumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            instrument = services.instrument_create(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已新建“{instrument.name}”，请导入题目与标准答案。")
            return redirect("literacy:item_import", instrument_id=instrument.pk)
    return render(request, "literacy/simple_form.html", {"page_title": "新建测评工具", "form": form,
                                                         "back": "literacy:instrument_list"})


@action_required("literacy.instrument.view")
def instrument_detail(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.instrument_detail(user=request.user, instrument_id=instrument_id)
    items = list(instrument.items.all())
    by_dimension: dict[str, list[float]] = {}
    for item in items:
        by_dimension.setdefault(item.get_dimension_display(), []).append(float(item.points))
    return render(request, "literacy/instrument_detail.html", {
        "page_title": instrument.name, "page_subtitle": f"{instrument.year} 年版 · {instrument.get_rule_kind_display()}",
        "instrument": instrument, "items": items,
        "dimensions": [(label, len(points), sum(points)) for label, points in by_dimension.items()],
        "total_points": sum(float(i.points) for i in items),
        "can_manage": can(request.user, "literacy.instrument.manage"),
    })


@action_required("literacy.instrument.manage")
def instrument_edit(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.instrument_detail(user=request.user, instrument_id=instrument_id,
                                             action="literacy.instrument.manage")
    form = InstrumentForm(request.POST or None, initial={f: getattr(instrument, f) for f in services.INSTRUMENT_FIELDS})
    if request.method == "POST" and form.is_valid():
        try:
            services.instrument_update(actor=request.user, instrument=instrument, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已保存。")
            return redirect("literacy:instrument_detail", instrument_id=instrument.pk)
    return render(request, "literacy/simple_form.html", {"page_title": f"编辑：{instrument.name}", "form": form,
                                                         "back": "literacy:instrument_list"})


@action_required("literacy.instrument.manage")
def item_import(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.instrument_detail(user=request.user, instrument_id=instrument_id,
                                             action="literacy.instrument.manage")
    form = ExcelForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = sheets.items_import(actor=request.user, instrument=instrument,
                                          data=form.cleaned_data["file"].read())
        except ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(request, f"{summary}。")
            return redirect("literacy:instrument_detail", instrument_id=instrument.pk)
    return render(request, "literacy/item_import.html", {
        "page_title": f"导入题目：{instrument.name}", "instrument": instrument, "form": form, "errors": errors,
        "columns": sheets.ITEM_COLUMNS,
    })


@action_required("literacy.instrument.view")
def item_export(request: HttpRequest, instrument_id: int) -> HttpResponse:
    instrument = selectors.instrument_detail(user=request.user, instrument_id=instrument_id)
    return excel_export(request, action="literacy.instrument.view", data=sheets.items_export(instrument),
                        filename=f"{instrument.name}题目.xlsx", count=instrument.items.count())


# ---------------------------------------------------------------- rule sets


@action_required("literacy.instrument.view")
def ruleset_list(request: HttpRequest) -> HttpResponse:
    return render(request, "literacy/ruleset_list.html", {
        "page_title": "评分规则", "page_subtitle": "每个调查轮次选用一套规则；规则变化会记录并在趋势图上标注",
        "rule_sets": selectors.ruleset_list(user=request.user), "dimensions": std.DIMENSIONS,
        "level_labels": std.LEVEL_LABELS, "can_manage": can(request.user, "literacy.instrument.manage"),
    })


def _ruleset_form(request: HttpRequest, rule_set: object | None) -> tuple[RuleSetForm, str]:
    kind = request.POST.get("kind") or request.GET.get("kind") or std.NATIONAL_2022
    existing = rule_set if rule_set is not None else None
    if existing is not None:
        kind = existing.kind  # type: ignore[attr-defined]
    if kind not in std.DEFAULT_PARAMETERS:
        kind = std.NATIONAL_2022
    initial = RuleSetForm.initial_for(existing, kind)  # type: ignore[arg-type]
    return RuleSetForm(request.POST or None, initial=initial, editing=existing), kind  # type: ignore[arg-type]


@action_required("literacy.instrument.manage")
def ruleset_create(request: HttpRequest) -> HttpResponse:
    form, kind = _ruleset_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            rule_set = services.ruleset_create(actor=request.user, name=form.cleaned_data["name"], kind=kind,
                                               description=form.cleaned_data["description"],
                                               parameters=form.parameters(kind))
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已新建评分规则“{rule_set.name}”。")
            return redirect("literacy:ruleset_list")
    return render(request, "literacy/ruleset_form.html", {"page_title": "新建评分规则", "form": form, "kind": kind,
                                                          "kinds": std.RULE_KINDS})


@action_required("literacy.instrument.manage")
def ruleset_edit(request: HttpRequest, rule_set_id: int) -> HttpResponse:
    rule_set = selectors.ruleset_detail(user=request.user, rule_set_id=rule_set_id, action="literacy.instrument.manage")
    form, kind = _ruleset_form(request, rule_set)
    if request.method == "POST" and form.is_valid():
        try:
            services.ruleset_update(actor=request.user, rule_set=rule_set, name=form.cleaned_data["name"],
                                    description=form.cleaned_data["description"], parameters=form.parameters(kind))
        except ValidationFailed as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "已保存评分规则。")
            return redirect("literacy:ruleset_list")
    return render(request, "literacy/ruleset_form.html", {"page_title": f"编辑评分规则：{rule_set.name}", "form": form,
                                                          "kind": kind, "rule_set": rule_set, "kinds": std.RULE_KINDS})


# ---------------------------------------------------------------- targets


@action_required("literacy.target.manage")
def target_list(request: HttpRequest) -> HttpResponse:
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            target = services.target_save(actor=request.user, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已保存{target}。")
            return redirect("literacy:target_list")
    return render(request, "literacy/target_list.html", {
        "page_title": "目标值", "page_subtitle": "国家目标与本地目标；显示在结果页、趋势图和报告中",
        "targets": selectors.targets(), "form": form,
    })


@require_POST
@action_required("literacy.target.manage")
def target_remove(request: HttpRequest, target_id: int) -> HttpResponse:
    target = access_object(LiteracyTarget.objects.all(), request.user, "literacy.target.manage", pk=target_id)
    services.target_remove(actor=request.user, target=target)
    messages.success(request, f"已删除{target}。")
    return redirect("literacy:target_list")
