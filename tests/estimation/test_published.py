"""Published textbook values: Särndal et al.'s MU284 two-stage example and Kalton &
Flores-Cervantes (2003) weighting tables, at the precision they were printed."""

from __future__ import annotations

import numpy as np
import pytest

import kepu.literacy.estimation as est

from .reference import assert_close, col, data, ref

# Kalton & Flores-Cervantes (2003), cells (a, b) with a = 1..4 varying fastest.
SAMPLE = [20, 50, 100, 30, 40, 140, 50, 100, 40, 310, 50, 70]
POPULATION = [80, 60, 170, 55, 40, 150, 60, 165, 55, 340, 200, 125]
# Weight adjustment factors printed in their tables (rows a = 1..4, columns b = 1..3).
TABLES = {
    "ps": [[4.00, 1.00, 1.38], [1.20, 1.07, 1.10], [1.70, 1.20, 4.00], [1.83, 1.65, 1.79]],
    "rake": [[1.81, 1.45, 2.02], [1.08, 0.87, 1.21], [2.20, 1.76, 2.45], [1.83, 1.47, 2.04]],
    "linear": [[1.82, 1.50, 1.97], [1.09, 0.78, 1.24], [2.19, 1.88, 2.34], [1.83, 1.52, 1.98]],
    "trunc": [[1.81, 1.48, 1.99], [1.08, 0.75, 1.26], [2.20, 2.00, 2.20], [1.83, 1.50, 2.00]],
}


def kalton_weights(kind: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    d = data("kalton_sample")
    a, b = col(d, "a"), col(d, "b")
    design = est.Design.from_arrays(weights=np.ones(a.size))
    pop = np.array(POPULATION, dtype=float).reshape(3, 4).T  # [a, b]
    if kind == "ps":
        cells = {f"{i + 1}.{j + 1}": pop[i, j] for i in range(4) for j in range(3)}
        w = est.post_stratify(design, np.column_stack([a, b]), cells).weights
    else:
        model = np.column_stack([np.ones(a.size)] + [a == k for k in (2, 3, 4)] + [b == k for k in (2, 3)]).astype(float)
        totals = [pop.sum(), *pop.sum(axis=1)[1:], *pop.sum(axis=0)[1:]]
        options = {"rake": {"calfun": "raking"}, "linear": {}, "trunc": {"bounds": (0.5, 2.2)}}[kind]
        w = est.calibrate(design, model, totals, **options).weights  # type: ignore[arg-type]
    return w, a, b


@pytest.mark.parametrize("kind", ["ps", "rake", "linear", "trunc"])
def test_kalton_flores_cervantes_tables(kind: str) -> None:
    w, a, b = kalton_weights(kind)
    printed = np.array(TABLES[kind])
    for i in range(4):
        for j in range(3):
            cell = (a == i + 1) & (b == j + 1)
            assert cell.sum() == SAMPLE[j * 4 + i]
            assert round(float(w[cell][0]), 2) == pytest.approx(printed[i, j], abs=1e-9)
    assert_close(w, ref("kalton", kind))  # and R's full-precision weights


def test_sarndal_mu284_two_stage_total_as_printed() -> None:
    d = data("mu284")
    design = est.Design.from_arrays(psu=col(d, "id1"), ssu=col(d, "id2"), fpc=col(d, "n1"), fpc2=col(d, "n2"))
    t = est.total(design, col(d, "y1"))
    assert round(float(t.estimate[0])) == 15080
    assert round(float(t.se[0]), 1) == 2274.3
    assert round(float(t.var[0])) == 5172234
