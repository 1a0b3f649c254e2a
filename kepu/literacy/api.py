"""Literacy endpoints: waves with results, a run's estimates, starting a run and following it.

The same selectors and services as the pages: non-office users see published results only.
Shares are proportions (0–1); every figure carries its SE, interval and n.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from kepu.api.answers import answers
from kepu.core.access import can, require
from kepu.literacy import selectors, services
from kepu.literacy.models import EstimationRun
from kepu.literacy.results import as_dict

router = Router(tags=["素质监测"])


class EstimateOut(Schema):
    indicator: str
    domain: str
    domain_value: str
    domain_label: str
    method: str
    estimate: float
    se: float | None
    ci_low: float | None
    ci_high: float | None
    deff: float | None
    df: float | None
    n: int
    cv: float | None
    publishable: bool


class WaveOut(Schema):
    id: int
    name: str
    year: int
    region_code: str
    rule_set: str
    rule_kind: str
    run_id: int
    published: bool
    literacy_ratio: EstimateOut | None


@router.get("/waves", response=answers(list[WaveOut]), summary="调查轮次及其总体结果")
def wave_list(request: HttpRequest) -> list[dict[str, Any]]:
    require(request.user, "literacy.result.view")
    return [{"id": r.wave.pk, "name": r.wave.name, "year": r.wave.year, "region_code": r.wave.region.code,
             "rule_set": r.wave.rule_set.name, "rule_kind": r.wave.rule_set.kind, "run_id": r.run.pk,
             "published": r.run.is_published, "literacy_ratio": as_dict(r.ratio)}
            for r in selectors.result_waves(user=request.user)]


class RunOut(Schema):
    id: int
    wave_id: int
    status: str
    progress: int
    message: str
    created_at: datetime
    finished_at: datetime | None
    published_at: datetime | None


class ResultsOut(Schema):
    wave_id: int
    run: RunOut
    summary: dict[str, Any]
    estimates: list[EstimateOut]


@router.get("/waves/{wave_id}/estimates", response=answers(ResultsOut), summary="测算结果（全部估计值）")
def wave_estimates(request: HttpRequest, wave_id: int, run: int | None = None, domain: str | None = None,
                   indicator: str | None = None) -> dict[str, Any]:
    """The published run's estimates (the office may name any finished run with `run`). `domain=""` gives
    the overall figures only; `domain=district` the areas (direct and Fay–Herriot)."""
    require(request.user, "literacy.result.view")
    chosen = selectors.result_run(user=request.user, wave_id=wave_id,
                                  run_id=run if can(request.user, "literacy.result.view_draft") else None)
    estimates = chosen.estimates.all()
    if domain is not None:
        estimates = estimates.filter(domain=domain)
    if indicator:
        estimates = estimates.filter(indicator=indicator)
    return {"wave_id": wave_id, "run": chosen, "summary": chosen.summary,
            "estimates": [as_dict(e) for e in estimates.order_by("domain", "domain_value", "sort", "method")]}


@router.post("/waves/{wave_id}/runs", response=answers({202: RunOut}, write=True), summary="发起测算（后台计算）")
def run_start(request: HttpRequest, wave_id: int) -> Status:
    require(request.user, "literacy.run.start")
    wave = selectors.wave_detail(user=request.user, wave_id=wave_id, action="literacy.run.start")
    return Status(202, services.run_start(actor=request.user, wave=wave))


@router.get("/runs/{run_id}", response=answers(RunOut), summary="测算进度")
def run_detail(request: HttpRequest, run_id: int) -> EstimationRun:
    return selectors.run_detail(user=request.user, run_id=run_id)
