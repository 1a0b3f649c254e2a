"""Grouping helpers: integer codes for labels and sparse indicator sums (no Python loops over rows)."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.intp]


def codes_of(values: Any) -> tuple[IntArray, NDArray[Any]]:
    """Return (codes, labels): codes index into the sorted unique labels."""
    arr = np.asarray(values)
    labels, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.intp).reshape(-1), labels


def first_rows(codes: IntArray, n_groups: int) -> IntArray:
    """Index of the first row of each group (the order R's ``unique()`` sees groups in)."""
    first = np.full(n_groups, codes.size, dtype=np.intp)
    np.minimum.at(first, codes, np.arange(codes.size, dtype=np.intp))
    return first


def indicator(codes: IntArray, n_groups: int) -> sp.csr_matrix:
    """Sparse (groups x rows) 0/1 matrix: ``indicator(c, g) @ X`` sums the rows of X by group."""
    n = codes.size
    data = np.ones(n, dtype=np.float64)
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


def group_count(codes: IntArray, n_groups: int) -> IntArray:
    """Number of rows per group."""
    return np.bincount(codes, minlength=n_groups).astype(np.intp)


def domain_codes(domain: Any, n: int) -> tuple[IntArray, NDArray[Any]]:
    """Codes and sorted labels of a domain column; an n x k array is crossed into "a.b" labels."""
    arr = np.asarray(domain)
    if arr.ndim == 2:
        arr = np.array([".".join(str(v) for v in row) for row in arr])
    if arr.shape[0] != n:
        from .errors import EstimationError

        raise EstimationError(f"域变量长度为 {arr.shape[0]}，应为 {n}", f"domain has {arr.shape[0]} rows, expected {n}")
    return codes_of(arr)
