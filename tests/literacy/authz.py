"""Who may reach each literacy page and endpoint (C3).

The office manages everything; area administrators and liaisons read published results; experts,
volunteers and residents have no back-office access to them (residents read the portal page)."""

from __future__ import annotations

from typing import Any

from tests.authz import EVERYONE, OFFICE, Endpoint, Page, PortalPage

READERS = ("admin", "office", "zhangpu", "jiaoyu")


def objects(cast: dict[str, Any]) -> dict[str, Any]:
    from kepu.literacy.models import (
        DataUpload,
        EstimationRun,
        Instrument,
        LiteracyTarget,
        RunStatus,
        ScoringRuleSet,
        SurveyWave,
    )

    wave = SurveyWave.objects.get(year=2024, name__startswith="2024年昆山市")
    draft = EstimationRun.objects.create(wave=wave, status=RunStatus.DONE, progress=100, message="测算完成")
    upload = DataUpload.objects.create(wave=wave, file="literacy/uploads/authz-missing.csv", original_name="样本.csv",
                                       file_format="csv", columns=["层", "村居", "权重"], preview=[["a", "b", "1"]],
                                       row_count=1, mapping={"strata": "层", "psu": "村居", "weight": "权重"})
    return {
        "wave": wave, "run:published": wave.runs.exclude(published_at=None).get(), "run:draft": draft,
        "upload": upload, "instrument": wave.instrument, "ruleset": ScoringRuleSet.objects.get(kind="national2022"),
        "target": LiteracyTarget.objects.get(kind="city", year=2025),
        "instrument:any": Instrument.objects.order_by("pk").first(),
    }


def _wave(o: dict[str, Any]) -> dict[str, Any]:
    return {"wave_id": o["wave"].pk}


def _upload(o: dict[str, Any]) -> dict[str, Any]:
    return {"wave_id": o["wave"].pk, "upload_id": o["upload"].pk}


def _instrument(o: dict[str, Any]) -> dict[str, Any]:
    return {"instrument_id": o["instrument"].pk}


def _new_wave(o: dict[str, Any]) -> dict[str, Any]:
    return {"name": "2026年测试轮次", "year": 2026, "region": o["region:320583000000"].pk,
            "target_population": "18—69 岁常住居民", "instrument": o["instrument"].pk, "rule_set": o["ruleset"].pk,
            "lonely_psu": "adjust", "ci_method": "beta", "calibration": "raking", "variance_method": "taylor",
            "max_cv": "0.30", "min_n": 30}


CASES = [
    Page("literacy:results", READERS),
    Page("literacy:wave_results", READERS, kwargs=_wave),
    Page("literacy:wave_report", READERS, kwargs=_wave),
    Page("literacy:wave_export", READERS, kwargs=_wave),
    Page("literacy:trend", READERS),
    Page("literacy:wave_list", OFFICE),
    Page("literacy:wave_create", OFFICE),
    Page("literacy:wave_create", OFFICE, method="post", data=_new_wave),
    Page("literacy:wave_detail", OFFICE, kwargs=_wave),
    Page("literacy:wave_edit", OFFICE, kwargs=_wave),
    Page("literacy:wave_edit", OFFICE, method="post", kwargs=_wave,
         data=lambda o: {**_new_wave(o), "name": o["wave"].name, "year": 2024, "max_cv": "0.25"}),
    Page("literacy:upload_create", OFFICE, kwargs=_wave),
    Page("literacy:upload_create", OFFICE, method="post", kwargs=_wave, label="无文件"),
    Page("literacy:upload_mapping", OFFICE, kwargs=_upload),
    Page("literacy:upload_mapping", OFFICE, method="post", kwargs=_upload,
         data=lambda o: {"strata": "层", "psu": "村居", "weight": "权重"}),
    Page("literacy:upload_status", OFFICE, kwargs=_upload),
    Page("literacy:margins", OFFICE, kwargs=_wave),
    Page("literacy:margins", OFFICE, method="post", kwargs=_wave, data=lambda o: {"m:sex:男": 800000, "m:sex:女": 760000}),
    Page("literacy:margin_import", OFFICE, kwargs=_wave),
    Page("literacy:margin_template", OFFICE, kwargs=_wave),
    Page("literacy:run_start", OFFICE, method="post", kwargs=_wave),
    Page("literacy:run_status", OFFICE, kwargs=lambda o: {"run_id": o["run:published"].pk}),
    Page("literacy:run_publish", OFFICE, method="post", kwargs=lambda o: {"run_id": o["run:draft"].pk}),
    Page("literacy:instrument_list", OFFICE),
    Page("literacy:instrument_create", OFFICE),
    Page("literacy:instrument_create", OFFICE, method="post",
         data=lambda o: {"name": "测试工具", "year": 2026, "rule_kind": "national2022"}),
    Page("literacy:instrument_detail", OFFICE, kwargs=_instrument),
    Page("literacy:instrument_edit", OFFICE, kwargs=_instrument),
    Page("literacy:item_import", OFFICE, kwargs=_instrument),
    Page("literacy:item_export", OFFICE, kwargs=_instrument),
    Page("literacy:ruleset_list", OFFICE),
    Page("literacy:ruleset_create", OFFICE),
    Page("literacy:ruleset_create", OFFICE, method="post",
         data=lambda o: {"name": "测试规则", "kind": "benchmark2016", "unanswered": "wrong", "pass_mark": "60"}),
    Page("literacy:ruleset_edit", OFFICE, kwargs=lambda o: {"rule_set_id": o["ruleset"].pk}),
    Page("literacy:target_list", OFFICE),
    Page("literacy:target_list", OFFICE, method="post", data=lambda o: {"kind": "city", "year": 2030, "value": "30"}),
    Page("literacy:target_remove", OFFICE, method="post", kwargs=lambda o: {"target_id": o["target"].pk}),
    Endpoint("get", "/api/v1/literacy/waves", READERS),
    Endpoint("get", "/api/v1/literacy/waves/{wave_id}/estimates", READERS, params=_wave),
    Endpoint("post", "/api/v1/literacy/waves/{wave_id}/runs", OFFICE, params=_wave, json=lambda o: {}),
    Endpoint("get", "/api/v1/literacy/runs/{run_id}", OFFICE, params=lambda o: {"run_id": o["run:published"].pk}),
    PortalPage("literacy_portal:index", EVERYONE),
]
