"""Replicate-weight designs created like as.svrepdesign, or given like svrepdesign, against R."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

import kepu.literacy.estimation as est

from .reference import HERE, assert_close, assert_stat, col, data, ref
from .test_intervals import _interval
from .test_taylor import clus1, strat_design


def test_jk1_from_a_cluster_design_with_fpc() -> None:
    design, d = clus1()
    rep = est.replicate_design(design, "JK1")
    y = np.column_stack([col(d, "api00"), col(d, "sw")])
    assert_stat(est.mean(rep, y), "clus1_jk1_mean")
    assert_stat(est.total(rep, col(d, "enroll")), "clus1_jk1_total")
    assert_stat(est.by_domain(rep, y, col(d, "stype")), "clus1_jk1_by", ("estimate", "se"), by=True)
    assert rep.degf() == ref("clus1_jk1", "degf")[0]


def test_jkn_from_a_stratified_design() -> None:
    design, y, d = strat_design()
    rep = est.replicate_design(design, "JKn")
    assert_stat(est.mean(rep, y[:, [0, 3]]), "strat_jkn_mean", ("estimate", "se"))
    assert_stat(est.ratio(rep, y[:, 0], y[:, 1]), "strat_jkn_ratio", ("estimate", "se"))
    assert_stat(est.by_domain(rep, y[:, [0, 3]], col(d, "awards_c")), "strat_jkn_by", ("estimate", "se"), by=True)
    assert rep.degf() == ref("strat_jkn_ci", "degf")[0]


@pytest.mark.parametrize("method", ["xlogit", "beta", "mean"])
def test_replicate_design_intervals(method: str) -> None:
    design, y, _ = strat_design()
    rep = est.replicate_design(design, "JKn")
    assert_close(_interval(est.mean(rep, y[:, 3]), method), ref("strat_jkn_ci", f"ci_{method}"))


def _brr_design() -> tuple[est.Design, object, np.ndarray]:
    d = data("nhanes_brr")
    design = est.Design.from_arrays(weights=col(d, "WTMEC2YR"), strata=col(d, "SDMVSTRA"), psu=col(d, "SDMVPSU"), nest=True)
    hadamard = pl.read_csv(HERE / "data" / "nhanes_hadamard.csv").to_numpy()
    return design, d, hadamard


def test_brr_with_rs_hadamard_matrix() -> None:
    design, d, hadamard = _brr_design()
    rep = est.replicate_design(design, "BRR", hadamard_matrix=hadamard)
    assert_stat(est.mean(rep, col(d, "HI_CHOL")), "nh_brr_mean", ("estimate", "se"))
    assert_stat(est.by_domain(rep, col(d, "HI_CHOL"), col(d, "agecat")), "nh_brr_by", ("estimate", "se"), by=True)


def test_fay_brr_with_rho() -> None:
    design, d, hadamard = _brr_design()
    rep = est.replicate_design(design, "Fay", fay_rho=0.3, hadamard_matrix=hadamard)
    assert_stat(est.mean(rep, col(d, "HI_CHOL")), "nh_fay_mean", ("estimate", "se"))
    assert_stat(est.total(rep, col(d, "HI_CHOL")), "nh_fay_total", ("estimate", "se"))
    assert_stat(est.by_domain(rep, col(d, "HI_CHOL"), col(d, "agecat")), "nh_fay_by", ("estimate", "se"), by=True)


def test_default_hadamard_matrix_gives_a_valid_brr_total_variance() -> None:
    # For a total, BRR with any Hadamard matrix equals the two-PSUs-per-stratum Taylor variance.
    design, d, _ = _brr_design()
    rep = est.replicate_design(design, "BRR")
    taylor = est.total(design, col(d, "HI_CHOL"))
    assert_close(est.total(rep, col(d, "HI_CHOL")).se, taylor.se)


def test_jkn_on_nhanes() -> None:
    from .test_taylor import nhanes

    design, d = nhanes()
    assert_stat(est.mean(est.replicate_design(design, "JKn"), col(d, "HI_CHOL")), "nh_jkn_mean", ("estimate", "se"))


def _boot(mse: bool = False) -> tuple[est.ReplicateDesign, object]:
    d = data("apiclus1")
    weights = pl.read_csv(HERE / "data" / "apiclus1_boot_weights.csv").to_numpy()
    if mse:  # svrepdesign(type="bootstrap", mse=TRUE) with its default scale 1/(R-1)
        rep = est.ReplicateDesign.from_weights(weights=col(d, "pw"), replicate_weights=weights, type="bootstrap", mse=True)
    else:  # as.svrepdesign(type="bootstrap"): scale from the harmonic mean of PSUs per stratum
        rep = est.ReplicateDesign.from_weights(
            weights=col(d, "pw"), replicate_weights=weights, type="bootstrap",
            scale=float(ref("clus1_boot", "scale")[0]), rscales=ref("clus1_boot", "rscales"),
        )
    return rep, d


def test_bootstrap_replicates_exported_from_r() -> None:
    rep, d = _boot()
    y = np.column_stack([col(d, "api00"), col(d, "sw")])
    assert_stat(est.mean(rep, y), "clus1_boot_mean", ("estimate", "se"))
    assert_stat(est.total(rep, col(d, "enroll")), "clus1_boot_total")
    assert_stat(est.by_domain(rep, y, col(d, "stype")), "clus1_boot_by", ("estimate", "se"), by=True)


def test_bootstrap_with_mse_centres_on_the_full_sample_estimate() -> None:
    rep, d = _boot(mse=True)
    assert_stat(est.mean(rep, np.column_stack([col(d, "api00"), col(d, "sw")])), "clus1_boot_mse_mean", ("estimate", "se"))


def test_bootstrap_created_here_is_reproducible_and_close_to_taylor() -> None:
    design, d = clus1(None)
    a = est.replicate_design(design, "bootstrap", replicates=400, seed=1)
    b = est.replicate_design(design, "bootstrap", replicates=400, seed=1)
    np.testing.assert_array_equal(a.replicate_weights, b.replicate_weights)
    se_boot = est.mean(a, col(d, "api00")).se
    se_taylor = est.mean(design, col(d, "api00")).se
    assert abs(se_boot / se_taylor - 1) < 0.15
