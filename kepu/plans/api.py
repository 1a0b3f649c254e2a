"""Plan ledger endpoints: plans, tasks, indicators, progress reports — through the same selectors and
services as the pages, so the API sees exactly the rows the pages show."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from kepu.api.answers import answers
from kepu.api.paging import Pages
from kepu.core.access import require
from kepu.plans import selectors
from kepu.plans.models import Indicator, Plan, ProgressReport, ReportingPeriod, Task, UnitRole
from kepu.plans.services import reporting

router = Router(tags=["纲要实施"])


class PlanOut(Schema):
    id: int
    title: str
    kind: str
    start_year: int
    end_year: int
    reporting_cycle: str


@router.get("/plans", response=answers(list[PlanOut]), summary="方案列表")
def plan_list(request: HttpRequest) -> QuerySet[Plan]:
    require(request.user, "plans.plan.view")
    return selectors.plan_list(user=request.user).order_by("-start_year", "-id")


class UnitRefOut(Schema):
    id: int
    name: str
    role: str
    written_name: str


class TaskOut(Schema):
    id: int
    plan_id: int
    section: str
    number: str
    title: str
    deadline: datetime.date | None
    progress: int
    alert_level: str
    alert_reason: str
    units: list[UnitRefOut]
    all_members: bool  # 各成员单位共同负责: every active member unit answers for it besides `units`

    @staticmethod
    def resolve_section(task: Task) -> str:
        return f"{task.section.number}{task.section.title}"

    @staticmethod
    def resolve_units(task: Task) -> list[dict[str, Any]]:
        return [{"id": tu.unit_id, "name": tu.unit.name, "role": tu.role, "written_name": tu.written_name}
                for tu in task.units.all()]


class IndicatorOut(Schema):
    id: int
    task_id: int | None
    name: str
    unit_of_measure: str
    baseline: Decimal | None
    target: Decimal
    target_year: int | None
    annual: bool
    direction: str
    source: str
    allows_negative: bool
    actual_value: Decimal | None
    actual_label: str


class TaskDetailOut(TaskOut):
    body: str
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(task: Task) -> list[Indicator]:
        return list(task.indicators.all())


@router.get("/tasks", response=answers(list[TaskOut]), summary="任务台账")
@paginate(Pages, page_size=100)
def task_list(request: HttpRequest, plan: int | None = None, unit: int | None = None, light: str = "",
              q: str = "", lead_only: bool = False) -> QuerySet[Task]:
    require(request.user, "plans.task.view")
    filters = selectors.TaskFilters(plan=plan, unit=unit, light=light, q=q, role=UnitRole.LEAD if lead_only else "")
    return selectors.task_list(user=request.user, filters=filters)


@router.get("/tasks/{task_id}", response=answers(TaskDetailOut), summary="任务详情")
def task_detail(request: HttpRequest, task_id: int) -> Task:
    return selectors.task_detail(user=request.user, task_id=task_id)


@router.get("/indicators", response=answers(list[IndicatorOut]), summary="目标指标")
@paginate(Pages, page_size=100)
def indicator_list(request: HttpRequest, plan: int | None = None) -> QuerySet[Indicator]:
    require(request.user, "plans.indicator.view")
    chosen = selectors.plan_detail(user=request.user, plan_id=plan) if plan else None
    return selectors.indicator_list(user=request.user, plan=chosen)


class FigureOut(Schema):
    indicator_id: int
    value: Decimal


class ReportOut(Schema):
    id: int
    task_id: int
    unit_id: int
    unit: str
    period_id: int
    period: str
    status: str
    progress: int
    text: str
    problems: str
    submitted_at: datetime.datetime | None
    reviewed_at: datetime.datetime | None
    return_reason: str

    @staticmethod
    def resolve_unit(report: ProgressReport) -> str:
        return report.unit.name

    @staticmethod
    def resolve_period(report: ProgressReport) -> str:
        return report.period.label


@router.get("/reports", response=answers(list[ReportOut]), summary="进展填报列表")
@paginate(Pages, page_size=100)
def report_list(request: HttpRequest, status: str = "", task: int | None = None,
                plan: int | None = None) -> QuerySet[ProgressReport]:
    require(request.user, "plans.report.view")
    return selectors.report_list(user=request.user,
                                 filters=selectors.ReportFilters(status=status, task=task, plan=plan))


class ReportIn(Schema):
    task_id: int
    period_id: int
    progress: int
    text: str
    problems: str = ""
    figures: dict[int, Decimal] = {}
    submit: bool = True


@router.post("/reports", response=answers({201: ReportOut}, write=True), summary="填报进展（本单位）")
def report_create(request: HttpRequest, payload: ReportIn) -> Status:
    require(request.user, "plans.report.submit")
    task = selectors.task_detail(user=request.user, task_id=payload.task_id, action="plans.report.submit")
    period = get_object_or_404(ReportingPeriod, pk=payload.period_id, plan_id=task.plan_id)
    report = reporting.report_save(actor=request.user, task=task, period=period, progress=payload.progress,
                                   text=payload.text, problems=payload.problems, figures=dict(payload.figures),
                                   submit=payload.submit)
    return Status(201, selectors.report_detail(user=request.user, report_id=report.pk))


class ReturnIn(Schema):
    reason: str


class ApproveIn(Schema):
    note: str = ""


@router.post("/reports/{report_id}/approve", response=answers(ReportOut, write=True), summary="审核通过")
def report_approve(request: HttpRequest, report_id: int, payload: ApproveIn) -> ProgressReport:
    report = selectors.report_detail(user=request.user, report_id=report_id, action="plans.report.review")
    reporting.report_approve(actor=request.user, report=report, note=payload.note)
    return selectors.report_detail(user=request.user, report_id=report_id)


@router.post("/reports/{report_id}/return", response=answers(ReportOut, write=True), summary="退回（须填写原因）")
def report_return(request: HttpRequest, report_id: int, payload: ReturnIn) -> ProgressReport:
    report = selectors.report_detail(user=request.user, report_id=report_id, action="plans.report.review")
    reporting.report_return(actor=request.user, report=report, reason=payload.reason)
    return selectors.report_detail(user=request.user, report_id=report_id)
