"""Reporting periods from a plan's cycle and years (pure date arithmetic, no database)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

CN_QUARTERS = ("一", "二", "三", "四")


@dataclass(frozen=True)
class PeriodSpec:
    label: str
    year: int
    start: datetime.date
    end: datetime.date
    due_date: datetime.date


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _spans(cycle: str, year: int) -> list[tuple[str, int, int]]:
    """(label, first month, last month) of each period of one year."""
    if cycle == "month":
        return [(f"{year}年{m}月", m, m) for m in range(1, 13)]
    if cycle == "quarter":
        return [(f"{year}年第{CN_QUARTERS[q]}季度", 3 * q + 1, 3 * q + 3) for q in range(4)]
    if cycle == "half_year":
        return [(f"{year}年上半年", 1, 6), (f"{year}年下半年", 7, 12)]
    return [(f"{year}年度", 1, 12)]


def reporting_periods(cycle: str, start_year: int, end_year: int, due_days: int) -> list[PeriodSpec]:
    """Every period of the plan's years; a report is due `due_days` after its period ends."""
    periods = []
    for year in range(start_year, end_year + 1):
        for label, first, last in _spans(cycle, year):
            end = _month_end(year, last)
            periods.append(PeriodSpec(label, year, datetime.date(year, first, 1), end,
                                      end + datetime.timedelta(days=due_days)))
    return periods
