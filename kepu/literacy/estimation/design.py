"""Sampling designs: strata, PSUs (and SSUs), weights, finite-population corrections, lonely-PSU rule.

The semantics follow R's ``svydesign(ids=~psu(+ssu), strata=~strata, weights=~w, fpc=~fpc(+fpc2),
nest=...)`` in the ``survey`` package (version 4.1-1).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ._groups import (
    FloatArray,
    IntArray,
    RowPatterns,
    codes_of,
    fast_matrix,
    first_rows,
    group_count,
    row_patterns,
)
from .errors import DesignError

LonelyPSU = Literal["fail", "remove", "certainty", "adjust", "average"]
LONELY_PSU_RULES: tuple[str, ...] = ("fail", "remove", "certainty", "adjust", "average")


@dataclass(frozen=True, eq=False)
class CalibrationStep:
    """One post-stratification or calibration applied to a design, kept for the variance.

    ``model_matrix`` is the n x q calibration design matrix, ``weights_before`` the weights the step
    started from and ``g`` the g-weights (``weights_after = g * weights_before``). The linearised
    variance replaces each score x by ``x - weights_after * (M @ B)`` with
    ``B = (M' diag(weights_before) M)^-1 M' (x / g)``, as R's ``svyrecvar`` does with the
    ``greg_calibration`` (``qr.resid``) and post-stratification information.
    """

    model_matrix: FloatArray
    weights_before: FloatArray
    g: FloatArray
    kind: str = "calibrate"
    fast_model: Any = field(default=None, repr=False, compare=False)
    # The distinct rows of the model (categorical margins have a few hundred): None when too many.
    patterns: RowPatterns | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.patterns is None:
            object.__setattr__(self, "patterns", row_patterns(self.model_matrix))
        if self.fast_model is None and self.patterns is None:
            object.__setattr__(self, "fast_model", fast_matrix(self.model_matrix))

    def operator(self) -> Any:
        """The model matrix as a sparse matrix when mostly zero (else dense), made on first use."""
        if self.fast_model is None:
            object.__setattr__(self, "fast_model", fast_matrix(self.model_matrix))
        return self.fast_model

    @property
    def weights_after(self) -> FloatArray:
        return self.g * self.weights_before


@dataclass(frozen=True, eq=False)
class Design:
    """A (stratified, clustered, one- or two-stage) sampling design for Taylor-linearised estimation.

    Build it with :meth:`Design.from_arrays`. Arrays are per row (n) unless said otherwise; codes are
    0-based integers. PSU codes are unique over the whole sample (after ``nest``).
    """

    weights: FloatArray
    strata: IntArray
    psu: IntArray
    psu_stratum: IntArray  # (P,) stratum of each PSU
    n_psu: IntArray  # (H,) sampled PSUs per stratum (as R's fpc$sampsize)
    pop_psu: FloatArray | None  # (H,) population PSUs per stratum, None without fpc
    strata_labels: NDArray[Any]
    psu_first_row: IntArray  # (P,) first row of each PSU: R's order of unique(psu)
    has_strata: bool
    lonely_psu: LonelyPSU = "fail"
    adjust_domain_lonely: bool = False
    ssu: IntArray | None = None  # second-stage units, unique over the sample
    ssu_psu: IntArray | None = None  # (S,)
    n_ssu: IntArray | None = None  # (P,) sampled SSUs per PSU
    pop_ssu: FloatArray | None = None  # (P,) population SSUs per PSU
    calibration: tuple[CalibrationStep, ...] = field(default=())

    # ----------------------------------------------------------------- construction
    @classmethod
    def from_arrays(
        cls,
        *,
        weights: ArrayLike | None = None,
        strata: ArrayLike | None = None,
        psu: ArrayLike | None = None,
        fpc: ArrayLike | None = None,
        ssu: ArrayLike | None = None,
        fpc2: ArrayLike | None = None,
        nest: bool = False,
        lonely_psu: LonelyPSU = "fail",
        adjust_domain_lonely: bool = False,
    ) -> Design:
        """Build a design from per-row arrays.

        ``fpc``/``fpc2`` are, like R, either population sizes (all values >= 1, some > 1) or sampling
        fractions (all <= 1), constant within a stratum (first stage) or a PSU (second stage).
        Without ``weights`` they are derived from population sizes (``N_h / n_h`` per stage).
        ``nest=True`` relabels PSU ids within strata (R's ``nest=TRUE``); otherwise a PSU id found in
        two strata is an error. ``lonely_psu`` is R's ``options(survey.lonely.psu=)`` and
        ``adjust_domain_lonely`` R's ``options(survey.adjust.domain.lonely=)``.
        """
        if lonely_psu not in LONELY_PSU_RULES:
            raise DesignError(
                f"未知的 lonely PSU 规则“{lonely_psu}”，可选 {', '.join(LONELY_PSU_RULES)}",
                f"unknown lonely_psu rule {lonely_psu!r}; choose one of {', '.join(LONELY_PSU_RULES)}",
            )
        n = _row_count(weights, strata, psu, fpc)
        has_strata = strata is not None
        strata_codes, strata_labels = codes_of(_column(strata, n, "strata") if strata is not None else np.zeros(n))
        n_strata = strata_labels.size
        psu_raw = _column(psu, n, "psu") if psu is not None else np.arange(n)
        psu_codes, _ = codes_of(psu_raw)
        if nest:
            key = strata_codes.astype(np.int64) * (int(psu_codes.max()) + 1) + psu_codes
            psu_codes, _ = codes_of(key)
        n_units = int(psu_codes.max()) + 1 if n else 0
        psu_first = first_rows(psu_codes, n_units)
        psu_stratum = strata_codes[psu_first]
        if np.any(psu_stratum[psu_codes] != strata_codes):
            bad = int(np.flatnonzero(psu_stratum[psu_codes] != strata_codes)[0])
            raise DesignError(
                f"初级抽样单元 {psu_raw[bad]} 出现在多个层中（第 {bad + 1} 行）；如编号只在层内唯一，请使用 nest=True",
                f"PSU {psu_raw[bad]} appears in more than one stratum (row {bad + 1}); use nest=True "
                "if PSU ids are only unique within strata",
            )
        n_psu = group_count(psu_stratum, n_strata)
        fpc_matrix = [np.asarray(f, dtype=np.float64) for f in (fpc, fpc2) if f is not None]
        is_popsize = _fpc_kind(fpc_matrix)
        pop_psu = None
        if fpc is not None:
            pop_psu = _per_group_fpc(_column(fpc, n, "fpc"), strata_codes, n_strata, n_psu, is_popsize, 1)
        ssu_codes = ssu_psu = n_ssu = pop_ssu = None
        if ssu is not None:
            ssu_raw = _column(ssu, n, "ssu")
            ssu_only, _ = codes_of(ssu_raw)
            ssu_codes, _ = codes_of(psu_codes.astype(np.int64) * (int(ssu_only.max()) + 1) + ssu_only)
            n_ssu_units = int(ssu_codes.max()) + 1
            ssu_psu = psu_codes[first_rows(ssu_codes, n_ssu_units)]
            n_ssu = group_count(ssu_psu, n_units)
            if fpc2 is not None:
                pop_ssu = _per_group_fpc(_column(fpc2, n, "fpc2"), psu_codes, n_units, n_ssu, is_popsize, 2)
        w = _weights(weights, n, pop_psu, n_psu, strata_codes, pop_ssu, n_ssu, psu_codes)
        return cls(
            weights=w,
            strata=strata_codes,
            psu=psu_codes,
            psu_stratum=psu_stratum,
            n_psu=n_psu,
            pop_psu=pop_psu,
            strata_labels=strata_labels,
            psu_first_row=psu_first,
            has_strata=has_strata,
            lonely_psu=lonely_psu,
            adjust_domain_lonely=adjust_domain_lonely,
            ssu=ssu_codes,
            ssu_psu=ssu_psu,
            n_ssu=n_ssu,
            pop_ssu=pop_ssu,
        )

    # ----------------------------------------------------------------- derived facts
    @property
    def n_rows(self) -> int:
        return int(self.weights.size)

    @property
    def n_strata(self) -> int:
        return int(self.n_psu.size)

    @property
    def n_units(self) -> int:
        """Number of PSUs."""
        return int(self.psu_stratum.size)

    @property
    def is_calibrated(self) -> bool:
        return bool(self.calibration)

    @property
    def two_stage(self) -> bool:
        """Whether R's ``multistage`` adds a second-stage term (fpc given at both stages)."""
        return self.ssu is not None and self.pop_psu is not None and self.pop_ssu is not None

    def degf(self) -> int:
        """Design degrees of freedom as R's ``degf()``: PSUs minus strata among nonzero-weight rows."""
        inset = self.weights != 0
        return int(np.unique(self.psu[inset]).size - np.unique(self.strata[inset]).size)

    def with_lonely_psu(self, lonely_psu: LonelyPSU, *, adjust_domain_lonely: bool | None = None) -> Design:
        """The same design under another lonely-PSU rule."""
        adl = self.adjust_domain_lonely if adjust_domain_lonely is None else adjust_domain_lonely
        return replace(self, lonely_psu=lonely_psu, adjust_domain_lonely=adl)

    def with_calibration(self, step: CalibrationStep) -> Design:
        """The design with new weights from a calibration step, remembering the step for the variance."""
        return replace(self, weights=step.weights_after, calibration=(*self.calibration, step))


def _row_count(*arrays: ArrayLike | None) -> int:
    for a in arrays:
        if a is not None:
            return int(np.asarray(a).shape[0])
    raise DesignError("设计至少需要权重、层、PSU 或 fpc 之一", "a design needs weights, strata, psu or fpc")


def _column(values: ArrayLike, n: int, name: str) -> NDArray[Any]:
    arr = np.asarray(values)
    if arr.shape != (n,):
        raise DesignError(f"列 {name} 的长度为 {arr.shape}，应为 {n}", f"column {name} has shape {arr.shape}, expected ({n},)")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        row = int(np.flatnonzero(np.isnan(arr))[0]) + 1
        raise DesignError(f"列 {name} 第 {row} 行缺失", f"column {name} is missing at row {row}")
    return arr


def _fpc_kind(fpcs: list[FloatArray]) -> bool:
    """True when fpc values are population sizes, False for sampling fractions (R's as.fpc rule)."""
    if not fpcs:
        return True
    allv = np.concatenate([f.reshape(-1) for f in fpcs])
    if np.isnan(allv).any():
        raise DesignError("fpc 含缺失值", "fpc has missing values")
    any_big = bool(np.any(allv > 1))
    if any_big != bool(np.all(allv >= 1)):
        raise DesignError("fpc 必须全部 ≥1（总体规模）或全部 ≤1（抽样比）", "fpc must be all >= 1 (population sizes) or all <= 1 (fractions)")
    return any_big


def _per_group_fpc(
    fpc: NDArray[Any], groups: IntArray, n_groups: int, n_sampled: IntArray, is_popsize: bool, stage: int
) -> FloatArray:
    f = fpc.astype(np.float64)
    first = first_rows(groups, n_groups)
    per_group = f[first]
    if np.any(per_group[groups] != f):
        row = int(np.flatnonzero(per_group[groups] != f)[0]) + 1
        raise DesignError(
            f"第 {stage} 阶段的 fpc 在同一层内取值不同（第 {row} 行）",
            f"fpc varies within a stratum at stage {stage} (row {row})",
        )
    pop = per_group if is_popsize else n_sampled / per_group
    if np.any(pop < n_sampled):
        raise DesignError(
            f"第 {stage} 阶段的 fpc 意味着抽样比超过 100%",
            f"fpc implies more than 100% sampling at stage {stage}",
        )
    return np.asarray(pop, dtype=np.float64)


def _weights(
    weights: ArrayLike | None,
    n: int,
    pop_psu: FloatArray | None,
    n_psu: IntArray,
    strata: IntArray,
    pop_ssu: FloatArray | None,
    n_ssu: IntArray | None,
    psu: IntArray,
) -> FloatArray:
    if weights is None:
        if pop_psu is None:
            raise DesignError("未提供权重，也无法由 fpc（总体规模）推出", "weights not supplied and cannot be computed from fpc")
        w = (pop_psu / n_psu)[strata]
        if pop_ssu is not None and n_ssu is not None:
            w = w * (pop_ssu / n_ssu)[psu]
        return np.asarray(w, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64).reshape(-1)
    if w.size != n:
        raise DesignError(f"权重长度为 {w.size}，应为 {n}", f"weights have length {w.size}, expected {n}")
    bad = np.flatnonzero(~np.isfinite(w) | (w < 0))
    if bad.size:
        row = int(bad[0]) + 1
        raise DesignError(f"第 {row} 行的权重为负数或缺失：{w[bad[0]]}", f"weight at row {row} is negative or missing: {w[bad[0]]}")
    return w
