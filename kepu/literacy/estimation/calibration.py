"""Post-stratification, raking and calibration (R ``postStratify``, ``rake``, ``calibrate``).

Every function returns a new :class:`Design` whose weights are calibrated and which remembers the
calibration model, so that standard errors afterwards use the residuals of the weighted regression
on the calibration variables, exactly as R's ``svyrecvar`` does after ``calibrate``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._groups import FloatArray, RowPatterns, codes_of, fast_matrix, row_patterns, weighted_gram
from .design import CalibrationStep, Design
from .errors import CalibrationError

CalFun = Literal["linear", "raking"]
# R's grake() rescales the weights first when every population/sample ratio exceeds this.
_RESCALE_THRESHOLD = 20.0
# With epsilon=None, Newton stops once the relative misfit is at rounding level: below this bound,
# or no longer halving (quadratic convergence has run into floating-point noise) once below _NOISE.
_MACHINE_TOL = 64 * float(np.finfo(np.float64).eps)
_NOISE = 1e-9


def margin_model(
    margins: Mapping[str, ArrayLike], totals: Mapping[str, Mapping[Any, float]]
) -> tuple[FloatArray, FloatArray, tuple[str, ...]]:
    """Model matrix and population totals for categorical margins, as R's ``model.matrix(~a+b+c)``.

    Columns: an intercept, then for each margin (in the given order) one 0/1 column per level except
    the first (levels sorted). The intercept's total is the population size from the first margin.
    A level present in the sample but absent from the totals is an error, and so is a total for a
    level absent from the sample (R cannot calibrate to it either).
    """
    n = np.asarray(next(iter(margins.values()))).shape[0]
    pop: list[float] = []
    names = ["(Intercept)"]
    coded: list[tuple[NDArray[np.intp], int]] = []
    for name, values in margins.items():
        codes, levels = codes_of(values)
        level_totals = totals.get(name)
        if level_totals is None:
            raise CalibrationError(f"缺少变量 {name} 的总体控制数", f"no population totals for margin {name!r}")
        keyed = {str(k): float(v) for k, v in level_totals.items()}
        missing = [str(lv) for lv in levels if str(lv) not in keyed]
        if missing:
            raise CalibrationError(
                f"变量 {name} 的水平 {missing[0]} 在样本中出现，但控制数中没有",
                f"level {missing[0]!r} of {name!r} is in the sample but has no population total",
            )
        extra = sorted(set(keyed) - {str(lv) for lv in levels})
        if extra:
            raise CalibrationError(
                f"变量 {name} 的控制数含样本中没有的水平 {extra[0]}",
                f"population total given for level {extra[0]!r} of {name!r}, absent from the sample",
            )
        if not pop:
            pop.append(sum(keyed.values()))
        coded.append((codes, len(names) - 1))
        for level in levels[1:]:
            pop.append(keyed[str(level)])
            names.append(f"{name}{level}")
    return _indicator_columns(n, len(names), coded), np.asarray(pop), tuple(names)


def _indicator_columns(n: int, q: int, coded: Sequence[tuple[NDArray[np.intp], int]]) -> FloatArray:
    """The n x q model: an intercept, then a 1 in column ``offset + code`` for each nonzero code.

    Written by one scatter per margin into a zeroed matrix instead of q full-length comparisons.
    """
    m = np.zeros((n, q))
    m[:, 0] = 1.0
    flat = m.reshape(-1)
    row_start = np.arange(n, dtype=np.intp) * q
    for codes, offset in coded:
        hit = codes > 0
        flat[row_start[hit] + offset + codes[hit]] = 1.0
    return m


def calibrate(
    design: Design,
    model_matrix: ArrayLike,
    population: ArrayLike,
    *,
    calfun: CalFun = "linear",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    maxit: int = 50,
    epsilon: float | None = None,
    force: bool = False,
) -> Design:
    """Calibrate the weights so that ``sum(w * M) == population`` (R ``calibrate``).

    ``calfun="linear"`` without bounds is the closed-form GREG (R's ``regcalibrate``); with bounds,
    and for ``"raking"``, the g-weights come from R's Newton iteration (``grake``) with the same
    start and steps. The stopping rule is R's (``max |misfit| / (1 + |population|) < epsilon``) when
    ``epsilon`` is given; by default (``None``) Newton runs on to machine precision, so the weights
    agree with R's ``calibrate(..., epsilon = 1e-12)`` to 12 digits (give ``epsilon=1e-7``, R's
    default, to stop where R stops).
    """
    m = np.asarray(model_matrix, dtype=np.float64)
    if m.ndim == 1:
        m = m[:, None]
    pop = np.asarray(population, dtype=np.float64).reshape(-1)
    ww = design.weights
    patterns = row_patterns(m)
    # With few distinct model rows (categorical margins), g is constant within each pattern: solve
    # the same equations on the patterns, each weighted by the sum of its rows' weights.
    rows, weights = (m, ww) if patterns is None else (patterns.rows, patterns.weight_sums(ww))
    sample_total = rows.T @ weights
    if np.any(sample_total == 0):
        keep = ~((pop == 0) & np.all(rows == 0, axis=0))
        m, rows, pop, sample_total = m[:, keep], rows[:, keep], pop[keep], sample_total[keep]
        if patterns is not None:
            patterns = RowPatterns(rows=rows, codes=patterns.codes)
    if sample_total.size != pop.size:
        raise CalibrationError(
            f"总体控制数有 {pop.size} 个，模型有 {sample_total.size} 列",
            f"{pop.size} population totals for {sample_total.size} model columns",
        )
    if calfun == "linear" and bounds[0] == -np.inf and bounds[1] == np.inf:
        gram = rows.T @ (rows * weights[:, None])
        g = 1.0 + rows @ np.linalg.solve(gram, pop - sample_total)
    else:
        g = _grake(rows, weights, calfun, bounds, pop, maxit, epsilon, force)
    if patterns is not None:
        g = g[patterns.codes]
    step = CalibrationStep(model_matrix=m, weights_before=ww, g=g, kind=calfun, patterns=patterns)
    return design.with_calibration(step)


def calibrate_to_margins(
    design: Design,
    margins: Mapping[str, ArrayLike],
    totals: Mapping[str, Mapping[Any, float]],
    *,
    calfun: CalFun = "raking",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    maxit: int = 50,
    epsilon: float | None = None,
) -> Design:
    """Calibrate to categorical margins given as ``{column: {level: total}}`` (raking by default).

    Same as R's ``calibrate(design, ~a + b + c, population, calfun=...)`` with the population vector
    built from the margins; see :func:`margin_model` and :func:`calibrate`.
    """
    model, population, _ = margin_model(margins, totals)
    return calibrate(design, model, population, calfun=calfun, bounds=bounds, maxit=maxit, epsilon=epsilon)


def _fm1(u: FloatArray, calfun: CalFun, lo: float, hi: float) -> FloatArray:
    base = u + 1.0 if calfun == "linear" else np.exp(u)
    return np.asarray(np.minimum(np.maximum(base, lo), hi) - 1.0, dtype=np.float64)


def _df(u: FloatArray, calfun: CalFun, lo: float, hi: float) -> FloatArray:
    inside = (u < hi - 1.0) & (u > lo - 1.0)
    slope = np.ones_like(u) if calfun == "linear" else np.exp(u)
    return np.where(inside, slope, 0.0)


def _grake(
    m: FloatArray, ww: FloatArray, calfun: CalFun, bounds: tuple[float, float],
    pop: FloatArray, maxit: int, epsilon: float | None, force: bool,
) -> FloatArray:
    lo, hi = bounds
    fm = fast_matrix(m)
    sample_total = np.asarray(fm.T @ ww).reshape(-1)
    eta = np.zeros(m.shape[1])
    xeta = np.asarray(fm @ eta).reshape(-1)
    deriv = _df(xeta, calfun, lo, hi)
    scale = None
    with np.errstate(divide="ignore"):
        ratios = pop / sample_total
    if np.min(ratios) > _RESCALE_THRESHOLD:
        scale = float(np.mean(ratios))
        ww = ww * scale
        sample_total = sample_total * scale
    it = 1
    previous = np.inf
    while True:
        tmat = weighted_gram(fm, ww * deriv)
        misfit = pop - sample_total - np.asarray(fm.T @ (ww * _fm1(xeta, calfun, lo, hi))).reshape(-1)
        deta = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + deta
        xeta = np.asarray(fm @ eta).reshape(-1)
        g = 1.0 + _fm1(xeta, calfun, lo, hi)
        deriv = _df(xeta, calfun, lo, hi)
        while it < maxit and not (np.all(np.isfinite(g)) and np.all(np.isfinite(deriv))):
            it += 1
            deta = deta / 2
            eta = eta - deta
            xeta = np.asarray(fm @ eta).reshape(-1)
            g = 1.0 + _fm1(xeta, calfun, lo, hi)
            deriv = _df(xeta, calfun, lo, hi)
        misfit = pop - sample_total - np.asarray(fm.T @ (ww * _fm1(xeta, calfun, lo, hi))).reshape(-1)
        achieved = float(np.max(np.abs(misfit) / (1.0 + np.abs(pop))))
        if _converged(achieved, previous, epsilon):
            break
        previous = achieved
        it += 1
        if it > maxit:
            if epsilon is None and achieved < _NOISE:
                break  # already far tighter than R's default; rounding keeps it from the last digits
            if not force:
                raise CalibrationError(
                    f"校准未收敛：{maxit} 次迭代后相对误差 {achieved:.3g}（可放宽界限或增大 maxit）",
                    f"calibration failed to converge: eps={achieved:.3g} after {maxit} iterations",
                )
            break
    return g * scale if scale is not None else g


def _converged(achieved: float, previous: float, epsilon: float | None) -> bool:
    if epsilon is not None:
        return achieved < epsilon
    return achieved < _MACHINE_TOL or (achieved < _NOISE and achieved > previous / 2)


def post_stratify(design: Design, cells: ArrayLike, population: Mapping[Any, float]) -> Design:
    """Post-stratify to known cell counts (R ``postStratify``): ``w *= N_k / sum_k(w)`` in each cell.

    ``cells`` holds a label per row (use an n x k array for crossed cells, labelled "a.b");
    ``population`` maps each label (as a string) to its population count.
    """
    arr = np.asarray(cells)
    if arr.ndim == 2:
        arr = np.array([".".join(str(v) for v in row) for row in arr])
    codes, levels = codes_of(arr)
    keyed = {str(k): float(v) for k, v in population.items()}
    missing = [str(lv) for lv in levels if str(lv) not in keyed]
    if missing:
        raise CalibrationError(
            f"样本中的事后分层 {missing[0]} 在总体中不存在", f"post-stratum {missing[0]!r} is in the sample but not in the population"
        )
    sample = np.bincount(codes, weights=design.weights, minlength=levels.size)
    pop = np.array([keyed[str(lv)] for lv in levels])
    ratio_per_cell = pop / sample
    m = np.zeros((codes.size, levels.size))
    m[np.arange(codes.size), codes] = 1.0
    step = CalibrationStep(model_matrix=m, weights_before=design.weights, g=ratio_per_cell[codes], kind="poststratify")
    return design.with_calibration(step)


def rake(
    design: Design,
    margins: Sequence[ArrayLike],
    population: Sequence[Mapping[Any, float]],
    *,
    maxit: int = 100,
    epsilon: float = 1e-10,
) -> Design:
    """Iterative proportional fitting of the weights to several margins (R ``rake``'s weights).

    The weights converge to those of ``calibrate(calfun="raking")``. Unlike R's ``rake`` (whose
    standard errors approximate raking by repeated post-stratification), the returned design
    carries the raking calibration model, so standard errors are calibration-aware as after
    ``calibrate(..., calfun="raking")``. ``epsilon`` bounds the largest relative change of a margin.
    """
    coded = [codes_of(np.asarray(m)) for m in margins]
    targets = []
    for (_codes, levels), pop in zip(coded, population, strict=True):
        keyed = {str(k): float(v) for k, v in pop.items()}
        targets.append(np.array([keyed[str(lv)] for lv in levels]))
    w = design.weights.copy()
    for _ in range(maxit):
        worst = 0.0
        for (codes, levels), target in zip(coded, targets, strict=True):
            current = np.bincount(codes, weights=w, minlength=levels.size)
            factor = target / current
            worst = max(worst, float(np.max(np.abs(factor - 1.0))))
            w = w * factor[codes]
        if worst < epsilon:
            break
    model = _indicator_model([c for c, _ in coded])
    with np.errstate(divide="ignore", invalid="ignore"):
        g = np.where(design.weights > 0, w / design.weights, 1.0)
    step = CalibrationStep(model_matrix=model, weights_before=design.weights, g=g, kind="rake")
    return design.with_calibration(step)


def _indicator_model(codes_list: Sequence[NDArray[np.intp]]) -> FloatArray:
    n = codes_list[0].size
    cols: list[FloatArray] = [np.ones(n)]
    for codes in codes_list:
        for j in range(1, int(codes.max()) + 1):
            cols.append((codes == j).astype(np.float64))
    return np.column_stack(cols)
