"""The demo city's literacy survey: three waves of a synthetic survey of 昆山市 (2020 and 2022 under the
2016 benchmark test, 2024 under the national rule — a method change on the trend), census margins,
and published runs computed while loading, so the results pages, the trend and the plan indicator
are alive from the first `make run`. Deterministic (fixed seeds) and idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.files.storage import default_storage
from django.db import transaction

from kepu.core.access import SYSTEM
from kepu.literacy import imports, services
from kepu.literacy import mapping as colmap
from kepu.literacy import standards as std
from kepu.literacy import synthetic as syn
from kepu.literacy.datafiles import RawTable
from kepu.literacy.models import Instrument, LiteracyTarget, RunStatus, SurveyWave

CITY_TARGET = (2025, Decimal(23), "《昆山市全民科学素质行动实施方案（2021—2025年）》")


@dataclass(frozen=True)
class DemoWave:
    year: int
    rule: str
    seed: int
    shift: float
    cluster_extra: int

    @property
    def name(self) -> str:
        return f"{self.year}年昆山市公民科学素质调查"

    @property
    def filename(self) -> str:
        return f"literacy/demo/kunshan-{self.year}.parquet"


WAVES = (
    DemoWave(2020, std.BENCHMARK_2016, 2020, -1.70, -4),
    DemoWave(2022, std.BENCHMARK_2016, 2022, -1.60, 0),
    DemoWave(2024, std.NATIONAL_2022, 2024, -1.36, 4),
)
INSTRUMENTS = {
    std.NATIONAL_2022: ("公民科学素质测评卷（2024年版）", 2024, syn.national_items,
                        "按现行国家标准命题：科学知识 16 题、科学方法 8 题、科学精神与思想 8 题、应用科学的能力 8 题，每题 2.5 分。"),
    std.BENCHMARK_2016: ("中国公民科学素质基准测试卷（2016年版）", 2016, syn.benchmark_items,
                         "依据《中国公民科学素质基准》26 条基准命题，50 题，每题 2 分。"),
}


def load() -> None:
    from kepu.org.public import Region

    city = Region.objects.filter(level="city").order_by("path").first()
    if city is None:
        return
    rule_sets = services.ensure_standard_rule_sets()
    services.ensure_national_targets()
    if not LiteracyTarget.objects.filter(kind="city", year=CITY_TARGET[0]).exists():
        services.target_save(actor=SYSTEM, kind="city", year=CITY_TARGET[0], value=CITY_TARGET[1], source=CITY_TARGET[2])
    instruments = {kind: _instrument(kind) for kind in INSTRUMENTS}
    for spec in WAVES:
        _wave(spec, city, instruments[spec.rule], rule_sets[spec.rule])


def _instrument(kind: str) -> Instrument:
    name, year, items, description = INSTRUMENTS[kind]
    instrument = Instrument.objects.filter(name=name).first()
    if instrument is None:
        instrument = services.instrument_create(actor=SYSTEM, name=name, year=year, rule_kind=kind,
                                                description=description)
    if not instrument.items.exists():
        services.items_replace(actor=SYSTEM, instrument=instrument, source="演示数据", items=[
            {"code": i.code, "text": i.text, "dimension": i.dimension, "points": Decimal(str(i.points)),
             "correct": str(i.correct), "benchmark": i.benchmark, "difficulty": i.difficulty} for i in items()])
    return instrument


@transaction.atomic
def _wave(spec: DemoWave, city: object, instrument: Instrument, rule_set: object) -> None:
    wave = SurveyWave.objects.filter(name=spec.name).first()
    if wave is None:
        wave = services.wave_create(actor=SYSTEM, name=spec.name, year=spec.year, region=city, instrument=instrument,
                                    rule_set=rule_set, lonely_psu="adjust", ci_method="beta", calibration="raking",
                                    notes="演示数据：按昆山市各镇人口规模模拟的分层两阶段抽样调查。")
    if not wave.has_data or not default_storage.exists(wave.data_file.name):
        items = syn.national_items() if spec.rule == std.NATIONAL_2022 else syn.benchmark_items()
        frame = syn.survey(items, seed=spec.seed, shift=spec.shift, cluster_extra=spec.cluster_extra)
        mapping = colmap.propose(frame.columns, [i.code for i in items])
        imports.wave_import(actor=SYSTEM, wave=wave, table=RawTable(frame=frame, fmt="parquet", first_row=1),
                             mapping=mapping, source="演示数据", filename=spec.filename)
    if not wave.margins.exists():
        services.margins_replace(actor=SYSTEM, wave=wave, margins=syn.margins(year=spec.year), source="演示数据（模拟普查）")
    run = wave.runs.filter(status=RunStatus.DONE).first()
    if run is None:
        run = services.run_start(actor=SYSTEM, wave=wave, inline=True)
    if run.status == RunStatus.DONE and not wave.runs.exclude(published_at=None).exists():
        services.run_publish(actor=SYSTEM, run=run)
