"""Formatting of estimates: shares as per cent, intervals, CVs — never a bare point estimate."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

register = template.Library()


@register.filter
def pct(value: Any, digits: int = 1) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{digits}f}%"


@register.filter
def ci(estimate: Any, kind: str = "share") -> str:
    """The 95 % interval of an Estimate: “20.3%—24.0%” for shares, “61.2—64.9” for scores."""
    if estimate is None or estimate.ci_low is None or estimate.ci_high is None:
        return "—"
    if kind == "score":
        return f"{estimate.ci_low:.1f}—{estimate.ci_high:.1f}"
    return f"{estimate.ci_low * 100:.1f}%—{estimate.ci_high * 100:.1f}%"


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def num(value: Any, digits: int = 2) -> str:
    if value is None or value == "":
        return "—"
    return f"{float(value):.{digits}f}"


@register.filter
def gap_points(estimate: Any, target: Any) -> str:
    """Percentage points from the estimate to a target value (in per cent)."""
    if estimate is None or target is None:
        return "—"
    gap = float(target) - estimate.estimate * 100
    return f"差 {gap:.1f} 个百分点" if gap > 0 else f"超 {-gap:.1f} 个百分点"


@register.simple_tag
def publishable_badge(estimate: Any) -> str:
    if estimate is None:
        return ""
    if estimate.publishable:
        return format_html('<span class="badge text-bg-success-subtle text-success-emphasis">{}</span>', "可发布")
    return format_html('<span class="badge text-bg-warning-subtle text-warning-emphasis" title="{}">{}</span>',
                       "变异系数过大或样本量不足", "样本不足")
