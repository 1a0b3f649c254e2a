"""Taylor-linearised means, totals, ratios, deffs and domains against R's survey package."""

from __future__ import annotations

import numpy as np
import pytest

import kepu.literacy.estimation as est

from .reference import assert_close, assert_stat, by_matrix, col, data, ref


def test_simple_random_sample_with_fpc_and_no_weights() -> None:
    d = data("apisrs")
    design = est.Design.from_arrays(fpc=col(d, "fpc"))  # weights N/n from the fpc, as R does
    y = np.column_stack([col(d, "api00"), col(d, "sw")])
    assert_stat(est.mean(design, y), "srs_mean")
    assert_stat(est.total(design, col(d, "enroll")), "srs_total")
    assert_stat(est.by_domain(design, y, col(d, "stype")), "srs_by", by=True)


def strat_design() -> tuple[est.Design, np.ndarray, object]:
    d = data("apistrat")
    design = est.Design.from_arrays(weights=col(d, "pw"), strata=col(d, "stype"), fpc=col(d, "fpc"))
    return design, np.column_stack([col(d, v) for v in ("api00", "api99", "enroll", "sw")]), d


def r_cross_order(labels: np.ndarray) -> np.ndarray:
    """R's svyby orders crossed domains by the last factor first (interaction() level order)."""
    parts = [str(lab).split(".") for lab in labels]
    return np.array(sorted(range(len(parts)), key=lambda i: parts[i][::-1]))


def test_stratified_means_match_svymean_with_deff() -> None:
    design, y, _ = strat_design()
    m = est.mean(design, y)
    assert_close(m.estimate, ref("strat_mean", "estimate"))
    assert_close(m.se, ref("strat_mean", "se"))
    assert_close(m.deff, ref("strat_mean", "deff"))


def test_deff_replace_matches_r() -> None:
    design, y, _ = strat_design()
    assert_close(est.mean(design, y, deff="replace").deff, ref("strat_mean_replace", "deff"))


def test_totals_and_ratio_match_svytotal_and_svyratio() -> None:
    design, y, _ = strat_design()
    t = est.total(design, y[:, [0, 2]])
    assert_close(t.estimate, ref("strat_total", "estimate"))
    assert_close(t.se, ref("strat_total", "se"))
    assert_close(t.deff, ref("strat_total", "deff"))
    r = est.ratio(design, y[:, 0], y[:, 1])
    assert_stat(r, "strat_ratio")


def test_degrees_of_freedom_are_psus_minus_strata() -> None:
    design, _, _ = strat_design()
    assert design.degf() == ref("strat_degf", "degf")[0]


def test_domain_means_keep_the_full_design() -> None:
    design, y, d = strat_design()
    b = est.by_domain(design, y[:, [0, 3]], col(d, "awards_c"))
    assert_stat(b, "strat_by_awards", by=True)


def test_crossed_domains_match_svyby_with_two_factors() -> None:
    design, y, d = strat_design()
    b = est.by_domain(design, y[:, [0, 3]], np.column_stack([col(d, "awards_c"), col(d, "sch_wide")]))
    order = r_cross_order(b.domains)
    assert_stat(b, "strat_by_cross", by=True, order=order)


def test_domain_totals_and_ratios() -> None:
    design, y, d = strat_design()
    t = est.by_domain(design, y[:, 2], col(d, "awards_c"), statistic="total")
    assert_stat(t, "strat_by_total", by=True)
    r = est.by_domain(design, y[:, 0], col(d, "awards_c"), statistic="ratio", denominator=y[:, 1])
    assert_close(by_matrix(r.estimate), ref("strat_by_ratio", "estimate"))
    assert_close(by_matrix(r.se), ref("strat_by_ratio", "se"))


def clus1(fpc: str | None = "fpc") -> tuple[est.Design, object]:
    d = data("apiclus1")
    fpc_values = None if fpc is None else (col(d, "fpc") if fpc == "fpc" else 15 / col(d, "fpc"))
    return est.Design.from_arrays(weights=col(d, "pw"), psu=col(d, "dnum"), fpc=fpc_values), d


def test_one_stage_cluster_sample_with_fpc() -> None:
    design, d = clus1()
    y = np.column_stack([col(d, v) for v in ("api00", "enroll", "sw")])
    m = est.mean(design, y)
    assert_stat(m, "clus1_mean")
    t = est.total(design, col(d, "enroll"))
    assert_stat(t, "clus1_total")
    b = est.by_domain(design, y[:, [0, 2]], col(d, "stype"))
    assert_stat(b, "clus1_by", by=True)
    assert design.degf() == ref("clus1_degf", "degf")[0]


def test_fpc_as_sampling_fraction_equals_population_size() -> None:
    design, d = clus1("fraction")
    m = est.mean(design, col(d, "api00"))
    assert_close(m.se, ref("clus1_frac_mean", "se"))


def test_without_fpc_is_with_replacement() -> None:
    design, d = clus1(None)
    m = est.mean(design, np.column_stack([col(d, "api00"), col(d, "sw")]))
    assert_stat(m, "clus1_nofpc_mean")


def clus2() -> tuple[est.Design, object]:
    d = data("apiclus2")
    design = est.Design.from_arrays(psu=col(d, "dnum"), ssu=col(d, "snum"), fpc=col(d, "fpc1"), fpc2=col(d, "fpc2"))
    return design, d


def test_two_stage_design_adds_the_second_stage_variance() -> None:
    design, d = clus2()
    y = np.column_stack([col(d, "api00"), col(d, "sw")])
    m = est.mean(design, y)
    assert_stat(m, "clus2_mean")
    t = est.total(design, col(d, "api00"))
    assert_close(t.estimate, ref("clus2_total", "estimate"))
    assert_close(t.se, ref("clus2_total", "se"))
    b = est.by_domain(design, y, col(d, "stype"))
    assert_close(by_matrix(b.estimate), ref("clus2_by", "estimate"))
    assert_close(by_matrix(b.se), ref("clus2_by", "se"))
    assert design.degf() == ref("clus2_degf", "degf")[0]


def test_sarndal_mu284_two_stage_total() -> None:
    d = data("mu284")
    design = est.Design.from_arrays(psu=col(d, "id1"), ssu=col(d, "id2"), fpc=col(d, "n1"), fpc2=col(d, "n2"))
    t = est.total(design, col(d, "y1"))
    assert_close(t.estimate, ref("mu284_total", "estimate"))
    assert_close(t.se, ref("mu284_total", "se"))
    m = est.mean(design, col(d, "y1"))
    assert_close(m.se, ref("mu284_mean", "se"))


def nhanes() -> tuple[est.Design, object]:
    d = data("nhanes")
    design = est.Design.from_arrays(weights=col(d, "WTMEC2YR"), strata=col(d, "SDMVSTRA"), psu=col(d, "SDMVPSU"), nest=True)
    return design, d


def test_nested_psu_ids_are_relabelled_within_strata() -> None:
    design, d = nhanes()
    m = est.mean(design, col(d, "HI_CHOL"))
    assert_stat(m, "nh_mean")
    b = est.by_domain(design, col(d, "HI_CHOL"), col(d, "agecat"))
    assert_stat(b, "nh_by_age", by=True)
    c = est.by_domain(design, col(d, "HI_CHOL"), np.column_stack([col(d, "race"), col(d, "RIAGENDR")]))
    order = r_cross_order(c.domains)
    assert_stat(c, "nh_by_cross", by=True, order=order)


def test_psu_ids_shared_across_strata_need_nest() -> None:
    d = data("nhanes")
    with pytest.raises(est.DesignError, match="nest=True"):
        est.Design.from_arrays(weights=col(d, "WTMEC2YR"), strata=col(d, "SDMVSTRA"), psu=col(d, "SDMVPSU"))


def test_missing_domain_label_is_an_error_naming_the_row() -> None:
    design, y, d = strat_design()
    dom = col(d, "awards_c").astype(object)
    dom[6] = None
    with pytest.raises(est.EstimationError, match="域变量第 7 行缺失"):
        est.by_domain(design, y, dom)
