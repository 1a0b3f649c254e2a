"""Writes of literacy monitoring: rule sets, instruments, waves, data imports, margins, runs, targets.

Each service takes the actor, checks the action, writes in one transaction and leaves an audit entry.
Background work (validating an upload, estimating a wave) is enqueued after the transaction that
asked for it has committed; its status moves only through `states.advance`.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import SYSTEM, require
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.literacy import standards as std
from kepu.literacy.models import (
    EstimationRun,
    Instrument,
    LiteracyTarget,
    MethodChange,
    PopulationMargin,
    RunStatus,
    ScoringRuleSet,
    SurveyWave,
)
from kepu.literacy.scoring import RuleSet, ScoringError

log = logging.getLogger(__name__)

RULESET_FIELDS = ("name", "kind", "description", "parameters")
INSTRUMENT_FIELDS = ("name", "year", "rule_kind", "description")
WAVE_FIELDS = ("name", "year", "region", "target_population", "instrument", "rule_set", "lonely_psu", "ci_method",
               "calibration", "variance_method", "max_cv", "min_n", "notes")


# ---------------------------------------------------------------- scoring rule sets

def check_parameters(kind: str, parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters of a rule set, completed from the kind's defaults and checked (Chinese errors)."""
    if kind not in std.DEFAULT_PARAMETERS:
        raise ValidationFailed("请选择评分规则类型", "kind")
    merged = {**std.DEFAULT_PARAMETERS[kind], **{k: v for k, v in parameters.items() if v is not None}}
    try:
        rule = RuleSet.from_parameters(kind, merged)
    except (ScoringError, TypeError, ValueError) as exc:
        raise ValidationFailed(str(exc)) from None
    bands = [rule.bands.get(code) for code in std.LEVELS[:-1] if rule.bands.get(code) is not None]
    if any(not 0 <= b <= 100 for b in bands) or bands != sorted(bands, reverse=True):
        raise ValidationFailed("等级分数线须在 0—100 之间，且高阶 ≥ 具备 ≥ 基本具备", "bands")
    if kind == std.NATIONAL_2022 and abs(sum(rule.dimension_weights.values()) - 100) > 1e-9:
        raise ValidationFailed("四个维度的分值之和须为 100 分", "dimension_weights")
    if kind != std.LEGACY and not 0 < rule.pass_mark <= 100:
        raise ValidationFailed("合格线须在 0—100 之间", "pass_mark")
    if kind == std.LEGACY and (not rule.dimension_cutoffs
                              or any(not 0 < c <= 100 for c in rule.dimension_cutoffs.values())):
        raise ValidationFailed("各维度合格线须在 0—100（%）之间", "dimension_cutoffs")
    if kind == std.NATIONAL_2022:
        merged["pass_mark"] = rule.pass_mark
    return merged


@transaction.atomic
def ruleset_create(*, actor: Any, name: str, kind: str, description: str = "",
                   parameters: Mapping[str, Any] | None = None) -> ScoringRuleSet:
    require(actor, "literacy.instrument.manage")
    _unique_name(ScoringRuleSet, name)
    rule_set = ScoringRuleSet.objects.create(name=name.strip(), kind=kind, description=description,
                                             parameters=check_parameters(kind, parameters or {}))
    audit.record(actor, "literacy.ruleset.create", category=AuditCategory.CREATE, obj=rule_set,
                 after=audit.snapshot(rule_set, RULESET_FIELDS))
    return rule_set


@transaction.atomic
def ruleset_update(*, actor: Any, rule_set: ScoringRuleSet, name: str, description: str,
                   parameters: Mapping[str, Any]) -> ScoringRuleSet:
    """Cut-offs may change; the kind may not (a wave's results would silently change meaning)."""
    require(actor, "literacy.instrument.manage")
    _unique_name(ScoringRuleSet, name, exclude=rule_set.pk)
    before = audit.snapshot(rule_set, RULESET_FIELDS)
    rule_set.name, rule_set.description = name.strip(), description
    rule_set.parameters = check_parameters(rule_set.kind, parameters)
    rule_set.save()
    audit.record(actor, "literacy.ruleset.update", obj=rule_set, before=before,
                 after=audit.snapshot(rule_set, RULESET_FIELDS))
    for wave in SurveyWave.objects.filter(rule_set=rule_set):
        record_method_changes(wave)
    return rule_set


def ensure_standard_rule_sets() -> dict[str, ScoringRuleSet]:
    """The three standard rule sets, created if missing (demo loading, fresh installations)."""
    found = {}
    for kind, name, description in std.STANDARD_RULE_SETS:
        rule_set = ScoringRuleSet.objects.filter(kind=kind, name=name).first()
        if rule_set is None:
            rule_set = ruleset_create(actor=SYSTEM, name=name, kind=kind, description=description,
                                      parameters=std.DEFAULT_PARAMETERS[kind])
        found[kind] = rule_set
    return found


def _unique_name(model: Any, name: str, exclude: int | None = None) -> None:
    if not name.strip():
        raise ValidationFailed("名称不能为空", "name")
    if model.objects.filter(name=name.strip()).exclude(pk=exclude).exists():
        raise ValidationFailed(f"名称“{name.strip()}”已被使用", "name")


# ---------------------------------------------------------------- instruments

@transaction.atomic
def instrument_create(*, actor: Any, name: str, year: int, rule_kind: str, description: str = "") -> Instrument:
    require(actor, "literacy.instrument.manage")
    _unique_name(Instrument, name)
    instrument = Instrument.objects.create(name=name.strip(), year=year, rule_kind=rule_kind, description=description)
    audit.record(actor, "literacy.instrument.create", category=AuditCategory.CREATE, obj=instrument,
                 after=audit.snapshot(instrument, INSTRUMENT_FIELDS))
    return instrument


@transaction.atomic
def instrument_update(*, actor: Any, instrument: Instrument, **changes: Any) -> Instrument:
    require(actor, "literacy.instrument.manage")
    _unique_name(Instrument, changes.get("name", instrument.name), exclude=instrument.pk)
    before = audit.snapshot(instrument, INSTRUMENT_FIELDS)
    for field, value in changes.items():
        setattr(instrument, field, value.strip() if isinstance(value, str) else value)
    instrument.save()
    audit.record(actor, "literacy.instrument.update", obj=instrument, before=before,
                 after=audit.snapshot(instrument, INSTRUMENT_FIELDS))
    return instrument


@transaction.atomic
def items_replace(*, actor: Any, instrument: Instrument, items: list[dict[str, Any]], source: str = "") -> int:
    """Replace the instrument's items (题号, 维度, 分值, 标准答案 …) — the answer key future runs score with."""
    from kepu.literacy.models import Item
    from kepu.literacy.scoring import parse_accepted

    require(actor, "literacy.instrument.manage")
    for row in items:
        try:
            parse_accepted(str(row["correct"]))
        except ScoringError as exc:
            raise ValidationFailed(f"题目 {row.get('code')}：{exc}", "correct") from None
    before = instrument.items.count()
    instrument.items.all().delete()
    Item.objects.bulk_create([Item(instrument=instrument, order=index, **row) for index, row in enumerate(items, start=1)])
    audit.record(actor, "literacy.item.import", category=AuditCategory.IMPORT, obj=instrument,
                 before={"items": before}, after={"items": len(items)},
                 reason=f"题目 {len(items)} 道" + (f"（{source}）" if source else ""))
    return len(items)


# ---------------------------------------------------------------- survey waves

def _check_wave(*, name: str, year: int, max_cv: Any, min_n: Any, exclude: int | None = None) -> None:
    _unique_name(SurveyWave, name, exclude=exclude)
    try:
        if Decimal(str(max_cv)) <= 0:
            raise ValidationFailed("最大变异系数须为正数", "max_cv")
    except InvalidOperation:
        raise ValidationFailed("最大变异系数须为数字", "max_cv") from None
    if int(min_n) < 1:
        raise ValidationFailed("最少样本量须至少为 1", "min_n")


@transaction.atomic
def wave_create(*, actor: Any, name: str, year: int, region: Any, instrument: Instrument,
                rule_set: ScoringRuleSet, **options: Any) -> SurveyWave:
    require(actor, "literacy.wave.manage")
    _check_wave(name=name, year=year, max_cv=options.get("max_cv", "0.30"), min_n=options.get("min_n", 30))
    wave = SurveyWave.objects.create(name=name.strip(), year=year, region=region, instrument=instrument,
                                     rule_set=rule_set, **options)
    audit.record(actor, "literacy.wave.create", category=AuditCategory.CREATE, obj=wave,
                 after=audit.snapshot(wave, WAVE_FIELDS))
    record_method_changes(wave)
    return wave


@transaction.atomic
def wave_update(*, actor: Any, wave: SurveyWave, **changes: Any) -> SurveyWave:
    require(actor, "literacy.wave.manage")
    merged = {f: changes.get(f, getattr(wave, f)) for f in ("name", "year", "max_cv", "min_n")}
    _check_wave(**merged, exclude=wave.pk)
    before = audit.snapshot(wave, WAVE_FIELDS)
    if "instrument" in changes and changes["instrument"] != wave.instrument and wave.has_data:
        raise ValidationFailed("已导入数据的调查轮次不能更换测评工具（题目与数据列已对应）", "instrument")
    for field, value in changes.items():
        setattr(wave, field, value.strip() if isinstance(value, str) else value)
    wave.save()
    after = audit.snapshot(wave, WAVE_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "literacy.wave.update", obj=wave, before=before, after=after)
    for affected in SurveyWave.objects.filter(region=wave.region):
        record_method_changes(affected)
    return wave


def _previous_wave(wave: SurveyWave) -> SurveyWave | None:
    return (SurveyWave.objects.filter(region_id=wave.region_id, year__lt=wave.year)
            .select_related("rule_set").order_by("-year", "-id").first())


def method_difference(previous: SurveyWave, wave: SurveyWave) -> str:
    """What changed in the scoring between two waves, in words; '' when nothing did."""
    old, new = previous.rule_set, wave.rule_set
    if old.kind != new.kind:
        return f"评分口径由“{old.name}”改为“{new.name}”，{wave.year}年起的比例与此前不可直接比较"
    old_params = check_parameters(old.kind, old.parameters)
    new_params = check_parameters(new.kind, new.parameters)
    if old_params != new_params:
        return f"评分参数调整（{old.name} → {new.name}），分数线或未作答处理方式不同"
    return ""


def record_method_changes(wave: SurveyWave) -> MethodChange | None:
    """Keep the wave's method-change note in line with the wave before it."""
    previous = _previous_wave(wave)
    summary = method_difference(previous, wave) if previous is not None else ""
    if not summary:
        MethodChange.objects.filter(wave=wave).delete()
        return None
    change, _ = MethodChange.objects.update_or_create(wave=wave, defaults={"previous_wave": previous,
                                                                          "summary": summary})
    return change


def user_or_none(actor: Any) -> Any:
    """The actor as a user to store on a row, or None for the system."""
    return actor if getattr(actor, "pk", None) and not getattr(actor, "is_system", False) else None


_user = user_or_none


# ---------------------------------------------------------------- population margins

@transaction.atomic
def margins_replace(*, actor: Any, wave: SurveyWave, margins: Mapping[str, Mapping[str, float]],
                    source: str = "") -> int:
    """Set the wave's population totals (variable → level → total), replacing those of the same variables."""
    require(actor, "literacy.margin.manage")
    labels = _level_labels(wave)
    rows = []
    for variable, levels in margins.items():
        if variable not in std.MARGIN_VARIABLES:
            raise ValidationFailed(f"不能按“{variable}”校准权重", "variable")
        for level, total in levels.items():
            if total is None or float(total) < 0:
                raise ValidationFailed(f"{std.DOMAIN_LABELS[variable]}“{labels.get(level, level)}”的人口数须为非负数")
            rows.append(PopulationMargin(wave=wave, variable=variable, level=level,
                                         level_label=labels.get(level, level)[:60], total=round(float(total)),
                                         source=source[:80]))
    before = {m.variable: m.total for m in wave.margins.all()}
    sums = {v: sum(round(float(t)) for t in levels.values()) for v, levels in margins.items() if levels}
    PopulationMargin.objects.filter(wave=wave, variable__in=list(margins)).delete()
    PopulationMargin.objects.bulk_create(rows)
    if len(set(sums.values())) > 1:
        log.info("margins of wave %s have different totals per variable: %s", wave.pk, sums)
    audit.record(actor, "literacy.margin.replace", category=AuditCategory.IMPORT if source else AuditCategory.UPDATE,
                 obj=wave, before={"variables": sorted(before)}, after={"totals": sums},
                 reason=f"人口控制数 {len(rows)} 项" + (f"（{source}）" if source else ""))
    return len(rows)


def _level_labels(wave: SurveyWave) -> dict[str, str]:
    from kepu.org.public import Region

    return {r.code: r.name for r in Region.objects.filter(path__startswith=wave.region.path)}


# ---------------------------------------------------------------- estimation runs

def run_start(*, actor: Any, wave: SurveyWave, inline: bool = False) -> EstimationRun:
    """Queue an estimation of the wave; the page polls its progress. `inline` computes it here and now
    (demo loading, command-line use)."""
    require(actor, "literacy.run.start")
    if not wave.has_data:
        raise ValidationFailed("该调查轮次尚未导入样本数据，无法测算")
    with transaction.atomic():
        SurveyWave.objects.select_for_update().filter(pk=wave.pk).first()  # one start at a time per wave
        # A run still queued or running after an hour was lost with its worker; it no longer blocks.
        recent = timezone.now() - timedelta(hours=1)
        if wave.runs.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING], created_at__gte=recent).exists():
            raise ValidationFailed("该调查轮次已有正在进行的测算，请等待其完成")
        run = EstimationRun.objects.create(wave=wave, requested_by=_user(actor), message="排队等待计算")
        audit.record(actor, "literacy.run.start", category=AuditCategory.CREATE, obj=run,
                     after={"wave": wave.pk, "rule_set": wave.rule_set_id})
    if inline:
        return run_execute(run.pk)
    from kepu.literacy.tasks import estimate_wave

    estimate_wave.enqueue(run.pk)
    run.refresh_from_db()
    return run


def run_execute(run_id: int) -> EstimationRun:
    """The background half of a run: compute everything, then store the estimates in one transaction."""
    from kepu.literacy import runs

    return runs.execute(run_id)


@transaction.atomic
def run_publish(*, actor: Any, run: EstimationRun) -> EstimationRun:
    """Publish a finished run: its figures become the wave's official results (replacing any earlier)."""
    require(actor, "literacy.run.publish")
    run = EstimationRun.objects.select_for_update().get(pk=run.pk)
    if run.status != RunStatus.DONE:
        raise ValidationFailed("只能发布已完成的测算")
    if run.published_at is not None:
        return run
    previous = list(EstimationRun.objects.filter(wave=run.wave_id).exclude(published_at=None).values_list("pk", flat=True))
    EstimationRun.objects.filter(pk__in=previous).update(published_at=None, published_by=None)
    run.published_at, run.published_by = timezone.now(), _user(actor)
    run.save(update_fields=["published_at", "published_by"])
    audit.record(actor, "literacy.run.publish", category=AuditCategory.WORKFLOW, obj=run,
                 before={"published_runs": previous}, after={"published_run": run.pk})
    return run


# ---------------------------------------------------------------- targets

@transaction.atomic
def target_save(*, actor: Any, kind: str, year: int, value: Decimal, source: str = "") -> LiteracyTarget:
    require(actor, "literacy.target.manage")
    if not Decimal(0) < Decimal(value) <= Decimal(100):
        raise ValidationFailed("目标值须在 0—100（%）之间", "value")
    target = LiteracyTarget.objects.filter(kind=kind, year=year).first()
    before = audit.snapshot(target) if target else None
    if target is None:
        target = LiteracyTarget(kind=kind, year=year)
    target.value, target.source = Decimal(value), source
    target.save()
    audit.record(actor, "literacy.target.save", category=AuditCategory.UPDATE if before else AuditCategory.CREATE,
                 obj=target, before=before, after=audit.snapshot(target))
    return target


@transaction.atomic
def target_remove(*, actor: Any, target: LiteracyTarget) -> None:
    require(actor, "literacy.target.manage")
    audit.record(actor, "literacy.target.remove", category=AuditCategory.WITHDRAW, obj=target,
                 before=audit.snapshot(target))
    target.delete()


def ensure_national_targets() -> None:
    for year, value in std.NATIONAL_TARGETS:
        if not LiteracyTarget.objects.filter(kind="national", year=year).exists():
            target_save(actor=SYSTEM, kind="national", year=year, value=Decimal(value),
                        source="《全民科学素质行动规划纲要（2021—2035年）》")
