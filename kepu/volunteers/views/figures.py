"""The figures page: approved hours and active volunteers by region, unit, team and month, as ECharts
charts that click through to the hours behind each bar, and one Excel export of all of it."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kepu.core.views import action_required, excel_export, int_param
from kepu.volunteers import figures, sheets


def _year(request: HttpRequest) -> int:
    year = int_param(request, "year")
    this_year = timezone.localdate().year
    return year if year and 2000 <= year <= this_year + 1 else this_year


@action_required("volunteers.figures.view")
def figures_page(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    user = request.user
    summary = figures.overview(user=user, year=year)
    by = {**summary.by, "team": summary.by["team"][:20]}
    months = figures.monthly(user=user, year=year)
    this_year = timezone.localdate().year
    return render(request, "volunteers/figures.html", {
        "page_title": "志愿服务统计", "page_subtitle": "仅统计已认定且未撤销的服务时长；“活跃志愿者”指当年有认定时长的志愿者",
        "year": year, "years": list(range(this_year, this_year - 5, -1)),
        "totals": summary.totals, "by": by,
        "region_option": figures.bar_option(by["region"], year=year, dimension="region"),
        "unit_option": figures.bar_option(by["unit"], year=year, dimension="unit"),
        "team_option": figures.bar_option(by["team"], year=year, dimension="team"),
        "month_option": figures.line_option(months, year=year),
    })


@action_required("volunteers.figures.export")
def figures_export(request: HttpRequest) -> HttpResponse:
    year = _year(request)
    action = "volunteers.figures.export"
    by = figures.overview(user=request.user, year=year, action=action).by
    sections = [(f"{year}年{label}", by[d]) for d, (_, _, label) in figures.DIMENSIONS.items()]
    months = figures.monthly(user=request.user, year=year, action=action)
    sections.append((f"{year}年按月份", [figures.FigureRow(m, f"{m}月", h, v) for m, h, v in months]))
    count = sum(len(rows) for _, rows in sections)
    return excel_export(request, action=action, data=sheets.figures_export(sections),
                        filename=f"志愿服务统计{year}.xlsx", count=count, filters=f"年度={year}")
