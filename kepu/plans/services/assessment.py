"""Assessment (目标管理考核): a year's rubric, scores per member unit — auto items from the ledger's own
data, manual items by the office with an evidence note — grade bands, and publication.

Published means final. Publishing copies the ranked list into an immutable version (第1版,
AssessmentPublication + PublishedScore); whatever happens to the live scores afterwards (re-scoring,
new units, new data, adjustments) changes nothing published. A correction is the next version, with
its reason. Only member units with a task in the assessed plan are scored; an item without data
scores 0 (缺数据), never full marks. Scores have legal weight: withdrawn with a reason, never deleted.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import transaction
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import require
from kepu.core.errors import ValidationFailed, WorkflowError
from kepu.core.models import AuditCategory
from kepu.core.transitions import transition
from kepu.org.public import Unit, member_units
from kepu.plans import selectors
from kepu.plans.indicators import completion_of
from kepu.plans.models import (
    AlertLevel,
    Assessment,
    AssessmentItemScore,
    AssessmentPublication,
    AssessmentRubric,
    AutoMetric,
    Grade,
    Indicator,
    Plan,
    ProgressReport,
    PublishedScore,
    ReportingPeriod,
    ReportStatus,
    RubricItem,
    RubricStatus,
    Task,
    TaskUnit,
    UnitRole,
)
from kepu.plans.services.base import liaisons_of, tell
from kepu.plans.states import RUBRIC_TRANSITIONS, next_status

RUBRIC_FIELDS = ("year", "title", "excellent_min", "good_min", "pass_min", "status")
TWO = Decimal("0.01")
MISSING = "缺数据"

DEFAULT_ITEMS = (
    ("进展按时报送", "应报进展中按时（截止日前）首次提交的比例 × 分值", Decimal(20), AutoMetric.ON_TIME, False),
    ("进展审核通过", "经纲要办审核的进展中审核通过的比例 × 分值", Decimal(10), AutoMetric.APPROVED, False),
    ("目标指标完成", "牵头任务所含指标的平均完成度 × 分值", Decimal(30), AutoMetric.INDICATORS, False),
    ("任务推进情况", "牵头任务中绿灯任务的比例 × 分值", Decimal(20), AutoMetric.GREEN, False),
    ("工作机制与特色亮点", "组织领导、经费保障、宣传报道、特色做法等，由纲要办依据佐证材料评分", Decimal(20), "", True),
)


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def rubric_create(*, actor: Any, plan: Plan, year: int, title: str = "", default_items: bool = True,
                  **bands: Decimal) -> AssessmentRubric:
    require(actor, "plans.assessment.manage")
    if not plan.start_year <= year <= plan.end_year + 1:
        raise ValidationFailed(f"考核年度应在方案年度（{plan.years_label}）之内", "year")
    if AssessmentRubric.objects.filter(plan=plan, year=year).exists():
        raise ValidationFailed(f"{year} 年度的考核细则已存在", "year")
    rubric = AssessmentRubric(plan=plan, year=year, created_by=_person(actor),
                              title=title.strip() or f"{year}年度全民科学素质工作目标管理考核", **bands)
    _check_bands(rubric)
    rubric.save()
    if default_items:
        RubricItem.objects.bulk_create([
            RubricItem(rubric=rubric, order=i, title=t, description=d, points=p, auto_metric=m, evidence_required=e)
            for i, (t, d, p, m, e) in enumerate(DEFAULT_ITEMS, start=1)])
    audit.record(actor, "plans.assessment.rubric_create", category=AuditCategory.CREATE, obj=rubric,
                 after=audit.snapshot(rubric, RUBRIC_FIELDS))
    return rubric


def _check_bands(rubric: AssessmentRubric) -> None:
    if not (Decimal(0) <= rubric.pass_min < rubric.good_min < rubric.excellent_min <= Decimal(100)):
        raise ValidationFailed("等次分数线应满足：0 ≤ 合格 < 良好 < 优秀 ≤ 100", "excellent_min")


def _editable(rubric: AssessmentRubric) -> None:
    next_status(RUBRIC_TRANSITIONS, "edit", rubric.status)


@transaction.atomic
def item_save(*, actor: Any, rubric: AssessmentRubric, item: RubricItem | None = None, title: str,
              points: Decimal, auto_metric: str = "", evidence_required: bool = False,
              description: str = "") -> RubricItem:
    """Add an item to a rubric, or change one, while the rubric is not yet published."""
    require(actor, "plans.assessment.manage")
    _editable(rubric)
    if not title.strip():
        raise ValidationFailed("请填写考核项目名称", "title")
    if not Decimal(0) < points <= Decimal(100):
        raise ValidationFailed("分值应大于 0 且不超过 100", "points")
    if auto_metric and auto_metric not in AutoMetric.values:
        raise ValidationFailed("自动计分依据不正确", "auto_metric")
    item = item or RubricItem(rubric=rubric, order=rubric.items.count() + 1)
    before = audit.snapshot(item) if item.pk else None
    item.title, item.points, item.auto_metric = title.strip(), points, auto_metric
    item.evidence_required, item.description = evidence_required, description.strip()
    item.save()
    audit.record(actor, "plans.assessment.item_save", category=AuditCategory.UPDATE if before else AuditCategory.CREATE,
                 obj=rubric, object_repr=f"{rubric}：{item.title}", before=before, after=audit.snapshot(item))
    return item


# ---------------------------------------------------------------- computing scores

@dataclass
class _YearData:
    lead_tasks: dict[int, list[int]]  # unit → its lead tasks in the plan
    required_periods: list[ReportingPeriod]
    reports: list[tuple[int, int, int, str, datetime.datetime | None, int]]  # task, unit, period, status,
    # first submitted, times returned
    completion_by_task: dict[int, list[Decimal]]
    level_by_task: dict[int, str]


def _year_data(rubric: AssessmentRubric, today: datetime.date) -> _YearData:
    plan = rubric.plan
    lead_tasks: dict[int, list[int]] = defaultdict(list)
    for task_id, unit_id in TaskUnit.objects.filter(task__plan=plan, role=UnitRole.LEAD).values_list("task_id", "unit_id"):
        lead_tasks[unit_id].append(task_id)
    periods = list(ReportingPeriod.objects.filter(plan=plan, year=rubric.year, due_date__lt=today,
                                                  end__gte=plan.reporting_from))
    reports = list(ProgressReport.objects.filter(task__plan=plan, period__year=rubric.year).values_list(
        "task_id", "unit_id", "period_id", "status", "first_submitted_at", "times_returned"))
    completion: dict[int, list[Decimal]] = defaultdict(list)
    for indicator in Indicator.objects.filter(plan=plan, task__isnull=False).only(
            "task_id", "actual_value", "target", "baseline", "direction"):
        value = completion_of(indicator.actual_value, indicator.target, indicator.baseline, indicator.direction)
        completion[indicator.task_id].append(value if value is not None else Decimal(0))
    levels = dict(Task.objects.filter(plan=plan).values_list("id", "alert_level"))
    return _YearData(lead_tasks, periods, reports, completion, levels)


def _metric(metric: str, unit_id: int, data: _YearData) -> tuple[Decimal | None, str]:
    """(rate 0–1 or None when nothing applies, basis text)."""
    tasks = set(data.lead_tasks.get(unit_id, []))
    if metric == AutoMetric.ON_TIME:
        due = {p.pk: p.due_date for p in data.required_periods}
        first = {(t, p): f for t, u, p, _s, f, _r in data.reports if u == unit_id}
        required = [(t, p) for t in tasks for p in due]
        on_time = sum(1 for key in required
                      if first.get(key) and timezone.localdate(first[key]) <= due[key[1]])
        return _rate(on_time, len(required), "应报 {d} 份，按时 {n} 份")
    if metric == AutoMetric.APPROVED:
        # Reports the office has reviewed at least once; one still waiting for its first review does not count.
        reviewed = [s for _t, u, _p, s, _f, r in data.reports
                    if u == unit_id and (s in (ReportStatus.APPROVED, ReportStatus.RETURNED) or r)]
        return _rate(sum(1 for s in reviewed if s == ReportStatus.APPROVED), len(reviewed), "已审核 {d} 份，通过 {n} 份")
    if metric == AutoMetric.INDICATORS:
        values = [v for t in tasks for v in data.completion_by_task.get(t, [])]
        if not values:
            return None, "牵头任务无量化指标"
        mean = sum(values) / len(values)
        return mean, f"{len(values)} 个指标平均完成度 {mean * 100:.1f}%"
    green = sum(1 for t in tasks if data.level_by_task.get(t) == AlertLevel.GREEN)
    return _rate(green, len(tasks), "牵头任务 {d} 项，绿灯 {n} 项")


def _rate(numerator: int, denominator: int, text: str) -> tuple[Decimal | None, str]:
    if not denominator:
        return None, "无适用数据"
    return Decimal(numerator) / Decimal(denominator), text.format(n=numerator, d=denominator)


def grade_for(total: Decimal, full: Decimal, rubric: AssessmentRubric) -> str:
    score = total * 100 / full if full else Decimal(0)
    if score >= rubric.excellent_min:
        return Grade.EXCELLENT
    if score >= rubric.good_min:
        return Grade.GOOD
    if score >= rubric.pass_min:
        return Grade.PASS
    return Grade.FAIL


def _score_unit(rubric: AssessmentRubric, items: list[RubricItem], unit: Unit, assessment: Assessment,
                data: _YearData) -> None:
    existing = {s.item_id: s for s in assessment.item_scores.all()}
    for item in items:
        score = existing.get(item.pk) or AssessmentItemScore(assessment=assessment, item=item)
        if item.auto_metric:
            rate, basis = _metric(item.auto_metric, unit.pk, data)
            # No data is not a score: the item earns nothing and says 缺数据 (never full marks).
            score.rate = rate.quantize(Decimal("0.0001")) if rate is not None else None
            score.points = (item.points * (rate or Decimal(0))).quantize(TWO, ROUND_HALF_UP)
            score.basis = basis if rate is not None else f"{basis}，{MISSING}"
            score.scored_at = timezone.now()
        elif not score.pk:
            score.basis = "待纲要办评分"
        score.save()


def _totals(rubric: AssessmentRubric) -> None:
    full = rubric.items.aggregate(s=Sum("points"))["s"] or Decimal(0)
    live = list(Assessment.objects.filter(rubric=rubric, withdrawn_at=None)
                .annotate(sum_points=Sum("item_scores__points")))
    for assessment in live:
        assessment.total = (assessment.sum_points or Decimal(0)).quantize(TWO)
        assessment.grade = grade_for(assessment.total, full, rubric)
    live.sort(key=lambda a: -a.total)
    for rank, assessment in enumerate(live, start=1):
        assessment.rank = rank
    Assessment.objects.bulk_update(live, ["total", "grade", "rank", "updated_at"])


def assessed_units(plan: Plan) -> list[Unit]:
    """The units a rubric scores: active member units with at least one task (lead or participant) in
    the plan — a unit the plan gives nothing to do has nothing to be assessed on. A task that all
    member units share (各成员单位共同负责) gives every member unit a task."""
    members = selectors.assigned_units(plan).filter(pk__in=member_units().values("pk"))
    return list(members.order_by("sort_order", "id"))


def _withdraw_unassessed(actor: Any, rubric: AssessmentRubric, units: list[Unit]) -> None:
    """Before publication, a live score of a unit no longer assessed (its tasks moved) is withdrawn."""
    keep = {u.pk for u in units}
    for stale in Assessment.objects.filter(rubric=rubric, withdrawn_at=None).exclude(unit_id__in=keep):
        transition(stale, to=timezone.now(), status_field="withdrawn_at", actor=actor,
                   action="plans.assessment.withdraw", withdrawal_reason=NOT_ASSESSED_REASON)
        audit.record(actor, "plans.assessment.withdraw", category=AuditCategory.WITHDRAW, obj=stale,
                     reason=NOT_ASSESSED_REASON)


NOT_ASSESSED_REASON = "该单位在考核依据方案中无任务，不参与考核"


@transaction.atomic
def rubric_compute(*, actor: Any, rubric: AssessmentRubric, today: datetime.date | None = None) -> int:
    """Score every assessed unit (see assessed_units). Before publication all live scores are
    recomputed; after it, only units without a live score get one (a correction in the making: nothing
    published changes until a correction is published)."""
    require(actor, "plans.assessment.manage")
    items = list(rubric.items.all())
    if not items:
        raise ValidationFailed("请先添加考核项目", "items")
    published = rubric.status == RubricStatus.PUBLISHED
    data = _year_data(rubric, today or timezone.localdate())
    units = assessed_units(rubric.plan)
    if not published:
        _withdraw_unassessed(actor, rubric, units)
    live = {a.unit_id: a for a in Assessment.objects.filter(rubric=rubric, withdrawn_at=None)}
    scored = 0
    for unit in units:
        if published and unit.pk in live:
            continue
        assessment = live.get(unit.pk) or Assessment.objects.create(rubric=rubric, unit=unit)
        _score_unit(rubric, items, unit, assessment, data)
        scored += 1
    _totals(rubric)
    rubric.computed_at = timezone.now()
    rubric.save(update_fields=["computed_at", "updated_at"])
    audit.record(actor, "plans.assessment.compute", category=AuditCategory.SYSTEM, obj=rubric,
                 reason=f"计分单位 {scored} 个")
    return scored


def can_adjust(assessment: Assessment) -> bool:
    rubric = assessment.rubric
    if assessment.is_withdrawn:
        return False
    return rubric.status == RubricStatus.DRAFT or (rubric.published_at is not None
                                                     and assessment.created_at > rubric.published_at)


@transaction.atomic
def score_adjust(*, actor: Any, assessment: Assessment, item: RubricItem, points: Decimal,
                 note: str) -> AssessmentItemScore:
    """The office scores a manual item, with the evidence it relied on."""
    require(actor, "plans.assessment.manage")
    if not can_adjust(assessment):
        raise WorkflowError("考核结果已发布，不能修改；如有错误请撤销该结果、重新计分后发布更正")
    if item.rubric_id != assessment.rubric_id or item.auto_metric:
        raise ValidationFailed("只能调整本细则中的人工评分项目", "item")
    if not Decimal(0) <= points <= item.points:
        raise ValidationFailed(f"得分应在 0—{item.points} 之间", "points")
    if item.evidence_required and not note.strip():
        raise ValidationFailed("该项目须填写评分依据及佐证说明", "note")
    score, _ = AssessmentItemScore.objects.get_or_create(assessment=assessment, item=item)
    before = {"points": score.points, "note": score.note}
    score.points, score.note, score.basis = points, note.strip(), "纲要办评分"
    score.scored_by, score.scored_at = _person(actor), timezone.now()
    score.save()
    _totals(assessment.rubric)
    audit.record(actor, "plans.assessment.adjust", obj=assessment, object_repr=f"{assessment}：{item.title}",
                 before=before, after={"points": points, "note": note.strip()}, reason=note.strip())
    return score


def _publishable(rubric: AssessmentRubric) -> list[Assessment]:
    """The live scores, ranked, once every manual item is scored."""
    live = Assessment.objects.filter(rubric=rubric, withdrawn_at=None)
    if not live.exists():
        raise ValidationFailed("尚未计分，不能发布", "status")
    unscored = AssessmentItemScore.objects.filter(assessment__in=live, item__auto_metric="", scored_at=None).count()
    if unscored:
        raise ValidationFailed(f"还有 {unscored} 个人工评分项目未评分，不能发布", "status")
    return list(live.select_related("unit").prefetch_related("item_scores").order_by("rank", "unit__sort_order"))


def _freeze(rubric: AssessmentRubric, live: list[Assessment], *, actor: Any, reason: str) -> AssessmentPublication:
    """Copy the ranked list as it is now into version `rubric.published_version` (never changed again)."""
    items = list(rubric.items.all())
    publication = AssessmentPublication.objects.create(
        rubric=rubric, number=rubric.published_version, reason=reason, published_by=_person(actor),
        published_at=rubric.published_at, full_points=sum((i.points for i in items), Decimal(0)),
        items=[{"title": i.title, "points": str(i.points), "auto": bool(i.auto_metric)} for i in items])
    rows = []
    for assessment in live:
        by_item = {s.item_id: s for s in assessment.item_scores.all()}
        rows.append(PublishedScore(
            publication=publication, assessment=assessment, unit=assessment.unit, unit_name=assessment.unit.name,
            rank=assessment.rank or 0, total=assessment.total, grade=assessment.grade,
            items=[_frozen_item(item, by_item.get(item.pk)) for item in items]))
    PublishedScore.objects.bulk_create(rows)
    return publication


def _frozen_item(item: RubricItem, score: AssessmentItemScore | None) -> dict[str, Any]:
    missing = score is None or (bool(item.auto_metric) and score.rate is None)
    return {"title": item.title, "points": str(score.points if score else Decimal(0)), "missing": missing,
            "basis": score.basis if score else MISSING}


@transaction.atomic
def rubric_publish(*, actor: Any, rubric: AssessmentRubric) -> AssessmentPublication:
    """Publish the results as 第1版: frozen from now on, and listed on the public portal."""
    require(actor, "plans.assessment.manage")
    live = _publishable(rubric)
    transition(rubric, to=1, status_field="published_version", actor=actor, action="plans.assessment.publish",
               status=next_status(RUBRIC_TRANSITIONS, "publish", rubric.status), published_at=timezone.now())
    publication = _freeze(rubric, live, actor=actor, reason="")
    audit.record(actor, "plans.assessment.publish", category=AuditCategory.WORKFLOW, obj=rubric,
                 after={"version": 1, "units": len(live)}, reason=f"发布 {len(live)} 个单位的考核结果（第1版）")
    tell(liaisons_of([a.unit_id for a in live]), title=f"考核结果已发布：{rubric.title}",
         kind="plans.assessment", link=reverse("plans:rubric_detail", args=[rubric.pk]))
    return publication


@transaction.atomic
def rubric_correct(*, actor: Any, rubric: AssessmentRubric, reason: str) -> AssessmentPublication:
    """Publish a correction: the live scores as they are now become the next version, with its reason.
    Earlier versions stay as they were, readable in the history. Of two corrections made at once from
    the same version, one wins; the other is told 已被他人处理."""
    require(actor, "plans.assessment.manage")
    if not reason.strip():
        raise ValidationFailed("发布更正须填写更正原因", "reason")
    status = next_status(RUBRIC_TRANSITIONS, "correct", rubric.status)
    live = _publishable(rubric)
    previous = rubric.published_version
    transition(rubric, to=previous + 1, status_field="published_version", actor=actor,
               action="plans.assessment.correct", status=status, published_at=timezone.now())
    publication = _freeze(rubric, live, actor=actor, reason=reason.strip())
    audit.record(actor, "plans.assessment.correct", category=AuditCategory.WORKFLOW, obj=rubric,
                 before={"version": previous}, after={"version": publication.number, "units": len(live)},
                 reason=reason.strip())
    tell(liaisons_of([a.unit_id for a in live]), title=f"考核结果已更正（第{publication.number}版）：{rubric.title}",
         kind="plans.assessment", link=reverse("plans:rubric_detail", args=[rubric.pk]))
    return publication


@transaction.atomic
def assessment_withdraw(*, actor: Any, assessment: Assessment, reason: str) -> Assessment:
    """Withdraw a score with its reason (scores are never deleted)."""
    require(actor, "plans.assessment.manage")
    if assessment.is_withdrawn:
        raise WorkflowError("该考核结果已撤销")
    if not reason.strip():
        raise ValidationFailed("撤销须填写原因", "reason")
    # Not withdrawn as read → withdrawn, in one conditional UPDATE (two withdrawals cannot both count).
    transition(assessment, to=timezone.now(), status_field="withdrawn_at", actor=actor,
               action="plans.assessment.withdraw", withdrawn_by=_person(actor), withdrawal_reason=reason.strip())
    _totals(assessment.rubric)
    audit.record(actor, "plans.assessment.withdraw", category=AuditCategory.WITHDRAW, obj=assessment,
                 before={"total": assessment.total, "grade": assessment.grade}, reason=reason.strip())
    return assessment
