"""The Word report of a run: the ratio with its interval, level shares, dimension scores, the area
table with small-area estimates, the groups, the trend against the targets, and the method."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from kepu.literacy import charts
from kepu.literacy import standards as std
from kepu.literacy.models import Estimate
from kepu.literacy.results import DomainTable, Results
from kepu.reports.docx import OfficialDocument, Report


def _p(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def _ci(e: Estimate | None, *, share: bool = True) -> str:
    if e is None or e.ci_low is None or e.ci_high is None:
        return "—"
    if share:
        return f"{e.ci_low * 100:.1f}%—{e.ci_high * 100:.1f}%"
    return f"{e.ci_low:.1f}—{e.ci_high:.1f}"


def _cv(e: Estimate | None) -> str:
    return "—" if e is None or e.cv is None else f"{e.cv:.2f}"


def build(results: Results, *, points: list[charts.TrendPoint], targets: list[tuple[str, int, float]],
          changes: list[tuple[int, str]], change_note: str = "") -> bytes:
    _run, wave = results.run, results.run.wave
    city = getattr(settings, "KEPU_CITY_NAME", wave.region.name)
    report = OfficialDocument(f"{city}公民科学素质监测报告", subtitle=f"{wave.name}（{wave.year}年）", red_head=False)
    report.table_of_contents()
    _overall(report, results, targets)
    section = 2
    if results.levels:
        report.heading(f"{_num(section)}、科学素质水平分布")
        report.table(["水平", "占比", "95% 置信区间", "标准误", "样本量"],
                     [[label, _p(e.estimate), _ci(e), _p(e.se, 2), e.n] for _, label, e in results.levels])
        section += 1
    if results.dimensions:
        report.heading(f"{_num(section)}、各维度平均得分")
        report.table(["维度", "平均得分", "满分", "95% 置信区间"],
                     [[label, f"{e.estimate:.1f}", f"{top:g}" if top else "—", _ci(e, share=False)]
                      for label, e, top in results.dimensions])
        section += 1
    if results.district is not None:
        report.heading(f"{_num(section)}、分区域结果")
        _district(report, results.district, float(wave.max_cv), wave.min_n)
        section += 1
    if results.groups:
        report.heading(f"{_num(section)}、分人群结果")
        for table in results.groups:
            _group(report, table)
        section += 1
    if points:
        report.heading(f"{_num(section)}、历年变化与目标")
        report.figure(charts.trend_png(points, targets, changes), "图 2  具备科学素质的比例历年变化（竖线为 95% 置信区间）")
        report.table(["调查轮次", "年份", "比例", "95% 置信区间", "评分口径"],
                     [[p.wave, p.year, _p(p.estimate.estimate), _ci(p.estimate), p.rule] for p in points])
        for year, summary in changes:
            report.note(f"{year}年：{summary}。")
        section += 1
    report.heading(f"{_num(section)}、方法说明")
    _method(report, results, change_note)
    report.sign_off(timezone.localdate(results.run.published_at or results.run.created_at))
    return report.to_bytes()


def _num(n: int) -> str:
    return "一二三四五六七八九十"[n - 1]


def _overall(report: Report, results: Results, targets: list[tuple[str, int, float]]) -> None:
    run, wave = results.run, results.run.wave
    ratio = results.ratio
    report.heading("一、总体情况")
    if ratio is None:
        report.paragraph("本次测算没有得到总体估计。")
        return
    deff = f"，设计效应 {ratio.deff:.2f}" if ratio.deff else ""
    report.paragraph(
        f"{wave.year}年，{wave.region.name}{wave.target_population}具备科学素质的比例为 {_p(ratio.estimate)}"
        f"（95% 置信区间 {_ci(ratio)}，标准误 {_p(ratio.se, 2)}，有效样本 {ratio.n:,} 人{deff}）。")
    for kind, year, value in targets:
        if year < wave.year:
            continue
        gap = value - ratio.estimate * 100
        who = "国家" if kind == "national" else "本地"
        verdict = f"尚差 {gap:.1f} 个百分点" if gap > 0 else f"已高出 {-gap:.1f} 个百分点"
        if ratio.ci_low is not None and ratio.ci_high is not None and ratio.ci_low * 100 <= value <= ratio.ci_high * 100:
            verdict += "（目标值落在置信区间内，差异在统计上不显著）"
        report.paragraph(f"对照{who} {year} 年目标 {value:g}%，{verdict}。")
    status = "已发布" if run.is_published else "未发布（内部核对稿）"
    report.note(f"测算编号 #{run.pk}，{status}；生成时间 {timezone.localtime():%Y年%m月%d日 %H:%M}。")


def _district(report: Report, table: DomainTable, max_cv: float, min_n: int) -> None:
    rows = []
    for row in table.rows:
        d, s = row.ratio, row.small_area
        reported = "直接估计" if d is not None and d.publishable else ("小区域估计" if s is not None else "不发布")
        rows.append([row.label, d.n if d else "—", _p(d.estimate) if d else "—", _ci(d), _cv(d),
                     _p(s.estimate) if s else "—", _p(s.se) if s else "—", reported])
    report.table(["镇街", "样本量", "直接估计", "95% 置信区间", "变异系数", "小区域估计", "均方根误差", "发布口径"], rows)
    report.figure(charts.interval_bars_png([r.label for r in table.rows], [r.ratio for r in table.rows],
                                           small_area=[r.small_area for r in table.rows]),
                  "图 1  各镇街具备科学素质的比例（灰色为样本不足、不宜直接发布）")
    report.note(f"变异系数大于 {max_cv:g} 或样本量少于 {min_n} 的直接估计不宜发布，改用 Fay–Herriot 小区域估计"
                "（以全市平均为先验、按抽样方差收缩），其精度以均方根误差表示。")


def _group(report: Report, table: DomainTable) -> None:
    report.heading(table.label, level=2)
    report.table([table.label, "样本量", "比例", "95% 置信区间", "变异系数", "可发布"],
                 [[r.label, r.ratio.n, _p(r.ratio.estimate), _ci(r.ratio), _cv(r.ratio),
                   "是" if r.ratio.publishable else "否"] for r in table.rows if r.ratio is not None])


def _method(report: Report, results: Results, change_note: str) -> None:
    run, wave = results.run, results.run.wave
    s: dict[str, Any] = run.summary
    labels = {**dict(std.CI_METHODS), **dict(std.VARIANCE_METHODS), **dict(std.LONELY_PSU_RULES)}
    calibrated = "、".join(std.DOMAIN_LABELS.get(v, v) for v in s.get("calibrated_on", []))
    weighting = (f"设计权重按{dict(std.CALIBRATIONS).get(s.get('calibration'), '')}校准到{calibrated}的人口控制数，"
                 "标准误计入了校准的影响" if calibrated else "使用设计权重，未作校准")
    report.paragraph(
        f"调查采用分层多阶段抽样：{s.get('strata', '—')} 个层、{s.get('psus', '—')} 个初级抽样单元，"
        f"有效样本 {s.get('n', 0):,} 人，设计自由度 {s.get('df', '—')}。{weighting}。方差估计采用"
        f"{labels.get(s.get('variance_method', ''), '')}，置信区间采用{labels.get(s.get('ci_method', ''), '')}，"
        f"单一初级抽样单元的层按“{labels.get(s.get('lonely_psu', ''), '')}”处理。")
    report.paragraph(f"评分规则：{wave.rule_set.name}。{wave.rule_set.description}"
                     f"未作答题目的处理：{wave.rule_set.unanswered_label}。测评工具：{wave.instrument.name}。")
    if change_note:
        report.paragraph(f"口径变化：{change_note}。")
    report.note("本报告所有估计值均附样本量与置信区间，标准误与置信区间按复杂抽样设计计算。")
