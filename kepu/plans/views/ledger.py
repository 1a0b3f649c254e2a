"""The ledger itself: dashboard, task list (HTMX), task page, task edit, Excel round trip, the Word
bulletin, and the plans with their alert rules."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from kepu.core.access import access_object, can, scoped
from kepu.core.errors import ImportRejected, KepuError
from kepu.core.transitions import edit_token
from kepu.core.views import (
    action_required,
    describe_filters,
    excel_export,
    file_response,
    int_param,
    paginate,
)
from kepu.org.public import Unit
from kepu.plans import bulletin, dashboard, selectors, sheets
from kepu.plans.alerts import TaskFacts, expected_progress
from kepu.plans.forms import AlertRuleForm, LedgerImportForm, PlanForm, TaskForm, plan_initial
from kepu.plans.models import AlertLevel, AlertRule, Plan, UnitRole
from kepu.plans.services import ledger, supervision
from kepu.plans.services.reporting import open_periods
from kepu.plans.views.common import form_error
from kepu.reports.docx import DOCX_CONTENT_TYPE

FILTER_LABELS = {"plan": "方案", "section": "板块", "unit": "单位", "role": "角色", "light": "预警灯", "q": "关键词",
                 "overdue": "已逾期"}


def _filters(request: HttpRequest, plan: Plan | None) -> selectors.TaskFilters:
    return selectors.TaskFilters(
        plan=plan.pk if plan else None, section=int_param(request, "section"), unit=int_param(request, "unit"),
        role=request.GET.get("role", ""), light=request.GET.get("light", ""), q=request.GET.get("q", "").strip(),
        overdue=request.GET.get("overdue") == "1")


# ---------------------------------------------------------------- dashboard

@action_required("plans.task.view")
def dashboard_view(request: HttpRequest) -> HttpResponse:
    plan = selectors.current_plan(user=request.user, plan_id=request.GET.get("plan"))
    tasks = selectors.task_list(user=request.user, filters=selectors.TaskFilters(plan=plan.pk if plan else None))
    plan_id = plan.pk if plan else None
    sections = dashboard.section_progress(dashboard.by_section(tasks))
    for section in sections:
        section["url"] = dashboard.ledger_url(plan=plan_id, section=section["section_id"])
    units = dashboard.section_progress(dashboard.by_lead_unit(tasks))
    for unit in units:
        unit["url"] = dashboard.ledger_url(plan=plan_id, unit=unit["unit_id"], role="lead")
    indicators = dashboard.indicator_rows(selectors.indicator_list(user=request.user, plan=plan)) if plan else []
    featured = next((r["indicator"] for r in indicators if r["indicator"].task_id is None), None)
    context = {
        "page_title": "纲要实施驾驶舱", "plan": plan, "plans": selectors.plan_list(user=request.user),
        "counts": dashboard.light_counts(tasks), "sections": sections, "units": units[:40],
        "indicators": indicators, "featured": featured,
        "section_chart": dashboard.section_chart(plan, sections),
        "unit_chart": dashboard.unit_chart(plan, units[:25]),
        "indicator_chart": dashboard.indicator_chart(indicators),
        "trend_chart": dashboard.trend_chart(featured) if featured else None,
        "pending_reviews": selectors.report_list(user=request.user).filter(status="submitted").count(),
        "open_orders": selectors.order_list(user=request.user).exclude(status="closed").count(),
        "overdue": selectors.task_list(
            user=request.user, filters=selectors.TaskFilters(plan=plan_id, overdue=True)).count(),
        "plan_ledger": dashboard.ledger_url(plan=plan_id), "overdue_url": dashboard.ledger_url(plan=plan_id, overdue=1),
        "unit_chart_height": max(320, 26 * min(len(units), 25) + 80),
    }
    return render(request, "plans/dashboard.html", context)


# ---------------------------------------------------------------- ledger

@action_required("plans.task.view")
def task_list(request: HttpRequest) -> HttpResponse:
    plan = selectors.current_plan(user=request.user, plan_id=request.GET.get("plan"))
    filters = _filters(request, plan)
    tasks = selectors.task_list(user=request.user, filters=filters)
    context = {
        "page_title": "任务台账", "plan": plan, "filters": request.GET, **paginate(request, tasks, per_page=30),
        "counts": dashboard.light_counts(selectors.task_list(
            user=request.user, filters=selectors.TaskFilters(plan=filters.plan))),
        "plans": selectors.plan_list(user=request.user),
        "sections": selectors.plan_sections(plan) if plan else [],
        "units": selectors.unit_choices(user=request.user, plan=plan),
        "levels": AlertLevel.choices,
        "can_export": can(request.user, "plans.ledger.export"),
        "can_import": can(request.user, "plans.ledger.import"),
        "can_bulletin": can(request.user, "plans.bulletin.export"),
        "page_subtitle": plan.title if plan else "",
    }
    template = "plans/tasks_table.html" if request.htmx else "plans/task_list.html"
    return render(request, template, context)


@action_required("plans.ledger.export")
def ledger_export(request: HttpRequest) -> HttpResponse:
    plan = selectors.current_plan(user=request.user, plan_id=request.GET.get("plan"))
    tasks = selectors.task_list(user=request.user, filters=_filters(request, plan), action="plans.ledger.export")
    return excel_export(request, action="plans.ledger.export", data=lambda: sheets.ledger_export(list(tasks)),
                        filename=f"任务台账_{timezone.localdate():%Y%m%d}.xlsx", count=tasks,
                        filters=describe_filters(request, FILTER_LABELS))


@action_required("plans.ledger.import")
def ledger_import(request: HttpRequest) -> HttpResponse:
    form = LedgerImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = sheets.ledger_import(actor=request.user, data=form.cleaned_data["file"].read())
        except ImportRejected as exc:
            errors = exc.errors
        else:
            messages.success(request, f"台账导入完成：{summary}。")
            return redirect("plans:task_list")
    return render(request, "plans/ledger_import.html", {
        "page_title": "导入任务台账", "form": form, "errors": errors, "columns": sheets.LEDGER_COLUMNS})


@action_required("plans.bulletin.export")
def bulletin_download(request: HttpRequest) -> HttpResponse:
    plan = selectors.current_plan(user=request.user, plan_id=request.GET.get("plan"))
    if plan is None:
        messages.error(request, "还没有方案，无法生成通报。")
        return redirect("plans:task_list")
    from kepu.core import audit
    from kepu.core.models import AuditCategory

    number = bulletin.next_number(timezone.localdate())
    data = bulletin.build(user=request.user, plan=plan, number=number)
    filename = f"工作通报_{number}.docx"
    audit.record(request.user, "plans.bulletin.export", category=AuditCategory.EXPORT, obj=plan, object_repr=filename,
                 reason=f"生成《{plan.title}》实施进展通报（{number}）")
    return file_response(data, filename, DOCX_CONTENT_TYPE)


# ---------------------------------------------------------------- a task

@action_required("plans.task.view")
def task_detail(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_detail(user=request.user, task_id=task_id)
    user = request.user
    periods = []
    if can(user, "plans.report.submit") and selectors.is_assigned(task, user.unit_id):
        reports = {r.period_id: r for r in selectors.report_list(user=user).filter(task=task, unit_id=user.unit_id)}
        periods = [(p, reports.get(p.pk)) for p in reversed(open_periods(task))][:8]
    reports = selectors.report_list(user=user, filters=selectors.ReportFilters(task=task.pk))
    context = {
        "page_title": f"{task.number}{task.title}", "task": task,
        "lead_units": [tu for tu in task.units.all() if tu.role == UnitRole.LEAD],
        "participants": [tu for tu in task.units.all() if tu.role == UnitRole.PARTICIPANT],
        "sharing_members": list(selectors.sharing_members(task)),
        "indicators": task.indicators.all(), "periods": periods, "reports": reports[:50],
        "events": selectors.report_events(user=user, task=task)[:50],
        "orders": selectors.order_list(user=user, task=task),
        "alert_logs": task.alert_logs.all()[:10],
        "can_change": can(user, "plans.task.change"), "can_issue": can(user, "plans.order.issue"),
        "can_review": can(user, "plans.report.review"),
        "deadline": task.effective_deadline,
        "expected": expected_progress(TaskFacts(start=datetime.date(task.plan.start_year, 1, 1),
                                                deadline=task.effective_deadline, progress=task.progress),
                                      timezone.localdate()),
    }
    return render(request, "plans/task_detail.html", context)


@action_required("plans.task.change")
def task_edit(request: HttpRequest, task_id: int) -> HttpResponse:
    task = selectors.task_detail(user=request.user, task_id=task_id, action="plans.task.change")
    # The units the search offers (kepu.org.choices, same action), plus those the task already names.
    units = (scoped(Unit.objects.filter(is_active=True), request.user, "plans.task.change")
             | Unit.objects.filter(pk__in=[tu.unit_id for tu in task.units.all()]))
    initial = {"number": task.number, "title": task.title, "body": task.body, "deadline": task.deadline,
               "lead_units": [tu.unit_id for tu in task.units.all() if tu.role == UnitRole.LEAD],
               "participating_units": [tu.unit_id for tu in task.units.all() if tu.role == UnitRole.PARTICIPANT],
               "edit_token": edit_token(task)}
    form = TaskForm(request.POST or None, initial=initial, units=units.distinct().order_by("sort_order", "name"))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            ledger.task_update(actor=request.user, task=task, reason=reason, **data)
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            supervision.recompute_task(task)
            messages.success(request, "任务已保存。")
            return redirect("plans:task_detail", task_id=task.pk)
    return render(request, "plans/task_form.html", {"page_title": f"编辑任务：{task.title}", "form": form,
                                                    "task": task})


# ---------------------------------------------------------------- plans

@action_required("plans.plan.view")
def plan_list(request: HttpRequest) -> HttpResponse:
    plans = selectors.plan_list(user=request.user).order_by("is_archived", "-start_year", "-id")
    return render(request, "plans/plan_list.html", {
        "page_title": "方案管理", "page_subtitle": "规划纲要、实施方案与年度工作要点",
        **paginate(request, plans), "can_import": can(request.user, "plans.plan.import"),
        "drafts": selectors.draft_list(user=request.user).filter(status="open")[:10]
        if can(request.user, "plans.plan.import") else []})


@action_required("plans.plan.view")
def plan_detail(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_detail(user=request.user, plan_id=plan_id)
    tasks = selectors.task_list(user=request.user, filters=selectors.TaskFilters(plan=plan.pk))
    sections = dashboard.section_progress(dashboard.by_section(tasks))
    for section in sections:
        section["url"] = dashboard.ledger_url(plan=plan.pk, section=section["section_id"])
    return render(request, "plans/plan_detail.html", {
        "plan_ledger": dashboard.ledger_url(plan=plan.pk),
        "page_title": plan.title, "plan": plan, "sections": sections, "counts": dashboard.light_counts(tasks),
        "goals": plan.indicators.filter(task=None) if can(request.user, "plans.plan.change") else [],
        "rule": AlertRule.objects.get_or_create(plan=plan)[0], "periods": plan.periods.all(),
        "can_change": can(request.user, "plans.plan.change"),
        "can_recompute": can(request.user, "plans.alert.recompute"), "ledger_url": dashboard.ledger_url})


@action_required("plans.plan.change")
def plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_detail(user=request.user, plan_id=plan_id, action="plans.plan.change")
    form = PlanForm(request.POST or None, initial=plan_initial(plan))
    if request.method == "POST" and form.is_valid():
        try:
            ledger.plan_update(actor=request.user, plan=plan, **form.cleaned_data)
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            messages.success(request, "方案已保存。")
            return redirect("plans:plan_detail", plan_id=plan.pk)
    return render(request, "plans/plan_form.html", {"page_title": f"编辑方案：{plan.title}", "form": form,
                                                    "plan": plan})


@action_required("plans.plan.change")
def plan_rules(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = selectors.plan_detail(user=request.user, plan_id=plan_id, action="plans.plan.change")
    rule = AlertRule.objects.get_or_create(plan=plan)[0]
    form = AlertRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        changes = {f: form.cleaned_data[f] for f in AlertRuleForm.Meta.fields}
        rule.refresh_from_db()  # the ModelForm set the instance's fields; the service compares and audits
        try:
            ledger.alert_rule_update(actor=request.user, rule=rule, **changes)
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            supervision.recompute_plan(plan)
            messages.success(request, "预警规则已保存，全部任务的预警灯已按新规则重新计算。")
            return redirect("plans:plan_detail", plan_id=plan.pk)
    return render(request, "plans/plan_rules.html", {"page_title": "预警与督办规则", "form": form, "plan": plan})


@require_POST
@action_required("plans.alert.recompute")
def plan_recompute(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = access_object(Plan.objects.all(), request.user, "plans.alert.recompute", pk=plan_id)
    counts = supervision.alerts_recompute(actor=request.user, plan=plan)
    messages.success(request, f"已重新计算：绿灯 {counts['green']} 项、黄灯 {counts['yellow']} 项、红灯 {counts['red']} 项，"
                              f"{counts['changed']} 项发生变化。")
    return redirect("plans:plan_detail", plan_id=plan.pk)
