"""Fay–Herriot EBLUP and MSE against an independent R implementation (sae is not packaged in Debian)."""

from __future__ import annotations

import numpy as np
import pytest

import kepu.literacy.estimation as est

from .reference import assert_close, col, data, ref


@pytest.mark.parametrize("method", ["REML", "ML"])
def test_fay_herriot_matches_r_fisher_scoring(method: str) -> None:
    d = data("fayherriot")
    x = np.column_stack([np.ones(len(d)), col(d, "x1")])
    fit = est.fay_herriot(col(d, "y"), col(d, "D"), x, method=method)  # type: ignore[arg-type]
    assert fit.converged
    assert_close(np.array([fit.sigma2_u]), ref(f"fh_{method}", "sigma2"))
    assert_close(fit.beta, ref(f"fh_{method}", "beta"))
    assert_close(fit.estimate, ref(f"fh_{method}", "estimate"))
    assert_close(fit.mse, ref(f"fh_{method}", "mse"))


def test_eblup_shrinks_towards_the_synthetic_estimate_and_beats_direct_mse() -> None:
    d = data("fayherriot")
    x = np.column_stack([np.ones(len(d)), col(d, "x1")])
    fit = est.fay_herriot(col(d, "y"), col(d, "D"), x)
    assert np.all((fit.shrinkage > 0) & (fit.shrinkage < 1))
    assert np.all(fit.mse < col(d, "D"))


def test_direct_estimates_are_flagged_by_cv_and_sample_size() -> None:
    d = data("fayherriot")
    x = np.column_stack([np.ones(len(d)), col(d, "x1")])
    y, var, n = col(d, "y"), col(d, "D"), col(d, "n")
    fit = est.fay_herriot(y, var, x, n=n, max_cv=0.2, min_n=30)
    expected = (np.sqrt(var) / np.abs(y) > 0.2) | (n < 30)
    np.testing.assert_array_equal(fit.flag_direct, expected)
    assert fit.flag_direct.any() and not fit.flag_direct.all()


def test_unknown_method_is_rejected() -> None:
    with pytest.raises(est.EstimationError, match="REML 或 ML"):
        est.fay_herriot([1.0, 2.0], [0.1, 0.1], np.ones((2, 1)), method="FH")  # type: ignore[arg-type]
