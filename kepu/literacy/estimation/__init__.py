"""kepu survey-estimation engine: design-based estimates validated number for number against R ``survey``.

Pure NumPy/SciPy, no Django. Typical use::

    from kepu.literacy import estimation as est

    design = est.Design.from_arrays(weights=w, strata=stratum, psu=village, nest=True, lonely_psu="adjust")
    overall = est.mean(design, items)                     # many 0/1 items at once
    by_district = est.by_domain(design, items, district)  # full-design domain variances
    low, high = est.proportion_ci(by_district, method="beta")
    calibrated = est.calibrate_to_margins(design, {"sex": sex, "age": age_band}, census_totals)
    est.mean(calibrated, items)                           # calibration-aware standard errors

See ``docs/literacy-estimation.md`` for the methods and formulas.
"""

from __future__ import annotations

from typing import Any

from numpy.typing import ArrayLike

from .calibration import calibrate, calibrate_to_margins, margin_model, post_stratify, rake
from .design import CalibrationStep, Design, LonelyPSU
from .errors import CalibrationError, DesignError, EstimationError, LonelyPSUError
from .estimators import DeffKind, Statistic
from .estimators import by_domain as _by_domain
from .estimators import mean as _mean
from .estimators import ratio as _ratio
from .estimators import total as _total
from .hadamard import hadamard
from .intervals import CI_METHODS, CIMethod, proportion_ci, wald_ci
from .replicates import ReplicateDesign, replicate_design, replicate_estimate
from .results import Estimates
from .small_area import FayHerriotResult, fay_herriot, publishing_flags
from .svyglm_logit import svyciprop_logit

AnyDesign = Design | ReplicateDesign

__all__ = [
    "CI_METHODS", "AnyDesign", "CIMethod", "CalibrationError", "CalibrationStep", "DeffKind", "Design",
    "DesignError", "Estimates", "EstimationError", "FayHerriotResult", "LonelyPSU", "LonelyPSUError",
    "ReplicateDesign", "Statistic", "by_domain", "calibrate", "calibrate_to_margins", "fay_herriot", "hadamard", "margin_model",
    "mean", "post_stratify", "proportion", "proportion_ci", "publishing_flags", "rake", "ratio",
    "replicate_design", "svyciprop_logit", "total", "wald_ci",
]


def mean(design: AnyDesign, y: ArrayLike, *, deff: DeffKind = True, names: tuple[str, ...] | None = None) -> Estimates:
    """Means (proportions for 0/1 columns) of each column of ``y``, with SE, deff, df (R ``svymean``)."""
    if isinstance(design, ReplicateDesign):
        return replicate_estimate(design, y, statistic="mean", deff=deff, names=names)
    return _mean(design, y, deff=deff, names=names)


proportion = mean


def total(design: AnyDesign, y: ArrayLike, *, deff: DeffKind = True, names: tuple[str, ...] | None = None) -> Estimates:
    """Population totals of each column of ``y`` (R ``svytotal``)."""
    if isinstance(design, ReplicateDesign):
        return replicate_estimate(design, y, statistic="total", deff=deff, names=names)
    return _total(design, y, deff=deff, names=names)


def ratio(
    design: AnyDesign, numerator: ArrayLike, denominator: ArrayLike, *, deff: DeffKind = True,
    names: tuple[str, ...] | None = None,
) -> Estimates:
    """Ratios of totals: column j of ``numerator`` over column j of ``denominator`` (R ``svyratio``)."""
    if isinstance(design, ReplicateDesign):
        return replicate_estimate(design, numerator, statistic="ratio", denominator=denominator, deff=deff, names=names)
    return _ratio(design, numerator, denominator, deff=deff, names=names)


def by_domain(
    design: AnyDesign, y: ArrayLike, domain: ArrayLike, *, statistic: Statistic = "mean",
    denominator: ArrayLike | None = None, deff: DeffKind = True, names: tuple[str, ...] | None = None,
) -> Estimates:
    """Estimates for every level of ``domain`` (R ``svyby``), never by subsetting the design.

    ``domain`` is a label per row, or an n x k array whose rows are crossed into "a.b" labels.
    """
    if isinstance(design, ReplicateDesign):
        dom: Any = domain
        return replicate_estimate(design, y, dom, statistic=statistic, denominator=denominator, deff=deff, names=names)
    return _by_domain(design, y, domain, statistic=statistic, denominator=denominator, deff=deff, names=names)
