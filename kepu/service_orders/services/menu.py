"""The service menu and the office's time limits."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from kepu.core import audit
from kepu.core.access import deny, require, scoped
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.transitions import save_if_unchanged
from kepu.org.public import Unit
from kepu.service_orders.models import (
    OrderSettings,
    ServiceItem,
)

# ---------------------------------------------------------------- menu and settings

ITEM_FIELDS = ("name", "category", "summary", "audience", "duration_minutes", "max_headcount", "provider_unit",
               "provider_team", "area", "is_active", "sort_order")


def _require_item_reach(actor: Any, item: ServiceItem) -> None:
    """A liaison keeps the items of the own unit; the office keeps every item."""
    action = "service_orders.item.change"
    if item.pk is not None and not scoped(ServiceItem.objects.filter(pk=item.pk), actor, action).exists():
        deny(actor, action, obj=item)
    if not scoped(Unit.objects.filter(pk=item.provider_unit_id), actor, action).exists():
        deny(actor, action, obj=item.provider_unit)


def _check_item(item: ServiceItem) -> None:
    item.name = item.name.strip()
    if not item.name:
        raise ValidationFailed("请填写服务名称", "name")
    if not item.summary.strip():
        raise ValidationFailed("请填写服务内容", "summary")
    if ServiceItem.objects.filter(name=item.name, provider_unit=item.provider_unit_id).exclude(pk=item.pk).exists():
        raise ValidationFailed("该部门已有同名服务项目", "name")


@transaction.atomic
def item_create(*, actor: Any, **fields: Any) -> ServiceItem:
    require(actor, "service_orders.item.change")
    item = ServiceItem(**fields)
    _require_item_reach(actor, item)
    _check_item(item)
    item.save()
    audit.record(actor, "service_orders.item.create", category=AuditCategory.CREATE, obj=item,
                 after=audit.snapshot(item, ITEM_FIELDS))
    return item


@transaction.atomic
def item_update(*, actor: Any, item: ServiceItem, edit_token: str = "", **changes: Any) -> ServiceItem:
    require(actor, "service_orders.item.change")
    _require_item_reach(actor, item)
    before = audit.snapshot(item, ITEM_FIELDS)
    for field, value in changes.items():
        setattr(item, field, value)
    _require_item_reach(actor, item)  # a liaison cannot hand an item to another unit
    _check_item(item)
    save_if_unchanged(item, edit_token, actor=actor, action="service_orders.item.change")
    after = audit.snapshot(item, ITEM_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "service_orders.item.update", obj=item, before=before, after=after)
    return item


SETTINGS_FIELDS = ("dispatch_hours", "claim_hours", "accept_hours", "complete_days", "early_start_hours",
                   "rating_days")
_SETTING_RANGES = {"dispatch_hours": (1, 720), "claim_hours": (1, 720), "accept_hours": (1, 720),
                   "complete_days": (0, 60), "early_start_hours": (0, 72), "rating_days": (1, 365)}


@transaction.atomic
def settings_update(*, actor: Any, **values: int) -> OrderSettings:
    """The office sets each stage's time limit; the overdue job applies them from its next run."""
    require(actor, "service_orders.settings.change")
    current = OrderSettings.current()
    before = audit.snapshot(current, SETTINGS_FIELDS)
    for field, value in values.items():
        if field not in _SETTING_RANGES:
            raise ValidationFailed(f"未知的设置项：{field}", field)
        low, high = _SETTING_RANGES[field]
        if not isinstance(value, int) or not low <= value <= high:
            raise ValidationFailed(f"应为 {low} 至 {high} 之间的整数", field)
        setattr(current, field, value)
    current.updated_by = actor if getattr(actor, "pk", None) else None
    current.save()
    audit.record(actor, "service_orders.settings.change", obj=current, before=before,
                 after=audit.snapshot(current, SETTINGS_FIELDS))
    return current
