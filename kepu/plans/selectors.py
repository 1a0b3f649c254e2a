"""Reads of the plan ledger — every list, count, chart, export and API answer goes through these, and
each goes through the user's data scope (kepu.core.access)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Prefetch, Q, QuerySet
from django.utils import timezone

from kepu.core.access import access_object, can, scoped
from kepu.org.public import Unit, member_units
from kepu.plans.models import (
    Assessment,
    AssessmentPublication,
    AssessmentRubric,
    Indicator,
    Plan,
    PlanImportDraft,
    PlanSection,
    ProgressReport,
    PublishedScore,
    ReportEvent,
    ReportEvidence,
    ReportingPeriod,
    ReportStatus,
    RubricStatus,
    SupervisionOrder,
    Task,
    TaskUnit,
    UnitRole,
)


def _in_scope[M: Any](model: type[M], user: Any, action: str) -> QuerySet[M]:
    """The model's rows the user reaches, as a plain filter (no DISTINCT to trip over aggregates)."""
    return model._default_manager.filter(pk__in=scoped(model._default_manager.all(), user, action).values("pk"))


# ---------------------------------------------------------------- plans

def plan_list(*, user: Any, include_archived: bool = True) -> QuerySet[Plan]:
    plans = _in_scope(Plan, user, "plans.plan.view")
    return plans if include_archived else plans.filter(is_archived=False)


def plan_detail(*, user: Any, plan_id: int, action: str = "plans.plan.view") -> Plan:
    return access_object(Plan.objects.all(), user, action, pk=plan_id)


def current_plan(*, user: Any, plan_id: int | str | None = None) -> Plan | None:
    """The plan a page is about: the one asked for if the user reaches it, else the newest current one."""
    plans = plan_list(user=user)
    if plan_id and str(plan_id).isdigit():
        chosen = plans.filter(pk=int(plan_id)).first()
        if chosen is not None:
            return chosen
    return plans.filter(is_archived=False).order_by("-is_default", "-start_year", "-id").first() or plans.first()


def plan_sections(plan: Plan) -> QuerySet[PlanSection]:
    return plan.sections.order_by("order")


# ---------------------------------------------------------------- who answers for a task
# A task names its lead and participating units (TaskUnit); a task “各成员单位共同负责” (all_members) is
# also assigned to every active member unit of the leading group, and to no other unit — read at the
# time of asking, so a unit that joins or leaves the group gains or loses those tasks at once. Every
# list, filter, count, report, 督办单 and the assessment asks these functions, never TaskUnit alone.

def tasks_of_unit_q(unit_id: int, *, lead_only: bool = False) -> Q:
    """A filter of tasks the unit answers for: named on them, or sharing them as an active member unit."""
    named = TaskUnit.objects.filter(unit_id=unit_id)
    if lead_only:
        return Q(pk__in=named.filter(role=UnitRole.LEAD).values("task_id"))
    return Q(pk__in=named.values("task_id")) | Q(Q(all_members=True), Exists(member_units().filter(pk=unit_id)))


def is_assigned(task: Task, unit_id: int | None) -> bool:
    """Whether the unit answers for the task (may report on it, may receive its 督办单)."""
    return unit_id is not None and Task.objects.filter(tasks_of_unit_q(unit_id), pk=task.pk).exists()


def sharing_members(task: Task) -> QuerySet[Unit]:
    """The member units a shared task is assigned to beyond those it names (none if not shared)."""
    if not task.all_members:
        return Unit.objects.none()
    return member_units().exclude(task_roles__task=task).order_by("sort_order", "name")


def responsible_units(task: Task) -> QuerySet[Unit]:
    """Every unit the task is assigned to: named ones and, for a shared task, the member units."""
    named = Q(pk__in=TaskUnit.objects.filter(task=task).values("unit_id"))
    shared = Q(pk__in=member_units().values("pk")) if task.all_members else Q(pk__in=[])
    return Unit.objects.filter(named | shared).order_by("sort_order", "name")


def assigned_pairs(tasks: QuerySet[Task], *, participants: bool = True) -> list[tuple[int, int, str, str]]:
    """(task, unit, role, unit label) of every assignment of the tasks: named lead units, named
    participants (if asked) and the member units sharing a shared task (as participants)."""
    named = TaskUnit.objects.filter(task__in=tasks.values("pk")).select_related("unit")
    if not participants:
        named = named.filter(role=UnitRole.LEAD)
    pairs = [(tu.task_id, tu.unit_id, tu.role, tu.unit.label) for tu in named.order_by("task_id", "role", "order")]
    if participants:
        seen = {(t, u) for t, u, _r, _l in pairs}
        members = list(member_units().select_related(None).only("id", "name", "short_name").order_by("sort_order", "name"))
        for task_id in tasks.filter(all_members=True).values_list("pk", flat=True):
            pairs += [(task_id, m.pk, UnitRole.PARTICIPANT, m.label) for m in members if (task_id, m.pk) not in seen]
    return pairs


def assigned_units(plan: Plan) -> QuerySet[Unit]:
    """The units with at least one task of the plan (named, or sharing a shared task)."""
    return Unit.objects.filter(_units_of_tasks_q(Task.objects.filter(plan=plan)))


def _units_of_tasks_q(tasks: QuerySet[Task]) -> Q:
    """A filter of the units some of the tasks are assigned to, in the one query that uses it."""
    named = Q(pk__in=TaskUnit.objects.filter(task__in=tasks.values("pk")).values("unit_id"))
    sharing = Q(Exists(tasks.filter(all_members=True)), pk__in=member_units().values("pk"))
    return named | sharing


# ---------------------------------------------------------------- tasks (the ledger)

@dataclass(frozen=True)
class TaskFilters:
    plan: int | None = None
    section: int | None = None
    unit: int | None = None
    role: str = ""  # "lead" = the unit leads the task; otherwise lead or participant
    light: str = ""  # green / yellow / red / none
    q: str = ""
    overdue: bool = False


def _units_prefetch() -> Prefetch:
    return Prefetch("units", queryset=TaskUnit.objects.select_related("unit").order_by("role", "order"))


def task_list(*, user: Any, filters: TaskFilters | None = None, action: str = "plans.task.view") -> QuerySet[Task]:
    f = filters or TaskFilters()
    tasks = _in_scope(Task, user, action)
    if f.plan:
        tasks = tasks.filter(plan_id=f.plan)
    if f.section:
        tasks = tasks.filter(section_id=f.section)
    if f.unit:
        tasks = tasks.filter(tasks_of_unit_q(f.unit, lead_only=f.role == UnitRole.LEAD))
    if f.light in ("green", "yellow", "red"):
        tasks = tasks.filter(alert_level=f.light)
    elif f.light == "none":
        tasks = tasks.filter(alert_level="")
    if f.q:
        tasks = tasks.filter(Q(title__contains=f.q) | Q(body__contains=f.q) | Q(number=f.q))
    if f.overdue:
        today = timezone.localdate()
        tasks = tasks.filter(Q(deadline__lt=today) | Q(deadline=None, plan__end_year__lt=today.year),
                             progress__lt=100)
    return (tasks.select_related("section", "plan").prefetch_related(_units_prefetch())
            .order_by("plan__start_year", "plan_id", "order"))


def task_detail(*, user: Any, task_id: int, action: str = "plans.task.view") -> Task:
    return access_object(Task.objects.select_related("section", "plan", "plan__alert_rule")
                         .prefetch_related(_units_prefetch()), user, action, pk=task_id)


def unit_choices(*, user: Any, plan: Plan | None = None) -> QuerySet[Unit]:
    """Units that answer for tasks the user sees (for filters), member units sharing a shared task too."""
    tasks = task_list(user=user, filters=TaskFilters(plan=plan.pk if plan else None))
    return (Unit.objects.filter(_units_of_tasks_q(tasks)).only("id", "name", "short_name", "sort_order")
            .order_by("sort_order", "name"))


# ---------------------------------------------------------------- reports

@dataclass(frozen=True)
class ReportFilters:
    status: str = ""
    plan: int | None = None
    period: int | None = None
    unit: int | None = None
    task: int | None = None


def report_list(*, user: Any, filters: ReportFilters | None = None,
                action: str = "plans.report.view") -> QuerySet[ProgressReport]:
    f = filters or ReportFilters()
    reports = visible_reports(user, action)
    if f.status:
        reports = reports.filter(status=f.status)
    if f.plan:
        reports = reports.filter(task__plan_id=f.plan)
    if f.period:
        reports = reports.filter(period_id=f.period)
    if f.unit:
        reports = reports.filter(unit_id=f.unit)
    if f.task:
        reports = reports.filter(task_id=f.task)
    return (reports.select_related("task", "task__section", "unit", "period", "submitted_by")
            .order_by("-submitted_at", "-updated_at", "-id"))


def visible_reports(user: Any, action: str = "plans.report.view") -> QuerySet[ProgressReport]:
    """Reports in scope; a draft is the reporting unit's own work and nobody else's to read."""
    return _in_scope(ProgressReport, user, action).exclude(
        Q(status=ReportStatus.DRAFT) & ~Q(unit_id=getattr(user, "unit_id", None)))


def report_detail(*, user: Any, report_id: int, action: str = "plans.report.view") -> ProgressReport:
    return access_object(
        ProgressReport.objects.exclude(Q(status=ReportStatus.DRAFT) & ~Q(unit_id=getattr(user, "unit_id", None)))
        .select_related("task", "task__plan", "task__section", "unit", "period",
                                              "submitted_by", "reviewed_by")
        .prefetch_related("evidence", "figures__indicator", "events"), user, action, pk=report_id)


def report_events(*, user: Any, task: Task) -> QuerySet[ReportEvent]:
    """A task's reporting history, as far as the user may see it (a liaison: the own unit's)."""
    return (_in_scope(ReportEvent, user, "plans.report.view").filter(report__task=task)
            .filter(report__in=visible_reports(user))
            .select_related("report__period", "report__unit").order_by("-created_at", "-id"))


def evidence_detail(*, user: Any, evidence_id: int) -> ReportEvidence:
    return access_object(ReportEvidence.objects.select_related("report"), user, "plans.report.view", pk=evidence_id)


def own_report(*, user: Any, task: Task, period: ReportingPeriod) -> ProgressReport | None:
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None:
        return None
    return (ProgressReport.objects.filter(task=task, period=period, unit_id=unit_id)
            .prefetch_related("evidence", "figures").first())


# ---------------------------------------------------------------- indicators

def indicator_list(*, user: Any, plan: Plan | None = None) -> QuerySet[Indicator]:
    indicators = _in_scope(Indicator, user, "plans.indicator.view")
    if plan is not None:
        indicators = indicators.filter(plan=plan)
    return indicators.select_related("task", "plan").order_by("plan_id", "task__order", "order", "id")


def indicator_detail(*, user: Any, indicator_id: int) -> Indicator:
    return access_object(Indicator.objects.select_related("task", "plan"), user, "plans.indicator.view",
                         pk=indicator_id)


# ---------------------------------------------------------------- supervision orders

def order_list(*, user: Any, status: str = "", task: Task | None = None) -> QuerySet[SupervisionOrder]:
    orders = _in_scope(SupervisionOrder, user, "plans.order.view")
    if status:
        orders = orders.filter(status=status)
    if task is not None:
        orders = orders.filter(task=task)
    return orders.select_related("task", "unit", "issued_by").order_by("-issued_at", "-id")


def order_detail(*, user: Any, order_id: int) -> SupervisionOrder:
    return access_object(SupervisionOrder.objects.select_related("task", "task__plan", "unit", "issued_by",
                                                                 "signed_by", "answered_by", "closed_by"),
                         user, "plans.order.view", pk=order_id)


# ---------------------------------------------------------------- assessment

def rubric_list(*, user: Any) -> QuerySet[AssessmentRubric]:
    return _in_scope(AssessmentRubric, user, "plans.assessment.view").select_related("plan").order_by("-year", "-id")


def rubric_detail(*, user: Any, rubric_id: int) -> AssessmentRubric:
    return access_object(AssessmentRubric.objects.select_related("plan"), user, "plans.assessment.view",
                         pk=rubric_id)


def assessment_list(*, user: Any, rubric: AssessmentRubric, include_withdrawn: bool = False) -> QuerySet[Assessment]:
    """The office's working scores under a rubric, in the user's scope. Only those who score see them:
    everyone else reads a published version (published_scores), which the working scores never change."""
    scores = _in_scope(Assessment, user, "plans.assessment.view").filter(rubric=rubric)
    if not can(user, "plans.assessment.manage"):
        return scores.none()
    if not include_withdrawn:
        scores = scores.filter(withdrawn_at=None)
    return (scores.select_related("unit", "withdrawn_by")
            .prefetch_related("item_scores__item").order_by("withdrawn_at", "rank", "unit__sort_order"))


def assessment_detail(*, user: Any, assessment_id: int) -> Assessment:
    """A unit's score. Those who do not score see it only once published in a version (a score made
    for a correction not yet published stays with the office)."""
    assessment = access_object(Assessment.objects.select_related("rubric", "rubric__plan", "unit"), user,
                               "plans.assessment.view", pk=assessment_id)
    if not can(user, "plans.assessment.manage") and not assessment.published_as.exists():
        from django.http import Http404

        from kepu.core import audit

        audit.record_denied(user, "plans.assessment.view", obj=assessment, detail="考核结果尚未发布")
        raise Http404("考核结果尚未发布")
    return assessment


def publication_list(rubric: AssessmentRubric) -> QuerySet[AssessmentPublication]:
    """A rubric's published versions, newest first (the history is public, like the results)."""
    return rubric.publications.select_related("published_by").order_by("-number")


def publication_of(rubric: AssessmentRubric, number: int | None = None) -> AssessmentPublication | None:
    """One published version of a rubric's results: the latest, or the one numbered."""
    versions = publication_list(rubric)
    return versions.filter(number=number).first() if number else versions.first()


def published_scores(publication: AssessmentPublication, *, user: Any = None) -> QuerySet[PublishedScore]:
    """The frozen list of a version, ranked: everyone's for the public, the user's scope when given."""
    scores = (_in_scope(PublishedScore, user, "plans.assessment.view") if user is not None
              else PublishedScore.objects.all())
    return scores.filter(publication=publication).select_related("unit").order_by("rank", "unit__sort_order")


def published_score_of(assessment: Assessment) -> PublishedScore | None:
    """The figures readers see for a score: as published in the latest version that holds it."""
    return assessment.published_as.order_by("-publication__number").first()


def published_results(rubric_id: int | None = None) -> QuerySet[AssessmentRubric]:
    """What the portal shows anyone: published rubrics (their frozen versions are public)."""
    rubrics = AssessmentRubric.objects.filter(status=RubricStatus.PUBLISHED).select_related("plan")
    return rubrics.filter(pk=rubric_id) if rubric_id else rubrics.order_by("-year")


def published_plans() -> QuerySet[Plan]:
    return Plan.objects.filter(is_published=True).order_by("-start_year", "-id")


# ---------------------------------------------------------------- import drafts

def draft_list(*, user: Any) -> QuerySet[PlanImportDraft]:
    return scoped(PlanImportDraft.objects.select_related("created_by", "plan"), user, "plans.plan.import")


def draft_detail(*, user: Any, draft_id: int) -> PlanImportDraft:
    return access_object(PlanImportDraft.objects.all(), user, "plans.plan.import", pk=draft_id)


# ---------------------------------------------------------------- periods

def due_soon(*, user: Any, today: datetime.date | None = None, within_days: int = 30) -> list[dict[str, Any]]:
    """For a liaison: the reports the own unit owes (as lead unit, or as participant where the plan asks
    participants to report) that are late or due within `within_days`."""
    today = today or timezone.localdate()
    unit_id = getattr(user, "unit_id", None)
    if unit_id is None or not can(user, "plans.report.submit"):
        return []
    required = tasks_of_unit_q(unit_id, lead_only=True) | (
        Q(plan__alert_rule__participants_report=True) & tasks_of_unit_q(unit_id))
    tasks = task_list(user=user, action="plans.report.submit").filter(required, plan__is_archived=False)
    periods = ReportingPeriod.objects.filter(plan__tasks__in=tasks.values("pk"), start__lte=today,
                                             due_date__gte=today - datetime.timedelta(days=90),
                                             due_date__lte=today + datetime.timedelta(days=within_days)).distinct()
    done = set(ProgressReport.objects.filter(unit_id=unit_id, period__in=periods, first_submitted_at__isnull=False)
               .values_list("task_id", "period_id"))
    rows = []
    for period in periods.order_by("due_date"):
        plan_tasks = [t for t in tasks if t.plan_id == period.plan_id and (t.pk, period.pk) not in done]
        if plan_tasks:
            rows.append({"period": period, "tasks": plan_tasks, "late": period.due_date < today})
    return rows
