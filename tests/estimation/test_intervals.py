"""Confidence intervals for proportions as R's svyciprop (logit, xlogit, beta, mean) and Wilson."""

from __future__ import annotations

import numpy as np
import pytest

import kepu.literacy.estimation as est
from tests.estimation.reference import assert_close, col, ref
from tests.estimation.test_taylor import nhanes, strat_design

# R's method="logit" goes through svyglm's IRLS, which stops at a relative deviance change of 1e-8;
# its limits therefore differ from the exact logit interval (= R's "xlogit") by up to ~1e-9.
TOLERANCE = {"logit": 1e-8}


def _interval(result: est.Estimates, method: str) -> np.ndarray:
    low, high = est.proportion_ci(result, method)  # type: ignore[arg-type]
    return np.concatenate([np.asarray(low).reshape(-1), np.asarray(high).reshape(-1)])


@pytest.mark.parametrize("method", ["logit", "xlogit", "beta", "mean", "wilson"])
def test_whole_population_interval_matches_r(method: str) -> None:
    design, y, _ = strat_design()
    assert_close(_interval(est.mean(design, y[:, 3]), method), ref("strat_ci", f"ci_{method}"), TOLERANCE.get(method, 1e-9))
    nh, d = nhanes()
    assert_close(_interval(est.mean(nh, col(d, "HI_CHOL")), method), ref("nh_ci", f"ci_{method}"), TOLERANCE.get(method, 1e-9))


@pytest.mark.parametrize("method", ["logit", "xlogit", "beta", "mean"])
def test_domain_intervals_use_the_domain_degrees_of_freedom(method: str) -> None:
    nh, d = nhanes()
    b = est.by_domain(nh, col(d, "HI_CHOL"), col(d, "agecat"))
    assert_close(_interval(b, method), ref("nh_by_ci", f"ci_{method}"), TOLERANCE.get(method, 1e-9))


@pytest.mark.parametrize("method", ["xlogit", "beta", "mean"])
def test_domain_where_everyone_answers_yes_gives_r_values(method: str) -> None:
    design, y, d = strat_design()
    b = est.by_domain(design, y[:, 3], col(d, "awards_c"))
    assert_close(_interval(b, method), ref("strat_by_ci", f"ci_{method}"))


def test_logit_interval_of_an_inner_proportion_matches_svyglm_route() -> None:
    design, y, d = strat_design()
    b = est.by_domain(design, y[:, 3], col(d, "awards_c"))
    got = _interval(b, "logit")
    expected = ref("strat_by_ci", "ci_logit")
    inner = (b.estimate.reshape(-1) > 0) & (b.estimate.reshape(-1) < 1)
    assert_close(got[np.tile(inner, 2)], expected[np.tile(inner, 2)], 1e-8)


def test_unknown_method_is_rejected_in_chinese() -> None:
    design, y, _ = strat_design()
    with pytest.raises(est.EstimationError, match="未知的置信区间方法"):
        est.proportion_ci(est.mean(design, y[:, 3]), "exact")  # type: ignore[arg-type]
