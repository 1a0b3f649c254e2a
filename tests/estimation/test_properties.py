"""Properties that must hold for any data: raking reproduces margins, lonely PSU rules, zero weights."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

import kepu.literacy.estimation as est


@st.composite
def surveys(draw: st.DrawFn) -> dict[str, np.ndarray]:
    n_strata = draw(st.integers(2, 6))
    psus = [draw(st.integers(2, 4)) for _ in range(n_strata)]
    rows: list[tuple[int, int]] = []
    for h, k in enumerate(psus):
        for j in range(k):
            rows += [(h, j)] * draw(st.integers(2, 5))
    n = len(rows)
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    return {
        "stratum": np.array([r[0] for r in rows]),
        "psu": np.array([r[1] for r in rows]),
        "w": rng.uniform(1, 10, n),
        "y": rng.normal(10, 3, n),
        "b": (rng.uniform(size=n) < 0.4).astype(float),
        "sex": np.where(np.arange(n) % 2 == 0, "F", "M"),
        "age": np.array(["a", "b", "c"])[np.arange(n) % 3],
    }


@settings(max_examples=40, deadline=None)
@given(surveys(), st.floats(0.6, 1.6), st.floats(0.6, 1.6))
def test_raked_weights_reproduce_every_margin(s: dict[str, np.ndarray], f_sex: float, f_age: float) -> None:
    design = est.Design.from_arrays(weights=s["w"], strata=s["stratum"], psu=s["psu"], nest=True)
    w = s["w"]
    total = w.sum()
    sex = {k: float(w[s["sex"] == k].sum()) for k in ("F", "M")}
    sex = {"F": sex["F"] * f_sex, "M": total * 1.1 - sex["F"] * f_sex} if total * 1.1 > sex["F"] * f_sex else sex
    grand = sum(sex.values())
    age_raw = {k: float(w[s["age"] == k].sum()) * (f_age if k == "a" else 1.0) for k in ("a", "b", "c")}
    age = {k: v * grand / sum(age_raw.values()) for k, v in age_raw.items()}
    model, totals, _ = est.margin_model({"sex": s["sex"], "age": s["age"]}, {"sex": sex, "age": age})
    raked = est.calibrate(design, model, totals, calfun="raking", epsilon=1e-12)
    for name, margin in (("sex", sex), ("age", age)):
        for level, target in margin.items():
            assert np.isclose(raked.weights[s[name] == level].sum(), target, rtol=1e-9)
    ipf = est.rake(design, [s["sex"], s["age"]], [sex, age])
    np.testing.assert_allclose(ipf.weights, raked.weights, rtol=1e-8)


@settings(max_examples=40, deadline=None)
@given(surveys(), st.sampled_from(["remove", "certainty", "adjust", "average"]))
def test_one_psu_per_stratum_follows_the_rule(s: dict[str, np.ndarray], rule: str) -> None:
    keep = s["psu"] == 0  # every stratum keeps a single PSU
    y = s["y"][keep]
    design = est.Design.from_arrays(weights=s["w"][keep], strata=s["stratum"][keep], psu=s["psu"][keep], nest=True, lonely_psu=rule)  # type: ignore[arg-type]
    t = est.total(design, y)
    if rule in ("remove", "certainty"):
        assert t.var == 0.0
    elif rule == "average":
        assert np.isnan(t.var)  # no stratum left to average over, as in R
    else:  # adjust: each lonely PSU's total deviates from zero (R's uncentred contribution)
        psu_totals = np.bincount(s["stratum"][keep], weights=(y * s["w"][keep]))
        assert np.isclose(t.var, np.sum(psu_totals**2), rtol=1e-12)
    try:
        est.total(design.with_lonely_psu("fail"), y)
    except est.LonelyPSUError:
        pass
    else:
        raise AssertionError("fail rule must raise")


@settings(max_examples=40, deadline=None)
@given(surveys(), st.integers(0, 10_000))
def test_adding_a_zero_weight_row_to_an_existing_psu_changes_nothing(s: dict[str, np.ndarray], pick: int) -> None:
    i = pick % s["w"].size

    def fit(extra: bool) -> tuple[est.Estimates, est.Estimates]:
        def add(a: np.ndarray, v: object) -> np.ndarray:
            return np.append(a, v) if extra else a

        design = est.Design.from_arrays(
            weights=add(s["w"], 0.0), strata=add(s["stratum"], s["stratum"][i]), psu=add(s["psu"], s["psu"][i]), nest=True
        )
        y = np.column_stack([add(s["y"], 1e6), add(s["b"], 1.0)])
        dom = add(s["age"], s["age"][i])
        return est.mean(design, y), est.by_domain(design, y, dom)

    base, base_by = fit(False)
    more, more_by = fit(True)
    for a, b in ((base, more), (base_by, more_by)):
        np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12)
        np.testing.assert_allclose(a.se, b.se, rtol=1e-10)
        np.testing.assert_allclose(a.deff, b.deff, rtol=1e-10)
        np.testing.assert_array_equal(a.df, b.df)
