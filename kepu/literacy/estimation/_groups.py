"""Grouping helpers: integer codes for labels and sparse indicator sums (no Python loops over rows)."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def codes_of(values: Any) -> tuple[IntArray, NDArray[Any]]:
    """Return (codes, labels): codes index into the sorted unique labels."""
    arr = np.asarray(values)
    if arr.dtype == object:
        with contextlib.suppress(TypeError):
            return _object_codes(arr)
        with contextlib.suppress(TypeError, ValueError):
            arr = arr.astype(np.str_)  # labels of mixed types: compare them as strings
    labels, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.intp).reshape(-1), labels


def _object_codes(arr: NDArray[Any]) -> tuple[IntArray, NDArray[Any]]:
    """:func:`codes_of` for Python objects (strings from a data frame) without sorting the rows.

    One C-level pass of ``dict.setdefault`` gives each row the row where its label first occurs
    (about twice as fast as converting to fixed-width strings and sorting); only the few distinct
    labels are then sorted. Raises TypeError when the labels cannot be ordered.
    """
    seen: dict[Any, int] = {}
    first = np.fromiter(map(seen.setdefault, arr.tolist(), range(arr.size)), dtype=np.intp, count=arr.size)
    labels = list(seen)
    order = sorted(range(len(labels)), key=labels.__getitem__)
    found = np.empty(len(labels), dtype=object)
    found[:] = [labels[i] for i in order]
    rank_of_row = np.zeros(arr.size, dtype=np.intp)
    rank_of_row[np.fromiter(seen.values(), dtype=np.intp, count=len(seen))[order]] = np.arange(len(labels))
    return rank_of_row[first], found


def first_rows(codes: IntArray, n_groups: int) -> IntArray:
    """Index of the first row of each group (the order R's ``unique()`` sees groups in)."""
    first = np.full(n_groups, codes.size, dtype=np.intp)
    np.minimum.at(first, codes, np.arange(codes.size, dtype=np.intp))
    return first


def indicator(codes: IntArray, n_groups: int, weights: FloatArray | None = None) -> sp.csr_matrix:
    """Sparse (groups x rows) matrix: ``indicator(c, g, w) @ X`` sums the rows of ``w * X`` by group."""
    n = codes.size
    data = np.ones(n, dtype=np.float64) if weights is None else weights
    return sp.csr_matrix((data, (codes, np.arange(n))), shape=(n_groups, n))


def group_sum(codes: IntArray, n_groups: int, x: FloatArray) -> FloatArray:
    """Column sums of ``x`` (rows x k, or a vector) within groups."""
    if x.ndim == 1:
        return np.bincount(codes, weights=x, minlength=n_groups).astype(np.float64)
    if x.shape[1] <= 4:
        return np.column_stack(
            [np.bincount(codes, weights=x[:, j], minlength=n_groups) for j in range(x.shape[1])]
        ).astype(np.float64)
    return np.asarray(indicator(codes, n_groups) @ x, dtype=np.float64)


def fast_matrix(m: FloatArray) -> Any:
    """A sparse copy of a mostly-zero model matrix (indicator margins), else the dense matrix."""
    if m.size and np.count_nonzero(m) < 0.3 * m.size:
        return sp.csr_matrix(m)
    return m


@dataclass(frozen=True, eq=False)
class RowPatterns:
    """The distinct rows of an n x q model matrix M: ``M == rows[codes]``.

    A model of categorical margins (sex, age band, district) has a few hundred distinct rows however
    many respondents there are, so every product with M collapses to bincounts over ``codes``
    followed by a small dense product with ``rows``.
    """

    rows: FloatArray  # (R, q)
    codes: IntArray  # (n,)

    @property
    def n_patterns(self) -> int:
        return int(self.rows.shape[0])

    def weight_sums(self, w: FloatArray) -> FloatArray:
        """Sum of ``w`` over the rows of each pattern (R,)."""
        return np.bincount(self.codes, weights=w, minlength=self.n_patterns).astype(np.float64)


# Worth collapsing only when patterns are much fewer than rows (else the sparse/dense paths win).
_MAX_PATTERN_SHARE = 0.25
_CHECK_CHUNK = 1 << 16


def row_patterns(m: FloatArray) -> RowPatterns | None:
    """The distinct rows of ``m``, or None when they are not much fewer than the rows.

    Rows are grouped by a random projection (one float per row, sorted once) and the grouping is
    then checked exactly against ``m``, so a projection collision only costs the fast path.
    """
    n = m.shape[0]
    if m.ndim != 2 or n < 8 or not np.all(np.isfinite(m)):
        return None
    _, first, codes = np.unique(row_keys(m), return_index=True, return_inverse=True)
    if first.size > _MAX_PATTERN_SHARE * n:
        return None
    codes = codes.astype(np.intp).reshape(-1)
    rows = np.ascontiguousarray(m[first])
    for start in range(0, n, _CHECK_CHUNK):
        stop = start + _CHECK_CHUNK
        if not np.array_equal(rows[codes[start:stop]], m[start:stop]):
            return None
    return RowPatterns(rows=rows, codes=codes)


def row_keys(m: FloatArray) -> FloatArray:
    """One number per row, equal for equal rows (a fixed random projection; may collide)."""
    probe = np.random.default_rng(20241123).uniform(1.0, 2.0, m.shape[1])
    return np.asarray(m @ probe, dtype=np.float64)


def key_sums(first: IntArray, n_first: int, second: IntArray, n_second: int, w: FloatArray) -> Any:
    """Sums of ``w`` by (first, second) pair: dense (n_first x n_second) when small, else sparse CSR."""
    if n_first * n_second <= max(4 * first.size, 1 << 20):
        key = first.astype(np.int64) * n_second + second
        return np.bincount(key, weights=w, minlength=n_first * n_second).reshape(n_first, n_second)
    return sp.csr_matrix((w, (first, second)), shape=(n_first, n_second))


def weighted_gram(m: Any, w: FloatArray) -> FloatArray:
    """M' diag(w) M for a dense or sparse M."""
    if sp.issparse(m):
        return np.asarray((m.T @ sp.diags(w) @ m).toarray(), dtype=np.float64)
    return np.asarray(m.T @ (m * w[:, None]), dtype=np.float64)


def group_count(codes: IntArray, n_groups: int) -> IntArray:
    """Number of rows per group."""
    return np.bincount(codes, minlength=n_groups).astype(np.intp)


def domain_codes(domain: Any, n: int) -> tuple[IntArray, NDArray[Any]]:
    """Codes and sorted labels of a domain column; an n x k array is crossed into "a.b" labels."""
    from .errors import EstimationError

    arr = np.asarray(domain)
    if arr.shape[0] != n:
        raise EstimationError(f"域变量长度为 {arr.shape[0]}，应为 {n}", f"domain has {arr.shape[0]} rows, expected {n}")
    missing = _missing(arr)
    if missing.any():
        row = int(np.flatnonzero(missing)[0]) + 1
        raise EstimationError(f"域变量第 {row} 行缺失", f"the domain is missing at row {row}")
    if arr.ndim == 2:
        arr = np.array([".".join(str(v) for v in row) for row in arr])
    return codes_of(arr)


def _missing(arr: NDArray[Any]) -> NDArray[np.bool_]:
    if arr.dtype.kind == "f":
        out = np.isnan(arr)
    elif arr.dtype == object:
        # None, or NaN (the one value unequal to itself), compared in C rather than a Python loop.
        out = np.asarray(np.equal(arr, np.array(None, dtype=object)) | np.not_equal(arr, arr), dtype=bool)
    else:
        return np.zeros(arr.shape[0], dtype=bool)
    return out.any(axis=1) if out.ndim == 2 else out


def domain_blocks(m: Any, codes: IntArray, n_domains: int, row_scale: FloatArray) -> Any:
    """Sparse (D*q x n) matrix K with K[d*q + j, i] = M[i, j] * row_scale[i] for rows i of domain d.

    ``K @ X`` gives every domain's ``M' diag(row_scale) X`` in one sparse pass (M sparse or dense).
    """
    coo = sp.coo_matrix(m)
    q = coo.shape[1]
    rows = codes[coo.row].astype(np.int64) * q + coo.col
    data = coo.data * row_scale[coo.row]
    return sp.csr_matrix((data, (rows, coo.row)), shape=(n_domains * q, coo.shape[0]))


def compact_codes(key: NDArray[np.int64], n_keys: int) -> tuple[IntArray, IntArray]:
    """Codes 0..K-1 of the keys that occur (in key order), and those K keys."""
    if n_keys <= max(4 * key.size, 1 << 20):
        occurs = np.bincount(key, minlength=n_keys) > 0
        index = np.cumsum(occurs) - 1
        return index[key].astype(np.intp), np.flatnonzero(occurs)
    found, codes = np.unique(key, return_inverse=True)
    return codes.astype(np.intp).reshape(-1), found.astype(np.intp)


def pattern_domain_blocks(
    patterns: RowPatterns, codes: IntArray, n_domains: int, row_scale: FloatArray
) -> tuple[sp.csr_matrix, Any]:
    """:func:`domain_blocks` for a model with few distinct rows, as two sparse factors (C, K).

    ``K @ (C @ X)`` equals ``domain_blocks(M, codes, n_domains, row_scale) @ X``: C (cells x n)
    sums ``row_scale * X`` within each occurring (domain, pattern) cell, one nonzero per row, and
    K (D*q x cells) spreads each cell's sums over its pattern's model row.
    """
    r = patterns.n_patterns
    key = codes.astype(np.int64) * r + patterns.codes
    cell, found = compact_codes(key, n_domains * r)
    collapse = indicator(cell, found.size, row_scale)
    spread = domain_blocks(patterns.rows[found % r], (found // r).astype(np.intp), n_domains, np.ones(found.size))
    return collapse, spread
