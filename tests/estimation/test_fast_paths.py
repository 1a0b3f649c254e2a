"""The shortcuts for large surveys give the same numbers as the general paths.

Categorical calibration models are solved on their distinct rows (``RowPatterns``); text domain
columns are coded through a dictionary. Each shortcut is compared with the path it replaces.
"""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings

import kepu.literacy.estimation as est
from kepu.literacy.estimation import _groups

from .test_properties import surveys


def _raked_and_estimates(s: dict[str, np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    design = est.Design.from_arrays(weights=s["w"], strata=s["stratum"], psu=s["psu"], nest=True)
    total = float(s["w"].sum()) * 1.05
    sex = {"F": total * 0.52, "M": total * 0.48}
    age = {"a": total * 0.3, "b": total * 0.3, "c": total * 0.4}
    model, totals, _ = est.margin_model({"sex": s["sex"], "age": s["age"]}, {"sex": sex, "age": age})
    raked = est.calibrate(design, model, totals, calfun="raking")
    y = np.column_stack([s["y"], s["b"]])
    overall = est.mean(raked, y, deff=False)
    by = est.by_domain(raked, y, s["age"], deff=False)
    return raked.weights, [overall.estimate, overall.se, by.estimate, by.se]


@settings(max_examples=30, deadline=None)
@given(surveys())
def test_raking_on_distinct_model_rows_equals_raking_on_every_row(s: dict[str, np.ndarray]) -> None:
    fast_weights, fast = _raked_and_estimates(s)
    with (
        mock.patch("kepu.literacy.estimation.calibration.row_patterns", return_value=None),
        mock.patch("kepu.literacy.estimation.design.row_patterns", return_value=None),
    ):
        slow_weights, slow = _raked_and_estimates(s)
    np.testing.assert_allclose(fast_weights, slow_weights, rtol=1e-12)
    for a, b in zip(fast, slow, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-14)


def test_row_patterns_are_exact_and_refused_for_continuous_columns() -> None:
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 6, 400)
    m = np.column_stack([np.ones(400), codes == 2, codes == 5, codes % 2]).astype(float)
    patterns = _groups.row_patterns(m)
    assert patterns is not None
    assert patterns.n_patterns == 4
    np.testing.assert_array_equal(patterns.rows[patterns.codes], m)
    assert _groups.row_patterns(np.column_stack([np.ones(400), rng.normal(size=400)])) is None


def test_colliding_row_keys_fall_back_to_the_general_path() -> None:
    m = np.column_stack([np.ones(100), np.arange(100) % 2]).astype(float)
    with mock.patch.object(_groups, "row_keys", return_value=np.zeros(100)):
        assert _groups.row_patterns(m) is None


def test_text_labels_are_sorted_and_coded_like_numpy_unique() -> None:
    values = np.array(["d10", "d02", "d10", "女", "d02", "a"], dtype=object)
    codes, labels = _groups.codes_of(values)
    want_labels, want_codes = np.unique(values.astype(str), return_inverse=True)
    assert labels.tolist() == want_labels.tolist()
    np.testing.assert_array_equal(codes, want_codes)
    mixed_codes, mixed_labels = _groups.codes_of(np.array(["b", 1, "a", 1], dtype=object))
    assert mixed_labels.tolist() == ["1", "a", "b"]
    np.testing.assert_array_equal(mixed_codes, [2, 0, 1, 0])


@pytest.mark.parametrize("gap", [None, float("nan")])
def test_a_missing_text_domain_label_names_its_row(gap: float | None) -> None:
    design = est.Design.from_arrays(weights=np.ones(6))
    domain = np.array(["a", "b", "a", "b", "a", "b"], dtype=object)
    domain[4] = gap
    with pytest.raises(est.EstimationError, match="域变量第 5 行缺失"):
        est.by_domain(design, np.arange(6.0), domain)
