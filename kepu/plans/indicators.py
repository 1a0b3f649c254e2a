"""How far an indicator has come: completion against its target, in the direction the plan sets."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

ONE, ZERO = Decimal(1), Decimal(0)


def completion_of(actual: Decimal | None, target: Decimal, baseline: Decimal | None, direction: str) -> Decimal | None:
    """0–1: the share of the way from the baseline (or zero) to the target; None without an actual value.

    ≥ targets grow towards the target; ≤ targets count as done once at or under it and, from a baseline
    above the target, by the share of the reduction achieved.
    """
    if actual is None:
        return None
    if direction == "le":
        if actual <= target:
            return ONE
        if baseline is not None and baseline > target:
            return _clamp((baseline - actual) / (baseline - target))
        return _clamp(target / actual) if actual else ONE
    if baseline is not None and target != baseline:
        return _clamp((actual - baseline) / (target - baseline))
    if not target:
        return ONE if actual >= target else ZERO
    return _clamp(actual / target)


def _clamp(value: Decimal) -> Decimal:
    return max(ZERO, min(ONE, value)).quantize(Decimal("0.0001"))


def completion(indicator: Any) -> Decimal | None:
    return completion_of(indicator.actual_value, indicator.target, indicator.baseline, indicator.direction)
