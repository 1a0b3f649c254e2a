"""Scoring respondents under a rule set: answers → item credit → dimension scores → total → level.

Pure NumPy, no Django, vectorised over respondents (300,000 rows score in well under a second).
Answers are option codes (numbers); an item is answered correctly when the code is one of its
accepted answers; NaN is an unanswered item. Three rule kinds:

* ``national2022`` — each dimension is worth its weight (科学知识 40, 科学方法 20, 科学精神与思想 20,
  应用科学的能力 20): dimension score = weight × points earned / points possible; the total (out
  of 100) is literate at ``pass_mark`` (70) and banded ≥85 advanced, ≥70 literate, ≥55 basic,
  below low — every threshold inclusive.
* ``benchmark2016`` — total = per cent of the points earned (50 items × 2 points); literate at ≥60.
* ``three_dimension_legacy`` — per cent correct in each dimension; literate only when every dimension
  reaches its cut-off.

Unanswered items count as wrong (policy ``wrong``, the default) or leave the denominator
(``exclude``); a dimension with no answered item then scores 0.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from kepu.literacy.standards import (
    BENCHMARK_2016,
    DEFAULT_PARAMETERS,
    DIMENSIONS,
    LEGACY,
    LEVELS,
    NATIONAL_2022,
    UNANSWERED_EXCLUDE,
    UNANSWERED_WRONG,
)

# Scores are compared with thresholds after rounding away binary noise (2.5-point items add up to
# 69.99999999999999 otherwise), so that "≥ 70 inclusive" means what it says.
_DECIMALS = 9


class ScoringError(ValueError):
    """An instrument or rule set that cannot score (the message is Chinese)."""


@dataclass(frozen=True)
class ItemKey:
    """One item of the answer key: the column it is in, its dimension, points and accepted answers."""

    code: str
    dimension: str
    points: float
    accepted: frozenset[float]


@dataclass(frozen=True)
class RuleSet:
    kind: str
    pass_mark: float = 70.0
    dimension_weights: Mapping[str, float] = field(default_factory=dict)
    bands: Mapping[str, float] = field(default_factory=dict)
    dimension_cutoffs: Mapping[str, float] = field(default_factory=dict)
    unanswered: str = UNANSWERED_WRONG

    @classmethod
    def from_parameters(cls, kind: str, parameters: Mapping[str, Any] | None = None) -> RuleSet:
        """A rule set from the stored JSON parameters, missing keys taken from the kind's defaults."""
        if kind not in DEFAULT_PARAMETERS:
            raise ScoringError(f"未知的评分规则类型“{kind}”")
        merged = {**DEFAULT_PARAMETERS[kind], **(parameters or {})}
        unanswered = merged.get("unanswered", UNANSWERED_WRONG)
        if unanswered not in (UNANSWERED_WRONG, UNANSWERED_EXCLUDE):
            raise ScoringError(f"未知的未作答处理方式“{unanswered}”")
        bands = {k: float(v) for k, v in (merged.get("bands") or {}).items() if k in LEVELS}
        pass_mark = float(merged.get("pass_mark", 0) or 0)
        if kind == NATIONAL_2022 and "literate" in bands:
            pass_mark = bands["literate"]  # the 具备 band and the literate flag are one threshold
        return cls(
            kind=kind,
            pass_mark=pass_mark,
            dimension_weights={k: float(v) for k, v in (merged.get("dimension_weights") or {}).items()},
            bands=bands,
            dimension_cutoffs={k: float(v) for k, v in (merged.get("dimension_cutoffs") or {}).items()},
            unanswered=unanswered,
        )

    @property
    def dimensions(self) -> tuple[str, ...]:
        if self.kind == NATIONAL_2022:
            return tuple(self.dimension_weights)
        if self.kind == LEGACY:
            return tuple(self.dimension_cutoffs)
        return ()


@dataclass(frozen=True, eq=False)
class Scores:
    """Per-respondent results. ``dimension_scores`` columns follow ``dimensions``; for national2022
    they are points out of each dimension's weight, otherwise per cent correct."""

    dimensions: tuple[str, ...]
    dimension_scores: NDArray[np.float64]
    total: NDArray[np.float64]
    literate: NDArray[np.bool_]
    level: NDArray[np.int8]  # index into standards.LEVELS
    answered: NDArray[np.int64]

    def level_indicators(self) -> NDArray[np.float64]:
        """n × 4 matrix of 0/1: one column per level (advanced, literate, basic, low)."""
        return (self.level[:, None] == np.arange(len(LEVELS))[None, :]).astype(np.float64)


def check_items(items: Sequence[ItemKey], rule: RuleSet) -> None:
    """Raise ScoringError when the answer key cannot be scored under the rule."""
    if not items:
        raise ScoringError("测评工具没有题目，无法评分")
    codes = [i.code for i in items]
    duplicated = sorted({c for c in codes if codes.count(c) > 1})
    if duplicated:
        raise ScoringError(f"题目编号重复：{'、'.join(duplicated)}")
    for item in items:
        if item.points <= 0:
            raise ScoringError(f"题目 {item.code} 的分值须为正数")
        if not item.accepted:
            raise ScoringError(f"题目 {item.code} 没有标准答案")
    if rule.kind in (NATIONAL_2022, LEGACY):
        wanted = set(rule.dimensions)
        used = {i.dimension for i in items}
        unknown = sorted(used - wanted)
        if unknown:
            names = "、".join(DIMENSIONS.get(d, d) for d in unknown)
            raise ScoringError(f"题目所属维度“{names}”不在评分规则的维度中")
        empty = [d for d in rule.dimensions if d not in used]
        if empty:
            names = "、".join(DIMENSIONS.get(d, d) for d in empty)
            raise ScoringError(f"评分规则的维度“{names}”没有题目")


def credit(responses: NDArray[np.float64], items: Sequence[ItemKey]) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
    """Points earned per respondent and item (n × m), and which items were answered."""
    answers = np.asarray(responses, dtype=np.float64)
    answered = ~np.isnan(answers)
    correct = np.zeros(answers.shape, dtype=bool)
    for j, item in enumerate(items):
        correct[:, j] = np.isin(answers[:, j], np.fromiter(item.accepted, dtype=np.float64))
    points = np.array([i.points for i in items], dtype=np.float64)
    return correct * points[None, :], answered


def score(responses: NDArray[np.float64], items: Sequence[ItemKey], rule: RuleSet) -> Scores:
    """Score every respondent (rows of ``responses``, columns in the order of ``items``)."""
    check_items(items, rule)
    answers = np.asarray(responses, dtype=np.float64)
    if answers.ndim != 2 or answers.shape[1] != len(items):
        raise ScoringError(f"作答矩阵应有 {len(items)} 列，实际为 {answers.shape}")
    earned, answered = credit(answers, items)
    points = np.array([i.points for i in items], dtype=np.float64)
    possible = answered * points[None, :] if rule.unanswered == UNANSWERED_EXCLUDE else np.broadcast_to(points, answers.shape)
    dims = rule.dimensions
    dim_pct = np.column_stack([_percent(earned, possible, [i.dimension == d for i in items]) for d in dims]) if dims \
        else np.zeros((answers.shape[0], 0))
    if rule.kind == NATIONAL_2022:
        weights = np.array([rule.dimension_weights[d] for d in dims])
        dim_scores = dim_pct / 100.0 * weights[None, :]
        total = dim_scores.sum(axis=1)
        literate = np.round(total, _DECIMALS) >= rule.pass_mark
    elif rule.kind == BENCHMARK_2016:
        dim_scores = dim_pct
        total = _percent(earned, possible, [True] * len(items))
        literate = np.round(total, _DECIMALS) >= rule.pass_mark
    elif rule.kind == LEGACY:
        dim_scores = dim_pct
        total = _percent(earned, possible, [True] * len(items))
        cutoffs = np.array([rule.dimension_cutoffs[d] for d in dims])
        literate = np.all(np.round(dim_pct, _DECIMALS) >= cutoffs[None, :], axis=1)
    else:
        raise ScoringError(f"未知的评分规则类型“{rule.kind}”")
    return Scores(dimensions=dims, dimension_scores=dim_scores, total=total, literate=literate,
                  level=_levels(total, literate, rule), answered=answered.sum(axis=1))


def _percent(earned: NDArray[np.float64], possible: NDArray[np.float64], columns: Sequence[bool]) -> NDArray[np.float64]:
    mask = np.asarray(columns, dtype=bool)
    got = earned[:, mask].sum(axis=1)
    out_of = np.asarray(possible)[:, mask].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = np.where(out_of > 0, 100.0 * got / np.where(out_of > 0, out_of, 1.0), 0.0)
    return np.asarray(pct, dtype=np.float64)


def _levels(total: NDArray[np.float64], literate: NDArray[np.bool_], rule: RuleSet) -> NDArray[np.int8]:
    """Band index per respondent: by the rule's bands when it has them, else literate / low."""
    low = LEVELS.index("low")
    if not rule.bands:
        return np.where(literate, LEVELS.index("literate"), low).astype(np.int8)
    rounded = np.round(total, _DECIMALS)
    level = np.full(total.shape, low, dtype=np.int8)
    # From the lowest band up, so the highest threshold reached wins.
    for code in reversed(LEVELS[:-1]):
        threshold = rule.bands.get(code)
        if threshold is not None:
            level[rounded >= threshold] = LEVELS.index(code)
    return level


def level_of(total: float, rule: RuleSet) -> str:
    """The level code of one total score (for explanations and tests)."""
    literate = np.array([round(total, _DECIMALS) >= rule.pass_mark])
    return LEVELS[int(_levels(np.array([float(total)]), literate, rule)[0])]


def parse_accepted(text: str) -> frozenset[float]:
    """'2' or '1,3' or '1、3' → the accepted answer codes; raises ScoringError on anything else."""
    parts = [p.strip() for p in str(text).replace("、", ",").replace("，", ",").replace(";", ",").split(",")]
    values = set()
    for part in parts:
        if not part:
            continue
        try:
            values.add(float(part))
        except ValueError:
            raise ScoringError(f"标准答案“{text}”应为选项编号（数字），多个正确选项用逗号分隔") from None
    if not values:
        raise ScoringError("标准答案不能为空")
    return frozenset(values)
