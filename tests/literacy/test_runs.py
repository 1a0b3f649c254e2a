"""Estimation runs end to end: the stored figures equal the engine's called directly; calibration,
CI methods, replicate variance, small areas; failures are visible and store nothing; publication,
method changes and the plan ledger's live indicator."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest

from kepu.core.access import SYSTEM, scoped
from kepu.core.registry import indicator_providers
from kepu.literacy import estimation as est
from kepu.literacy import services
from kepu.literacy import synthetic as syn
from kepu.literacy.models import Estimate, EstimationRun, MethodChange, RunStatus, SurveyWave
from kepu.literacy.runs import analysis_spec
from kepu.literacy.scoring import score
from kepu.literacy.selectors import result_runs
from kepu.literacy.validation import item_matrix
from tests.literacy.conftest import as_parquet, import_file, survey

pytestmark = pytest.mark.django_db
MARGINS = ("age_band", "district", "sex", "urban_rural")  # as the run orders them (variable, then level)


@pytest.fixture
def wave(cast: dict[str, Any], make_wave: Any, media: Path) -> SurveyWave:
    """A small wave (about 1,900 respondents) with census margins."""
    wave = make_wave(year=2026, ci_method="beta")
    upload = import_file(cast["office"], wave, "样本.parquet", as_parquet(survey(seed=31, psu_factor=1)))
    assert upload.status == "imported", upload.errors[:3]
    services.margins_replace(actor=cast["office"], wave=wave, margins=syn.margins(year=2026))
    wave.refresh_from_db()
    return wave


def _direct(wave: SurveyWave, *, calibrated: bool = True) -> tuple[Any, Any, pl.DataFrame]:
    """The design (calibrated as the run does), the scores and the data, straight from the engine."""
    frame = pl.read_parquet(wave.data_file.path)
    spec = analysis_spec(wave)
    scores = score(item_matrix(frame, [i.code for i in spec.items]), spec.items, spec.rule)
    design = est.Design.from_arrays(weights=frame["weight"].to_numpy(), strata=frame["strata"].to_numpy(),
                                    psu=frame["psu"].to_numpy(), nest=True, lonely_psu="adjust")
    if calibrated:
        margins = syn.margins(year=2026)
        model, totals, _ = est.margin_model({v: frame[v].to_numpy() for v in MARGINS}, {v: margins[v] for v in MARGINS})
        design = est.calibrate(design, model, totals, calfun="raking")
    return design, scores, frame


def _figure(run: EstimationRun, indicator: str = "literacy_ratio", domain: str = "", value: str = "",
            method: str = "direct") -> Estimate:
    return run.estimates.get(indicator=indicator, domain=domain, domain_value=value, method=method)


def test_a_run_stores_the_engines_own_figures_for_the_ratio_and_its_interval(cast: dict[str, Any],
                                                                             wave: SurveyWave) -> None:
    run = services.run_start(actor=cast["office"], wave=wave)
    assert (run.status, run.progress, run.message) == (RunStatus.DONE, 100, "测算完成")
    design, scores, frame = _direct(wave)
    expected = est.mean(design, scores.literate.astype(float)[:, None])
    low, high = est.proportion_ci(expected, method="beta")
    stored = _figure(run)
    assert stored.estimate == pytest.approx(expected.estimate[0], rel=1e-12)
    assert stored.se == pytest.approx(expected.se[0], rel=1e-12)
    assert (stored.ci_low, stored.ci_high) == (pytest.approx(low[0], rel=1e-12), pytest.approx(high[0], rel=1e-12))
    assert stored.deff == pytest.approx(expected.deff[0], rel=1e-12)
    assert stored.n == frame.height and stored.df == design.degf()
    assert run.summary["calibrated_on"] == list(MARGINS)
    assert run.summary["population"] == pytest.approx(sum(syn.margins(year=2026)["sex"].values()))


def test_domain_figures_and_level_shares_are_the_engines_by_domain(cast: dict[str, Any], wave: SurveyWave) -> None:
    run = services.run_start(actor=cast["office"], wave=wave)
    design, scores, frame = _direct(wave)
    by_town = est.by_domain(design, scores.level_indicators(), frame["district"].to_numpy())
    row = list(by_town.domains).index("320583104000")  # 花桥镇
    for j, level in enumerate(("advanced", "literate", "basic", "low")):
        stored = _figure(run, f"level_{level}", "district", "320583104000")
        assert stored.estimate == pytest.approx(by_town.estimate[row, j], rel=1e-12)
        assert stored.se == pytest.approx(by_town.se[row, j], rel=1e-12)
    assert _figure(run, domain="district", value="320583104000").domain_label == "花桥镇"
    shares = [_figure(run, f"level_{c}").estimate for c in ("advanced", "literate", "basic", "low")]
    assert sum(shares) == pytest.approx(1.0)
    assert shares[0] + shares[1] == pytest.approx(_figure(run).estimate)


def test_small_towns_get_fay_herriot_estimates_from_the_direct_ones(cast: dict[str, Any], wave: SurveyWave) -> None:
    run = services.run_start(actor=cast["office"], wave=wave)
    direct = list(run.estimates.filter(indicator="literacy_ratio", domain="district", method="direct")
                  .order_by("domain_value"))
    usable = [d for d in direct if d.se]
    fh = est.fay_herriot([d.estimate for d in usable], [d.se ** 2 for d in usable], np.ones((len(usable), 1)))
    for d, value, mse in zip(usable, fh.estimate, fh.mse, strict=True):
        small = _figure(run, domain="district", value=d.domain_value, method="fay_herriot")
        assert small.estimate == pytest.approx(value, rel=1e-9)
        assert small.se == pytest.approx(np.sqrt(mse), rel=1e-9)
    zhouzhuang = _figure(run, domain="district", value="320583107000")
    assert zhouzhuang.n < 30 and not zhouzhuang.publishable  # the demo design's smallest town
    assert run.summary["small_area"]["fitted"] is True


def test_the_wave_chooses_the_interval_method(cast: dict[str, Any], wave: SurveyWave) -> None:
    services.wave_update(actor=cast["office"], wave=wave, ci_method="logit")
    run = services.run_start(actor=cast["office"], wave=wave)
    design, scores, _ = _direct(wave)
    low, high = est.proportion_ci(est.mean(design, scores.literate.astype(float)[:, None]), method="logit")
    stored = _figure(run)
    assert (stored.ci_low, stored.ci_high) == (pytest.approx(low[0], rel=1e-12), pytest.approx(high[0], rel=1e-12))


def test_without_margins_the_design_weights_are_used(cast: dict[str, Any], wave: SurveyWave) -> None:
    services.wave_update(actor=cast["office"], wave=wave, calibration="none")
    run = services.run_start(actor=cast["office"], wave=wave)
    design, scores, _ = _direct(wave, calibrated=False)
    assert _figure(run).estimate == pytest.approx(est.mean(design, scores.literate[:, None] * 1.0).estimate[0])
    assert run.summary["calibrated_on"] == []


def test_replicate_variance_recalibrates_each_replicate(cast: dict[str, Any], wave: SurveyWave) -> None:
    taylor = _figure(services.run_start(actor=cast["office"], wave=wave))
    services.wave_update(actor=cast["office"], wave=wave, variance_method="JKn")
    jackknife = _figure(services.run_start(actor=cast["office"], wave=wave))
    assert jackknife.estimate == pytest.approx(taylor.estimate, rel=1e-9)
    assert 0.8 < jackknife.se / taylor.se < 1.25


def test_a_run_that_cannot_calibrate_fails_with_a_chinese_reason_and_stores_no_figures(cast: dict[str, Any],
                                                                                        wave: SurveyWave) -> None:
    services.margins_replace(actor=cast["office"], wave=wave, margins={"sex": {"男": 800_000, "女": 780_000, "其他": 10}})
    run = services.run_start(actor=cast["office"], wave=wave)
    assert run.status == RunStatus.FAILED
    assert run.message == "变量 sex 的控制数含样本中没有的水平 其他"
    assert not run.estimates.exists()
    assert cast["office"].notifications.filter(title__contains="测算失败").exists()


def test_a_lonely_psu_under_fail_stops_the_run_with_the_engines_message(cast: dict[str, Any],
                                                                        wave: SurveyWave) -> None:
    services.wave_update(actor=cast["office"], wave=wave, lonely_psu="fail")
    run = services.run_start(actor=cast["office"], wave=wave)
    assert run.status == RunStatus.FAILED
    assert "只有 1 个初级抽样单元（lonely PSU），按“fail”规则无法估计方差" in run.message


def test_a_second_run_cannot_start_while_one_is_running(cast: dict[str, Any], wave: SurveyWave) -> None:
    EstimationRun.objects.create(wave=wave, status=RunStatus.RUNNING)
    with pytest.raises(services.ValidationFailed, match="已有正在进行的测算"):
        services.run_start(actor=cast["office"], wave=wave)


def test_only_published_runs_reach_area_admins_liaisons_and_the_indicator(cast: dict[str, Any],
                                                                          wave: SurveyWave) -> None:
    provider = indicator_providers()["literacy.ratio"]
    assert provider.unit_of_measure == "%" and provider.domain == "literacy"
    run = services.run_start(actor=cast["office"], wave=wave)
    assert run in result_runs(user=cast["office"])
    assert run not in result_runs(user=cast["jiaoyu"]) and run not in result_runs(user=cast["zhangpu"])
    assert provider.value(2026) is None
    services.run_publish(actor=cast["office"], run=run)
    assert run in result_runs(user=cast["jiaoyu"])
    ratio = _figure(run).estimate
    assert provider.value(2026) == Decimal(str(ratio * 100)).quantize(Decimal("0.01"))
    assert provider.value(None) == provider.value(2026)  # the latest wave
    later = services.run_start(actor=cast["office"], wave=wave)
    services.run_publish(actor=cast["office"], run=later)
    run.refresh_from_db()
    assert run.published_at is None, "publishing a run withdraws the wave's earlier publication"


def test_the_indicator_answers_for_a_town_with_its_direct_or_small_area_figure(cast: dict[str, Any]) -> None:
    from kepu.org.models import Region

    value = indicator_providers()["literacy.ratio"].value
    run = SurveyWave.objects.get(name="2024年昆山市公民科学素质调查").runs.exclude(published_at=None).get()
    yushan = _figure(run, domain="district", value="320583100000")
    zhouzhuang = _figure(run, domain="district", value="320583107000", method="fay_herriot")
    assert yushan.publishable
    assert value(2024, Region.objects.get(code="320583100000")) == Decimal(str(yushan.estimate * 100)).quantize(Decimal("0.01"))
    assert value(2024, "320583107000") == Decimal(str(zhouzhuang.estimate * 100)).quantize(Decimal("0.01"))
    assert value(2024, "320583000000") == value(2024)  # the survey area itself: the overall figure
    assert value(2031) is None


def test_a_change_of_scoring_rule_between_waves_is_recorded(make_wave: Any) -> None:
    same = make_wave(year=2026)
    assert not MethodChange.objects.filter(wave=same).exists()  # 2024 used the national rule too
    changed = make_wave(year=2027, rule="benchmark2016")
    note = MethodChange.objects.get(wave=changed)
    assert note.previous_wave == same
    assert note.summary.startswith("评分口径由“国家标准（2022 年起）”改为“2016 基准测试”")
    services.wave_update(actor=SYSTEM, wave=changed, rule_set=same.rule_set)
    assert not MethodChange.objects.filter(wave=changed).exists()


def test_changed_cut_offs_are_a_method_change_too(make_wave: Any) -> None:
    stricter = services.ruleset_create(actor=SYSTEM, name="国家标准（试行分数线）", kind="national2022",
                                       parameters={"bands": {"advanced": 90, "literate": 75, "basic": 60}})
    wave = make_wave(year=2026)
    services.wave_update(actor=SYSTEM, wave=wave, rule_set=stricter)
    assert "评分参数调整" in MethodChange.objects.get(wave=wave).summary


def test_the_demo_trend_marks_the_2024_change_of_rule() -> None:
    change = MethodChange.objects.select_related("wave", "previous_wave").get(wave__name="2024年昆山市公民科学素质调查")
    assert change.previous_wave.year == 2022


def test_rule_sets_refuse_bands_out_of_order() -> None:
    with pytest.raises(services.ValidationFailed, match="高阶 ≥ 具备 ≥ 基本具备"):
        services.ruleset_create(actor=SYSTEM, name="错误规则", kind="national2022",
                                parameters={"bands": {"advanced": 60, "literate": 70, "basic": 55}})
    with pytest.raises(services.ValidationFailed, match="之和须为 100"):
        services.ruleset_create(actor=SYSTEM, name="错误规则", kind="national2022",
                                parameters={"dimension_weights": {"knowledge": 50, "method": 20, "spirit": 20,
                                                                  "application": 20}})


def test_runs_are_listed_through_the_data_scope(cast: dict[str, Any]) -> None:
    assert scoped(EstimationRun.objects.all(), cast["expert"], "literacy.result.view").count() == 0
    assert scoped(EstimationRun.objects.all(), cast["zhangpu"], "literacy.result.view").count() == \
        EstimationRun.objects.count()
