"""Taylor-linearisation variance of estimated totals, as R's ``svyrecvar`` (survey 4.1-1).

Everything here works on *unit totals* of the linearised scores (influence functions): the PSU
totals (and SSU totals for a two-stage design with fpc at both stages), one column per statistic.
Scores outside a domain are zero, so a domain never needs a subset of the design.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from ._groups import FloatArray, IntArray, group_sum, indicator, key_sums, weighted_gram
from .design import CalibrationStep, Design
from .errors import LonelyPSUError

# R's onestrat() treats a stratum whose sampling fraction leaves f below this as self-representing.
CERTAINTY_TOLERANCE = 1e-7


@dataclass(frozen=True, eq=False)
class UnitTotals:
    """Unit totals of K score columns, plus what the variance needs besides them.

    ``psu`` is P x K. ``ssu`` is S x K (two-stage designs only). ``cross[k]`` is
    ``M_k' (x / g_k)`` for calibration step k (q_k x K). ``present`` (P x D, optional) says which
    PSUs have at least one row of each domain, the K columns being D domains of ``per_domain``
    variables each: R's ``svyby`` drops the other rows of an uncalibrated design, which matters for
    the lonely-PSU rules only. ``None`` means every PSU.
    """

    psu: FloatArray
    ssu: FloatArray | None = None
    cross: tuple[FloatArray, ...] = ()
    present: NDArray[np.bool_] | None = None
    present_ssu: NDArray[np.bool_] | None = None
    per_domain: int = 1


def calibration_residual_coefficients(design: Design, cross: tuple[FloatArray, ...]) -> list[FloatArray]:
    """Regression coefficients B_k of the scores on each calibration model, applied in order.

    Step k replaces x by ``x - w_after_k * M_k B_k``; because the steps are applied one after the
    other, the right-hand side of step k subtracts what earlier steps removed.
    """
    coefs: list[FloatArray] = []
    steps = design.calibration
    for k, step in enumerate(steps):
        if step.patterns is not None:
            gram = weighted_gram(step.patterns.rows, step.patterns.weight_sums(step.weights_before))
        else:
            gram = weighted_gram(step.operator(), step.weights_before)
        rhs = cross[k].copy()
        for earlier, b in zip(steps[:k], coefs, strict=True):
            m = step.operator()
            rhs -= np.asarray(m.T @ (earlier.model_matrix * (earlier.weights_after / step.g)[:, None])) @ b
        coefs.append(np.linalg.solve(gram, rhs))
    return coefs


def residual_unit_totals(design: Design, totals: UnitTotals) -> tuple[FloatArray, FloatArray | None]:
    """PSU (and SSU) totals of the scores after removing the calibration fits."""
    psu_t = totals.psu
    ssu_t = totals.ssu
    if not design.calibration:
        return psu_t, ssu_t
    coefs = calibration_residual_coefficients(design, totals.cross)
    for step, b in zip(design.calibration, coefs, strict=True):
        psu_t = _minus(psu_t, _fitted_totals(step, design.psu, design.n_units) @ b)
        if ssu_t is not None and design.ssu is not None:
            ssu_t = _minus(ssu_t, _fitted_totals(step, design.ssu, ssu_t.shape[0]) @ b)
    return psu_t, ssu_t


def _minus(t: FloatArray, fit: FloatArray) -> FloatArray:
    """``t - fit`` written into ``fit`` (a fresh product), leaving the caller's totals untouched."""
    np.subtract(t, fit, out=fit)
    return fit


def _fitted_totals(step: CalibrationStep, codes: IntArray, n_groups: int) -> FloatArray:
    """Unit totals of ``w_after * M`` (n_groups x q)."""
    if step.patterns is not None:
        pattern = step.patterns
        by_pattern = key_sums(codes, n_groups, pattern.codes, pattern.n_patterns, step.weights_after)
        return np.asarray(by_pattern @ pattern.rows, dtype=np.float64)
    if sp.issparse(step.operator()):
        weighted = sp.diags(step.weights_after) @ step.operator()
        return np.asarray((indicator(codes, n_groups) @ weighted).toarray(), dtype=np.float64)
    return group_sum(codes, n_groups, step.model_matrix * step.weights_after[:, None])


def _fraction(pop: FloatArray | None, n: IntArray) -> FloatArray:
    if pop is None:
        return np.ones(n.size)
    with np.errstate(divide="ignore", invalid="ignore"):
        f = np.where(np.isinf(pop), 1.0, (pop - n) / pop)
    return np.asarray(f, dtype=np.float64)


def _group_contributions(
    t: FloatArray,
    group: IntArray,
    n_sampled: IntArray,
    f: FloatArray,
    present: NDArray[np.bool_] | None,
    design: Design,
    stage: int,
    labels: NDArray[np.generic],
    per_domain: int = 1,
) -> tuple[FloatArray, NDArray[np.bool_]]:
    """Per-group (stratum, or PSU at stage 2) contributions as R's ``onestrat``; NaN where R gives NA.

    Returns the G x K contributions and the G x K mask of groups present in each column's subset.
    """
    n_groups = n_sampled.size
    k = t.shape[1]
    nh = n_sampled.astype(np.float64)[:, None]
    mean = group_sum(group, n_groups, t) / nh
    dev = mean[group]  # one units x K array, centred and squared in place
    np.subtract(t, dev, out=dev)
    np.square(dev, out=dev)
    centred = group_sum(group, n_groups, dev)
    if present is None:
        m = np.broadcast_to(nh, (n_groups, k))
    else:
        m = np.repeat(group_sum(group, n_groups, present.astype(np.float64)), per_domain, axis=1)
    is_present = m > 0
    rule = design.lonely_psu
    adl = design.adjust_domain_lonely
    certain = np.broadcast_to((f < CERTAINTY_TOLERANCE)[:, None], (n_groups, k))
    lonely = np.broadcast_to(nh == 1, (n_groups, k))
    if rule == "fail":
        bad = lonely & is_present & ~certain
        if bad.any():
            raise LonelyPSUError(labels[int(np.argwhere(bad)[0, 0])], stage)
    scale = np.where(n_sampled > 1, f * n_sampled / np.maximum(n_sampled - 1, 1), f)[:, None]
    contrib = scale * centred
    if rule == "adjust":
        uncentred = (m == 1) & (lonely | adl)
        if uncentred.any():
            raw = group_sum(group, n_groups, t**2)
            contrib = np.where(uncentred, scale * raw, contrib)
    if rule == "average":
        na = lonely | ((m == 1) & (nh > 1) & adl)
        contrib = np.where(na, np.nan, contrib)
    contrib = np.where(certain, 0.0, contrib)
    return contrib, is_present


def taylor_variance(design: Design, totals: UnitTotals) -> FloatArray:
    """Variances (K,) of the totals whose linearised scores have the given unit totals."""
    psu_t, ssu_t = residual_unit_totals(design, totals)
    present = None if design.calibration else totals.present
    f1 = _fraction(design.pop_psu, design.n_psu)
    contrib, is_present = _group_contributions(
        psu_t, design.psu_stratum, design.n_psu, f1, present, design, 1, design.strata_labels, totals.per_domain
    )
    ok = is_present & ~np.isnan(contrib)
    n_present = is_present.sum(axis=0)
    n_ok = ok.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        v = np.where(ok, contrib, 0.0).sum(axis=0) * n_present / n_ok
    if design.two_stage and ssu_t is not None:
        v = v + _second_stage(design, ssu_t, None if design.calibration else totals.present_ssu, totals.per_domain)
    return np.asarray(v, dtype=np.float64)


def _second_stage(design: Design, ssu_t: FloatArray, present: NDArray[np.bool_] | None, per_domain: int) -> FloatArray:
    assert design.ssu_psu is not None and design.n_ssu is not None and design.pop_psu is not None
    f2 = _fraction(design.pop_ssu, design.n_ssu)
    labels = np.arange(design.n_units)
    contrib, is_present = _group_contributions(ssu_t, design.ssu_psu, design.n_ssu, f2, present, design, 2, labels, per_domain)
    # Each PSU is its own one-stratum stage: an NA stratum gives 0 * 1/0 = NaN in R, kept here.
    contrib = np.where(is_present, contrib, 0.0)
    first_stage_fraction = (design.n_psu / design.pop_psu)[design.psu_stratum]
    return np.asarray((contrib * first_stage_fraction[:, None]).sum(axis=0), dtype=np.float64)
