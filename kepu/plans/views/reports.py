"""Progress reports: the list (a review queue for the office, the own unit's for a liaison), the
report form, the report page with its review, and evidence files served through the scope check."""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kepu.core import files
from kepu.core.access import can
from kepu.core.errors import KepuError, ValidationFailed
from kepu.core.views import action_required, int_param, paginate
from kepu.plans import selectors
from kepu.plans.forms import NoteForm, ReasonForm, ReportForm
from kepu.plans.models import ReportingPeriod, ReportStatus
from kepu.plans.services import reporting
from kepu.plans.states import REPORT_TRANSITIONS, can_do
from kepu.plans.views.common import form_error


@action_required("plans.report.view")
def report_list(request: HttpRequest) -> HttpResponse:
    default = "submitted" if can(request.user, "plans.report.review") else ""
    status = request.GET.get("status", default)
    filters = selectors.ReportFilters(status=status if status != "all" else "", plan=int_param(request, "plan"),
                                      unit=int_param(request, "unit"), period=int_param(request, "period"))
    reports = selectors.report_list(user=request.user, filters=filters)
    context = {
        "page_title": "进展填报", "filters": request.GET, "status": status, "statuses": ReportStatus.choices,
        **paginate(request, reports), "can_review": can(request.user, "plans.report.review"),
        "due": selectors.due_soon(user=request.user),
        "page_subtitle": "审核各成员单位报送的进展" if can(request.user, "plans.report.review")
        else "本单位各任务的进展填报与审核结果",
    }
    template = "plans/reports_table.html" if request.htmx else "plans/report_list.html"
    return render(request, template, context)


@action_required("plans.report.submit")
def report_form(request: HttpRequest, task_id: int, period_id: int) -> HttpResponse:
    """The liaison's report for one task and period: saved as a draft, or submitted (again after a return)."""
    task = selectors.task_detail(user=request.user, task_id=task_id, action="plans.report.submit")
    period = get_object_or_404(ReportingPeriod, pk=period_id, plan_id=task.plan_id)
    report = selectors.own_report(user=request.user, task=task, period=period)
    indicators = list(task.indicators.all())
    initial = {"progress": task.progress}
    if report is not None:
        initial = {"progress": report.progress, "text": report.text, "problems": report.problems,
                   **{f"figure_{f.indicator_id}": f.value for f in report.figures.all()}}
    form = ReportForm(request.POST or None, request.FILES or None, initial=initial, indicators=indicators)
    editable = report is None or can_do(REPORT_TRANSITIONS, "save", report.status)
    if request.method == "POST" and editable and form.is_valid():
        submit = "submit" in request.POST
        try:
            saved = reporting.report_save(
                actor=request.user, task=task, period=period, progress=form.cleaned_data["progress"],
                text=form.cleaned_data["text"], problems=form.cleaned_data["problems"], figures=form.figures(),
                files=form.cleaned_data["files"], submit=submit)
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, "进展已提交，等待纲要办审核。" if submit else "已保存草稿。")
            return redirect("plans:report_detail", report_id=saved.pk)
    return render(request, "plans/report_form.html", {
        "page_title": f"填报进展：{period.label}", "task": task, "period": period, "report": report, "form": form,
        "editable": editable})


@action_required("plans.report.view")
def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    return _detail_page(request, report_id)


def _detail_page(request: HttpRequest, report_id: int, **typed: Any) -> HttpResponse:
    """The report page; `typed` holds a refused review form (bound, with its error) as the reviewer left it."""
    report = selectors.report_detail(user=request.user, report_id=report_id)
    can_review = can(request.user, "plans.report.review") and report.status == ReportStatus.SUBMITTED
    can_edit = (can(request.user, "plans.report.submit") and report.unit_id == request.user.unit_id
                and can_do(REPORT_TRANSITIONS, "save", report.status))
    return render(request, "plans/report_detail.html", {
        "page_title": f"进展填报：{report.task.title}", "report": report, "can_review": can_review,
        "can_edit": can_edit, "note_form": NoteForm(), "reason_form": ReasonForm(), **typed,
        "events": report.events.all()})


@require_POST
@action_required("plans.report.review")
def report_approve(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_detail(user=request.user, report_id=report_id, action="plans.report.review")
    form = NoteForm(request.POST)
    form.is_valid()
    try:
        reporting.report_approve(actor=request.user, report=report, note=form.cleaned_data.get("note", ""))
        messages.success(request, "已审核通过。")
    except KepuError as exc:
        messages.error(request, exc.message)
    return redirect("plans:report_detail", report_id=report.pk)


@require_POST
@action_required("plans.report.review")
def report_return(request: HttpRequest, report_id: int) -> HttpResponse:
    report = selectors.report_detail(user=request.user, report_id=report_id, action="plans.report.review")
    form = ReasonForm(request.POST)
    if not form.is_valid():  # the reason is mandatory: shown again under its field, nothing saved
        return _detail_page(request, report.pk, reason_form=form)
    try:
        reporting.report_return(actor=request.user, report=report, reason=form.cleaned_data["reason"])
    except ValidationFailed as exc:
        form.add_error("reason", exc.message)
        return _detail_page(request, report.pk, reason_form=form)
    except KepuError as exc:
        form_error(request, None, exc)
    else:
        messages.success(request, "已退回，填报单位会收到退回原因。")
    return redirect("plans:report_detail", report_id=report.pk)


@action_required("plans.report.view")
def evidence_download(request: HttpRequest, evidence_id: int) -> HttpResponse:
    """Evidence is never public media: it is served only to those whose scope reaches its report."""
    evidence = selectors.evidence_detail(user=request.user, evidence_id=evidence_id)
    content_type = mimetypes.guess_type(evidence.original_name)[0] or "application/octet-stream"
    return files.serve(evidence.file, filename=evidence.original_name, content_type=content_type)
