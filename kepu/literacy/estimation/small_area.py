"""Fay–Herriot area-level small-area estimation (EBLUP with Prasad–Rao MSE).

The model: direct_i = x_i' beta + u_i + e_i, u_i ~ N(0, A), e_i ~ N(0, D_i) with D_i the known
sampling variance. A is estimated by REML or ML with Fisher scoring started at median(D), as
``sae::eblupFH``; the MSE is ``sae::mseFH``'s: g1 + g2 + 2 g3 (REML) and g1 + g2 + 2 g3 - b B_i^2
(ML, with the ML bias b of A). References: Fay & Herriot (1979); Prasad & Rao (1990);
Datta & Lahiri (2000); Rao & Molina (2015), Small Area Estimation, ch. 6.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._groups import FloatArray
from .errors import EstimationError

FHMethod = Literal["REML", "ML"]


@dataclass(frozen=True, eq=False)
class FayHerriotResult:
    """EBLUPs and their MSEs; ``flag_direct`` marks direct estimates that are not publishable."""

    estimate: FloatArray
    mse: FloatArray
    sigma2_u: float
    beta: FloatArray
    beta_se: FloatArray
    shrinkage: FloatArray  # A / (A + D_i), the weight on the direct estimate
    g1: FloatArray
    g2: FloatArray
    g3: FloatArray
    method: str
    iterations: int
    converged: bool
    direct: FloatArray
    direct_var: FloatArray
    flag_direct: NDArray[np.bool_]


def publishing_flags(
    estimate: ArrayLike, se: ArrayLike, n: ArrayLike | None = None, *, max_cv: float | None = None, min_n: int | None = None
) -> NDArray[np.bool_]:
    """True where a direct estimate should not be published: CV above ``max_cv`` or n below ``min_n``."""
    est = np.asarray(estimate, dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        cv = np.asarray(se, dtype=np.float64) / np.abs(est)
    flag = np.zeros(est.shape, dtype=bool)
    if max_cv is not None:
        flag |= ~(cv <= max_cv)
    if min_n is not None and n is not None:
        flag |= np.asarray(n) < min_n
    return flag


def _fisher_step(a: float, y: FloatArray, x: FloatArray, d: FloatArray, method: FHMethod) -> float:
    vi = 1.0 / (a + d)
    xtvi = (x * vi[:, None]).T
    q = np.linalg.inv(xtvi @ x)
    if method == "ML":
        resid = y - x @ (q @ (xtvi @ y))
        score = -0.5 * vi.sum() + 0.5 * np.sum((vi * resid) ** 2)
        info = 0.5 * np.sum(vi**2)
    else:
        p_mat = np.diag(vi) - xtvi.T @ q @ xtvi
        py = p_mat @ y
        score = -0.5 * np.trace(p_mat) + 0.5 * (py @ py)
        info = 0.5 * np.sum(p_mat * p_mat.T)
    return float(a + score / info)


def fay_herriot(
    direct: ArrayLike,
    var: ArrayLike,
    x: ArrayLike,
    *,
    method: FHMethod = "REML",
    maxiter: int = 100,
    tol: float = 1e-12,
    n: ArrayLike | None = None,
    max_cv: float | None = None,
    min_n: int | None = None,
) -> FayHerriotResult:
    """Fit the Fay–Herriot model and return EBLUPs with Prasad–Rao-type MSEs.

    ``x`` is the m x p area-level design matrix (include a column of ones for an intercept).
    Iteration stops when |ΔA / A| < ``tol`` (``sae`` uses 1e-4; the default here iterates to
    convergence). A negative final A is truncated to 0, as ``sae`` does.
    """
    if method not in ("REML", "ML"):
        raise EstimationError(f"未知的方法“{method}”，可选 REML 或 ML", f"unknown method {method!r}; use 'REML' or 'ML'")
    y = np.asarray(direct, dtype=np.float64).reshape(-1)
    d = np.asarray(var, dtype=np.float64).reshape(-1)
    xm = np.asarray(x, dtype=np.float64)
    if xm.ndim == 1:
        xm = xm[:, None]
    if not (y.size == d.size == xm.shape[0]):
        raise EstimationError("直接估计、方差与辅助变量的地区数不一致", "direct, var and x must have the same number of areas")
    if np.any(d <= 0) or not np.all(np.isfinite(y)):
        raise EstimationError("抽样方差须为正，直接估计须为有限值", "sampling variances must be positive and estimates finite")
    a = float(np.median(d))
    k = 0
    diff = tol + 1.0
    while diff > tol and k < maxiter:
        k += 1
        new = _fisher_step(a, y, xm, d, method)
        diff = abs((new - a) / a) if a != 0 else abs(new)
        a = new
    converged = diff <= tol
    a = max(a, 0.0)
    return _eblup(y, d, xm, a, method, k, converged, publishing_flags(y, np.sqrt(d), n, max_cv=max_cv, min_n=min_n))


def _eblup(
    y: FloatArray, d: FloatArray, x: FloatArray, a: float, method: FHMethod, k: int, converged: bool, flags: NDArray[np.bool_]
) -> FayHerriotResult:
    vi = 1.0 / (a + d)
    xtvi = (x * vi[:, None]).T
    q = np.linalg.inv(xtvi @ x)
    beta = q @ (xtvi @ y)
    fitted = x @ beta
    est = fitted + a * vi * (y - fitted)
    b_d = d / (a + d)
    sum_ad2 = float(np.sum(vi**2))
    var_a = 2.0 / sum_ad2
    g1 = d * (1 - b_d)
    g2 = b_d**2 * np.einsum("ij,jk,ik->i", x, q, x)
    g3 = b_d**2 * var_a / (a + d)
    mse = g1 + g2 + 2 * g3
    if method == "ML":
        bias = -np.trace(q @ ((x * (vi**2)[:, None]).T @ x)) / sum_ad2
        mse = mse - bias * b_d**2
    return FayHerriotResult(
        estimate=est, mse=mse, sigma2_u=a, beta=beta, beta_se=np.sqrt(np.diag(q)), shrinkage=a * vi,
        g1=g1, g2=g2, g3=g3, method=method, iterations=k, converged=converged, direct=y, direct_var=d, flag_direct=flags,
    )
