"""Executing an estimation run (called by the background task): read, analyse, store, tell.

Progress is written to the run row as the work goes, so the page polling it shows where it is.
The estimates are stored in one transaction together with the status, so a run is either done with
all of its figures or failed with a Chinese reason — never half-stored.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

import polars as pl
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import SYSTEM
from kepu.core.errors import KepuError
from kepu.core.leases import beat
from kepu.core.models import AuditCategory
from kepu.core.transitions import transition
from kepu.literacy import analysis, states
from kepu.literacy import estimation as est
from kepu.literacy.models import Estimate, EstimationRun, RunStatus, SurveyWave
from kepu.literacy.scoring import ItemKey, RuleSet, ScoringError, parse_accepted

log = logging.getLogger(__name__)


def analysis_spec(wave: SurveyWave) -> analysis.AnalysisSpec:
    """What the engine needs to know about a wave: answer key, rule, design options, margins."""
    items = tuple(ItemKey(code=i.code, dimension=i.dimension, points=float(i.points), accepted=parse_accepted(i.correct))
                  for i in wave.instrument.items.order_by("order", "code"))
    margins: dict[str, dict[str, float]] = defaultdict(dict)
    for margin in wave.margins.all():
        margins[margin.variable][margin.level] = float(margin.total)
    return analysis.AnalysisSpec(
        items=items, rule=RuleSet.from_parameters(wave.rule_set.kind, wave.rule_set.parameters),
        lonely_psu=wave.lonely_psu, ci_method=wave.ci_method, calibration=wave.calibration, margins=dict(margins),
        variance_method=wave.variance_method, max_cv=float(wave.max_cv), min_n=int(wave.min_n),
        domains=tuple(wave.domains or ()),
    )


def execute(run_id: int) -> EstimationRun:
    run = EstimationRun.objects.select_related("wave", "wave__rule_set", "wave__instrument", "wave__region",
                                               "requested_by").get(pk=run_id)
    if run.status != RunStatus.QUEUED:
        return run
    _move(run, RunStatus.RUNNING, progress=5, message="正在读取样本数据", started_at=timezone.now(),
          heartbeat_at=timezone.now())
    try:
        spec = analysis_spec(run.wave)
        with run.wave.data_file.open("rb") as handle:
            frame = pl.read_parquet(handle)
        result = analysis.analyse(frame, spec, progress=lambda pct, text: _progress(run.pk, pct, text))
    except est.EstimationError as exc:
        return _fail(run, exc.zh)
    except (ScoringError, KepuError) as exc:
        return _fail(run, str(getattr(exc, "message", exc)))
    except Exception as exc:  # the run must end visibly, whatever went wrong
        log.exception("estimation run %s failed", run.pk)
        return _fail(run, f"计算过程出错（{type(exc).__name__}），请联系管理员")
    _progress(run.pk, 95, "正在保存结果")
    return _finish(run, result, spec)


def _progress(run_id: int, percent: int, message: str) -> None:
    beat(EstimationRun, run_id, progress=percent, message=message[:300])


def _move(run: EstimationRun, status: str, **fields: Any) -> None:
    # Checks the table on a copy, then moves the row only if it still holds the status it was read with
    # (a run cannot be finished twice, nor finished after it was failed by another process).
    if not states.can_advance(states.RUN_TRANSITIONS, run.status, status):
        states.advance(run, states.RUN_TRANSITIONS, status)  # raises, naming both states
    transition(run, to=status, **fields)


def _labels(wave: SurveyWave) -> dict[str, str]:
    from kepu.org.public import Region

    return {r.code: r.name for r in Region.objects.filter(path__startswith=wave.region.path)}


@transaction.atomic
def _finish(run: EstimationRun, result: analysis.Analysis, spec: analysis.AnalysisSpec) -> EstimationRun:
    labels = _labels(run.wave)
    Estimate.objects.bulk_create([
        Estimate(run=run, indicator=r.indicator, domain=r.domain, domain_value=r.domain_value[:60],
                 domain_label=(labels.get(r.domain_value, r.domain_value) if r.domain == "district" else r.domain_value)[:60],
                 method=r.method, estimate=r.estimate, se=r.se, ci_low=r.ci_low, ci_high=r.ci_high, deff=r.deff,
                 df=r.df, n=r.n, cv=r.cv, publishable=r.publishable, sort=r.sort)
        for r in result.rows
    ], batch_size=1000)
    run.options = {"rule_set": run.wave.rule_set.name, "rule_kind": spec.rule.kind,
                   "rule_parameters": run.wave.rule_set.parameters, "instrument": run.wave.instrument.name,
                   "items": len(spec.items), "margins": {k: len(v) for k, v in spec.margins.items()},
                   "data_file": run.wave.data_file.name}
    run.summary = result.summary
    _move(run, RunStatus.DONE, progress=100, message="测算完成", finished_at=timezone.now(), options=run.options,
          summary=run.summary)
    audit.record(SYSTEM, "literacy.run.finish", category=AuditCategory.SYSTEM, obj=run,
                 after={"estimates": len(result.rows), "n": result.summary.get("n")})
    _tell(run, f"“{run.wave.name}”测算完成", "可查看结果并在核对后发布。")
    return run


def _fail(run: EstimationRun, message: str) -> EstimationRun:
    with transaction.atomic():
        run.refresh_from_db()
        _move(run, RunStatus.FAILED, message=message[:300], finished_at=timezone.now())
        audit.record(SYSTEM, "literacy.run.finish", category=AuditCategory.SYSTEM, obj=run, reason=message[:500])
        _tell(run, f"“{run.wave.name}”测算失败", message)
    return run


def _tell(run: EstimationRun, title: str, body: str) -> None:
    from kepu.notifications.services import notify

    if run.requested_by_id:
        notify([run.requested_by], title=title, body=body, kind="literacy.run",
               link=reverse("literacy:wave_detail", kwargs={"wave_id": run.wave_id}))
