"""Loads the R reference values and data sets committed under tests/estimation/reference/."""

from __future__ import annotations

import csv
from collections import defaultdict
from functools import cache
from pathlib import Path

import numpy as np
import polars as pl

HERE = Path(__file__).parent / "reference"
RTOL = 1e-9


@cache
def _values() -> dict[tuple[str, str], np.ndarray]:
    acc: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    with (HERE / "reference.csv").open() as fh:
        for row in csv.DictReader(fh):
            acc[(row["case"], row["name"])].append((int(row["i"]), float(row["value"])))
    return {k: np.array([v for _, v in sorted(items)]) for k, items in acc.items()}


def ref(case: str, name: str) -> np.ndarray:
    """R's values for one quantity, in R's order (matrices column-major: domains within variable)."""
    return _values()[(case, name)]


def has(case: str, name: str) -> bool:
    return (case, name) in _values()


def data(name: str) -> pl.DataFrame:
    return pl.read_csv(HERE / "data" / f"{name}.csv", infer_schema_length=100000, null_values=["NA"])


def col(df: pl.DataFrame, name: str) -> np.ndarray:
    return df[name].to_numpy()


def by_matrix(values: np.ndarray) -> np.ndarray:
    """Our (D, p) domain arrays flattened in R's column-major order."""
    return np.asarray(values).T.reshape(-1)


def assert_close(actual: np.ndarray, expected: np.ndarray, rtol: float = RTOL) -> None:
    """Relative agreement; values that are zero up to rounding (e.g. the SE of a constant) compare
    absolutely at 1e-13 of the largest value of the same quantity."""
    finite = np.abs(expected[np.isfinite(expected)])
    atol = 1e-13 * float(finite.max()) if finite.size else 0.0
    np.testing.assert_allclose(np.asarray(actual, dtype=float).reshape(-1), expected, rtol=rtol, atol=atol)


def assert_stat(result: object, case: str, names: tuple[str, ...] = ("estimate", "se", "deff"), by: bool = False,
                order: np.ndarray | None = None) -> None:
    """Compare estimate/se/deff of a result with R; deffs of zero-variance cells (0/0 in both) are skipped."""
    se_ref = ref(case, "se")
    degenerate = np.abs(se_ref) <= 1e-12 * np.nanmax(np.abs(se_ref))
    for name in names:
        values = np.asarray(getattr(result, name))
        if order is not None:
            values = values[order]
        flat = by_matrix(values) if by else values.reshape(-1)
        expected = ref(case, name)
        if name == "deff":
            keep = ~degenerate
            assert_close(flat[keep], expected[keep])
        else:
            assert_close(flat, expected)
