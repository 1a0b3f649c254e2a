"""Typed results of the estimators."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ._groups import FloatArray


@dataclass(frozen=True, eq=False)
class Estimates:
    """Estimates of several variables, for the whole population or for each domain.

    Without domains the arrays ``estimate``, ``se``, ``var``, ``deff`` have shape (p,) and ``df``,
    ``n``, ``n_rows`` are 0-d; with domains they have shape (D, p) and (D,), ``domains`` holding the
    D domain labels in sorted order (as R's ``svyby``).

    ``df`` is the design degrees of freedom (R's ``degf`` of the design or domain subset), ``n`` the
    number of rows with nonzero weight, ``n_rows`` the number of rows R's ``nrow(design)`` reports
    for the (domain) design, used by the Korn–Graubard interval.
    """

    statistic: str
    names: tuple[str, ...]
    estimate: FloatArray
    se: FloatArray
    var: FloatArray
    deff: FloatArray
    df: NDArray[np.float64]
    n: NDArray[np.int64]
    n_rows: NDArray[np.int64]
    domains: NDArray[Any] | None = None

    def broadcast(self, values: NDArray[Any]) -> NDArray[Any]:
        """Per-domain values (``df``, ``n``...) broadcast to the shape of ``estimate``."""
        return np.broadcast_to(np.asarray(values)[..., None], self.estimate.shape)

    @property
    def cv(self) -> FloatArray:
        """Coefficient of variation se / |estimate|."""
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.asarray(self.se / np.abs(self.estimate), dtype=np.float64)
