"""Years and dates as plans write them: the plan's period, target years, deadlines."""

from __future__ import annotations

import calendar
import re
from collections import Counter
from datetime import date

from .schema import PlanKind

FIVE_YEAR_PLANS = {"十三五": (2016, 2020), "十四五": (2021, 2025), "十五五": (2026, 2030), "十六五": (2031, 2035)}

_RANGE = re.compile(r"((?:19|20)\d{2})\s*(?:[—–\-－~～至到]+\s*|年\s*[—–\-－~～至到]+\s*)?((?:19|20)\d{2})\s*年")
_BARE_RANGE = re.compile(r"(?<!\d)((?:19|20)\d{2})\s*[—–\-－~～至]+\s*((?:19|20)\d{2})(?!\d)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年(?!以来|来|起)")
_FIVE_YEAR = re.compile(r"“?(十[三四五六]五)”?")


def plan_years(title: str, text: str = "") -> tuple[int, int] | None:
    """The years a plan covers: "2021—2025年" → (2021, 2025); "2024年…要点" → (2024, 2024).

    Looked for in the title first ("2021—2025" with or without 年), then in the text; a "十四五"
    plan covers 2021–2025; else the year the text names most often ("2024年是…", "2024年底前").
    """
    candidates = [(_RANGE, title), (_BARE_RANGE, title), (_YEAR, title), (_RANGE, text)]
    for pattern, source in candidates:
        match = pattern.search(source)
        if match and pattern is _YEAR:
            return int(match.group(1)), int(match.group(1))
        if match and 0 < int(match.group(2)) - int(match.group(1)) <= 30:
            return int(match.group(1)), int(match.group(2))
    for source in (title, text):
        five = _FIVE_YEAR.search(source)
        if five:
            return FIVE_YEAR_PLANS[five.group(1)]
    named = Counter(int(match.group(1)) for match in _YEAR.finditer(text))
    if named:
        best = max(named.values())
        year = min(year for year, count in named.items() if count == best)
        return year, year
    return None


def plan_kind(title: str, years: tuple[int, int] | None) -> tuple[PlanKind, bool]:
    """Outline (规划纲要), implementation plan (实施方案) or annual work points (工作要点).

    Returns the kind and whether the title said so (False: a default, worth a warning).
    """
    single_year = years is not None and years[0] == years[1]
    if re.search(r"要点|年度", title):
        return "annual", True
    if single_year and re.search(r"计划|安排|方案|任务", title):
        return "annual", True
    if re.search(r"实施方案|行动方案|工作方案|实施意见|实施办法|行动计划|实施计划|任务分工|任务清单", title):
        return "implementation", True
    if re.search(r"纲要|规划", title):
        return "outline", True
    return "implementation", False


_FULL_DATE = re.compile(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日(?:之?前|以前)")
_MONTH_END = re.compile(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(?:底|末|份)?(?:之?前|以前)")
_YEAR_END = re.compile(r"(?:((?:19|20)\d{2})年)?(?:年底|年末|底|末)(?:之?前|以前)")
_HALF = re.compile(r"((?:19|20)\d{2})年(上半年|下半年|年内)(?:完成|前)")
_LIMIT = re.compile(r"(?:完成时限|完成时间|时间节点|时限)：\s*((?:19|20)\d{2})年(?:(\d{1,2})月(?:(\d{1,2})日)?)?")


_DEADLINE_WORDS = re.compile(r"(月|底|末|日)(之|以)?前|时限|时间节点|完成时间|半年(完成|前)|年内(完成|前)")


def _month_end(year: int, month: int) -> date | None:
    if not 1 <= month <= 12:
        return None
    return date(year, month, calendar.monthrange(year, month)[1])


def _deadline_from(match: re.Match[str], kind: str, default_year: int | None) -> date | None:
    year = int(match.group(1)) if match.group(1) else default_year
    if year is None:
        return None
    if kind == "full":
        try:
            return date(year, int(match.group(2)), int(match.group(3)))
        except ValueError:
            return None
    if kind == "month":
        return _month_end(year, int(match.group(2)))
    if kind == "half":
        return date(year, 6, 30) if match.group(2) == "上半年" else date(year, 12, 31)
    if kind == "limit":
        if match.group(3):
            return date(year, int(match.group(2)), int(match.group(3)))
        return _month_end(year, int(match.group(2))) if match.group(2) else date(year, 12, 31)
    return date(year, 12, 31)


def find_deadline(text: str, default_year: int | None = None) -> date | None:
    """The first deadline in ``text``: "2024年6月底前" → 2024-06-30, "年底前" → Dec 31 of the plan's year.

    Target years ("到2025年") are not deadlines; only "…前", "完成时限：…" and "上半年完成" are.
    """
    if not _DEADLINE_WORDS.search(text):
        return None
    found: list[tuple[int, date]] = []
    for pattern, kind in ((_LIMIT, "limit"), (_FULL_DATE, "full"), (_MONTH_END, "month"), (_HALF, "half"), (_YEAR_END, "year")):
        for match in pattern.finditer(text):
            deadline = _deadline_from(match, kind, default_year)
            if deadline:
                found.append((match.start(), deadline))
                break
    return min(found)[1] if found else None


def year_before(text: str) -> int | None:
    """The last target year written in ``text``: "到2025年底" → 2025, "“十四五”期间" → 2025."""
    best: tuple[int, int] | None = None
    for match in _YEAR.finditer(text):
        best = (match.start(), int(match.group(1)))
    for match in _FIVE_YEAR.finditer(text):
        if best is None or match.start() > best[0]:
            best = (match.start(), FIVE_YEAR_PLANS[match.group(1)][1])
    return best[1] if best else None
