"""Writes to plans, sections, tasks, their units, indicators and the alert rules."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import require, require_reach
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.registry import indicator_providers
from kepu.core.transitions import save_if_unchanged
from kepu.org.public import Unit
from kepu.plans.models import (
    Aggregation,
    AlertRule,
    Indicator,
    IndicatorSource,
    IndicatorValue,
    Plan,
    PlanSection,
    ProgressReport,
    ReportFigure,
    ReportingPeriod,
    ReportStatus,
    Task,
    TaskUnit,
    UnitRole,
)
from kepu.plans.periods import reporting_periods

PLAN_FIELDS = ("title", "kind", "start_year", "end_year", "reporting_cycle", "reporting_from", "report_due_days",
               "issuer", "document_number", "is_published", "is_archived", "is_default")
TASK_FIELDS = ("title", "number", "deadline", "body", "progress", "section")
RULE_FIELDS = ("yellow_days_before_deadline", "yellow_lag_points", "red_lag_points", "red_when_overdue",
               "red_late_report_days", "participants_report", "remind_days_before", "escalate_after_days",
               "escalation_repeat_days")
INDICATOR_FIELDS = ("name", "unit_of_measure", "baseline", "target", "target_year", "annual", "direction", "source",
                    "provider_code", "aggregation", "allows_negative")


# ---------------------------------------------------------------- plans

def check_plan(*, title: str, start_year: int, end_year: int) -> None:
    if not title.strip():
        raise ValidationFailed("方案名称不能为空", "title")
    if not (2000 <= start_year <= 2100 and 2000 <= end_year <= 2100):
        raise ValidationFailed("年度应在 2000—2100 之间", "start_year")
    if end_year < start_year:
        raise ValidationFailed("截止年度不能早于起始年度", "end_year")
    if end_year - start_year > 15:
        raise ValidationFailed("方案跨度不能超过 15 年", "end_year")


def plan_create(*, actor: Any, title: str, start_year: int, end_year: int, **fields: Any) -> Plan:
    """A plan with its alert rule and reporting periods (the import commit calls this)."""
    require(actor, "plans.plan.change")
    check_plan(title=title, start_year=start_year, end_year=end_year)
    fields.setdefault("reporting_from", datetime.date(start_year, 1, 1))
    plan = Plan.objects.create(title=title.strip(), start_year=start_year, end_year=end_year,
                               created_by=actor if getattr(actor, "pk", None) else None, **fields)
    AlertRule.objects.create(plan=plan)
    sync_periods(plan)
    audit.record(actor, "plans.plan.create", category=AuditCategory.CREATE, obj=plan,
                 after=audit.snapshot(plan, PLAN_FIELDS))
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, reason: str = "", **changes: Any) -> Plan:
    require(actor, "plans.plan.change")
    before = audit.snapshot(plan, PLAN_FIELDS)
    for field, value in changes.items():
        setattr(plan, field, value.strip() if isinstance(value, str) else value)
    check_plan(title=plan.title, start_year=plan.start_year, end_year=plan.end_year)
    plan.save()
    if changes.get("is_default"):
        pin_default_plan(actor=actor, plan=plan)
    if {"reporting_cycle", "start_year", "end_year", "report_due_days"} & set(changes):
        sync_periods(plan)
    after = audit.snapshot(plan, PLAN_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "plans.plan.update", obj=plan, before=before, after=after, reason=reason)
    return plan


def pin_default_plan(*, actor: Any, plan: Plan) -> None:
    """``plan`` becomes the one the dashboard and the home card show by default (only one plan is)."""
    for other in Plan.objects.filter(is_default=True).exclude(pk=plan.pk):
        Plan.objects.filter(pk=other.pk).update(is_default=False)
        audit.record(actor, "plans.plan.update", obj=other, before={"is_default": True}, after={"is_default": False},
                     reason=f"驾驶舱默认方案改为《{plan.title}》")
    if not plan.is_default:
        Plan.objects.filter(pk=plan.pk).update(is_default=True)
        plan.is_default = True
        audit.record(actor, "plans.plan.update", obj=plan, before={"is_default": False}, after={"is_default": True})


def keep_default_plan(*, actor: Any) -> None:
    """Before a new plan is created: pin the plan shown by default now, so the new one does not displace it."""
    if Plan.objects.filter(is_default=True).exists():
        return
    shown = Plan.objects.filter(is_archived=False).order_by("-start_year", "-id").first()
    if shown is not None:
        pin_default_plan(actor=actor, plan=shown)


def sync_periods(plan: Plan) -> None:
    """Make the plan's periods match its cycle and years; periods that already hold reports stay."""
    wanted = {p.start: p for p in reporting_periods(plan.reporting_cycle, plan.start_year, plan.end_year,
                                                     plan.report_due_days)}
    existing = {p.start: p for p in plan.periods.all()}
    stale = [p for start, p in existing.items() if start not in wanted or wanted[start].end != p.end]
    used = ProgressReport.objects.filter(period__in=stale).values_list("period__label", flat=True).distinct()
    if used:
        raise ValidationFailed(f"填报期“{'、'.join(used[:3])}”已有进展填报，不能更改填报周期或缩短年度", "reporting_cycle")
    ReportingPeriod.objects.filter(pk__in=[p.pk for p in stale]).delete()
    for start, spec in wanted.items():
        period = existing.get(start)
        if period is None or period in stale:
            ReportingPeriod.objects.create(plan=plan, label=spec.label, year=spec.year, start=spec.start,
                                           end=spec.end, due_date=spec.due_date)
        elif period.due_date != spec.due_date:
            period.due_date = spec.due_date
            period.save(update_fields=["due_date"])


@transaction.atomic
def alert_rule_update(*, actor: Any, rule: AlertRule, **changes: Any) -> AlertRule:
    require(actor, "plans.plan.change")
    before = audit.snapshot(rule, RULE_FIELDS)
    for field, value in changes.items():
        setattr(rule, field, value)
    if rule.red_lag_points <= rule.yellow_lag_points:
        raise ValidationFailed("红灯阈值应大于黄灯阈值", "red_lag_points")
    rule.save()
    after = audit.snapshot(rule, RULE_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "plans.alert_rule.update", obj=rule.plan, object_repr=f"{rule.plan} 预警规则",
                     before=before, after=after)
    return rule


# ---------------------------------------------------------------- sections and tasks

def section_create(*, actor: Any, plan: Plan, title: str, number: str = "", path: str = "",
                   lead_units: Sequence[Unit] = ()) -> PlanSection:
    require(actor, "plans.plan.change")
    order = (plan.sections.aggregate(m=Max("order"))["m"] or 0) + 1
    section = PlanSection.objects.create(plan=plan, title=title.strip()[:200], number=number, path=path[:300],
                                         order=order)
    section.lead_units.set(lead_units)
    return section


def _unit_snapshot(task: Task) -> dict[str, list[str]]:
    rows = TaskUnit.objects.filter(task=task).select_related("unit").order_by("role", "order")
    return {"lead_units": [r.unit.name for r in rows if r.role == UnitRole.LEAD],
            "participating_units": [r.unit.name for r in rows if r.role == UnitRole.PARTICIPANT]}


def set_task_units(task: Task, lead: Sequence[Unit], participants: Sequence[Unit],
                   written: dict[int, str] | None = None) -> None:
    """Replace a task's units; a unit named both as lead and participant counts as lead."""
    if not lead:
        raise ValidationFailed(f"任务“{task.title[:20]}”须有牵头单位", "lead_units")
    written = written or {}
    rows, seen = [], set()
    for role, units in ((UnitRole.LEAD, lead), (UnitRole.PARTICIPANT, participants)):
        for order, unit in enumerate(units):
            if unit.pk in seen:
                continue
            seen.add(unit.pk)
            rows.append(TaskUnit(task=task, unit=unit, role=role, order=order, written_name=written.get(unit.pk, "")))
    TaskUnit.objects.filter(task=task).delete()
    TaskUnit.objects.bulk_create(rows)


@transaction.atomic
def task_update(*, actor: Any, task: Task, lead_units: Sequence[Unit] | None = None,
                participating_units: Sequence[Unit] | None = None, reason: str = "", edit_token: str = "",
                **changes: Any) -> Task:
    require(actor, "plans.task.change")
    require_reach(actor, "plans.task.change", task)
    before = {**audit.snapshot(task, TASK_FIELDS), **_unit_snapshot(task)}
    for field, value in changes.items():
        setattr(task, field, value.strip() if isinstance(value, str) else value)
    if not task.title:
        raise ValidationFailed("任务名称不能为空", "title")
    if not 0 <= task.progress <= 100:
        raise ValidationFailed("进度应在 0—100 之间", "progress")
    if "progress" in changes and changes["progress"] != before["progress"]:
        task.progress_updated_at = timezone.now()
    save_if_unchanged(task, edit_token, actor=actor, action="plans.task.change")
    if lead_units is not None:
        written = {tu.unit_id: tu.written_name for tu in task.units.all()}
        set_task_units(task, lead_units, participating_units or [], written)
    after = {**audit.snapshot(task, TASK_FIELDS), **_unit_snapshot(task)}
    if audit.diff(before, after):
        audit.record(actor, "plans.task.update", obj=task, before=before, after=after, reason=reason)
    return task


# ---------------------------------------------------------------- indicators

@transaction.atomic
def indicator_update(*, actor: Any, indicator: Indicator, **changes: Any) -> Indicator:
    require(actor, "plans.indicator.change")
    before = audit.snapshot(indicator, INDICATOR_FIELDS)
    for field, value in changes.items():
        setattr(indicator, field, value.strip() if isinstance(value, str) else value)
    if not indicator.name:
        raise ValidationFailed("指标名称不能为空", "name")
    if indicator.source == IndicatorSource.PROVIDER and indicator.provider_code not in indicator_providers():
        raise ValidationFailed("请选择平台数据项", "provider_code")
    if indicator.source != IndicatorSource.PROVIDER:
        indicator.provider_code = ""
    indicator.save()
    after = audit.snapshot(indicator, INDICATOR_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "plans.indicator.update", obj=indicator, before=before, after=after)
    indicator_refresh(indicator=indicator)
    return indicator


def check_indicator_value(indicator: Indicator, value: Decimal | None, field: str) -> None:
    """Refuse a negative figure for an indicator that cannot be negative (a count, an amount, a share)."""
    if value is not None and value < 0 and not indicator.allows_negative:
        raise ValidationFailed(f"指标「{indicator.name}」不能为负数（填写了 {value.normalize():f}）", field)


@transaction.atomic
def indicator_record_value(*, actor: Any, indicator: Indicator, year: int, value: Decimal) -> IndicatorValue:
    """A value entered by the office for an indicator whose data kepu does not have."""
    require(actor, "plans.indicator.change")
    if not 2000 <= year <= 2100:
        raise ValidationFailed("年度应在 2000—2100 之间", "year")
    check_indicator_value(indicator, value, "value")
    row, _ = IndicatorValue.objects.update_or_create(
        indicator=indicator, year=year, source=IndicatorSource.MANUAL, period=None,
        defaults={"value": value, "recorded_by": actor if getattr(actor, "pk", None) else None})
    audit.record(actor, "plans.indicator.value", category=AuditCategory.UPDATE, obj=indicator,
                 after={"year": year, "value": value})
    indicator_refresh(indicator=indicator)
    return row


def indicator_refresh(*, indicator: Indicator, today: datetime.date | None = None) -> Indicator:
    """Bring the indicator's actual value up to date from its source (no actor: derived data)."""
    today = today or timezone.localdate()
    if indicator.source == IndicatorSource.PROVIDER:
        _pull_provider(indicator, today)
    elif indicator.source == IndicatorSource.REPORTS:
        _pull_reports(indicator)
    latest = (IndicatorValue.objects.filter(indicator=indicator, source=indicator.source)
              .order_by("-year", "-period__start").select_related("period").first())
    if latest is None:
        indicator.actual_value, indicator.actual_label = None, ""
    else:
        indicator.actual_value = latest.value
        indicator.actual_label = latest.period.label if latest.period_id else f"{latest.year}年"
    indicator.actual_updated_at = timezone.now()
    indicator.save(update_fields=["actual_value", "actual_label", "actual_updated_at"])
    return indicator


def _pull_provider(indicator: Indicator, today: datetime.date) -> None:
    provider = indicator_providers().get(indicator.provider_code)
    if provider is None:
        return
    plan = indicator.plan
    for year in range(plan.start_year, min(plan.end_year, today.year) + 1):
        value = provider.value(year)
        if value is None:
            continue
        IndicatorValue.objects.update_or_create(indicator=indicator, year=year, source=IndicatorSource.PROVIDER,
                                                period=None, defaults={"value": Decimal(value)})


def _pull_reports(indicator: Indicator) -> None:
    """One value per period from the approved reports' figures (latest unit's, or all units' sum)."""
    figures = (ReportFigure.objects.filter(indicator=indicator, report__status=ReportStatus.APPROVED)
               .select_related("report__period").order_by("report__period__start", "report__reviewed_at"))
    by_period: dict[int, tuple[ReportingPeriod, Decimal]] = {}
    for figure in figures:
        period = figure.report.period
        if indicator.aggregation == Aggregation.SUM and period.pk in by_period:
            by_period[period.pk] = (period, by_period[period.pk][1] + figure.value)
        else:
            by_period[period.pk] = (period, figure.value)
    IndicatorValue.objects.filter(indicator=indicator, source=IndicatorSource.REPORTS).exclude(
        period_id__in=list(by_period)).delete()
    for period, value in by_period.values():
        IndicatorValue.objects.update_or_create(indicator=indicator, period=period, source=IndicatorSource.REPORTS,
                                                defaults={"value": value, "year": period.year})
