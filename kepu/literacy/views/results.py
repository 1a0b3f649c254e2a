"""Results pages: a wave's results (ratio, levels, areas, groups), the trend, the Word and Excel outputs."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import slugify

from kepu.core import audit
from kepu.core.access import can
from kepu.core.excel import Column, write_workbook
from kepu.core.models import AuditCategory
from kepu.core.views import action_required, file_response
from kepu.literacy import charts, report, selectors
from kepu.literacy import standards as std
from kepu.literacy.models import EstimationRun
from kepu.literacy.results import Results, arrange, target_tuples, trend_series
from kepu.reports.docx import DOCX_CONTENT_TYPE


def _run_param(request: HttpRequest) -> int | None:
    value = request.GET.get("run", "")
    return int(value) if value.isdigit() and can(request.user, "literacy.result.view_draft") else None


@action_required("literacy.result.view")
def results(request: HttpRequest) -> HttpResponse:
    """The newest results the user may see."""
    waves = selectors.result_waves(user=request.user)
    if waves:
        return redirect("literacy:wave_results", wave_id=waves[0].wave.pk)
    return render(request, "literacy/results_empty.html", {"page_title": "监测结果",
                                                           "can_manage": can(request.user, "literacy.wave.view")})


def _results(request: HttpRequest, wave_id: int) -> Results:
    run = selectors.result_run(user=request.user, wave_id=wave_id, run_id=_run_param(request))
    return arrange(run, selectors.run_estimates(run))


def _charts(res: Results) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if res.levels:
        options["chart-levels"] = charts.interval_bars([label for _, label, _ in res.levels], [e for _, _, e in res.levels],
                                                 name="水平占比")
    if res.district is not None:
        rows = res.district.rows
        options["chart-district"] = charts.interval_bars([r.label for r in rows], [r.ratio for r in rows],
                                                   small_area=[r.small_area for r in rows])
    for table in res.groups:
        options[table.chart_id] = charts.interval_bars([r.label for r in table.rows], [r.ratio for r in table.rows])
    return options


@action_required("literacy.result.view")
def wave_results(request: HttpRequest, wave_id: int) -> HttpResponse:
    res = _results(request, wave_id)
    run, wave = res.run, res.run.wave
    targets = selectors.targets()
    context = {
        "page_title": f"{wave.name}", "page_subtitle": f"{wave.region.name} · {wave.target_population} · {wave.rule_set.name}",
        "res": res, "run": run, "wave": wave, "summary": run.summary,
        "targets": [t for t in targets if t.year >= wave.year],
        "waves": selectors.result_waves(user=request.user),
        "change": selectors.method_change(wave),
        "charts": _charts(res),
        "can_publish": can(request.user, "literacy.run.publish") and not run.is_published,
        "can_export": can(request.user, "literacy.result.export"),
        "can_manage": can(request.user, "literacy.wave.view"),
        "other_runs": (list(selectors.result_runs(user=request.user).filter(wave=wave).order_by("-created_at")[:10])
                       if can(request.user, "literacy.result.view_draft") else []),
        "labels": {**dict(std.CI_METHODS), **dict(std.VARIANCE_METHODS), **dict(std.LONELY_PSU_RULES),
                   **dict(std.CALIBRATIONS)},
        "calibrated_on": "、".join(std.DOMAIN_LABELS.get(v, v) for v in run.summary.get("calibrated_on", [])),
    }
    return render(request, "literacy/wave_results.html", context)


def _trend(user: Any) -> tuple[list[charts.TrendPoint], list[tuple[int, str]], list[tuple[str, int, float]]]:
    wave_results = selectors.result_waves(user=user)
    changes = selectors.method_changes([r.wave.pk for r in wave_results])
    points, marks = trend_series(wave_results, changes)
    return points, marks, target_tuples(selectors.targets())


@action_required("literacy.result.view")
def trend(request: HttpRequest) -> HttpResponse:
    points, marks, targets = _trend(request.user)
    return render(request, "literacy/trend.html", {
        "page_title": "历年趋势", "page_subtitle": "具备科学素质的比例与国家、本地目标对照；竖线为 95% 置信区间",
        "points": list(reversed(points)), "marks": marks, "targets": targets,
        "chart": charts.trend(points, targets, marks) if points else None,
    })


@action_required("literacy.result.export")
def wave_report(request: HttpRequest, wave_id: int) -> HttpResponse:
    res = _results(request, wave_id)
    points, marks, targets = _trend(request.user)
    change = selectors.method_change(res.run.wave)
    data = report.build(res, points=points, targets=targets, changes=marks, change_note=change.summary if change else "")
    filename = f"{res.run.wave.name}监测报告.docx"
    _audit_export(request, res.run, filename, "Word 报告")
    return file_response(data, filename, DOCX_CONTENT_TYPE)


ESTIMATE_COLUMNS = [Column(h, h, width=w) for h, w in (
    ("指标", 22), ("分组变量", 12), ("分组", 18), ("方法", 14), ("估计值", 10), ("标准误", 10), ("95%置信区间下限", 14),
    ("95%置信区间上限", 14), ("设计效应", 10), ("自由度", 8), ("样本量", 8), ("变异系数", 10), ("达到发布要求", 12))]


@action_required("literacy.result.export")
def wave_export(request: HttpRequest, wave_id: int) -> HttpResponse:
    run = selectors.result_run(user=request.user, wave_id=wave_id, run_id=_run_param(request))
    estimates = selectors.run_estimates(run)
    rows = ([e.indicator_label, std.DOMAIN_LABELS.get(e.domain, "总体"), e.domain_label or "全部",
             e.get_method_display(), e.estimate, e.se, e.ci_low, e.ci_high, e.deff, e.df, e.n, e.cv, e.publishable]
            for e in estimates)
    filename = f"{slugify(run.wave.name, allow_unicode=True)}估计值.xlsx"
    _audit_export(request, run, filename, f"估计值 {len(estimates)} 项")
    return file_response(write_workbook("估计值", ESTIMATE_COLUMNS, rows), filename)


def _audit_export(request: HttpRequest, run: EstimationRun, filename: str, what: str) -> None:
    audit.record(request.user, "literacy.result.export", category=AuditCategory.EXPORT, obj=run, object_repr=filename,
                 reason=f"导出{what}（测算 #{run.pk}，{'已发布' if run.is_published else '未发布'}）")
