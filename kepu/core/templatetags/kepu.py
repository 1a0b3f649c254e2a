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


# A small form refused by its service comes back on its page with what was typed (a view puts
# {"path", "text", "error"} in the context as `typed`, the refused form's address being `path`).
@register.simple_tag(takes_context=True)
def typed_text(context: Any, action: str, name: str = "") -> str:
    """The text the user typed into the form posting to `action` (into its box `name`, where several
    forms post to one address), when that form was refused."""
    return str(context.get("typed", {}).get("text", "")) if _refused(context, action, name) else ""


@register.simple_tag(takes_context=True)
def typed_error(context: Any, action: str, name: str = "") -> str:
    """The refusal of the form posting to `action` (box `name`), under its box (nothing otherwise)."""
    typed = context.get("typed") or {}
    if not _refused(context, action, name):
        return ""
    return format_html('<div class="invalid-feedback d-block mb-2">{}</div>', typed.get("error", ""))


def _refused(context: Any, action: str, name: str) -> bool:
    typed = context.get("typed") or {}
    return bool(typed) and typed.get("path") == action and (not name or typed.get("field") == name)
