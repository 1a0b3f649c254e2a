"""The parser's result: plain dataclasses, each with ``to_dict()`` giving JSON-friendly data.

Nothing here is saved anywhere; the Django side turns a reviewed ``ParsedPlan`` into a draft plan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal, Protocol

PlanKind = Literal["outline", "implementation", "annual"]
Direction = Literal["≥", "≤", "="]
MatchStatus = Literal["matched", "unknown"]


class DocumentImportError(ValueError):
    """The uploaded file cannot be read; ``str(error)`` is a Chinese message for the user."""


@dataclass(frozen=True)
class UnitMatch:
    """A unit of the registry that a written name was resolved to."""

    unit_id: int | str
    name: str


class UnitMatchLike(Protocol):
    """Anything with ``unit_id`` and ``name`` (the Django side may return its own objects)."""

    @property
    def unit_id(self) -> int | str: ...

    @property
    def name(self) -> str: ...


UnitResolver = Callable[[str], UnitMatchLike | None]


def _number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    if value == value.to_integral_value():
        return int(value)
    return float(value)


@dataclass(kw_only=True)
class UnitRef:
    """A unit as the document writes it and, where the registry knows it, as matched."""

    written: str
    unit_id: int | str | None = None
    matched_name: str | None = None
    status: MatchStatus = "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {
            "written": self.written,
            "unit_id": self.unit_id,
            "matched_name": self.matched_name,
            "status": self.status,
        }


@dataclass(kw_only=True)
class Indicator:
    """A numeric target: "公民具备科学素质的比例 ≥ 23 % by 2025".

    ``year`` is the explicit target year; ``annual`` marks "每年…" targets, which apply to each of
    ``years`` (the plan's years, when known). ``direction`` is "=" when the text gives no
    direction word (the reviewer decides).
    """

    name: str
    value: Decimal
    unit: str
    year: int | None
    direction: Direction
    baseline: Decimal | None = None
    sentence: str = ""
    annual: bool = False
    years: list[int] = field(default_factory=list)
    value_text: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": _number(self.value),
            "unit": self.unit,
            "year": self.year,
            "direction": self.direction,
            "baseline": _number(self.baseline),
            "annual": self.annual,
            "years": list(self.years),
            "value_text": self.value_text,
            "sentence": self.sentence,
        }


@dataclass(kw_only=True)
class ParsedTask:
    """One numbered item of work with its units, targets and deadline."""

    number: str
    seq: int
    title: str
    body: str = ""
    lead_units: list[UnitRef] = field(default_factory=list)
    participating_units: list[UnitRef] = field(default_factory=list)
    all_subareas: bool = False
    subarea_marker: str | None = None
    all_members: bool = False
    collective_units: list[str] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    deadline: date | None = None
    source_line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "seq": self.seq,
            "title": self.title,
            "body": self.body,
            "lead_units": [unit.to_dict() for unit in self.lead_units],
            "participating_units": [unit.to_dict() for unit in self.participating_units],
            "all_subareas": self.all_subareas,
            "subarea_marker": self.subarea_marker,
            "all_members": self.all_members,
            "collective_units": list(self.collective_units),
            "indicators": [indicator.to_dict() for indicator in self.indicators],
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "source_line": self.source_line,
        }


@dataclass(kw_only=True)
class ParsedSection:
    """A chapter of tasks (提升行动 / 重点工程), with the units the document names for it.

    ``path`` lists the headings above the section ("三、五项重点提升行动").
    """

    number: str
    title: str
    level: int
    lead_units: list[UnitRef] = field(default_factory=list)
    participating_units: list[UnitRef] = field(default_factory=list)
    all_subareas: bool = False
    subarea_marker: str | None = None
    all_members: bool = False
    tasks: list[ParsedTask] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    path: list[str] = field(default_factory=list)
    source_line: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "number": self.number,
            "title": self.title,
            "level": self.level,
            "path": list(self.path),
            "lead_units": [unit.to_dict() for unit in self.lead_units],
            "participating_units": [unit.to_dict() for unit in self.participating_units],
            "all_subareas": self.all_subareas,
            "subarea_marker": self.subarea_marker,
            "all_members": self.all_members,
            "indicators": [indicator.to_dict() for indicator in self.indicators],
            "tasks": [task.to_dict() for task in self.tasks],
            "source_line": self.source_line,
        }


@dataclass(kw_only=True)
class ParsedPlan:
    """The proposed structure of one plan document, for review before anything is saved."""

    title: str
    kind: PlanKind
    years: tuple[int, int] | None
    goals: list[Indicator] = field(default_factory=list)
    sections: list[ParsedSection] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    preamble: str = ""
    unknown_units: list[str] = field(default_factory=list)

    @property
    def tasks(self) -> list[ParsedTask]:
        """All tasks in document order."""
        return [task for section in self.sections for task in section.tasks]

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "kind": self.kind,
            "years": list(self.years) if self.years else None,
            "goals": [indicator.to_dict() for indicator in self.goals],
            "sections": [section.to_dict() for section in self.sections],
            "unknown_units": list(self.unknown_units),
            "warnings": list(self.warnings),
            "preamble": self.preamble,
        }
