"""Template helpers of the volunteers pages: personal data shown masked unless the role may see it."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from kepu.core.text import mask_id_number, mask_phone
from kepu.volunteers.rules import mask_name

register = template.Library()


@register.filter
def id_shown(value: str, full: bool) -> str:
    return value if full else mask_id_number(value)


@register.filter
def phone_shown(value: str, full: bool) -> str:
    return value if full else mask_phone(value)


@register.filter
def public_name(value: str) -> str:
    return mask_name(value)


@register.simple_tag
def stars(level: Any, total: int = 5) -> str:
    """★★★☆☆ for a star level, with the level spelled out for screen readers."""
    level = int(level or 0)
    return format_html('<span class="kp-stars" title="{}星" aria-label="{}星"><span class="on">{}</span>'
                       '<span class="off">{}</span></span>', level, level, "★" * level, "☆" * (total - level))


STATUS_CLASSES = {
    "pending": "warning", "approved": "success", "declined": "secondary", "rejected": "secondary",
    "left": "light", "submitted": "warning", "returned": "secondary", "cancelled": "light", "in_notice": "info",
    "certified": "success", "planned": "primary", "open": "warning", "upheld": "danger", "dismissed": "secondary",
}


@register.simple_tag
def status_badge(code: str, label: str) -> str:
    css = STATUS_CLASSES.get(code, "light")
    text = " text-dark" if css in ("warning", "light", "info") else ""
    return format_html('<span class="badge text-bg-{}{}">{}</span>', css, text, label)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None
