"""The light of one task (green / yellow / red) from its facts and the plan's rule — pure, no database.

The supervision service gathers the facts for every task in a few queries and stores the result with
its reason, which the ledger shows on hover.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class MissingReport:
    period: str
    due_date: datetime.date
    unit: str


@dataclass
class TaskFacts:
    start: datetime.date
    deadline: datetime.date
    progress: int
    missing: list[MissingReport] = field(default_factory=list)  # due, required, not submitted
    returned: list[str] = field(default_factory=list)  # periods whose report was returned, not yet resubmitted


def expected_progress(facts: TaskFacts, today: datetime.date) -> int:
    """Linear from the start to the deadline, 0–100."""
    span = (facts.deadline - facts.start).days
    if span <= 0 or today >= facts.deadline:
        return 100
    if today <= facts.start:
        return 0
    return round(100 * (today - facts.start).days / span)


def evaluate(facts: TaskFacts, rule: Any, today: datetime.date) -> tuple[str, str]:
    """(level, reason). Red beats yellow beats green; the reason lists what decided the level."""
    if facts.progress >= 100:
        return "green", "已完成（进度 100%）"
    expected = expected_progress(facts, today)
    lag = expected - facts.progress
    red, yellow = [], []
    days_over = (today - facts.deadline).days
    if days_over > 0:
        (red if rule.red_when_overdue else yellow).append(f"已超过完成时限 {days_over} 天，进度 {facts.progress}%")
    if lag >= rule.red_lag_points:
        red.append(f"进度落后预期 {lag} 个百分点（预期 {expected}%，实际 {facts.progress}%）")
    elif lag >= rule.yellow_lag_points:
        yellow.append(f"进度落后预期 {lag} 个百分点（预期 {expected}%，实际 {facts.progress}%）")
    days_left = (facts.deadline - today).days
    if 0 <= days_left <= rule.yellow_days_before_deadline and lag > 0:
        yellow.append(f"距完成时限仅剩 {days_left} 天，进度 {facts.progress}%")
    for missing in facts.missing:
        late = (today - missing.due_date).days
        text = f"{missing.unit}「{missing.period}」进展逾期未报 {late} 天"
        (red if late > rule.red_late_report_days else yellow).append(text)
    yellow += [f"「{period}」进展被退回，尚未重新提交" for period in facts.returned]
    if red:
        return "red", _join(red + yellow)
    if yellow:
        return "yellow", _join(yellow)
    return "green", f"按计划推进（预期 {expected}%，实际 {facts.progress}%）"


def _join(parts: list[str], limit: int = 480) -> str:
    text = "；".join(parts)
    return text if len(text) <= limit else text[: limit - 1] + "…"
