"""Progress reports: a liaison saves and submits the own unit's report for a task and period; the office
approves it or returns it with a reason; the liaison resubmits. Every step is kept (ReportEvent)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from decimal import Decimal
from pathlib import PurePath
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import deny, require, require_reach
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.transitions import transition
from kepu.plans import selectors
from kepu.plans.models import (
    REPORT_PROBLEMS_MAX_LENGTH,
    REPORT_TEXT_MAX_LENGTH,
    Indicator,
    IndicatorSource,
    ProgressReport,
    ReportEvent,
    ReportEvidence,
    ReportFigure,
    ReportingPeriod,
    ReportStatus,
    Task,
    TaskUnit,
    UnitRole,
)
from kepu.plans.services.base import liaisons_of, office_staff, tell
from kepu.plans.services.ledger import check_indicator_value
from kepu.plans.states import REPORT_TRANSITIONS, next_status

REPORT_FIELDS = ("status", "progress", "text", "problems", "return_reason")
EVIDENCE_SUFFIXES = {".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".jpg",
                     ".jpeg", ".png", ".txt", ".zip", ".rar"}
EVIDENCE_MAX_BYTES = 20 * 1024 * 1024
MAX_FILES = 10


def reporting_unit(actor: Any, task: Task) -> Any:
    """The actor's unit, which must be one of the task's units (else the report is refused)."""
    unit = getattr(actor, "unit", None)
    if unit is None or not selectors.is_assigned(task, unit.pk):
        deny(actor, "plans.report.submit", obj=task)
    return unit


def open_periods(task: Task, today: datetime.date | None = None) -> list[ReportingPeriod]:
    """Periods that have begun and that the ledger asks reports for (from the plan's reporting start)."""
    today = today or timezone.localdate()
    return list(ReportingPeriod.objects.filter(plan_id=task.plan_id, start__lte=today,
                                               end__gte=task.plan.reporting_from).order_by("start"))


def _check_files(files: Sequence[UploadedFile]) -> None:
    if len(files) > MAX_FILES:
        raise ValidationFailed(f"一次最多上传 {MAX_FILES} 个佐证文件", "files")
    for upload in files:
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in EVIDENCE_SUFFIXES:
            raise ValidationFailed(f"“{upload.name}”的文件类型不支持；可上传 PDF、Word、Excel、图片、压缩包等", "files")
        if (upload.size or 0) > EVIDENCE_MAX_BYTES:
            raise ValidationFailed(f"“{upload.name}”超过 20MB", "files")


def _check_figures(task: Task, figures: dict[int, Decimal | None]) -> dict[Indicator, Decimal]:
    indicators = {i.pk: i for i in Indicator.objects.filter(task=task)}
    unknown = set(figures) - set(indicators)
    if unknown:
        raise ValidationFailed("填报的数据项不属于该任务的指标", "figures")
    for pk, value in figures.items():
        check_indicator_value(indicators[pk], value, "figures")
    return {indicators[pk]: value for pk, value in figures.items() if value is not None}


def _check_text(text: str, problems: str) -> None:
    if len(text.strip()) > REPORT_TEXT_MAX_LENGTH:
        raise ValidationFailed(f"进展情况不能超过 {REPORT_TEXT_MAX_LENGTH} 个字（现有 {len(text.strip())} 个）；"
                               "详细材料请作为佐证文件上传", "text")
    if len(problems.strip()) > REPORT_PROBLEMS_MAX_LENGTH:
        raise ValidationFailed(f"存在问题及下步打算不能超过 {REPORT_PROBLEMS_MAX_LENGTH} 个字"
                               f"（现有 {len(problems.strip())} 个）", "problems")


@transaction.atomic
def report_save(*, actor: Any, task: Task, period: ReportingPeriod, progress: int, text: str, problems: str = "",
                figures: dict[int, Decimal | None] | None = None, files: Sequence[UploadedFile] = (),
                submit: bool = False, unit: Any = None) -> ProgressReport:
    """Save the actor's unit's report for the period (a draft, or submitted when `submit`).

    `unit` is for the platform itself (demo data); a person always reports for the own unit.
    """
    require(actor, "plans.report.submit")
    require_reach(actor, "plans.report.submit", task)
    if not (getattr(actor, "is_system", False) and unit is not None):
        unit = reporting_unit(actor, task)
    if period.plan_id != task.plan_id:
        raise ValidationFailed("填报期不属于该任务的方案", "period")
    if period.start > timezone.localdate():
        raise ValidationFailed(f"「{period.label}」尚未开始，不能填报", "period")
    if not 0 <= progress <= 100:
        raise ValidationFailed("累计进度应在 0—100 之间", "progress")
    if submit and not text.strip():
        raise ValidationFailed("提交前请填写进展情况", "text")
    _check_text(text, problems)
    chosen = _check_figures(task, figures or {})
    _check_files(files)
    report = (ProgressReport.objects.select_for_update().filter(task=task, unit=unit, period=period).first()
              or ProgressReport(task=task, unit=unit, period=period))
    current = report.status if report.pk else ReportStatus.DRAFT
    verb = "save" if not submit else ("resubmit" if current == ReportStatus.RETURNED else "submit")
    status = next_status(REPORT_TRANSITIONS, verb, current)
    before = audit.snapshot(report, REPORT_FIELDS) if report.pk else None
    report.progress, report.text, report.problems, report.status = progress, text.strip(), problems.strip(), status
    if submit:
        now = timezone.now()
        report.submitted_at, report.submitted_by = now, _person(actor)
        report.first_submitted_at = report.first_submitted_at or now
    report.save()
    _save_figures(report, chosen)
    _save_files(actor, report, files)
    _event(report, verb, actor, progress=progress)
    audit.record(actor, f"plans.report.{verb}", category=AuditCategory.WORKFLOW if submit else AuditCategory.UPDATE,
                 obj=report, before=before, after=audit.snapshot(report, REPORT_FIELDS))
    if submit:
        _settle_warnings(report)
        tell(office_staff(), title=f"{unit.label}提交了进展：{task.title[:30]}", kind="plans.report.submitted",
               body=f"{period.label}，累计进度 {progress}%", link=reverse("plans:report_detail", args=[report.pk]))
    return report


def _settle_warnings(report: ProgressReport) -> None:
    """A submission removes its own cause of warning: the task's light is recomputed now (not at the next
    daily run) and the liaisons' unread 「进展被退回」 messages about this report are marked read."""
    from kepu.notifications.models import Notification
    from kepu.plans.services.supervision import recompute_task

    recompute_task(report.task)
    Notification.objects.filter(kind="plans.report.returned", read_at__isnull=True,
                                link=reverse("plans:report_detail", args=[report.pk])).update(read_at=timezone.now())


def _save_figures(report: ProgressReport, chosen: dict[Indicator, Decimal]) -> None:
    report.figures.exclude(indicator__in=list(chosen)).delete()
    for indicator, value in chosen.items():
        ReportFigure.objects.update_or_create(report=report, indicator=indicator, defaults={"value": value})


def _save_files(actor: Any, report: ProgressReport, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        evidence = ReportEvidence(report=report, original_name=(upload.name or "附件")[:200], size=upload.size or 0,
                                  uploaded_by=_person(actor))
        evidence.file.save(upload.name or "附件", upload, save=False)
        evidence.save()


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


def _event(report: ProgressReport, verb: str, actor: Any, note: str = "", progress: int | None = None) -> None:
    ReportEvent.objects.create(
        report=report, verb=verb, status=report.status, note=note,
        progress=report.progress if progress is None else progress,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "display_name", "") or str(actor))


def _reviewable(actor: Any, report: ProgressReport) -> None:
    require(actor, "plans.report.review")
    require_reach(actor, "plans.report.review", report)


@transaction.atomic
def report_approve(*, actor: Any, report: ProgressReport, note: str = "") -> ProgressReport:
    """Approve a submitted report: a lead unit's progress becomes the task's, its figures feed the indicators."""
    _reviewable(actor, report)
    before = audit.snapshot(report, REPORT_FIELDS)
    # One conditional UPDATE: of an approve and a return at the same instant, only one moves the report.
    transition(report, to=next_status(REPORT_TRANSITIONS, "approve", report.status), actor=actor,
               action="plans.report.approve", reviewed_at=timezone.now(), reviewed_by=_person(actor),
               return_reason="")
    _event(report, "approve", actor, note=note.strip())
    audit.record(actor, "plans.report.approve", category=AuditCategory.WORKFLOW, obj=report, before=before,
                 after=audit.snapshot(report, REPORT_FIELDS), reason=note.strip())
    task = report.task
    _update_task_progress(task)
    from kepu.plans.services.ledger import indicator_refresh
    from kepu.plans.services.supervision import recompute_task

    for indicator in Indicator.objects.filter(task=task, source=IndicatorSource.REPORTS):
        indicator_refresh(indicator=indicator)
    recompute_task(task)
    tell(liaisons_of([report.unit_id]), title=f"进展已审核通过：{task.title[:30]}", kind="plans.report.approved",
           body=f"{report.period.label}", link=reverse("plans:report_detail", args=[report.pk]))
    return report


def _update_task_progress(task: Task) -> None:
    """The task's progress is its lead units' latest approved figure."""
    lead_ids = TaskUnit.objects.filter(task=task, role=UnitRole.LEAD).values("unit_id")
    latest = (ProgressReport.objects.filter(task=task, status=ReportStatus.APPROVED, unit_id__in=lead_ids)
              .order_by("-period__start", "-reviewed_at").first())
    if latest is not None and latest.progress != task.progress:
        task.progress, task.progress_updated_at = latest.progress, timezone.now()
        task.save(update_fields=["progress", "progress_updated_at", "updated_at"])


@transaction.atomic
def report_return(*, actor: Any, report: ProgressReport, reason: str) -> ProgressReport:
    """Send a submitted report back; the reason is mandatory and reaches the unit's liaisons."""
    _reviewable(actor, report)
    if not reason.strip():
        raise ValidationFailed("退回时必须填写退回原因", "reason")
    before = audit.snapshot(report, REPORT_FIELDS)
    transition(report, to=next_status(REPORT_TRANSITIONS, "return", report.status), actor=actor,
               action="plans.report.return", reviewed_at=timezone.now(), reviewed_by=_person(actor),
               return_reason=reason.strip(), times_returned=report.times_returned + 1)
    _event(report, "return", actor, note=reason.strip())
    audit.record(actor, "plans.report.return", category=AuditCategory.WORKFLOW, obj=report, before=before,
                 after=audit.snapshot(report, REPORT_FIELDS), reason=reason.strip())
    from kepu.plans.services.supervision import recompute_task

    recompute_task(report.task)
    tell(liaisons_of([report.unit_id]), title=f"进展被退回：{report.task.title[:30]}", kind="plans.report.returned",
           body=f"{report.period.label}。退回原因：{reason.strip()}", email=True,
           link=reverse("plans:report_detail", args=[report.pk]))
    return report
