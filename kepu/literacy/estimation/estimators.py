"""Totals, means and ratios with Taylor-linearised standard errors, overall and by domain.

A domain estimate keeps the whole design: rows outside the domain contribute zero scores, exactly
as R's ``svyby(..., svymean)`` on a design (for a calibrated design R keeps the rows with zero
weight; for an uncalibrated one it drops them, which changes only the lonely-PSU bookkeeping,
replicated here through the ``present`` masks).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._groups import (
    FloatArray,
    IntArray,
    domain_blocks,
    domain_codes,
    group_sum,
    indicator,
    pattern_domain_blocks,
)
from .design import Design
from .errors import EstimationError
from .results import Estimates
from .variance import UnitTotals, taylor_variance

Statistic = Literal["mean", "total", "ratio"]
DeffKind = bool | Literal["replace"]


def as_matrix(y: ArrayLike, n: int, what: str = "y") -> FloatArray:
    """A float (n, p) matrix from a vector or matrix; errors name the first bad cell."""
    arr = np.asarray(y)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] != n:
        raise EstimationError(f"{what} 的行数为 {arr.shape[0]}，应为 {n}", f"{what} has {arr.shape[0]} rows, expected {n}")
    try:
        out = np.ascontiguousarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise EstimationError(f"{what} 含非数值", f"{what} contains non-numeric values") from exc
    if np.isfinite(out.sum()):
        return out  # a NaN or infinity anywhere makes the sum non-finite (overflow is checked below)
    bad = np.argwhere(~np.isfinite(out))
    if bad.size:
        row, col = int(bad[0, 0]) + 1, int(bad[0, 1]) + 1
        raise EstimationError(f"{what} 第 {row} 行第 {col} 列缺失或非有限值", f"{what} is missing or not finite at row {row}, column {col}")
    return out


@dataclass(frozen=True, eq=False)
class DomainSums:
    """Weighted sums of Y (and of a second matrix V) by unit and domain, computed once.

    Shapes: ``psu_y`` (P, D, p); ``ssu_y`` (S, D, p) for two-stage designs; ``cross_y[k]``
    (D, q_k, p) = ``M_k' diag(w / g_k * 1_d) Y``; ``total_y`` (D, p). ``*_v`` likewise for V.
    """

    codes: IntArray
    n_domains: int
    psu_y: FloatArray
    psu_v: FloatArray
    ssu_y: FloatArray | None
    ssu_v: FloatArray | None
    cross_y: tuple[FloatArray, ...]
    cross_v: tuple[FloatArray, ...]
    total_y: FloatArray
    total_v: FloatArray


def domain_sums(design: Design, codes: IntArray, n_domains: int, y: FloatArray, v: FloatArray) -> DomainSums:
    """Compute :class:`DomainSums` with sparse indicator products (no loops over rows)."""
    w = design.weights
    p = y.shape[1]
    # The weights sit in the sparse matrices, so no n x p temporary is ever made.
    units = (design.psu.astype(np.int64) * n_domains + codes).astype(np.intp)
    by_psu = indicator(units, design.n_units * n_domains, w)
    psu_y = np.asarray(by_psu @ y).reshape(design.n_units, n_domains, p)
    psu_v = np.asarray(by_psu @ v).reshape(design.n_units, n_domains, -1)
    ssu_y = ssu_v = None
    if design.two_stage and design.ssu is not None:
        n_ssu = int(design.ssu.max()) + 1
        by_ssu = indicator((design.ssu.astype(np.int64) * n_domains + codes).astype(np.intp), n_ssu * n_domains, w)
        ssu_y = np.asarray(by_ssu @ y).reshape(n_ssu, n_domains, p)
        ssu_v = np.asarray(by_ssu @ v).reshape(n_ssu, n_domains, -1)
    cross_y: list[FloatArray] = []
    cross_v: list[FloatArray] = []
    for step in design.calibration:
        q = step.model_matrix.shape[1]
        if step.patterns is not None:
            collapse, spread = pattern_domain_blocks(step.patterns, codes, n_domains, w / step.g)
            cross_y.append(np.asarray(spread @ (collapse @ y)).reshape(n_domains, q, p))
            cross_v.append(np.asarray(spread @ (collapse @ v)).reshape(n_domains, q, -1))
            continue
        blocks = domain_blocks(step.operator(), codes, n_domains, w / step.g)
        cross_y.append(np.asarray(blocks @ y).reshape(n_domains, q, p))
        cross_v.append(np.asarray(blocks @ v).reshape(n_domains, q, -1))
    return DomainSums(
        codes=codes,
        n_domains=n_domains,
        psu_y=psu_y,
        psu_v=psu_v,
        ssu_y=ssu_y,
        ssu_v=ssu_v,
        cross_y=tuple(cross_y),
        cross_v=tuple(cross_v),
        total_y=psu_y.sum(axis=0),
        total_v=psu_v.sum(axis=0),
    )


def score_totals(
    sums: DomainSums, a: FloatArray, c: FloatArray, present: NDArray[np.bool_] | None, present_ssu: NDArray[np.bool_] | None
) -> UnitTotals:
    """Unit totals of the scores ``w * 1_d * a_dj * (y_j + c_dj * v_j)`` for every (domain, variable).

    (A mean's score is ``w (y - est v) / total(v)``: ``a = 1 / total(v)``, ``c = -est``.)
    """

    def combine(sy: FloatArray, sv: FloatArray) -> FloatArray:
        # One units x (D*p) array, updated in place: these are the largest arrays of an estimate.
        out = np.multiply(sv, c)
        out += sy
        out *= a
        return out.reshape(sy.shape[0], -1)

    cross = tuple(
        ((cv * c[:, None, :] + cy) * a[:, None, :]).transpose(1, 0, 2).reshape(cy.shape[1], -1)
        for cy, cv in zip(sums.cross_y, sums.cross_v, strict=True)
    )
    p = a.shape[1]
    return UnitTotals(
        psu=combine(sums.psu_y, sums.psu_v),
        ssu=None if sums.ssu_y is None or sums.ssu_v is None else combine(sums.ssu_y, sums.ssu_v),
        cross=cross,
        present=present,
        present_ssu=present_ssu,
        per_domain=p,
    )


@dataclass(frozen=True, eq=False)
class DomainFacts:
    """Per-domain counts: nonzero-weight rows, rows, degrees of freedom, weight sums, PSU presence."""

    n: NDArray[np.int64]
    n_rows: NDArray[np.int64]
    df: NDArray[np.float64]
    weight: FloatArray
    present: NDArray[np.bool_] | None
    present_ssu: NDArray[np.bool_] | None


def domain_facts(design: Design, codes: IntArray, n_domains: int, whole: bool) -> DomainFacts:
    """Counts R uses for a domain subset (``nrow``, ``degf``, nonzero weights) and PSU presence."""
    nz = design.weights != 0
    n = np.bincount(codes, weights=nz, minlength=n_domains).astype(np.int64)
    rows = np.bincount(codes, minlength=n_domains).astype(np.int64)
    if whole or design.is_calibrated:
        rows = np.full(n_domains, design.n_rows, dtype=np.int64)
    key = design.psu.astype(np.int64) * n_domains + codes
    psu_nz = np.bincount(key, weights=nz, minlength=design.n_units * n_domains).reshape(design.n_units, n_domains) > 0
    strata_nz = np.zeros((design.n_strata, n_domains), dtype=bool)
    np.logical_or.at(strata_nz, design.psu_stratum, psu_nz)
    df = (psu_nz.sum(axis=0) - strata_nz.sum(axis=0)).astype(np.float64)
    weight = np.bincount(codes, weights=design.weights, minlength=n_domains)
    present = present_ssu = None
    if not whole and not design.is_calibrated:
        present = np.bincount(key, minlength=design.n_units * n_domains).reshape(design.n_units, n_domains) > 0
        if design.two_stage and design.ssu is not None:
            n_ssu = int(design.ssu.max()) + 1
            skey = design.ssu.astype(np.int64) * n_domains + codes
            present_ssu = np.bincount(skey, minlength=n_ssu * n_domains).reshape(n_ssu, n_domains) > 0
    return DomainFacts(n=n, n_rows=rows, df=df, weight=weight, present=present, present_ssu=present_ssu)


def _svyvar(design: Design, codes: IntArray, n_domains: int, dev: FloatArray, facts: DomainFacts) -> FloatArray:
    """R's ``svyvar`` of already-centred values within each domain: weighted mean of dev² · n/(n-1)."""
    wsq = group_sum(codes, n_domains, dev * dev * design.weights[:, None])
    n = facts.n.astype(np.float64)[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(wsq / facts.weight[:, None] * n / (n - 1), dtype=np.float64)


def _deff(
    kind: DeffKind, var: FloatArray, svyvar: FloatArray, facts: DomainFacts, total_scale: FloatArray | None
) -> FloatArray:
    """Design effect as R's ``deff=TRUE`` (without-replacement SRS) or ``deff="replace"``."""
    if kind is False:
        return np.full(var.shape, np.nan)
    n = facts.n.astype(np.float64)[:, None]
    psum = facts.weight[:, None]
    with np.errstate(divide="ignore", invalid="ignore"):
        if kind == "replace":
            vsrs = svyvar / n
        else:
            vsrs = np.where(psum < n, np.nan, svyvar * (psum - n) / (psum * n))
        if total_scale is not None:
            vsrs = vsrs * total_scale
        return np.asarray(var / vsrs, dtype=np.float64)


def estimate_by_codes(
    design: Design,
    y: FloatArray,
    codes: IntArray,
    n_domains: int,
    *,
    statistic: Statistic,
    denominator: FloatArray | None,
    deff: DeffKind,
    whole: bool,
) -> tuple[FloatArray, FloatArray, FloatArray, DomainFacts]:
    """Estimates, variances and deffs (each D x p) of one statistic for all domains at once."""
    p = y.shape[1]
    v = np.ones((y.shape[0], 1)) if denominator is None or statistic != "ratio" else denominator
    facts = domain_facts(design, codes, n_domains, whole)
    sums = domain_sums(design, codes, n_domains, y, v)
    ty = sums.total_y
    tv = sums.total_v if statistic == "ratio" else np.broadcast_to(sums.total_v, ty.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "total":
            est = ty.copy()
            a, c = np.ones_like(ty), np.zeros_like(ty)
        else:  # mean (V = 1) or ratio: score w (y - est v) / total(v)
            est = ty / tv
            a, c = 1.0 / tv, -est
    totals = score_totals(sums, a, c, facts.present, facts.present_ssu)
    var = taylor_variance(design, totals).reshape(n_domains, p)
    if deff is False:
        return est, var, np.full(var.shape, np.nan), facts
    if statistic == "ratio":
        dev = (y - est[codes] * v) / tv[codes]
    else:
        dev = y - (ty / facts.weight[:, None])[codes]
    svyvar = _svyvar(design, codes, n_domains, dev, facts)
    scale = None
    if statistic in ("total", "ratio"):
        scale = facts.weight[:, None] ** 2
    return est, var, _deff(deff, var, svyvar, facts, scale), facts


def _design_estimate(
    design: Design,
    y: ArrayLike,
    domain: ArrayLike | None,
    statistic: Statistic,
    denominator: ArrayLike | None,
    deff: DeffKind,
    names: tuple[str, ...] | None,
) -> Estimates:
    n = design.n_rows
    ym = as_matrix(y, n)
    den = None if denominator is None else as_matrix(denominator, n, "denominator")
    if den is not None and den.shape != ym.shape:
        den = np.broadcast_to(den, ym.shape).copy()
    if domain is None:
        codes = np.zeros(n, dtype=np.intp)
        labels: NDArray[Any] | None = None
        n_domains = 1
    else:
        codes, labels = domain_codes(domain, design.n_rows)
        n_domains = labels.size
    est, var, dff, facts = estimate_by_codes(
        design, ym, codes, n_domains, statistic=statistic, denominator=den, deff=deff, whole=domain is None
    )
    if names is not None and len(names) != ym.shape[1]:
        raise EstimationError("变量名个数与列数不符", "number of names differs from number of columns")
    nm = names if names is not None else tuple(f"y{j + 1}" for j in range(ym.shape[1]))
    if labels is None:
        return Estimates(statistic, nm, est[0], np.sqrt(var[0]), var[0], dff[0], facts.df[0], facts.n[0], facts.n_rows[0])
    keep = facts.n > 0  # R's svyby drops domains whose rows all have zero weight
    return Estimates(
        statistic, nm, est[keep], np.sqrt(var[keep]), var[keep], dff[keep],
        facts.df[keep], facts.n[keep], facts.n_rows[keep], labels[keep],
    )


def total(design: Design, y: ArrayLike, *, deff: DeffKind = True, names: tuple[str, ...] | None = None) -> Estimates:
    """Population totals of the columns of ``y`` (R ``svytotal``)."""
    return _design_estimate(design, y, None, "total", None, deff, names)


def mean(design: Design, y: ArrayLike, *, deff: DeffKind = True, names: tuple[str, ...] | None = None) -> Estimates:
    """Population means (proportions for 0/1 columns) of the columns of ``y`` (R ``svymean``)."""
    return _design_estimate(design, y, None, "mean", None, deff, names)


def ratio(
    design: Design, numerator: ArrayLike, denominator: ArrayLike, *, deff: DeffKind = True, names: tuple[str, ...] | None = None
) -> Estimates:
    """Ratios of totals, column j of ``numerator`` over column j of ``denominator`` (R ``svyratio``)."""
    return _design_estimate(design, numerator, None, "ratio", denominator, deff, names)


def by_domain(
    design: Design,
    y: ArrayLike,
    domain: ArrayLike,
    *,
    statistic: Statistic = "mean",
    denominator: ArrayLike | None = None,
    deff: DeffKind = True,
    names: tuple[str, ...] | None = None,
) -> Estimates:
    """Estimates for every level of ``domain`` (a vector, or an n x k array for crossings).

    Equivalent to R's ``svyby(~y, ~domain, design, svymean/svytotal/svyratio)``: the full design is
    kept, and out-of-domain rows contribute zero scores.
    """
    return _design_estimate(design, y, domain, statistic, denominator, deff, names)

