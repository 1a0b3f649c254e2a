"""Units and regions pages: list with filters (HTMX), detail, edit, aliases, import and export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can, can_reach
from kepu.core.errors import ImportRejected, ValidationFailed
from kepu.core.transitions import edit_token
from kepu.core.views import action_required, describe_filters, excel_export, paginate
from kepu.org import selectors, services, sheets
from kepu.org.forms import AliasForm, ImportForm, ReasonForm, UnitForm
from kepu.org.models import RegionLevel, Unit, UnitAlias, UnitKind

UNIT_FILTER_LABELS = {"q": "关键词", "kind": "类别", "region": "区划", "member": "成员单位", "active": "状态"}


def _unit_filters(request: HttpRequest) -> selectors.UnitFilters:
    member = request.GET.get("member", "")
    active = request.GET.get("active", "1")
    region = request.GET.get("region", "")
    return selectors.UnitFilters(
        q=request.GET.get("q", "").strip(),
        kind=request.GET.get("kind", ""),
        region=int(region) if region.isdigit() else None,
        is_member={"1": True, "0": False}.get(member),
        active={"1": True, "0": False}.get(active),
    )


@action_required("org.unit.view")
def unit_list(request: HttpRequest) -> HttpResponse:
    units = selectors.unit_list(user=request.user, filters=_unit_filters(request))
    context = {
        "page_title": "单位管理",
        "page_subtitle": "领导小组成员单位及各类参与单位；别名用于文件导入时自动识别单位",
        **paginate(request, units),
        "kinds": UnitKind.choices,
        "regions": selectors.region_choices(user=request.user),
        "filters": request.GET,
        "can_change": can(request.user, "org.unit.change"),
        "can_import": can(request.user, "org.unit.import"),
        "can_export": can(request.user, "org.unit.export"),
    }
    template = "org/units_table.html" if request.htmx else "org/unit_list.html"
    return render(request, template, context)


@action_required("org.unit.export")
def unit_export(request: HttpRequest) -> HttpResponse:
    units = selectors.unit_list(user=request.user, filters=_unit_filters(request), action="org.unit.export")
    return excel_export(request, action="org.unit.export", data=lambda: sheets.units_export(list(units)),
                        filename="单位.xlsx", count=units, filters=describe_filters(request, UNIT_FILTER_LABELS))


@action_required("org.unit.import")
def unit_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, title="导入单位", importer=sheets.units_import, back="org:unit_list",
                        columns=sheets.UNIT_COLUMNS)


def _import_page(request: HttpRequest, *, title: str, importer, back: str, columns) -> HttpResponse:  # type: ignore[no-untyped-def]
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = importer(actor=request.user, data=form.cleaned_data["file"].read())
        except ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(request, f"导入完成：{summary}。")
            return redirect(back)
    return render(request, "org/import.html", {"page_title": title, "form": form, "errors": errors,
                                               "back": back, "columns": columns})


def _unit_form(request: HttpRequest, unit: Unit | None) -> UnitForm:
    initial = {}
    if unit is not None:
        initial = {f: getattr(unit, f) for f in ("name", "short_name", "kind", "is_member", "credit_code",
                                                   "contact_phone", "sort_order")}
        initial.update(region=unit.region_id, parent=unit.parent_id, edit_token=edit_token(unit))
    return UnitForm(request.POST or None, initial=initial,
                    regions=selectors.region_choices(user=request.user, action="org.unit.change"),
                    units=selectors.unit_choices(user=request.user).exclude(pk=getattr(unit, "pk", None)))


@action_required("org.unit.change")
def unit_create(request: HttpRequest) -> HttpResponse:
    form = _unit_form(request, None)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "edit_token"}
            unit = services.unit_create(actor=request.user, **data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"已新增单位“{unit.name}”。")
            return redirect("org:unit_detail", unit_id=unit.pk)
    return render(request, "org/unit_form.html", {"page_title": "新增单位", "form": form})


CHILDREN_PER_PAGE = 50


@action_required("org.unit.view")
def unit_detail(request: HttpRequest, unit_id: int) -> HttpResponse:
    return _detail_page(request, unit_id)


def _detail_page(request: HttpRequest, unit_id: int, **typed: AliasForm | ReasonForm) -> HttpResponse:
    """The unit's page; after a refused alias or deactivation that form shows again as typed, with the error."""
    unit = selectors.unit_detail(user=request.user, unit_id=unit_id)
    children = paginate(request, selectors.unit_children(user=request.user, unit=unit), per_page=CHILDREN_PER_PAGE)
    if request.htmx and request.method == "GET":  # another page of the child units
        return render(request, "org/unit_children.html", {"unit": unit, **children})
    can_change = can(request.user, "org.unit.change") and can_reach(request.user, "org.unit.change", unit)
    members = selectors.user_list(user=request.user).filter(unit=unit) if can(request.user, "org.user.view") else []
    return render(request, "org/unit_detail.html", {
        "page_title": unit.name, "unit": unit, "can_change": can_change, "alias_form": AliasForm(),
        "reason_form": ReasonForm(), **typed, "members": members, **children,
    })


@action_required("org.unit.change")
def unit_edit(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_object(Unit.objects.select_related("region", "parent"), request.user, "org.unit.change",
                         pk=unit_id)
    form = _unit_form(request, unit)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=request.user, unit=unit, **form.cleaned_data)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "已保存。")
            return redirect("org:unit_detail", unit_id=unit.pk)
    return render(request, "org/unit_form.html", {"page_title": f"编辑单位：{unit.name}", "form": form,
                                                   "unit": unit})


@require_POST
@action_required("org.unit.change")
def unit_alias_add(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_object(Unit.objects.all(), request.user, "org.unit.change", pk=unit_id)
    form = AliasForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, unit.pk, alias_form=form)
    try:
        services.alias_add(actor=request.user, unit=unit, name=form.cleaned_data["name"])
    except ValidationFailed as exc:
        form.add_error("name", exc.message)
        return _detail_page(request, unit.pk, alias_form=form)
    messages.success(request, "已添加别名。")
    return redirect("org:unit_detail", unit_id=unit.pk)


@require_POST
@action_required("org.unit.change")
def unit_alias_remove(request: HttpRequest, unit_id: int, alias_id: int) -> HttpResponse:
    alias = access_object(UnitAlias.objects.select_related("unit"), request.user, "org.unit.change",
                          pk=alias_id, unit_id=unit_id)
    services.alias_remove(actor=request.user, alias=alias)
    messages.success(request, "已删除别名。")
    return redirect("org:unit_detail", unit_id=unit_id)


@require_POST
@action_required("org.unit.change")
def unit_deactivate(request: HttpRequest, unit_id: int) -> HttpResponse:
    unit = access_object(Unit.objects.all(), request.user, "org.unit.change", pk=unit_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail_page(request, unit.pk, reason_form=form)
    try:
        services.unit_deactivate(actor=request.user, unit=unit, reason=form.cleaned_data["reason"])
    except ValidationFailed as exc:
        form.add_error("reason", exc.message)
        return _detail_page(request, unit.pk, reason_form=form)
    messages.success(request, f"已停用“{unit.name}”。")
    return redirect("org:unit_detail", unit_id=unit.pk)


# ---------------------------------------------------------------- regions

@action_required("org.region.view")
def region_list(request: HttpRequest) -> HttpResponse:
    regions = selectors.region_list(user=request.user, q=request.GET.get("q", "").strip(),
                                    level=request.GET.get("level", ""))
    context = {"page_title": "行政区划", "page_subtitle": "采用国家统计用区划代码（12 位）",
               **paginate(request, regions, per_page=50), "levels": RegionLevel.choices, "filters": request.GET,
               "can_import": can(request.user, "org.region.import"),
               "can_export": can(request.user, "org.region.export")}
    template = "org/regions_table.html" if request.htmx else "org/region_list.html"
    return render(request, template, context)


@action_required("org.region.export")
def region_export(request: HttpRequest) -> HttpResponse:
    regions = list(selectors.region_list(user=request.user, action="org.region.export"))
    return excel_export(request, action="org.region.export", data=sheets.regions_export(regions),
                        filename="行政区划.xlsx", count=len(regions))


@action_required("org.region.import")
def region_import(request: HttpRequest) -> HttpResponse:
    return _import_page(request, title="导入行政区划", importer=sheets.regions_import, back="org:region_list",
                        columns=sheets.REGION_COLUMNS)
