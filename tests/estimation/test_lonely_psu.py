"""Lonely-PSU rules (R's survey.lonely.psu and survey.adjust.domain.lonely) against R."""

from __future__ import annotations

import numpy as np
import pytest

import kepu.literacy.estimation as est

from .reference import assert_stat, col, data

CASES = [
    (rule, adl, fpc)
    for fpc in (False, True)
    for rule in ("remove", "certainty", "adjust", "average")
    for adl in (False, True)
]


def lonely_design(rule: str, adl: bool, fpc: bool) -> tuple[est.Design, np.ndarray, np.ndarray]:
    d = data("lonely")
    design = est.Design.from_arrays(
        weights=col(d, "w"), strata=col(d, "stratum"), psu=col(d, "psu"), nest=True,
        fpc=col(d, "N") if fpc else None, lonely_psu=rule, adjust_domain_lonely=adl,  # type: ignore[arg-type]
    )
    return design, np.column_stack([col(d, "y"), col(d, "b")]), col(d, "dom")


@pytest.mark.parametrize(("rule", "adl", "fpc"), CASES)
def test_lonely_psu_rule_matches_r(rule: str, adl: bool, fpc: bool) -> None:
    design, y, dom = lonely_design(rule, adl, fpc)
    case = f"lonely_{rule}_{'adl' if adl else 'noadl'}_{'fpc' if fpc else 'nofpc'}"
    assert_stat(est.mean(design, y), f"{case}_mean", ("estimate", "se"))
    assert_stat(est.total(design, y), f"{case}_total", ("estimate", "se"))
    assert_stat(est.by_domain(design, y, dom), f"{case}_by", ("estimate", "se"), by=True)


@pytest.mark.parametrize(("rule", "fpc"), [(r, f) for r in ("remove", "certainty", "adjust", "average") for f in (False, True)])
def test_jackknife_replicates_follow_the_lonely_psu_rule(rule: str, fpc: bool) -> None:
    design, y, _ = lonely_design(rule, False, fpc)
    rep = est.replicate_design(design, "JKn")
    assert_stat(est.mean(rep, y), f"lonely_{rule}_noadl_{'fpc' if fpc else 'nofpc'}_jkn", ("estimate", "se"))


def test_fail_rule_names_the_lonely_stratum_in_chinese() -> None:
    design, y, _ = lonely_design("remove", False, False)
    with pytest.raises(est.LonelyPSUError) as info:
        est.mean(design.with_lonely_psu("fail"), y)
    assert "第 1 层只有 1 个初级抽样单元" in str(info.value)
    assert "“fail”" in str(info.value)
