"""Reads of literacy monitoring, always through the user's data scope and the publication rule.

Results are aggregate statistics. The office (`literacy.result.view_draft`) sees every finished run;
everyone else granted `literacy.result.view` sees published runs only; the public portal and the
plan ledger's indicator see published figures only (`published_*`).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from kepu.core.access import access_object, can, scoped
from kepu.literacy.models import (
    DataUpload,
    Estimate,
    EstimationRun,
    Instrument,
    LiteracyTarget,
    MethodChange,
    PopulationMargin,
    RunStatus,
    ScoringRuleSet,
    SurveyWave,
)
from kepu.literacy.standards import RATIO

# ---------------------------------------------------------------- instruments and rule sets


def instrument_list(*, user: Any) -> QuerySet[Instrument]:
    return scoped(Instrument.objects.all(), user, "literacy.instrument.view").annotate(
        item_count=Count("items", distinct=True), wave_count=Count("waves", distinct=True))


def instrument_detail(*, user: Any, instrument_id: int, action: str = "literacy.instrument.view") -> Instrument:
    return access_object(Instrument.objects.prefetch_related("items"), user, action, pk=instrument_id)


def ruleset_list(*, user: Any) -> QuerySet[ScoringRuleSet]:
    return scoped(ScoringRuleSet.objects.all(), user, "literacy.instrument.view").annotate(
        wave_count=Count("waves"))


def ruleset_detail(*, user: Any, rule_set_id: int, action: str = "literacy.instrument.view") -> ScoringRuleSet:
    return access_object(ScoringRuleSet.objects.all(), user, action, pk=rule_set_id)


# ---------------------------------------------------------------- waves, uploads, margins, runs


def wave_list(*, user: Any) -> QuerySet[SurveyWave]:
    return (scoped(SurveyWave.objects.select_related("instrument", "rule_set", "region", "method_change"), user,
                   "literacy.wave.view")
            .annotate(run_count=Count("runs")).order_by("-year", "-id"))


def wave_detail(*, user: Any, wave_id: int, action: str = "literacy.wave.view") -> SurveyWave:
    return access_object(SurveyWave.objects.select_related("instrument", "rule_set", "region", "imported_by"),
                         user, action, pk=wave_id)


def wave_runs(wave: SurveyWave, limit: int = 10) -> list[EstimationRun]:
    return list(wave.runs.select_related("requested_by", "published_by")[:limit])


def wave_uploads(wave: SurveyWave, limit: int = 5) -> list[DataUpload]:
    return list(wave.uploads.select_related("uploaded_by")[:limit])


def method_change(wave: SurveyWave) -> MethodChange | None:
    return MethodChange.objects.filter(wave=wave).select_related("previous_wave").first()


def upload_detail(*, user: Any, wave_id: int, upload_id: int, action: str = "literacy.wave.manage") -> DataUpload:
    return access_object(DataUpload.objects.select_related("wave", "wave__instrument", "wave__region"), user, action,
                         pk=upload_id, wave_id=wave_id)


def wave_margins(wave: SurveyWave) -> dict[str, list[PopulationMargin]]:
    grouped: dict[str, list[PopulationMargin]] = {}
    for margin in wave.margins.all():
        grouped.setdefault(margin.variable, []).append(margin)
    return grouped


def run_detail(*, user: Any, run_id: int, action: str = "literacy.wave.view") -> EstimationRun:
    return access_object(EstimationRun.objects.select_related("wave", "requested_by"), user, action, pk=run_id)


# ---------------------------------------------------------------- results


def result_runs(*, user: Any) -> QuerySet[EstimationRun]:
    """The finished runs whose results the user may see (published only, unless the office)."""
    runs = scoped(EstimationRun.objects.filter(status=RunStatus.DONE), user, "literacy.result.view")
    if not can(user, "literacy.result.view_draft"):
        runs = runs.exclude(published_at=None)
    return runs


@dataclass(frozen=True)
class WaveResult:
    wave: SurveyWave
    run: EstimationRun
    ratio: Estimate | None


def result_waves(*, user: Any) -> list[WaveResult]:
    """Each wave with results the user may see, newest first, with the run shown for it: the published
    run, or (for the office, before publication) the latest finished one."""
    runs = result_runs(user=user).select_related("wave", "wave__rule_set", "wave__region", "wave__instrument")
    runs = runs.prefetch_related(Prefetch("estimates", queryset=Estimate.objects.filter(indicator=RATIO, domain=""),
                                          to_attr="overall_ratio"))
    chosen: dict[int, EstimationRun] = {}
    for run in runs.order_by("-created_at", "-id"):
        current = chosen.get(run.wave_id)
        if current is None or (run.is_published and not current.is_published):
            chosen[run.wave_id] = run
    results = [WaveResult(run.wave, run, (run.overall_ratio or [None])[0]) for run in chosen.values()]  # type: ignore[attr-defined]
    return sorted(results, key=lambda r: (r.wave.year, r.wave.pk), reverse=True)


def result_run(*, user: Any, wave_id: int, run_id: int | None = None) -> EstimationRun:
    """The run whose results a results page shows (404 if the user may see none of the wave's)."""
    runs = result_runs(user=user).filter(wave_id=wave_id).select_related(
        "wave", "wave__rule_set", "wave__instrument", "wave__region", "published_by")
    if run_id is not None:
        run = runs.filter(pk=run_id).first()
    else:
        run = runs.exclude(published_at=None).first() or runs.order_by("-created_at", "-id").first()
    if run is None:
        raise Http404("没有找到可查看的测算结果")
    return run


def run_estimates(run: EstimationRun) -> list[Estimate]:
    return list(run.estimates.order_by("domain", "domain_label", "sort", "method"))


def targets() -> list[LiteracyTarget]:
    return list(LiteracyTarget.objects.order_by("year", "kind"))


def method_changes(wave_ids: list[int]) -> dict[int, MethodChange]:
    return {c.wave_id: c for c in MethodChange.objects.filter(wave_id__in=wave_ids)}


# ---------------------------------------------------------------- published figures (portal, indicators)


def published_results() -> list[WaveResult]:
    """Published headline results, newest wave first — public information."""
    runs = (EstimationRun.objects.filter(status=RunStatus.DONE).exclude(published_at=None)
            .select_related("wave", "wave__rule_set", "wave__region")
            .prefetch_related(Prefetch("estimates", queryset=Estimate.objects.filter(indicator=RATIO, domain=""),
                                       to_attr="overall_ratio")))
    results = [WaveResult(r.wave, r, (r.overall_ratio or [None])[0]) for r in runs]  # type: ignore[attr-defined]
    return sorted(results, key=lambda r: (r.wave.year, r.wave.pk), reverse=True)


def published_ratio(year: int | None = None, region: Any = None) -> Decimal | None:
    """The published literacy ratio (per cent, 2 decimals) for a survey year (the latest when None),
    for the whole survey area or — when asked and estimated — for one of its areas."""
    runs = EstimationRun.objects.filter(status=RunStatus.DONE).exclude(published_at=None).select_related(
        "wave", "wave__region")
    if year is not None:
        runs = runs.filter(wave__year=year)
    run = runs.order_by("-wave__year", "-published_at").first()
    if run is None:
        return None
    code = getattr(region, "code", region)
    if code in (None, "", run.wave.region.code):
        figure = run.estimates.filter(indicator=RATIO, domain="").first()
    else:
        figure = _area_figure(run, str(code))
    if figure is None:
        return None
    return Decimal(str(figure.estimate * 100)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _area_figure(run: EstimationRun, code: str) -> Estimate | None:
    """An area's direct estimate when publishable, else its small-area (Fay–Herriot) estimate."""
    rows = {e.method: e for e in run.estimates.filter(indicator=RATIO, domain="district", domain_value=code)}
    direct = rows.get("direct")
    if direct is not None and direct.publishable:
        return direct
    return rows.get("fay_herriot") or direct
