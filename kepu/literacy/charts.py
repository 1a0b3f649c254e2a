"""Charts of the results: ECharts options for the pages, PNG images (matplotlib) for the Word report.

Every estimate is drawn with its interval ("never a bare point estimate"). ECharts options are
plain JSON; the two things JSON cannot carry — the error-bar drawing and the tooltip text — are
named ("kpErrorBar", "kpInterval") and supplied by kepu/static/kepu/literacy.js.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib import pyplot as plt
from matplotlib.ticker import MaxNLocator

from kepu.literacy.models import Estimate
from kepu.reports.charts import chinese_font

BLUE, GREY, ORANGE, RED, GREEN = "#1f5fbf", "#9aa7bd", "#e07b39", "#d93b3b", "#2fa84f"


def pct(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 2)


def _point(e: Estimate | None) -> dict[str, Any]:
    if e is None:
        return {"value": None}
    return {"value": pct(e.estimate), "low": pct(e.ci_low), "high": pct(e.ci_high), "n": e.n,
            "flag": not e.publishable, "method": e.method}


def interval_bars(categories: Sequence[str], figures: Sequence[Estimate | None], *, name: str = "具备科学素质的比例",
                  small_area: Sequence[Estimate | None] | None = None, height_hint: int = 0) -> dict[str, Any]:
    """Bars with 95 % intervals; unpublishable direct estimates greyed; small-area estimates as diamonds."""
    bars = []
    for e in figures:
        point = _point(e)
        if e is not None and not e.publishable:
            point["itemStyle"] = {"color": GREY}
        bars.append(point)
    series: list[dict[str, Any]] = [
        {"type": "bar", "name": name, "data": bars, "barMaxWidth": 38, "itemStyle": {"color": BLUE}},
        {"type": "custom", "name": "95% 置信区间", "renderItem": "kpErrorBar", "z": 10, "silent": True, "clip": True,
         "itemStyle": {"color": "#0f2b57"}, "tooltip": {"show": False},
         "data": [[i, pct(e.ci_low), pct(e.ci_high)] for i, e in enumerate(figures)
                  if e is not None and e.ci_low is not None and e.ci_high is not None]},
    ]
    if small_area and any(s is not None for s in small_area):
        series.append({"type": "scatter", "name": "小区域估计（Fay–Herriot）", "symbol": "diamond", "symbolSize": 12,
                       "z": 12, "itemStyle": {"color": ORANGE},
                       "data": [{**_point(s), "value": [i, pct(s.estimate)]} for i, s in enumerate(small_area)
                                if s is not None]})
    rotate = 30 if len(categories) > 6 or max((len(c) for c in categories), default=0) > 6 else 0
    # Intervals of unpublishable tiny samples can span most of 0–100 %; the axis follows the
    # publishable figures (and the small-area ones) and such whiskers are clipped at the top.
    shown = [e.ci_high if e.ci_high is not None else e.estimate for e in figures if e is not None and e.publishable]
    shown += [s.ci_high or s.estimate for s in (small_area or []) if s is not None]
    shown += [e.estimate for e in figures if e is not None]
    top = min(100.0, (max(shown, default=0.5) * 100) * 1.15)
    step = 10 if top > 40 else 5
    return {
        "color": [BLUE, "#0f2b57", ORANGE],
        "grid": {"left": 48, "right": 16, "top": 40, "bottom": 70 if rotate else 36},
        "legend": {"top": 0, "data": [s["name"] for s in series if s["type"] != "custom"]},
        "tooltip": {"trigger": "item", "formatter": "kpInterval"},
        "xAxis": {"type": "category", "data": list(categories), "axisLabel": {"interval": 0, "rotate": rotate}},
        "yAxis": {"type": "value", "name": "%", "min": 0, "max": max(step, int(-(-top // step)) * step)},
        "series": series,
    }


@dataclass(frozen=True)
class TrendPoint:
    year: int
    wave: str
    estimate: Estimate
    published: bool
    rule: str


def method_segments(points: Sequence[TrendPoint]) -> list[list[TrendPoint]]:
    """The points in runs of the same scoring method, in order: a trend line breaks where the method changes."""
    segments: list[list[TrendPoint]] = []
    for point in sorted(points, key=lambda p: p.year):
        if segments and segments[-1][-1].rule == point.rule:
            segments[-1].append(point)
        else:
            segments.append([point])
    return segments


def trend(points: Sequence[TrendPoint], targets: Sequence[tuple[str, int, float]],
          changes: Sequence[tuple[int, str]]) -> dict[str, Any]:
    """The ratio over waves with intervals, the targets as points and lines, method changes marked."""
    years = [p.year for p in points] + [t[1] for t in targets]
    low_year = min(years, default=2020) - 1
    high_year = max(years, default=2035) + 1
    if high_year - low_year > 12:  # labels every two years, on even years
        low_year -= low_year % 2
        high_year += high_year % 2
    marks: list[dict[str, Any]] = []
    for kind, year, value in targets:
        colour = RED if kind == "national" else GREEN
        label = f"{'国家' if kind == 'national' else '本地'}目标 {year}年 {value:g}%"
        marks.append({"yAxis": value, "name": label, "lineStyle": {"type": "dashed", "color": colour, "width": 1},
                      "label": {"formatter": label, "color": colour,
                                "position": "insideEndBottom" if kind == "city" else "insideEndTop"}})
    for year, summary in changes:
        marks.append({"xAxis": year - 0.5, "name": summary,
                      "lineStyle": {"type": "dotted", "color": "#7a5cc4", "width": 2},
                      "label": {"formatter": "口径变化", "position": "end", "color": "#7a5cc4"}})
    # One line per scoring method: figures of different methods are not joined (same name, one legend entry).
    lines: list[dict[str, Any]] = [
        {"type": "line", "name": "具备科学素质的比例", "symbolSize": 9, "itemStyle": {"color": BLUE},
         "data": [{**_point(p.estimate), "value": [p.year, pct(p.estimate.estimate)], "wave": p.wave,
                   "rule": p.rule, "draft": not p.published} for p in segment]}
        for segment in method_segments(points)]
    if lines:
        lines[0]["markLine"] = {"symbol": "none", "silent": False, "data": marks, "tooltip": {"formatter": "{b}"}}
    series: list[dict[str, Any]] = [
        *lines,
        {"type": "custom", "name": "95% 置信区间", "renderItem": "kpErrorBar", "z": 10, "silent": True,
         "itemStyle": {"color": "#0f2b57"}, "tooltip": {"show": False},
         "data": [[p.year, pct(p.estimate.ci_low), pct(p.estimate.ci_high)] for p in points
                  if p.estimate.ci_low is not None and p.estimate.ci_high is not None]},
        {"type": "scatter", "name": "目标值", "symbol": "diamond", "symbolSize": 13, "z": 11,
         "itemStyle": {"color": RED},
         "data": [{"value": [year, value], "name": f"{'国家' if kind == 'national' else '本地'}目标",
                   "itemStyle": {"color": RED if kind == "national" else GREEN}} for kind, year, value in targets],
         "tooltip": {"formatter": "{b}：{c}"}},
    ]
    top = max([value for _, _, value in targets] + [pct(p.estimate.ci_high) or 0 for p in points], default=30)
    return {
        "grid": {"left": 48, "right": 24, "top": 40, "bottom": 36},
        "legend": {"top": 0, "data": ["具备科学素质的比例", "目标值"]},
        "tooltip": {"trigger": "item", "formatter": "kpInterval"},
        "xAxis": {"type": "value", "min": low_year, "max": high_year, "interval": 1 if high_year - low_year <= 12 else 2,
                  "axisLabel": {"formatter": "kpYear", "hideOverlap": True}, "splitLine": {"show": False}},
        "yAxis": {"type": "value", "name": "%", "min": 0, "max": int(top * 1.2 // 5 + 1) * 5},
        "series": series,
    }


# ---------------------------------------------------------------- PNG for the Word report


def _figure(width: float, height: float) -> tuple[Any, Any]:
    font = chinese_font()
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    figure, axes = plt.subplots(figsize=(width, height), dpi=150)
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()


def interval_bars_png(categories: Sequence[str], figures: Sequence[Estimate | None], *, title: str = "",
                      small_area: Sequence[Estimate | None] | None = None) -> bytes:
    figure, axes = _figure(6.4, 3.6)
    xs = list(range(len(categories)))
    values = [pct(e.estimate) if e else 0 for e in figures]
    colours = [BLUE if e is None or e.publishable else GREY for e in figures]
    axes.bar(xs, values, 0.6, color=colours, label="直接估计")
    lows = [(v - (pct(e.ci_low) or v)) if e else 0 for v, e in zip(values, figures, strict=True)]
    highs = [((pct(e.ci_high) or v) - v) if e else 0 for v, e in zip(values, figures, strict=True)]
    axes.errorbar(xs, values, yerr=[lows, highs], fmt="none", ecolor="#0f2b57", capsize=3, linewidth=1,
                  label="95% 置信区间")
    if small_area and any(s is not None for s in small_area):
        sx = [x for x, s in zip(xs, small_area, strict=True) if s is not None]
        sy = [pct(s.estimate) for s in small_area if s is not None]
        axes.scatter(sx, sy, marker="D", color=ORANGE, zorder=5, label="小区域估计")
    axes.set_xticks(xs, list(categories), rotation=30 if len(categories) > 6 else 0,
                    ha="right" if len(categories) > 6 else "center")
    axes.set_ylabel("%")
    if title:
        axes.set_title(title)
    axes.legend(frameon=False, fontsize=8)
    return _png(figure)


def trend_png(points: Sequence[TrendPoint], targets: Sequence[tuple[str, int, float]],
              changes: Sequence[tuple[int, str]]) -> bytes:
    figure, axes = _figure(6.4, 3.4)
    for index, segment in enumerate(method_segments(points)):  # the line breaks where the method changes
        xs = [p.year for p in segment]
        ys = [pct(p.estimate.estimate) or 0 for p in segment]
        low = [y - (pct(p.estimate.ci_low) or y) for y, p in zip(ys, segment, strict=True)]
        high = [(pct(p.estimate.ci_high) or y) - y for y, p in zip(ys, segment, strict=True)]
        axes.errorbar(xs, ys, yerr=[low, high], marker="o", color=BLUE, capsize=3,
                      label="具备科学素质的比例" if index == 0 else None)
    for index, (kind, year, value) in enumerate(targets):
        colour = RED if kind == "national" else GREEN
        axes.axhline(value, linestyle="--", linewidth=0.8, color=colour)
        axes.scatter([year], [value], marker="v", color=colour, zorder=5,
                     label=f"{'国家' if kind == 'national' else '本地'}目标" if index < 2 or kind == "city" else None)
        axes.annotate(f"{year}年 {value:g}%", (year, value), textcoords="offset points", xytext=(0, 6), ha="center",
                      fontsize=7, color=colour)
    for year, _ in changes:
        axes.axvline(year - 0.5, linestyle=":", color="#7a5cc4", linewidth=1.2)
        axes.annotate("口径变化", (year - 0.5, axes.get_ylim()[1] * 0.92), fontsize=7, color="#7a5cc4", ha="center")
    axes.set_ylabel("%")
    axes.set_ylim(bottom=0)
    handles, labels = axes.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    axes.legend(unique.values(), unique.keys(), frameon=False, fontsize=8)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    return _png(figure)

