"""The figures of the ledger's dashboard, each with the ledger filter that lists its tasks.

Everything starts from `selectors.task_list` (the user's scope), so every figure clicks through to
exactly the tasks it counts.
"""

from __future__ import annotations

import math
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from django.db.models import Avg, Count, Q, QuerySet
from django.urls import reverse

from kepu.plans.models import (
    AlertLevel,
    Indicator,
    IndicatorValue,
    Plan,
    Task,
    TaskUnit,
    UnitRole,
    section_label,
)

LEVELS = (("red", "红灯", "#d93b3b"), ("yellow", "黄灯", "#f2b705"), ("green", "绿灯", "#2fa84f"))


def ledger_url(**params: Any) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{reverse('plans:task_list')}?{query}" if query else reverse("plans:task_list")


def light_counts(tasks: QuerySet[Task]) -> dict[str, int]:
    counts = {row["alert_level"] or "none": row["n"] for row in
              tasks.order_by().values("alert_level").annotate(n=Count("id"))}
    counts["total"] = sum(counts.values())
    for level in ("green", "yellow", "red", "none"):
        counts.setdefault(level, 0)
    return counts


def by_section(tasks: QuerySet[Task]) -> list[dict[str, Any]]:
    rows = (tasks.order_by().values("section_id", "section__number", "section__title", "section__order", "section__path")
            .annotate(total=Count("id"), red=Count("id", filter=Q(alert_level=AlertLevel.RED)),
                      yellow=Count("id", filter=Q(alert_level=AlertLevel.YELLOW)),
                      green=Count("id", filter=Q(alert_level=AlertLevel.GREEN)), progress=Avg("progress"))
            .order_by("section__order"))
    return [{**r, "label": section_label(r["section__number"], r["section__title"], r["section__path"])}
            for r in rows]


def by_lead_unit(tasks: QuerySet[Task]) -> list[dict[str, Any]]:
    rows = (TaskUnit.objects.filter(task__in=tasks.values("pk"), role=UnitRole.LEAD)
            .values("unit_id", "unit__name", "unit__short_name", "unit__sort_order")
            .annotate(total=Count("task_id"), red=Count("task_id", filter=Q(task__alert_level=AlertLevel.RED)),
                      yellow=Count("task_id", filter=Q(task__alert_level=AlertLevel.YELLOW)),
                      green=Count("task_id", filter=Q(task__alert_level=AlertLevel.GREEN)),
                      progress=Avg("task__progress"))
            .order_by("-red", "-yellow", "unit__sort_order"))
    return [{**r, "label": r["unit__short_name"] or r["unit__name"]} for r in rows]


def _stacked(categories: list[dict[str, Any]], drill: Any, *, horizontal: bool = False) -> dict[str, Any]:
    """An ECharts option: one stacked bar per category, one series per light, every bar clickable."""
    names = [c["label"] for c in categories]
    value_axis = {"type": "value", "minInterval": 1}
    category_axis = {"type": "category", "data": names,
                     "axisLabel": {"interval": 0, "width": 170 if horizontal else 120, "overflow": "truncate"}}
    if not horizontal:
        category_axis["axisLabel"].update({"rotate": 30 if len(names) > 5 else 0})
    option: dict[str, Any] = {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "legend": {"top": 0},
        "grid": {"left": 8, "right": 16, "bottom": 8, "top": 36, "containLabel": True},
        "xAxis": value_axis if horizontal else category_axis,
        "yAxis": {**category_axis, "inverse": True} if horizontal else value_axis,
        "series": [{"name": label, "type": "bar", "stack": "lights", "itemStyle": {"color": color},
                    "barMaxWidth": 28, "data": [c[level] for c in categories]} for level, label, color in LEVELS],
        "kpDrill": {},
    }
    for category in categories:
        option["kpDrill"][category["label"]] = drill(category, "")
        for level, label, _color in LEVELS:
            option["kpDrill"][f"{label}|{category['label']}"] = drill(category, level)
    return option


def section_chart(plan: Plan | None, rows: list[dict[str, Any]]) -> dict[str, Any]:
    plan_id = plan.pk if plan else None
    return _stacked(rows, lambda c, light: ledger_url(plan=plan_id, section=c["section_id"], light=light),
                    horizontal=True)


def unit_chart(plan: Plan | None, rows: list[dict[str, Any]]) -> dict[str, Any]:
    plan_id = plan.pk if plan else None
    return _stacked(rows, lambda c, light: ledger_url(plan=plan_id, unit=c["unit_id"], role="lead", light=light),
                    horizontal=True)


def indicator_rows(indicators: QuerySet[Indicator]) -> list[dict[str, Any]]:
    rows = []
    for indicator in indicators:
        completion = indicator.completion
        rows.append({"indicator": indicator, "completion": completion,
                     "url": reverse("plans:indicator_detail", args=[indicator.pk])})
    return rows


def indicator_chart(rows: list[dict[str, Any]], limit: int = 15) -> dict[str, Any]:
    """Completion of each indicator that has an actual value, as a share of its target."""
    measured = [r for r in rows if r["completion"] is not None][:limit]
    names = [f"{r['indicator'].name[:14]}" for r in measured]
    return {
        "tooltip": {"trigger": "axis", "axisPointer": {"type": "shadow"}},
        "grid": {"left": 8, "right": 40, "bottom": 8, "top": 16, "containLabel": True},
        "xAxis": {"type": "value", "max": 100, "axisLabel": {"formatter": "{value}%"}},
        "yAxis": {"type": "category", "data": names, "inverse": True,
                  "axisLabel": {"width": 150, "overflow": "truncate"}},
        "series": [{"name": "完成度", "type": "bar", "barMaxWidth": 18,
                    "label": {"show": True, "position": "right", "formatter": "{c}%"},
                    "itemStyle": {"color": "#1f5fbf"},
                    "data": [round(float(r["completion"]) * 100, 1) for r in measured]}],
        "kpDrill": {name: r["url"] for name, r in zip(names, measured, strict=True)},
    }


def trend_chart(indicator: Indicator) -> dict[str, Any]:
    """The indicator's values over time, with its target (and baseline) as reference lines."""
    values = list(IndicatorValue.objects.filter(indicator=indicator, source=indicator.source)
                  .select_related("period").order_by("year", "period__start"))
    labels = [v.period.label if v.period_id else f"{v.year}年" for v in values]
    marks = [{"name": "目标", "yAxis": float(indicator.target), "label": {"formatter": f"目标 {indicator.target_label}"}}]
    if indicator.baseline is not None:
        marks.append({"name": "基期", "yAxis": float(indicator.baseline), "label": {"formatter": "基期"}})
    # The axis spans the values and the reference lines, so the target is always in sight.
    points = [float(v.value) for v in values] + [float(m["yAxis"]) for m in marks]
    low, high = min(points), max(points)
    pad = (high - low) * 0.1 or abs(high) * 0.1 or 1
    step = 10 ** math.floor(math.log10(max(high - low, 1e-9)))  # round the ends to the axis's own step
    low, high = math.floor((low - pad) / step) * step, math.ceil((high + pad) / step) * step
    pad = 0
    return {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 8, "right": 90, "bottom": 8, "top": 24, "containLabel": True},
        "xAxis": {"type": "category", "data": labels, "boundaryGap": False},
        "yAxis": {"type": "value", "name": indicator.unit_of_measure, "min": round(low - pad, 2),
                  "max": round(high + pad, 2)},
        "series": [{"name": "实际值", "type": "line", "smooth": False, "symbolSize": 8,
                    "itemStyle": {"color": "#1f5fbf"}, "data": [float(v.value) for v in values],
                    "markLine": {"symbol": "none", "lineStyle": {"type": "dashed", "color": "#d93b3b"},
                                 "data": marks}}],
    }


def section_progress(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for row in rows:
        row["progress"] = round(row["progress"] or 0)
    return rows


def lagging_units(tasks: QuerySet[Task]) -> list[tuple[str, int]]:
    """Units leading red tasks, most first (for the bulletin)."""
    counts: dict[str, int] = defaultdict(int)
    for name, short in (TaskUnit.objects.filter(task__in=tasks.values("pk"), role=UnitRole.LEAD,
                                                task__alert_level=AlertLevel.RED)
                        .values_list("unit__name", "unit__short_name")):
        counts[short or name] += 1
    return sorted(counts.items(), key=lambda item: -item[1])
