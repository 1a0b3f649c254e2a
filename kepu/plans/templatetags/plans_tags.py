"""Template helpers of the plan ledger: lights with their reasons, unit chips, status badges."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

register = template.Library()

LIGHTS = {"green": ("绿灯", "正常推进"), "yellow": ("黄灯", "预警"), "red": ("红灯", "滞后"), "": ("未评估", "尚未计算")}
STATUS_CLASSES = {
    "draft": "text-bg-light border", "submitted": "text-bg-primary", "approved": "text-bg-success",
    "returned": "text-bg-danger", "issued": "text-bg-warning", "signed": "text-bg-primary",
    "answered": "text-bg-info", "closed": "text-bg-success", "published": "text-bg-success",
    "open": "text-bg-warning", "committed": "text-bg-success", "discarded": "text-bg-secondary",
}
GRADE_CLASSES = {"excellent": "text-bg-success", "good": "text-bg-primary", "pass": "text-bg-warning",
                 "fail": "text-bg-danger"}


@register.simple_tag
def light(level: str, reason: str = "", show_label: bool = True) -> str:
    """A coloured dot with its label; the reason appears on hover."""
    label, meaning = LIGHTS.get(level or "", LIGHTS[""])
    css = f"kp-light kp-light-{level}" if level else "kp-light kp-light-none"
    text = format_html('<span class="kp-light-label">{}</span>', label) if show_label else ""
    return format_html('<span class="kp-light-wrap" title="{}" data-kp-light="{}"><span class="{}"></span>{}</span>',
                       reason or meaning, level or "none", css, text)


@register.simple_tag
def status_badge(status: str, label: str) -> str:
    return format_html('<span class="badge {}">{}</span>', STATUS_CLASSES.get(status, "text-bg-light"), label)


@register.simple_tag
def grade_badge(grade: str, label: str) -> str:
    return format_html('<span class="badge {}">{}</span>', GRADE_CLASSES.get(grade, "text-bg-light"), label or "—")


@register.simple_tag
def units_of(task: Any, role: str, limit: int = 0) -> str:
    """The task's units of one role as chips (from the prefetched TaskUnit rows)."""
    rows = [tu for tu in task.units.all() if tu.role == role]
    shown = rows[:limit] if limit else rows
    chips = format_html_join("", '<span class="kp-unit kp-unit-{}" title="{}">{}</span>',
                             ((role, tu.unit.name, tu.unit.label) for tu in shown))
    more = format_html('<span class="text-body-secondary small">等{}个</span>', len(rows)) if len(rows) > len(shown) else ""
    return format_html("{}{}", chips, more) if rows else mark_safe('<span class="text-body-secondary">—</span>')


@register.filter
def number(value: Any) -> str:
    """A decimal without trailing zeros: 23.0000 → 23, 6.2000 → 6.2."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        text = format(value.normalize(), "f")
        return text
    return str(value)


@register.filter
def pct(value: Any) -> str:
    """0–1 → “87.5%”."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.1f}%".replace(".0%", "%")


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] — also a form's bound field by name."""
    try:
        return mapping[key]
    except (KeyError, IndexError, TypeError):
        return None


@register.simple_tag
def progress_bar(actual: int, expected: int | None = None) -> str:
    """A thin progress bar with the expected progress marked."""
    actual = max(0, min(100, int(actual or 0)))
    colour = "bg-success" if actual >= 100 else "bg-primary"
    marker = (format_html('<span class="kp-progress-expected" style="left:{}%" title="预期进度 {}%"></span>', expected,
                          expected) if expected is not None else "")
    return format_html('<div class="kp-progress" title="实际进度 {}%"><div class="kp-progress-track"><div class="progress" '
                       'role="progressbar" aria-valuenow="{}" aria-valuemin="0" aria-valuemax="100"><div '
                       'class="progress-bar {}" style="width:{}%"></div></div>{}</div>'
                       '<span class="kp-progress-value">{}%</span></div>',
                       actual, actual, colour, actual, marker, actual)


@register.filter
def join_written(refs: list[dict[str, Any]] | None) -> str:
    """Unit references of an import draft as the reviewer edits them: "市教育局、市科协"."""
    return "、".join(ref["written"] for ref in refs or [])
