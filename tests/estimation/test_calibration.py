"""Post-stratification, raking and calibration, with calibration-aware SEs, against R."""

from __future__ import annotations

import numpy as np
import pytest

import kepu.literacy.estimation as est

from .reference import assert_close, assert_stat, col, ref
from .test_intervals import _interval, _pair
from .test_taylor import clus1, nhanes

POP_TYPES = {"E": 4421, "H": 755, "M": 1018}
# The references below come from R's calibrate() with its default stopping rule.
R_DEFAULT_EPSILON = 1e-7


def _y(d: object) -> np.ndarray:
    return np.column_stack([col(d, "api00"), col(d, "sw")])  # type: ignore[arg-type]


def _stype_model(d: object, second: np.ndarray) -> np.ndarray:
    stype = col(d, "stype")  # type: ignore[arg-type]
    return np.column_stack([np.ones(stype.size), stype == "H", stype == "M", second]).astype(float)


def test_post_stratification_weights_and_ses() -> None:
    design, d = clus1()
    ps = est.post_stratify(design, col(d, "stype"), POP_TYPES)
    assert_close(ps.weights, ref("clus1_ps", "weights"))
    assert_stat(est.mean(ps, _y(d)), "clus1_ps_mean")
    assert_stat(est.total(ps, col(d, "enroll")), "clus1_ps_total", ("estimate", "se"))
    assert_stat(est.by_domain(ps, _y(d), col(d, "sch_wide")), "clus1_ps_by", ("estimate", "se"), by=True)


def test_linear_calibration_is_greg() -> None:
    design, d = clus1()
    lin = est.calibrate(design, _stype_model(d, col(d, "api99")), [6194, 755, 1018, 3914069])
    assert_close(lin.weights, ref("clus1_lin", "weights"))
    assert_stat(est.mean(lin, _y(d)), "clus1_lin_mean")
    assert_stat(est.total(lin, col(d, "enroll")), "clus1_lin_total", ("estimate", "se"))
    assert_stat(est.by_domain(lin, _y(d), col(d, "sch_wide")), "clus1_lin_by", ("estimate", "se"), by=True)


def test_bounded_linear_calibration_follows_rs_newton_steps() -> None:
    design, d = clus1()
    lin = est.calibrate(design, _stype_model(d, col(d, "api99")), [6194, 755, 1018, 3914069], bounds=(0.6, 1.6), epsilon=R_DEFAULT_EPSILON)
    assert_close(lin.weights, ref("clus1_linb", "weights"))
    assert_stat(est.mean(lin, _y(d)), "clus1_linb_mean", ("estimate", "se"))


def _rake_model(d: object) -> np.ndarray:
    return _stype_model(d, (col(d, "sch_wide") == "Yes").astype(float))  # type: ignore[arg-type]


def test_raking_calibration_and_its_standard_errors() -> None:
    design, d = clus1()
    rk = est.calibrate(design, _rake_model(d), [6194, 755, 1018, 5100], calfun="raking", epsilon=R_DEFAULT_EPSILON)
    assert_close(rk.weights, ref("clus1_rake", "weights"))
    y3 = np.column_stack([col(d, "api00"), col(d, "sw"), col(d, "aw")])
    assert_stat(est.mean(rk, y3), "clus1_rake_mean")
    assert_stat(est.total(rk, col(d, "enroll")), "clus1_rake_total", ("estimate", "se"))
    y2 = np.column_stack([col(d, "api00"), col(d, "aw")])
    assert_stat(est.by_domain(rk, y2, col(d, "awards_c")), "clus1_rake_by", by=True)


@pytest.mark.parametrize("method", ["xlogit", "beta", "mean", "wilson"])
def test_intervals_after_raking(method: str) -> None:
    design, d = clus1()
    rk = est.calibrate(design, _rake_model(d), [6194, 755, 1018, 5100], calfun="raking", epsilon=R_DEFAULT_EPSILON)
    assert_close(_interval(est.mean(rk, col(d, "aw")), method), ref("clus1_rake_ci", f"ci_{method}"))
    if method != "wilson":
        b = est.by_domain(rk, col(d, "aw"), col(d, "stype"))
        assert_close(_interval(b, method), ref("clus1_rake_by_ci", f"ci_{method}"))


def test_svyglm_logit_interval_after_raking() -> None:
    design, d = clus1()
    rk = est.calibrate(design, _rake_model(d), [6194, 755, 1018, 5100], calfun="raking", epsilon=R_DEFAULT_EPSILON)
    assert_close(_pair(est.svyciprop_logit(rk, col(d, "aw"))), ref("clus1_rake_ci", "ci_logit"))
    assert_close(_pair(est.svyciprop_logit(rk, col(d, "aw"), col(d, "stype"))), ref("clus1_rake_by_ci", "ci_logit"))


def test_bounded_raking() -> None:
    design, d = clus1()
    rk = est.calibrate(design, _rake_model(d), [6194, 755, 1018, 5100], calfun="raking", bounds=(0.7, 1.6), epsilon=R_DEFAULT_EPSILON)
    assert_close(rk.weights, ref("clus1_rakeb", "weights"))
    assert_stat(est.mean(rk, np.column_stack([col(d, "api00"), col(d, "aw")])), "clus1_rakeb_mean", ("estimate", "se"))


def test_calibration_after_post_stratification_chains_both_residuals() -> None:
    design, d = clus1()
    ps = est.post_stratify(design, col(d, "stype"), POP_TYPES)
    chain = est.calibrate(ps, np.column_stack([np.ones(col(d, "api99").size), col(d, "api99")]), [6194, 3914069])
    assert_stat(est.mean(chain, _y(d)), "clus1_chain_mean", ("estimate", "se"))
    assert_stat(est.by_domain(chain, col(d, "api00"), col(d, "sch_wide")), "clus1_chain_by", ("estimate", "se"), by=True)


def test_ipf_rake_weights_equal_rs_rake() -> None:
    design, d = clus1()
    raked = est.rake(design, [col(d, "stype"), col(d, "sch_wide")], [POP_TYPES, {"No": 6194 - 5100, "Yes": 5100}])
    assert_close(raked.weights, ref("clus1_ipf", "weights"), 1e-9)


def test_raking_nhanes_to_three_margins_with_strata() -> None:
    design, d = nhanes()
    model, _, names = est.margin_model(
        {"agecat": col(d, "agecat"), "RIAGENDR": col(d, "RIAGENDR"), "race": col(d, "race")},
        {"agecat": {a: 1.0 for a in np.unique(col(d, "agecat"))}, "RIAGENDR": {1: 1.0, 2: 1.0},
         "race": {r: 1.0 for r in np.unique(col(d, "race"))}},
    )
    assert names[0] == "(Intercept)"
    rk = est.calibrate(design, model, ref("nh_rake", "population"), calfun="raking", epsilon=R_DEFAULT_EPSILON)
    assert_close(rk.weights, ref("nh_rake", "weights"))
    assert_stat(est.mean(rk, col(d, "HI_CHOL")), "nh_rake_mean")
    assert_stat(est.by_domain(rk, col(d, "HI_CHOL"), col(d, "agecat")), "nh_rake_by", by=True)


def test_missing_control_total_is_reported_in_chinese() -> None:
    _, d = clus1()
    with pytest.raises(est.CalibrationError, match="控制数中没有"):
        est.margin_model({"stype": col(d, "stype")}, {"stype": {"E": 1.0, "H": 2.0}})


TWELVE_DIGITS = 1e-12


def test_raking_by_default_reaches_rs_epsilon_1e12_to_twelve_digits() -> None:
    design, d = clus1()
    rk = est.calibrate(design, _rake_model(d), [6194, 755, 1018, 5100], calfun="raking")
    assert_close(rk.weights, ref("clus1_rake12", "weights"), TWELVE_DIGITS)
    assert_stat(est.mean(rk, np.column_stack([col(d, "api00"), col(d, "sw"), col(d, "aw")])), "clus1_rake12_mean",
                ("estimate", "se"))


def test_raking_three_margins_with_strata_reaches_rs_epsilon_1e12_to_twelve_digits() -> None:
    design, d = nhanes()
    model, _, _ = est.margin_model(
        {"agecat": col(d, "agecat"), "RIAGENDR": col(d, "RIAGENDR"), "race": col(d, "race")},
        {"agecat": {a: 1.0 for a in np.unique(col(d, "agecat"))}, "RIAGENDR": {1: 1.0, 2: 1.0},
         "race": {r: 1.0 for r in np.unique(col(d, "race"))}},
    )
    rk = est.calibrate(design, model, ref("nh_rake", "population"),
                       calfun="raking")
    assert_close(rk.weights, ref("nh_rake12", "weights"), TWELVE_DIGITS)
    np.testing.assert_allclose(est.mean(rk, col(d, "HI_CHOL")).estimate, ref("nh_rake12_mean", "estimate"),
                               rtol=TWELVE_DIGITS)


def test_rs_default_epsilon_stops_where_r_stops_and_a_tiny_maxit_fails_in_chinese() -> None:
    design, d = clus1()
    loose = est.calibrate(design, _rake_model(d), [6194, 755, 1018, 5100], calfun="raking", epsilon=1e-7)
    assert_close(loose.weights, ref("clus1_rake", "weights"))
    with pytest.raises(est.CalibrationError, match="未收敛"):
        est.calibrate(design, _rake_model(d), [6194, 755, 1018, 5100], calfun="raking", maxit=1)
