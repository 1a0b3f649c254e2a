"""The KPI page the office reports upward from (charts that click through to the orders), and its
Excel export — both from `stats.figures`, within the user's scope."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from kepu.core.views import action_required, describe_filters, excel_export
from kepu.core.views import int_value as _int
from kepu.service_orders import charts, sheets, stats, teams

FILTER_LABELS = {"year": "年份", "town": "镇", "unit": "承办部门", "team": "队伍"}


def _filters(request: HttpRequest) -> stats.StatsFilters:
    year = request.GET.get("year", "")
    chosen = None if year == "all" else _int(year, low=1900, high=2200) if year else timezone.localdate().year
    return stats.StatsFilters(
        year=chosen,
        town=_int(request.GET.get("town")), unit=_int(request.GET.get("unit")), team=_int(request.GET.get("team")),
    )


@action_required("service_orders.stats.view")
def stats_page(request: HttpRequest) -> HttpResponse:
    filters = _filters(request)
    figures = stats.figures(user=request.user, filters=filters)
    this_year = timezone.localdate().year
    return render(request, "service_orders/stats.html", {
        "page_title": "基层科普服务统计",
        "page_subtitle": "工单量、响应与办结时长、办结率与满意率；点击图表可查看对应工单",
        "figures": figures, "filters": filters, "query": request.GET,
        "years": list(range(this_year, this_year - 4, -1)),
        "towns": sheets.town_choices(), "units": sheets.unit_choices(),
        "teams": teams.active_teams().only("id", "name"),
        "status_chart": charts.status_chart(figures, filters), "town_chart": charts.town_chart(figures, filters),
        "time_chart": charts.time_chart(figures, filters), "month_chart": charts.month_chart(figures, filters),
        "rating_chart": charts.rating_chart(figures, filters),
        "tables": [("按镇（街道）", figures.by_town, "镇（街道）"), ("按承办部门", figures.by_unit, "承办部门"),
                   ("按服务队伍", figures.by_team, "服务队伍")],
    })


@action_required("service_orders.stats.export")
def stats_export(request: HttpRequest) -> HttpResponse:
    figures = stats.figures(user=request.user, filters=_filters(request))
    rows = 1 + len(figures.by_town) + len(figures.by_unit) + len(figures.by_team)
    return excel_export(request, action="service_orders.stats.export", data=sheets.figures_export(figures),
                        filename="基层科普服务统计.xlsx", count=rows,
                        filters=describe_filters(request, FILTER_LABELS))
