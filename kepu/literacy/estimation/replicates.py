"""Replicate-weight designs: creating replicates (JK1, JKn, BRR, Fay, bootstrap) and estimating.

Creation follows R's ``as.svrepdesign`` (``jk1weights``, ``jknweights``, ``brrweights``,
``bootweights``); estimation follows ``svrepdesign`` + ``svymean``/``svytotal``/``svyratio`` with
``svrVar``: ``var = scale * sum_r rscales_r (theta_r - centre)^2`` where the centre is the mean of the
replicates (or the full-sample estimate when ``mse=True``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._groups import FloatArray, domain_codes
from .design import Design
from .errors import DesignError, EstimationError, LonelyPSUError
from .estimators import DeffKind, Statistic, as_matrix
from .hadamard import hadamard
from .results import Estimates

ReplicateType = Literal["JK1", "JKn", "BRR", "Fay", "bootstrap", "other"]


@dataclass(frozen=True, eq=False)
class ReplicateDesign:
    """Full-sample weights plus an n x R matrix of replicate *analysis* weights."""

    weights: FloatArray
    replicate_weights: FloatArray
    scale: float
    rscales: FloatArray
    type: str
    mse: bool = False
    degf_value: int | None = None

    @classmethod
    def from_weights(
        cls,
        *,
        weights: ArrayLike,
        replicate_weights: ArrayLike,
        type: ReplicateType,
        scale: float | None = None,
        rscales: ArrayLike | None = None,
        rho: float | None = None,
        mse: bool = False,
        combined_weights: bool = True,
    ) -> ReplicateDesign:
        """A design from given replicate weights, with R ``svrepdesign``'s defaults for scale/rscales.

        BRR: scale 1/R. Fay: 1/(R(1-rho)^2). bootstrap: 1/(R-1). JK1: (R-1)/R unless given. JKn:
        ``rscales`` required. ``combined_weights=False`` means the columns are factors to multiply
        the full-sample weights by.
        """
        w = np.asarray(weights, dtype=np.float64).reshape(-1)
        rw = np.asarray(replicate_weights, dtype=np.float64)
        if rw.ndim != 2 or rw.shape[0] != w.size:
            raise DesignError("复制权重矩阵的行数与样本不符", "replicate weights must be an n x R matrix")
        if not combined_weights:
            rw = rw * w[:, None]
        r = rw.shape[1]
        if type == "BRR":
            scale = 1.0 / r
        elif type == "Fay":
            if rho is None:
                raise DesignError("Fay 方法须给出 rho", "type='Fay' needs rho")
            scale = 1.0 / (r * (1 - rho) ** 2)
        elif type == "bootstrap" and scale is None:
            scale = 1.0 / (r - 1)
        elif type == "JK1" and scale is None:
            scale = (r - 1) / r
        if type == "JKn" and rscales is None:
            raise DesignError("JKn 方法须给出 rscales", "type='JKn' needs rscales")
        rs = np.ones(r) if rscales is None else np.broadcast_to(np.asarray(rscales, dtype=np.float64), (r,)).copy()
        return cls(weights=w, replicate_weights=rw, scale=float(1.0 if scale is None else scale), rscales=rs, type=type, mse=mse)

    @property
    def n_rows(self) -> int:
        return int(self.weights.size)

    def degf(self) -> int:
        """R's ``degf``: rank of the replicate analysis-weight matrix minus one."""
        if self.degf_value is not None:
            return self.degf_value
        return _rank(self.replicate_weights) - 1


def _rank(mat: FloatArray) -> int:
    if mat.size == 0:
        return 0
    s = np.linalg.svd(mat, compute_uv=False)
    return int(np.sum(s > 1e-5 * s[0])) if s.size and s[0] > 0 else 0


def replicate_design(
    design: Design,
    type: ReplicateType = "JKn",
    *,
    fay_rho: float = 0.0,
    hadamard_matrix: ArrayLike | None = None,
    replicates: int = 50,
    seed: int | None = None,
    mse: bool = False,
) -> ReplicateDesign:
    """Replicate weights for a design (R ``as.svrepdesign``).

    JK1, JKn, BRR and Fay are deterministic and equal R's for the same design; BRR/Fay need two
    PSUs per stratum and use ``hadamard_matrix`` (0/1, at least strata+1 rows; R's internal
    ``hadamard(n)`` gives the same replicates as R) or a Sylvester/Paley matrix. The bootstrap
    (Canty–Davison, R's ``bootweights``) is random: ``seed`` makes it reproducible, not equal to R's.
    """
    if type == "JK1":
        factors, scale, rscales = _jk1(design)
    elif type == "JKn":
        factors, scale, rscales = _jkn(design)
    elif type in ("BRR", "Fay"):
        rho = fay_rho if type == "Fay" else 0.0
        factors = _brr(design, rho, hadamard_matrix)
        scale, rscales = 1.0 / (factors.shape[1] * (1 - rho) ** 2), np.ones(factors.shape[1])
    elif type == "bootstrap":
        factors, scale, rscales = _bootstrap(design, replicates, seed)
    else:
        raise DesignError(f"不支持的复制方法 {type}", f"unsupported replicate type {type!r}")
    rw = factors[design.psu] * design.weights[:, None]
    return ReplicateDesign(weights=design.weights, replicate_weights=rw, scale=scale, rscales=rscales, type=type, mse=mse)


def _psu_order(design: Design) -> NDArray[np.intp]:
    return np.argsort(design.psu_first_row, kind="stable")


def _jk1(design: Design) -> tuple[FloatArray, float, FloatArray]:
    if design.has_strata:
        raise DesignError("分层设计不能用 JK1，请用 JKn", "can't use JK1 for a stratified design")
    n = design.n_units
    order = _psu_order(design)
    factors = np.full((n, n), n / (n - 1))
    factors[order, np.arange(n)] = 0.0
    fpc = 1.0 if design.pop_psu is None else float((design.pop_psu[0] - n) / design.pop_psu[0])
    return factors, fpc * (n - 1) / n, np.ones(n)


def _jkn(design: Design) -> tuple[FloatArray, float, FloatArray]:
    n_units = design.n_units
    strata_first = np.full(design.n_strata, design.n_rows)
    np.minimum.at(strata_first, design.strata, np.arange(design.n_rows))
    order = _psu_order(design)
    cols: list[FloatArray] = []
    rscales: list[float] = []
    nstrat = design.n_strata
    for h in np.argsort(strata_first, kind="stable"):
        units = order[design.psu_stratum[order] == h]
        nh = units.size
        corr = 1.0 if design.pop_psu is None else float((design.pop_psu[h] - nh) / design.pop_psu[h])
        if corr == 0:
            continue  # exhaustively sampled stratum: R drops its replicates
        if nh == 1:
            if design.lonely_psu == "fail":
                raise LonelyPSUError(design.strata_labels[h])
            if design.lonely_psu == "adjust":
                col = np.where(design.psu_stratum == h, 0.0, nstrat / (nstrat - 1))
                cols.append(col)
                rscales.append((nstrat - 1) / nstrat)
            continue
        for u in units:
            col = np.ones(n_units)
            col[units] = nh / (nh - 1)
            col[u] = 0.0
            cols.append(col)
            rscales.append(corr * (nh - 1) / nh)
    if not cols:
        raise DesignError("所有层均为全面调查，无需方差估计", "all strata were exhaustively sampled")
    scale = 1.0
    if len(cols) < n_units and design.lonely_psu == "average":
        scale = n_units / len(cols)
    return np.column_stack(cols), scale, np.asarray(rscales)


def _brr(design: Design, rho: float, hadamard_matrix: ArrayLike | None) -> FloatArray:
    if not design.has_strata or np.any(design.n_psu != 2):
        raise DesignError("BRR/Fay 要求每层恰有 2 个初级抽样单元", "BRR/Fay need exactly two PSUs in every stratum")
    n_strata = design.n_strata
    h_mat = hadamard(n_strata) if hadamard_matrix is None else np.asarray(hadamard_matrix)
    if h_mat.shape[0] < n_strata + 1:
        raise DesignError("Hadamard 矩阵行数须至少为层数+1", "the Hadamard matrix needs at least strata+1 rows")
    # R numbers the strata in the sorted order of their labels as character strings.
    stratum_rank = np.empty(n_strata, dtype=np.intp)
    stratum_rank[np.argsort(np.array([str(s) for s in design.strata_labels]), kind="stable")] = np.arange(n_strata)
    order = _psu_order(design)
    is_second = np.zeros(design.n_units, dtype=bool)
    seen = np.zeros(n_strata, dtype=bool)
    for u in order:
        h = design.psu_stratum[u]
        is_second[u] = seen[h]
        seen[h] = True
    selector = h_mat[1 + stratum_rank[design.psu_stratum], :]  # P x R, 0/1
    # H = 0: first PSU of the pair is out (rho), second in (2 - rho); H = 1 the other way round.
    inside = np.where(selector == 0, is_second[:, None], ~is_second[:, None])
    return np.where(inside, 2.0 - rho, rho).astype(np.float64)


def _bootstrap(design: Design, replicates: int, seed: int | None) -> tuple[FloatArray, float, FloatArray]:
    rng = np.random.default_rng(seed)
    factors = np.zeros((design.n_units, replicates))
    for h in range(design.n_strata):
        units = np.flatnonzero(design.psu_stratum == h)
        nh = units.size
        if design.pop_psu is None or np.isinf(design.pop_psu[h]):
            factors[units] = rng.multinomial(nh, np.full(nh, 1.0 / nh), size=replicates).T
        else:
            pop = int(design.pop_psu[h])
            for r in range(replicates):
                draws = rng.choice(pop, size=nh, replace=False) % nh
                factors[units, r] = np.bincount(draws, minlength=nh)
    harmonic = 1.0 / np.mean(1.0 / design.n_psu)
    return factors, harmonic / ((harmonic - 1) * (replicates - 1)), np.ones(replicates)


def svr_var(thetas: FloatArray, full: FloatArray, rd: ReplicateDesign) -> FloatArray:
    """R's ``svrVar`` for each column of ``thetas`` (R x K) against full-sample estimates (K,)."""
    ok = ~np.isnan(thetas).any(axis=1)  # R drops replicates with NA results (na.omit)
    thetas, rscales = thetas[ok], rd.rscales[ok]
    centre = full if rd.mse else thetas[rscales > 0].mean(axis=0)
    return np.asarray(rd.scale * (rscales[:, None] * (thetas - centre) ** 2).sum(axis=0), dtype=np.float64)


def replicate_estimate(
    rd: ReplicateDesign,
    y: ArrayLike,
    domain: ArrayLike | None = None,
    *,
    statistic: Statistic = "mean",
    denominator: ArrayLike | None = None,
    deff: DeffKind = True,
    names: tuple[str, ...] | None = None,
) -> Estimates:
    """Means, totals or ratios with replicate variances, overall or for each domain."""
    n = rd.n_rows
    ym = as_matrix(y, n)
    den = np.ones_like(ym) if denominator is None else np.broadcast_to(as_matrix(denominator, n, "denominator"), ym.shape)
    if domain is None:
        codes = np.zeros(n, dtype=np.intp)
        labels: NDArray[Any] | None = None
    else:
        codes, labels = domain_codes(domain, n)
    n_dom = 1 if labels is None else labels.size
    p = ym.shape[1]
    est = np.full((n_dom, p), np.nan)
    var = np.full((n_dom, p), np.nan)
    dff = np.full((n_dom, p), np.nan)
    dfs = np.zeros(n_dom)
    nn = np.zeros(n_dom, dtype=np.int64)
    rows_n = np.zeros(n_dom, dtype=np.int64)
    for d in range(n_dom):
        rows = np.flatnonzero(codes == d)
        w = rd.weights[rows]
        rw = rd.replicate_weights[rows]
        yy, vv = ym[rows], den[rows]
        full_num, full_den = w @ yy, w @ vv
        rep_num, rep_den = rw.T @ yy, rw.T @ vv
        if statistic == "total":
            full, reps = full_num, rep_num
        else:
            full, reps = full_num / full_den, rep_num / rep_den
        est[d] = full
        var[d] = svr_var(reps, full, rd)
        nn[d] = int(np.count_nonzero(w))
        rows_n[d] = rows.size
        dfs[d] = rd.degf() if labels is None else _rank(rw) - 1
        if deff is not False and statistic != "ratio":
            dff[d] = _replicate_deff(var[d], yy, w, deff, statistic == "total")
    if labels is not None:
        keep = nn > 0
        return Estimates(statistic, _names(names, p), est[keep], np.sqrt(var[keep]), var[keep], dff[keep], dfs[keep], nn[keep], rows_n[keep], labels[keep])
    return Estimates(statistic, _names(names, p), est[0], np.sqrt(var[0]), var[0], dff[0], dfs[0], nn[0], rows_n[0])


def _replicate_deff(var: FloatArray, y: FloatArray, w: FloatArray, kind: DeffKind, is_total: bool) -> FloatArray:
    # R svymean/svytotal.svyrep.design: vsrs = svyvar(x)/n (times N^2 for a total), times (N - n)/N
    # unless deff="replace"; n counts all rows of the (domain) design.
    n = y.shape[0]
    wsum = w.sum()
    xbar = (w @ y) / wsum
    s2 = (w @ (y - xbar) ** 2) / wsum * n / (n - 1)
    vsrs = s2 / n * (wsum**2 if is_total else 1.0)
    if kind != "replace":
        vsrs = vsrs * (wsum - n) / wsum
    return np.asarray(var / vsrs, dtype=np.float64)


def _names(names: tuple[str, ...] | None, p: int) -> tuple[str, ...]:
    if names is not None and len(names) != p:
        raise EstimationError("变量名个数与列数不符", "number of names differs from number of columns")
    return names if names is not None else tuple(f"y{j + 1}" for j in range(p))
