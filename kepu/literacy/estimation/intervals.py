"""Confidence intervals for proportions and means, as R's ``svyciprop`` and ``confint``.

All methods use Student's t quantile with the design degrees of freedom (R's default
``df = degf(design)``), a normal quantile when ``df`` is infinite.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray
from scipy import special, stats

from ._groups import FloatArray
from .errors import EstimationError
from .results import Estimates

CIMethod = Literal["logit", "xlogit", "beta", "wilson", "wald", "mean"]
CI_METHODS: tuple[str, ...] = ("logit", "xlogit", "beta", "wilson", "wald", "mean")


def _t_quantile(q: float, df: NDArray[np.float64]) -> FloatArray:
    with np.errstate(invalid="ignore"):
        out = np.where(np.isinf(df), stats.norm.ppf(q), stats.t.ppf(q, np.where(df > 0, df, np.nan)))
    return np.asarray(out, dtype=np.float64)


def wald_ci(est: Estimates, level: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """estimate ± t(1-α/2, df) · se (R ``confint(svymean(...), df=degf(design))``)."""
    t = _t_quantile(1 - (1 - level) / 2, est.broadcast(est.df).astype(np.float64))
    return est.estimate - t * est.se, est.estimate + t * est.se


def proportion_ci(est: Estimates, method: CIMethod = "logit", level: float = 0.95) -> tuple[FloatArray, FloatArray]:
    """Confidence interval for proportions estimated by :func:`mean` or :func:`by_domain`.

    * ``logit``/``xlogit`` — Wald interval on the logit scale at the sample proportion, mapped back:
      R ``svyciprop`` method "xlogit". R's "logit" goes through ``svyglm``'s IRLS and differs by up
      to ~1e-9; :func:`svyciprop_logit` reproduces it exactly from the design and data.
    * ``beta`` — Korn–Graubard: effective n = p(1-p)/var, times (t(α/2, n_rows-1)/t(α/2, df))²,
      Clopper–Pearson limits with that n (R method "beta").
    * ``wilson`` — Wilson score interval with the effective n = p(1-p)/var and the t(df) quantile
      (not in R 4.1-1's ``svyciprop``; validated against a formula in ``scripts/r``).
    * ``wald``/``mean`` — p ± t · se (R method "mean").
    """
    if method not in CI_METHODS:
        raise EstimationError(f"未知的置信区间方法“{method}”", f"unknown CI method {method!r}; choose one of {', '.join(CI_METHODS)}")
    p = est.estimate
    se = est.se
    df = est.broadcast(est.df).astype(np.float64)
    alpha = 1 - level
    if method in ("wald", "mean"):
        return wald_ci(est, level)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = _t_quantile(1 - alpha / 2, df)
        if method in ("logit", "xlogit"):
            centre = np.log(p / (1 - p))
            half = t * se / (p * (1 - p))
            return special.expit(centre - half), special.expit(centre + half)
        n_eff = p * (1 - p) / se**2
        if method == "wilson":
            z2 = t * t
            denom = 1 + z2 / n_eff
            mid = (p + z2 / (2 * n_eff)) / denom
            half = t / denom * np.sqrt(p * (1 - p) / n_eff + z2 / (4 * n_eff**2))
            return mid - half, mid + half
        rows = est.broadcast(est.n_rows).astype(np.float64)
        n_eff = n_eff * (_t_quantile(alpha / 2, rows - 1) / _t_quantile(alpha / 2, df)) ** 2
        # A domain with p = 0 or 1 has zero variance, hence NaN limits, as in R.
        low = special.betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2)
        high = special.betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2)
        return np.asarray(low, dtype=np.float64), np.asarray(high, dtype=np.float64)
