"""ECharts options for the KPI page, built from `stats.Figures`; each bar or slice clicks through to
the orders behind it (kpDrill: category name → filtered list URL)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from kepu.service_orders.models import OrderStatus
from kepu.service_orders.stats import Figures, StatsFilters

PALETTE = ["#1f5fbf", "#2fa84f", "#f2b705", "#d93b3b", "#7b61ff", "#13a8a8", "#f08c2e", "#8c9bb5"]
STATUS_ORDER = ("placed", "dispatched", "claimed", "accepted", "in_service", "completed", "rated", "rejected",
                "cancelled")


def _list_url(filters: StatsFilters, **extra: Any) -> str:
    params = {k: v for k, v in {"year": filters.year, "town": filters.town, "unit": filters.unit,
                                "team": filters.team, **extra}.items() if v}
    return reverse("service_orders:order_list") + ("?" + urlencode(params) if params else "")


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


def status_chart(figures: Figures, filters: StatsFilters) -> dict[str, Any]:
    labels = [OrderStatus(s).label for s in STATUS_ORDER]
    return {
        "color": PALETTE, "tooltip": {"trigger": "axis"}, "grid": {"left": 40, "right": 16, "top": 20, "bottom": 30},
        "xAxis": {"type": "category", "data": labels, "axisLabel": {"interval": 0}},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": "工单数", "type": "bar", "barMaxWidth": 36,
                    "data": [figures.by_status.get(s, 0) for s in STATUS_ORDER]}],
        "kpDrill": {OrderStatus(s).label: _list_url(filters, status=s) for s in STATUS_ORDER},
    }


def town_chart(figures: Figures, filters: StatsFilters) -> dict[str, Any]:
    rows = sorted(figures.by_town, key=lambda r: r.label)
    names = [r.label for r in rows]
    return {
        "color": PALETTE, "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
        "grid": {"left": 40, "right": 40, "top": 36, "bottom": 50},
        "xAxis": {"type": "category", "data": names, "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": [{"type": "value", "minInterval": 1, "name": "件"},
                  {"type": "value", "name": "%", "max": 100, "splitLine": {"show": False}}],
        "series": [
            {"name": "工单数", "type": "bar", "data": [r.total for r in rows], "barMaxWidth": 28},
            {"name": "已办结", "type": "bar", "data": [r.done for r in rows], "barMaxWidth": 28},
            {"name": "满意率", "type": "line", "yAxisIndex": 1,
             "data": [round(float(r.satisfaction_rate) * 100, 1) if r.satisfaction_rate is not None else None
                      for r in rows]},
        ],
        "kpDrill": {r.label: _list_url(filters, town=r.key) for r in rows},
    }


def time_chart(figures: Figures, filters: StatsFilters) -> dict[str, Any]:
    rows = sorted(figures.by_town, key=lambda r: r.label)
    return {
        "color": ["#13a8a8", "#7b61ff"], "tooltip": {"trigger": "axis"},
        "legend": {"top": 0}, "grid": {"left": 44, "right": 16, "top": 36, "bottom": 50},
        "xAxis": {"type": "category", "data": [r.label for r in rows], "axisLabel": {"interval": 0, "rotate": 30}},
        "yAxis": {"type": "value", "name": "小时"},
        "series": [
            {"name": "平均响应时长", "type": "bar", "barMaxWidth": 24, "data": [_float(r.response_hours) for r in rows]},
            {"name": "平均办结时长", "type": "bar", "barMaxWidth": 24,
             "data": [_float(r.completion_hours) for r in rows]},
        ],
        "kpDrill": {r.label: _list_url(filters, town=r.key) for r in rows},
    }


def month_chart(figures: Figures, filters: StatsFilters) -> dict[str, Any]:
    months = [f"{m['month']:%Y-%m}" if m["month"] else "" for m in figures.by_month]
    return {
        "color": PALETTE, "tooltip": {"trigger": "axis"}, "legend": {"top": 0},
        "grid": {"left": 40, "right": 16, "top": 36, "bottom": 30},
        "xAxis": {"type": "category", "data": months}, "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"name": "点单", "type": "line", "smooth": True, "data": [m["placed"] for m in figures.by_month]},
                   {"name": "办结", "type": "line", "smooth": True, "data": [m["done"] for m in figures.by_month]}],
    }


def rating_chart(figures: Figures, filters: StatsFilters) -> dict[str, Any]:
    colors = {5: "#2fa84f", 4: "#8bc34a", 3: "#f2b705", 2: "#f08c2e", 1: "#d93b3b"}
    return {
        "tooltip": {"trigger": "item", "formatter": "{b}：{c} 件（{d}%）"}, "legend": {"bottom": 0},
        "series": [{"name": "评分", "type": "pie", "radius": ["40%", "68%"], "center": ["50%", "45%"],
                    "data": [{"name": f"{n} 星", "value": count, "itemStyle": {"color": colors[n]}}
                             for n, count in figures.ratings.items()]}],
        "kpDrill": {f"{n} 星": _list_url(filters, status="rated") for n in figures.ratings},
    }
