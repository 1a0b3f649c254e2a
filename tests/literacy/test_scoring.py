"""Scoring known answers: the national rule's bands (inclusive at 85/70/55), the 2016 benchmark test,
the older three-dimension rule, the unanswered-item policy, accepted answers, and scale."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kepu.literacy import standards as std
from kepu.literacy.scoring import ItemKey, RuleSet, ScoringError, check_items, level_of, parse_accepted, score

NAN = np.nan


def national_items() -> list[ItemKey]:
    """40 items of 2.5 points, as the national paper: 16 knowledge, 8 each of the other dimensions."""
    dims = ["knowledge"] * 16 + ["method"] * 8 + ["spirit"] * 8 + ["application"] * 8
    return [ItemKey(f"Q{i + 1:02d}", d, 2.5, frozenset({1.0})) for i, d in enumerate(dims)]


def answers(correct: int, total: int = 40, wrong_code: float = 2.0) -> list[float]:
    return [1.0] * correct + [wrong_code] * (total - correct)


NATIONAL = RuleSet.from_parameters(std.NATIONAL_2022)


@pytest.mark.parametrize(("correct", "total", "level", "literate"), [
    (40, 100.0, "advanced", True),
    (34, 85.0, "advanced", True),     # 85 is 具备高阶, inclusive
    (33, 82.5, "literate", True),
    (28, 70.0, "literate", True),     # 70 is 具备, inclusive
    (27, 67.5, "basic", False),
    (22, 55.0, "basic", False),       # 55 is 基本具备, inclusive
    (21, 52.5, "low", False),
    (0, 0.0, "low", False),
])
def test_the_national_rule_bands_are_inclusive_at_85_70_55(correct: int, total: float, level: str,
                                                           literate: bool) -> None:
    result = score(np.array([answers(correct)]), national_items(), NATIONAL)
    assert result.total[0] == pytest.approx(total)
    assert std.LEVELS[result.level[0]] == level
    assert bool(result.literate[0]) is literate


def test_national_dimension_scores_are_weighted_to_40_20_20_20() -> None:
    # All knowledge right (40), half of method (10), none of spirit (0), all application (20).
    row = [1.0] * 16 + [1.0] * 4 + [2.0] * 4 + [2.0] * 8 + [1.0] * 8
    result = score(np.array([row]), national_items(), NATIONAL)
    assert result.dimensions == ("knowledge", "method", "spirit", "application")
    assert result.dimension_scores[0].tolist() == pytest.approx([40.0, 10.0, 0.0, 20.0])
    assert result.total[0] == pytest.approx(70.0) and result.literate[0]


def test_a_dimension_worth_other_points_than_its_items_is_scaled() -> None:
    # Knowledge has 3 one-point items but is worth 40: 2 of 3 right is 26.67 points.
    items = [ItemKey("K1", "knowledge", 1, frozenset({1.0})), ItemKey("K2", "knowledge", 1, frozenset({1.0})),
             ItemKey("K3", "knowledge", 1, frozenset({1.0})), ItemKey("M1", "method", 1, frozenset({1.0})),
             ItemKey("S1", "spirit", 1, frozenset({1.0})), ItemKey("A1", "application", 1, frozenset({1.0}))]
    result = score(np.array([[1, 1, 2, 1, 1, 1]], dtype=float), items, NATIONAL)
    assert result.total[0] == pytest.approx(40 * 2 / 3 + 60)


def test_binary_rounding_noise_does_not_move_a_respondent_across_a_threshold() -> None:
    # Ten 0.1-point items sum to 0.9999999999999999; 7 right gives 28.000000000000007 of 40.
    items = [ItemKey(f"K{i}", "knowledge", 0.1, frozenset({1.0})) for i in range(10)]
    items += [ItemKey(code, dim, 0.1, frozenset({1.0})) for code, dim in
              (("M", "method"), ("S", "spirit"), ("A", "application"))]
    row = [1.0] * 7 + [2.0] * 3 + [1.0, 1.0, 2.0]
    result = score(np.array([row]), items, NATIONAL)
    assert result.total[0] == pytest.approx(68.0)
    assert level_of(69.99999999999999, NATIONAL) == "literate"
    assert level_of(84.99999999999999, NATIONAL) == "advanced"
    assert level_of(54.9999, NATIONAL) == "low"


BENCHMARK = RuleSet.from_parameters(std.BENCHMARK_2016)


def benchmark_items() -> list[ItemKey]:
    return [ItemKey(f"B{i + 1:02d}", "knowledge", 2, frozenset({3.0})) for i in range(50)]


@pytest.mark.parametrize(("correct", "literate"), [(50, True), (30, True), (29, False), (0, False)])
def test_the_2016_benchmark_test_needs_60_per_cent_of_the_points(correct: int, literate: bool) -> None:
    row = [3.0] * correct + [1.0] * (50 - correct)
    result = score(np.array([row]), benchmark_items(), BENCHMARK)
    assert result.total[0] == pytest.approx(correct * 2)
    assert bool(result.literate[0]) is literate
    assert std.LEVELS[result.level[0]] == ("literate" if literate else "low")


LEGACY = RuleSet.from_parameters(std.LEGACY, {"dimension_cutoffs": {"knowledge": 60, "method": 50, "society": 60}})


def legacy_items() -> list[ItemKey]:
    return [ItemKey(f"{d[0]}{i}", d, 1, frozenset({1.0})) for d in ("knowledge", "method", "society") for i in range(10)]


@pytest.mark.parametrize(("knowledge", "method", "society", "literate"), [
    (6, 5, 6, True),    # every dimension exactly at its cut-off
    (10, 10, 5, False),  # one dimension short fails, whatever the others
    (5, 10, 10, False),
    (6, 4, 6, False),
])
def test_the_older_rule_needs_every_dimension_to_pass_its_own_cut_off(knowledge: int, method: int, society: int,
                                                                      literate: bool) -> None:
    row = [1.0] * knowledge + [0.0] * (10 - knowledge) + [1.0] * method + [0.0] * (10 - method) \
        + [1.0] * society + [0.0] * (10 - society)
    result = score(np.array([row]), legacy_items(), LEGACY)
    assert result.dimension_scores[0].tolist() == pytest.approx([knowledge * 10, method * 10, society * 10])
    assert bool(result.literate[0]) is literate


def test_unanswered_items_count_as_wrong_by_default() -> None:
    row = [3.0] * 25 + [NAN] * 25  # 25 answered, all right
    result = score(np.array([row]), benchmark_items(), BENCHMARK)
    assert result.total[0] == pytest.approx(50.0) and not result.literate[0]
    assert result.answered[0] == 25


def test_unanswered_items_can_leave_the_denominator() -> None:
    rule = RuleSet.from_parameters(std.BENCHMARK_2016, {"unanswered": std.UNANSWERED_EXCLUDE})
    row = [3.0] * 25 + [NAN] * 25
    result = score(np.array([row]), benchmark_items(), rule)
    assert result.total[0] == pytest.approx(100.0) and result.literate[0]


def test_a_dimension_with_no_answered_item_scores_zero_when_excluded_from_the_denominator() -> None:
    rule = RuleSet.from_parameters(std.NATIONAL_2022, {"unanswered": std.UNANSWERED_EXCLUDE})
    row = [1.0] * 16 + [NAN] * 8 + [1.0] * 16
    result = score(np.array([row]), national_items(), rule)
    assert result.dimension_scores[0].tolist() == pytest.approx([40.0, 0.0, 20.0, 20.0])


def test_an_item_may_accept_several_answers_and_dont_know_is_wrong() -> None:
    items = [ItemKey("B1", "knowledge", 2, parse_accepted("1,3")), *benchmark_items()[1:]]
    rows = np.array([[1.0] + [3.0] * 49, [3.0] + [3.0] * 49, [9.0] + [3.0] * 49])
    result = score(rows, items, BENCHMARK)
    assert result.total.tolist() == pytest.approx([100.0, 100.0, 98.0])


def test_accepted_answers_are_option_numbers() -> None:
    assert parse_accepted("2") == frozenset({2.0})
    assert parse_accepted("1、3") == frozenset({1.0, 3.0})
    with pytest.raises(ScoringError, match="应为选项编号"):
        parse_accepted("A")


def test_an_answer_key_that_misses_a_dimension_of_the_rule_is_refused() -> None:
    items = [i for i in national_items() if i.dimension != "spirit"]
    with pytest.raises(ScoringError, match="科学精神与思想”没有题目"):
        check_items(items, NATIONAL)


def test_changed_cut_offs_move_the_bands() -> None:
    rule = RuleSet.from_parameters(std.NATIONAL_2022, {"bands": {"advanced": 90, "literate": 65, "basic": 50}})
    assert rule.pass_mark == 65  # the literate band is the pass mark
    assert [level_of(t, rule) for t in (90, 89.9, 65, 64.9, 50, 49.9)] == \
        ["advanced", "literate", "literate", "basic", "basic", "low"]


def test_three_hundred_thousand_respondents_are_scored_at_once() -> None:
    rng = np.random.default_rng(1)
    responses = rng.integers(1, 5, size=(300_000, 40)).astype(float)
    responses[rng.random(responses.shape) < 0.02] = NAN
    result = score(responses, national_items(), NATIONAL)
    assert result.total.shape == (300_000,)
    assert np.array_equal(result.literate, result.total >= 70 - 1e-9)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.sampled_from([1.0, 2.0, 9.0, NAN]), min_size=40, max_size=40), min_size=1, max_size=30))
def test_levels_follow_the_total_and_exactly_one_level_holds(rows: list[list[float]]) -> None:
    result = score(np.array(rows), national_items(), NATIONAL)
    indicators = result.level_indicators()
    assert np.all(indicators.sum(axis=1) == 1)
    order = np.argsort(result.total, kind="stable")
    # A higher total never has a lower level (level index 0 is the best).
    assert np.all(np.diff(result.level[order].astype(int)) <= 0)
    assert np.array_equal(result.literate, np.isin(result.level, [0, 1]))
