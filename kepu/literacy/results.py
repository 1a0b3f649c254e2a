"""The results of one run arranged for people: headline, levels, dimensions, tables by domain, small areas.

The results page, the Word report and the API read the same arrangement, so they always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kepu.literacy import standards as std
from kepu.literacy.models import Estimate, EstimationRun

_ROLE = {r.code: r for r in std.DOMAIN_ROLES}


@dataclass
class DomainRow:
    value: str
    label: str
    ratio: Estimate | None = None
    small_area: Estimate | None = None
    levels: dict[str, Estimate] = field(default_factory=dict)
    score: Estimate | None = None

    @property
    def reported(self) -> Estimate | None:
        """The figure to quote: the direct estimate if publishable, else the small-area estimate."""
        if self.ratio is not None and self.ratio.publishable:
            return self.ratio
        return self.small_area or self.ratio


@dataclass
class DomainTable:
    domain: str
    label: str
    rows: list[DomainRow]

    @property
    def chart_id(self) -> str:
        return f"chart-{self.domain}"

    @property
    def has_small_area(self) -> bool:
        return any(r.small_area is not None for r in self.rows)

    @property
    def unpublishable(self) -> int:
        return sum(1 for r in self.rows if r.ratio is not None and not r.ratio.publishable)


@dataclass
class Results:
    run: EstimationRun
    overall: dict[str, Estimate]
    domains: list[DomainTable]

    @property
    def ratio(self) -> Estimate | None:
        return self.overall.get(std.RATIO)

    @property
    def levels(self) -> list[tuple[str, str, Estimate]]:
        return [(code, std.LEVEL_LABELS[code], self.overall[f"level_{code}"])
                for code in std.LEVELS if f"level_{code}" in self.overall]

    @property
    def dimensions(self) -> list[tuple[str, Estimate, float | None]]:
        """(label, mean score, maximum) per dimension; maximum is the dimension's points or 100 (per cent)."""
        weights = (self.run.options.get("rule_parameters") or {}).get("dimension_weights") or {}
        national = self.run.options.get("rule_kind") == std.NATIONAL_2022
        out = []
        for key, figure in self.overall.items():
            if key.startswith("dimension_"):
                code = key.removeprefix("dimension_")
                out.append((std.DIMENSIONS.get(code, code), figure, float(weights.get(code, 0)) if national else 100.0))
        return out

    @property
    def total_score(self) -> Estimate | None:
        return self.overall.get("score_total")

    def domain(self, code: str) -> DomainTable | None:
        return next((d for d in self.domains if d.domain == code), None)

    @property
    def district(self) -> DomainTable | None:
        return self.domain("district")

    @property
    def groups(self) -> list[DomainTable]:
        return [d for d in self.domains if d.domain != "district"]


def arrange(run: EstimationRun, estimates: list[Estimate]) -> Results:
    overall = {e.indicator: e for e in estimates if not e.domain}
    tables: dict[str, dict[str, DomainRow]] = {}
    for e in estimates:
        if not e.domain:
            continue
        row = tables.setdefault(e.domain, {}).setdefault(e.domain_value, DomainRow(e.domain_value, e.domain_label))
        if e.indicator == std.RATIO:
            if e.method == "fay_herriot":
                row.small_area = e
            else:
                row.ratio = e
        elif e.indicator.startswith("level_"):
            row.levels[e.indicator.removeprefix("level_")] = e
        elif e.indicator == "score_total":
            row.score = e
    domains = [DomainTable(code, std.DOMAIN_LABELS.get(code, code), _ordered(code, list(tables[code].values())))
               for code in [r.code for r in std.DOMAIN_ROLES] if code in tables]
    return Results(run=run, overall=overall, domains=domains)


def _ordered(domain: str, rows: list[DomainRow]) -> list[DomainRow]:
    role = _ROLE.get(domain)
    if domain == "district":
        return sorted(rows, key=lambda r: r.value)  # region codes: the official order
    if role is not None and role.order:
        position = {v: i for i, v in enumerate(role.order)}
        return sorted(rows, key=lambda r: (position.get(r.value, len(position)), r.value))
    return sorted(rows, key=lambda r: (r.value == std.MISSING_DOMAIN, -(r.ratio.n if r.ratio else 0), r.value))


def as_dict(e: Estimate | None) -> dict[str, Any] | None:
    """An estimate as the API and the charts give it (shares as proportions, not per cent)."""
    if e is None:
        return None
    return {"indicator": e.indicator, "domain": e.domain, "domain_value": e.domain_value,
            "domain_label": e.domain_label, "method": e.method, "estimate": e.estimate, "se": e.se,
            "ci_low": e.ci_low, "ci_high": e.ci_high, "deff": e.deff, "df": e.df, "n": e.n, "cv": e.cv,
            "publishable": e.publishable}


def trend_series(wave_results: list[Any], changes: dict[int, Any]) -> tuple[list[Any], list[tuple[int, str]]]:
    """Trend points (oldest first) from the waves' results, and the method changes among them."""
    from kepu.literacy.charts import TrendPoint

    rows = sorted((r for r in wave_results if r.ratio is not None), key=lambda r: (r.wave.year, r.wave.pk))
    points = [TrendPoint(year=r.wave.year, wave=r.wave.name, estimate=r.ratio, published=r.run.is_published,
                         rule=r.wave.rule_set.name) for r in rows]
    shown = {r.wave.pk for r in rows}
    marks = [(r.wave.year, changes[r.wave.pk].summary) for r in rows
             if r.wave.pk in changes and changes[r.wave.pk].previous_wave_id in shown]
    return points, marks


def target_tuples(targets: list[Any]) -> list[tuple[str, int, float]]:
    return [(t.kind, t.year, float(t.value)) for t in targets]
