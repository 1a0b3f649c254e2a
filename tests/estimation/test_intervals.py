"""Confidence intervals for proportions as R's svyciprop (logit, xlogit, beta, mean) and Wilson."""

from __future__ import annotations

import numpy as np
import pytest

import kepu.literacy.estimation as est

from .reference import assert_close, col, ref
from .test_taylor import nhanes, strat_design


def _interval(result: est.Estimates, method: str) -> np.ndarray:
    low, high = est.proportion_ci(result, method)  # type: ignore[arg-type]
    return np.concatenate([np.asarray(low).reshape(-1), np.asarray(high).reshape(-1)])


def _pair(limits: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    return np.concatenate([np.asarray(limits[0]).reshape(-1), np.asarray(limits[1]).reshape(-1)])


@pytest.mark.parametrize("method", ["xlogit", "beta", "mean", "wilson"])
def test_whole_population_interval_matches_r(method: str) -> None:
    design, y, _ = strat_design()
    assert_close(_interval(est.mean(design, y[:, 3]), method), ref("strat_ci", f"ci_{method}"))
    nh, d = nhanes()
    assert_close(_interval(est.mean(nh, col(d, "HI_CHOL")), method), ref("nh_ci", f"ci_{method}"))


@pytest.mark.parametrize("method", ["xlogit", "beta", "mean"])
def test_domain_intervals_use_the_domain_degrees_of_freedom(method: str) -> None:
    nh, d = nhanes()
    b = est.by_domain(nh, col(d, "HI_CHOL"), col(d, "agecat"))
    assert_close(_interval(b, method), ref("nh_by_ci", f"ci_{method}"))


def test_logit_is_the_exact_logit_interval_that_r_calls_xlogit() -> None:
    design, y, _ = strat_design()
    assert_close(_interval(est.mean(design, y[:, 3]), "logit"), ref("strat_ci", "ci_xlogit"))


def test_svyglm_logit_reproduces_rs_logit_method() -> None:
    design, y, d = strat_design()
    assert_close(_pair(est.svyciprop_logit(design, y[:, 3])), ref("strat_ci", "ci_logit"))
    # includes a domain where every school met its target (p = 1): R's IRLS stops near 1 - 3e-12
    assert_close(_pair(est.svyciprop_logit(design, y[:, 3], col(d, "awards_c"))), ref("strat_by_ci", "ci_logit"))
    nh, dn = nhanes()
    assert_close(_pair(est.svyciprop_logit(nh, col(dn, "HI_CHOL"))), ref("nh_ci", "ci_logit"))
    assert_close(_pair(est.svyciprop_logit(nh, col(dn, "HI_CHOL"), col(dn, "agecat"))), ref("nh_by_ci", "ci_logit"))


@pytest.mark.parametrize("method", ["xlogit", "beta", "mean"])
def test_domain_where_everyone_answers_yes_gives_r_values(method: str) -> None:
    design, y, d = strat_design()
    b = est.by_domain(design, y[:, 3], col(d, "awards_c"))
    assert_close(_interval(b, method), ref("strat_by_ci", f"ci_{method}"))


def test_unknown_method_is_rejected_in_chinese() -> None:
    design, y, _ = strat_design()
    with pytest.raises(est.EstimationError, match="未知的置信区间方法"):
        est.proportion_ci(est.mean(design, y[:, 3]), "exact")  # type: ignore[arg-type]
