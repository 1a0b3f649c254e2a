"""The service menu in the back office (list, add, edit) and the office's time-limit settings."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from kepu.core.access import can, scoped
from kepu.core.errors import ValidationFailed
from kepu.core.views import action_required, paginate
from kepu.org.public import Region, RegionLevel, Unit
from kepu.service_orders import selectors, services, teams
from kepu.service_orders.forms import ItemForm, SettingsForm
from kepu.service_orders.models import ServiceCategory, ServiceItem


def _item_filters(request: HttpRequest) -> selectors.ItemFilters:
    category = request.GET.get("category", "")
    active = request.GET.get("active", "1")
    return selectors.ItemFilters(q=request.GET.get("q", "").strip()[:50],
                                 category=category if category in ServiceCategory.values else "",
                                 active={"1": True, "0": False}.get(active))


@action_required("service_orders.item.view")
def item_list(request: HttpRequest) -> HttpResponse:
    items = selectors.item_list(user=request.user, filters=_item_filters(request))
    context = {"page_title": "服务菜单", "page_subtitle": "群众可在公众门户按类别浏览并预约的科普服务项目",
               **paginate(request, items, per_page=30), "filters": request.GET,
               "categories": ServiceCategory.choices,
               "can_change": can(request.user, "service_orders.item.change")}
    template = "service_orders/items_table.html" if request.htmx else "service_orders/item_list.html"
    return render(request, template, context)


def _item_form(request: HttpRequest, item: ServiceItem | None) -> ItemForm:
    units = scoped(Unit.objects.filter(is_active=True), request.user, "service_orders.item.change")
    areas = Region.objects.filter(level__in=(RegionLevel.CITY, RegionLevel.DISTRICT, RegionLevel.TOWN),
                                  is_active=True).order_by("path")
    return ItemForm(request.POST or None, instance=item, units=units.order_by("sort_order", "name"),
                    teams=teams.active_teams(), areas=areas)


def _save_item(request: HttpRequest, form: ItemForm, item: ServiceItem | None) -> ServiceItem | None:
    fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
    try:
        if item is None:
            return services.item_create(actor=request.user, **fields)
        return services.item_update(actor=request.user, item=item, edit_token=form.cleaned_data["edit_token"],
                                    **fields)
    except ValidationFailed as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return None


@action_required("service_orders.item.change")
def item_create(request: HttpRequest) -> HttpResponse:
    form = _item_form(request, None)
    if request.method == "POST" and form.is_valid():
        saved = _save_item(request, form, None)
        if saved is not None:
            messages.success(request, f"已上架服务项目“{saved.name}”。")
            return redirect("service_orders:item_list")
    return render(request, "service_orders/item_form.html", {"page_title": "新增服务项目", "form": form})


@action_required("service_orders.item.change")
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    item = selectors.item_detail(user=request.user, item_id=item_id, action="service_orders.item.change")
    form = _item_form(request, item)
    if request.method == "POST" and form.is_valid():
        # The form has already written its values onto `item`; reload so the service sees the change.
        fresh = ServiceItem.objects.get(pk=item.pk)
        saved = _save_item(request, form, fresh)
        if saved is not None:
            messages.success(request, "已保存。")
            return redirect("service_orders:item_list")
    return render(request, "service_orders/item_form.html", {"page_title": f"编辑服务项目：{item.name}",
                                                             "form": form, "item": item})


@action_required("service_orders.settings.change")
def settings_edit(request: HttpRequest) -> HttpResponse:
    current = selectors.settings_current()
    form = SettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        # The service reads the stored settings itself (the form only parsed the numbers).
        values: dict[str, Any] = {f: form.cleaned_data[f] for f in SettingsForm.Meta.fields}
        try:
            services.settings_update(actor=request.user, **values)
        except ValidationFailed as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "时限设置已保存，下次超时检查起生效。")
            return redirect("service_orders:settings")
    return render(request, "service_orders/settings.html", {
        "page_title": "工单时限设置", "form": form, "limits": current,
        "page_subtitle": "各环节的办理时限；超时的工单由系统每小时自动退回上一环节并督办"})
