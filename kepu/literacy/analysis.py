"""From a wave's canonical data to its estimates: score, build the design, calibrate, estimate.

No Django: `analyse(frame, spec)` returns plain rows the task stores. Everything statistical is the
engine's (`kepu.literacy.estimation`); this module only decides what to estimate:

* overall: the literacy ratio, the level shares (when the rule has bands), the mean total and
  dimension scores — each with SE, interval (the wave's CI method for shares, Wald for means),
  design effect, degrees of freedom, n and CV, flagged unpublishable above the CV / below the n
  the office set;
* the same for every level of every domain variable in the data;
* Fay–Herriot small-area estimates of the ratio for every area (district domain), with MSEs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import polars as pl
from numpy.typing import NDArray
from scipy import stats

from kepu.literacy import estimation as est
from kepu.literacy.scoring import ItemKey, RuleSet, Scores, score
from kepu.literacy.standards import LEVELS, RATIO
from kepu.literacy.validation import item_matrix

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class AnalysisSpec:
    items: tuple[ItemKey, ...]
    rule: RuleSet
    lonely_psu: str = "adjust"
    ci_method: str = "beta"
    calibration: str = "raking"
    margins: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    variance_method: str = "taylor"
    max_cv: float = 0.3
    min_n: int = 30
    domains: tuple[str, ...] = ()
    small_area_domain: str = "district"
    confidence: float = 0.95
    replicates: int = 200
    seed: int = 20240601


@dataclass
class EstimateRow:
    indicator: str
    domain: str
    domain_value: str
    method: str
    estimate: float
    se: float | None
    ci_low: float | None
    ci_high: float | None
    deff: float | None
    df: float | None
    n: int
    cv: float | None
    publishable: bool
    sort: int = 0


@dataclass
class Analysis:
    rows: list[EstimateRow]
    summary: dict[str, Any]


def _quiet(_: int, __: str) -> None:
    return None


def analyse(frame: pl.DataFrame, spec: AnalysisSpec, progress: Progress = _quiet) -> Analysis:
    """Every estimate of a wave. Raises EstimationError (Chinese message) when the data cannot be estimated."""
    # A domain with p = 0 or 1 has zero variance: its CV, deff and interval are NaN, stored as empty.
    with np.errstate(divide="ignore", invalid="ignore"):
        return _analyse(frame, spec, progress)


def _analyse(frame: pl.DataFrame, spec: AnalysisSpec, progress: Progress) -> Analysis:
    progress(20, "正在按评分规则计分")
    scores = score(item_matrix(frame, [i.code for i in spec.items]), spec.items, spec.rule)
    names, y, proportions = _outcomes(scores, spec.rule)
    progress(35, "正在构建抽样设计")
    design = est.Design.from_arrays(
        weights=frame.get_column("weight").to_numpy(), strata=frame.get_column("strata").to_numpy(),
        psu=frame.get_column("psu").to_numpy(),
        fpc=frame.get_column("fpc").to_numpy() if "fpc" in frame.columns else None,
        nest=True, lonely_psu=spec.lonely_psu,  # type: ignore[arg-type]
    )
    calibrated, calibrated_on = _calibrate(design, frame, spec, progress)
    analysis_design = _variance_design(design, calibrated, frame, spec, progress)
    progress(60, "正在计算总体估计")
    rows = _rows(est.mean(analysis_design, y, names=names), names, proportions, spec, domain="", labels=None)
    for index, domain in enumerate(spec.domains):
        progress(60 + int(25 * index / max(len(spec.domains), 1)), f"正在计算分组估计：{domain}")
        labels = frame.get_column(domain).to_numpy().astype(str)
        result = est.by_domain(analysis_design, y, labels, names=names)
        rows += _rows(result, names, proportions, spec, domain=domain, labels=result.domains)
    progress(88, "正在计算小区域估计")
    small_area, fh_summary = _small_area(rows, spec)
    rows += small_area
    weights = calibrated.weights if calibrated is not None else design.weights
    summary = {
        "n": int(frame.height), "population": float(weights.sum()), "strata": design.n_strata,
        "psus": design.n_units, "df": int(design.degf()), "rule": spec.rule.kind,
        "calibration": spec.calibration if calibrated_on else "none", "calibrated_on": calibrated_on,
        "variance_method": spec.variance_method, "ci_method": spec.ci_method, "lonely_psu": spec.lonely_psu,
        "confidence": spec.confidence, "max_cv": spec.max_cv, "min_n": spec.min_n, "small_area": fh_summary,
        "literate_unweighted": float(scores.literate.mean()),
    }
    return Analysis(rows=rows, summary=summary)


def _outcomes(scores: Scores, rule: RuleSet) -> tuple[tuple[str, ...], NDArray[np.float64], frozenset[str]]:
    """The variables estimated for every respondent: 0/1 shares first, then mean scores."""
    names = [RATIO]
    columns = [scores.literate.astype(np.float64)]
    if rule.bands:
        levels = scores.level_indicators()
        for j, code in enumerate(LEVELS):
            names.append(f"level_{code}")
            columns.append(levels[:, j])
    proportions = frozenset(names)
    names.append("score_total")
    columns.append(scores.total)
    for j, dimension in enumerate(scores.dimensions):
        names.append(f"dimension_{dimension}")
        columns.append(scores.dimension_scores[:, j])
    return tuple(names), np.column_stack(columns), proportions


def _calibrate(design: est.Design, frame: pl.DataFrame, spec: AnalysisSpec,
               progress: Progress) -> tuple[est.Design | None, list[str]]:
    usable = [v for v in spec.margins if v in frame.columns and spec.margins[v]]
    if spec.calibration == "none" or not usable:
        return None, []
    progress(45, "正在将权重校准到人口控制数")
    arrays = {v: frame.get_column(v).to_numpy().astype(str) for v in usable}
    model, totals, _ = est.margin_model(arrays, {v: dict(spec.margins[v]) for v in usable})
    calfun = "linear" if spec.calibration == "linear" else "raking"
    return est.calibrate(design, model, totals, calfun=calfun), usable  # type: ignore[arg-type]


def _variance_design(design: est.Design, calibrated: est.Design | None, frame: pl.DataFrame, spec: AnalysisSpec,
                     progress: Progress) -> est.Design | est.ReplicateDesign:
    """Taylor linearisation on the (calibrated) design, or replicate weights recalibrated one by one."""
    final = calibrated if calibrated is not None else design
    if spec.variance_method == "taylor":
        return final
    progress(50, "正在生成复制权重")
    base = est.replicate_design(design, spec.variance_method, replicates=spec.replicates,  # type: ignore[arg-type]
                                seed=spec.seed)
    weights = base.replicate_weights
    if calibrated is not None:
        step = calibrated.calibration[-1]
        totals = (step.model_matrix * step.weights_after[:, None]).sum(axis=0)
        columns = []
        for r in range(weights.shape[1]):
            replicate = dataclasses.replace(design, weights=weights[:, r], calibration=())
            calfun = "linear" if spec.calibration == "linear" else "raking"
            columns.append(est.calibrate(replicate, step.model_matrix, totals, calfun=calfun).weights)  # type: ignore[arg-type]
        weights = np.column_stack(columns)
    return est.ReplicateDesign.from_weights(weights=final.weights, replicate_weights=weights,
                                            type=spec.variance_method,  # type: ignore[arg-type]
                                            scale=base.scale, rscales=base.rscales)


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def _rows(result: est.Estimates, names: tuple[str, ...], proportions: frozenset[str], spec: AnalysisSpec, *,
          domain: str, labels: NDArray[Any] | None) -> list[EstimateRow]:
    p_low, p_high = est.proportion_ci(result, method=spec.ci_method, level=spec.confidence)  # type: ignore[arg-type]
    m_low, m_high = est.wald_ci(result, level=spec.confidence)
    not_publishable = est.publishing_flags(result.estimate, result.se, result.broadcast(result.n),
                                           max_cv=spec.max_cv, min_n=spec.min_n)
    estimate = np.atleast_2d(result.estimate)
    arrays = {k: np.atleast_2d(v) for k, v in {
        "se": result.se, "deff": result.deff, "cv": result.cv, "p_low": p_low, "p_high": p_high,
        "m_low": m_low, "m_high": m_high, "flag": not_publishable,
        "df": result.broadcast(result.df), "n": result.broadcast(result.n)}.items()}
    values = [str(v) for v in labels] if labels is not None else [""]
    rows = []
    for d, value in enumerate(values):
        for j, name in enumerate(names):
            share = name in proportions
            low, high = (arrays["p_low"], arrays["p_high"]) if share else (arrays["m_low"], arrays["m_high"])
            rows.append(EstimateRow(
                indicator=name, domain=domain, domain_value=value, method="direct",
                estimate=float(estimate[d, j]), se=_finite(arrays["se"][d, j]), ci_low=_finite(low[d, j]),
                ci_high=_finite(high[d, j]), deff=_finite(arrays["deff"][d, j]), df=_finite(arrays["df"][d, j]),
                n=int(arrays["n"][d, j]), cv=_finite(arrays["cv"][d, j]), publishable=not bool(arrays["flag"][d, j]),
                sort=j,
            ))
    return rows


def _small_area(rows: list[EstimateRow], spec: AnalysisSpec) -> tuple[list[EstimateRow], dict[str, Any]]:
    """Fay–Herriot EBLUPs of the ratio for every area, from the direct estimates and their variances."""
    areas = [r for r in rows if r.domain == spec.small_area_domain and r.indicator == RATIO]
    usable = [r for r in areas if r.se is not None and r.se > 0]
    if len(usable) < 3:
        return [], {"fitted": False, "reason": "有效地区少于 3 个，未做小区域估计"}
    direct = np.array([r.estimate for r in usable])
    var = np.array([r.se for r in usable]) ** 2
    n = np.array([r.n for r in usable])
    try:
        fh = est.fay_herriot(direct, var, np.ones((len(usable), 1)), n=n, max_cv=spec.max_cv, min_n=spec.min_n)
    except est.EstimationError as exc:
        return [], {"fitted": False, "reason": exc.zh}
    z = float(stats.norm.ppf(1 - (1 - spec.confidence) / 2))
    out = []
    fitted = {r.domain_value: (float(e), float(m)) for r, e, m in zip(usable, fh.estimate, fh.mse, strict=True)}
    synthetic_mse = float(fh.sigma2_u + fh.beta_se[0] ** 2)
    for area in areas:
        value, mse = fitted.get(area.domain_value, (float(fh.beta[0]), synthetic_mse))
        rmse = math.sqrt(max(mse, 0.0))
        cv = rmse / abs(value) if value else None
        out.append(EstimateRow(
            indicator=RATIO, domain=area.domain, domain_value=area.domain_value, method="fay_herriot",
            estimate=value, se=rmse, ci_low=max(value - z * rmse, 0.0), ci_high=min(value + z * rmse, 1.0),
            deff=None, df=None, n=area.n, cv=cv, publishable=cv is not None and cv <= spec.max_cv, sort=0,
        ))
    summary = {"fitted": True, "sigma2_u": float(fh.sigma2_u), "mean": float(fh.beta[0]), "areas": len(usable),
               "converged": bool(fh.converged), "iterations": int(fh.iterations)}
    return out, summary
