"""Template helpers: Bootstrap-styled form fields, masking, Chinese number formats."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.html import format_html

from kepu.core.text import mask_id_number, mask_phone

register = template.Library()


@register.filter
def kp_widget(field: Any) -> Any:
    """Render a bound field's widget with the Bootstrap class its kind needs."""
    widget = field.field.widget
    css = {
        forms.CheckboxInput: "form-check-input",
        forms.Select: "form-select",
        forms.SelectMultiple: "form-select",
        forms.CheckboxSelectMultiple: "",
        forms.RadioSelect: "",
    }.get(type(widget), "form-control")
    if field.errors and css:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css} if css else {})


@register.filter
def action_label(code: str) -> str:
    from kepu.core.permissions import describe_action

    return describe_action(code)


@register.filter
def masked_phone(value: str) -> str:
    return mask_phone(value)


@register.filter
def masked_id(value: str) -> str:
    return mask_id_number(value)


@register.filter
def percent(value: Any, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


@register.simple_tag
def light(level: str) -> str:
    labels = {"green": "正常", "yellow": "预警", "red": "滞后"}
    return format_html('<span class="kp-light kp-light-{}" title="{}"></span> {}', level, labels.get(level, level),
                       labels.get(level, level))
