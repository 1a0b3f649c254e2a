"""Supervision (督查督办): each task's light from the plan's rule, the daily run that recomputes them and
sends reminders before deadlines and escalations after, and the 督办单 a unit must sign for and answer."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import require, require_reach
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.sequences import next_number
from kepu.core.transitions import transition
from kepu.plans import selectors
from kepu.plans.alerts import MissingReport, TaskFacts, evaluate
from kepu.plans.models import (
    AlertLog,
    AlertRule,
    IndicatorSource,
    OrderStatus,
    Plan,
    ProgressReport,
    ReminderLog,
    ReportingPeriod,
    ReportStatus,
    SupervisionOrder,
    Task,
)
from kepu.plans.services.base import liaisons_of, office_staff, tell
from kepu.plans.states import ORDER_TRANSITIONS, next_status
from kepu.reports.docx import document_number

ORDER_FIELDS = ("status", "requirement", "due_date", "answer", "close_note")


# ---------------------------------------------------------------- lights

@dataclass
class _PlanFacts:
    """What the lights of one plan's tasks depend on, loaded in a fixed number of queries."""

    rule: AlertRule
    start: datetime.date
    due_periods: list[ReportingPeriod]
    required: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    reports: dict[tuple[int, int, int], tuple[str, bool]] = field(default_factory=dict)


def _plan_facts(plan: Plan, task_ids: list[int] | None, today: datetime.date) -> _PlanFacts:
    rule = AlertRule.objects.get_or_create(plan=plan)[0]
    due = list(ReportingPeriod.objects.filter(plan=plan, due_date__lt=today, end__gte=plan.reporting_from)
               .order_by("start"))
    facts = _PlanFacts(rule, datetime.date(plan.start_year, 1, 1), due)
    tasks = Task.objects.filter(plan=plan)
    reports = ProgressReport.objects.filter(task__plan=plan).values_list(
        "task_id", "unit_id", "period_id", "status", "first_submitted_at")
    if task_ids is not None:
        tasks, reports = tasks.filter(pk__in=task_ids), reports.filter(task_id__in=task_ids)
    for task_id, unit_id, _role, label in selectors.assigned_pairs(tasks, participants=rule.participants_report):
        facts.required[task_id].append((unit_id, label))
    for task_id, unit_id, period_id, status, first in reports:
        facts.reports[(task_id, unit_id, period_id)] = (status, first is not None)
    return facts


def task_facts(task: Task, plan: Plan, facts: _PlanFacts) -> TaskFacts:
    result = TaskFacts(start=facts.start, deadline=task.deadline or datetime.date(plan.end_year, 12, 31),
                       progress=task.progress)
    for unit_id, unit_label in facts.required.get(task.pk, []):
        for period in facts.due_periods:
            status, ever_submitted = facts.reports.get((task.pk, unit_id, period.pk), ("", False))
            if not ever_submitted:
                result.missing.append(MissingReport(period.label, period.due_date, unit_label))
            elif status == ReportStatus.RETURNED:
                result.returned.append(period.label)
    return result


def recompute_plan(plan: Plan, today: datetime.date | None = None, task_ids: list[int] | None = None) -> dict[str, int]:
    """Recompute and store the lights of a plan's tasks (all, or `task_ids`); log each change."""
    today = today or timezone.localdate()
    facts = _plan_facts(plan, task_ids, today)
    tasks = Task.objects.filter(plan=plan).only("id", "deadline", "progress", "alert_level", "alert_reason", "plan_id")
    if task_ids is not None:
        tasks = tasks.filter(pk__in=task_ids)
    now, changed, logs = timezone.now(), [], []
    counts = {"green": 0, "yellow": 0, "red": 0, "changed": 0}
    for task in tasks:
        level, reason = evaluate(task_facts(task, plan, facts), facts.rule, today)
        counts[level] += 1
        if (level, reason) != (task.alert_level, task.alert_reason):
            if level != task.alert_level:
                logs.append(AlertLog(task=task, level=level, previous=task.alert_level, reason=reason))
            task.alert_level, task.alert_reason, task.alert_updated_at = level, reason, now
            changed.append(task)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for task in changed:
        groups[(task.alert_level, task.alert_reason)].append(task.pk)
    for (level, reason), ids in groups.items():  # tasks sharing a light and a reason: one UPDATE
        Task.objects.filter(pk__in=ids).update(alert_level=level, alert_reason=reason, alert_updated_at=now)
    AlertLog.objects.bulk_create(logs, batch_size=500)
    counts["changed"] = len(logs)
    return counts


def recompute_task(task: Task, today: datetime.date | None = None) -> None:
    recompute_plan(task.plan, today, task_ids=[task.pk])
    task.refresh_from_db(fields=["alert_level", "alert_reason", "alert_updated_at"])


@transaction.atomic
def alerts_recompute(*, actor: Any, plan: Plan) -> dict[str, int]:
    """The office asks for the lights now rather than at the next daily run."""
    require(actor, "plans.alert.recompute")
    counts = recompute_plan(plan)
    audit.record(actor, "plans.alert.recompute", category=AuditCategory.SYSTEM, obj=plan,
                 reason=f"绿灯 {counts['green']}、黄灯 {counts['yellow']}、红灯 {counts['red']}，变化 {counts['changed']}")
    return counts


# ---------------------------------------------------------------- reminders and escalations

def _once(kind: str, key: str, unit_id: int | None, stage: str, today: datetime.date) -> bool:
    """Claim a reminder for its stage; False when it was already sent (a second run the same day)."""
    try:
        with transaction.atomic():
            ReminderLog.objects.create(kind=kind, object_key=key, unit_id=unit_id, stage=stage, day=today)
    except IntegrityError:
        return False
    return True


def _stage(days_late: int, rule: AlertRule) -> str | None:
    """Escalation stage: None before the threshold, then one stage per repeat interval."""
    if days_late < rule.escalate_after_days:
        return None
    return f"e{(days_late - rule.escalate_after_days) // max(rule.escalation_repeat_days, 1)}"


def _remind(unit_ids: Iterable[int], *, title: str, body: str, link: str, kind: str, escalate: bool) -> int:
    people = list(liaisons_of(unit_ids))
    tell(people, title=title, body=body, link=link, kind=kind, email=True, text_message=escalate)
    if escalate:
        office = list(office_staff())
        tell(office, title=f"【升级督办】{title}", body=body, link=link, kind=kind, email=True)
        people += office
    return len(people)


def _report_reminders(plan: Plan, rule: AlertRule, facts: _PlanFacts, today: datetime.date) -> int:
    """Per unit and period: a reminder before the report is due, escalations after it is late."""
    periods = list(ReportingPeriod.objects.filter(plan=plan, start__lte=today, end__gte=plan.reporting_from,
                                                  due_date__gte=today - datetime.timedelta(days=400)))
    pending: dict[tuple[int, int], list[int]] = defaultdict(list)
    labels: dict[int, str] = {}
    for task_id, units in facts.required.items():
        for unit_id, label in units:
            labels[unit_id] = label
            for period in periods:
                _status, submitted = facts.reports.get((task_id, unit_id, period.pk), ("", False))
                if not submitted:
                    pending[(unit_id, period.pk)].append(task_id)
    sent = 0
    by_id = {p.pk: p for p in periods}
    link = reverse("plans:report_list")
    for (unit_id, period_id), task_ids in pending.items():
        period = by_id[period_id]
        days_left = (period.due_date - today).days
        key = f"period:{period_id}"
        if 0 <= days_left <= rule.remind_days_before and _once("report_due", key, unit_id, "remind", today):
            sent += _remind([unit_id], title=f"进展填报提醒：「{period.label}」",
                          body=f"{labels[unit_id]}有 {len(task_ids)} 项任务的进展将于 {period.due_date:%Y年%m月%d日} 截止填报。",
                          link=link, kind="plans.reminder", escalate=False)
        stage = _stage(-days_left, rule)
        if stage and _once("report_overdue", key, unit_id, stage, today):
            sent += _remind([unit_id], title=f"进展逾期未报：「{period.label}」",
                          body=f"{labels[unit_id]}有 {len(task_ids)} 项任务的进展已逾期 {-days_left} 天未报，请立即填报。",
                          link=link, kind="plans.escalation", escalate=True)
    return sent


def _deadline_reminders(plan: Plan, rule: AlertRule, facts: _PlanFacts, today: datetime.date) -> int:
    sent = 0
    for task in Task.objects.filter(plan=plan, progress__lt=100).only("id", "title", "deadline", "plan_id"):
        deadline = task.deadline or datetime.date(plan.end_year, 12, 31)
        days_left = (deadline - today).days
        units = [unit_id for unit_id, _ in facts.required.get(task.pk, [])]
        key, link = f"task:{task.pk}", reverse("plans:task_detail", args=[task.pk])
        for unit_id in units:
            if 0 <= days_left <= rule.remind_days_before and _once("task_deadline", key, unit_id, "remind", today):
                sent += _remind([unit_id], title=f"任务临近完成时限：{task.title[:30]}",
                              body=f"完成时限为 {deadline:%Y年%m月%d日}，还剩 {days_left} 天。", link=link,
                              kind="plans.reminder", escalate=False)
            stage = _stage(-days_left, rule)
            if stage and _once("task_overdue", key, unit_id, stage, today):
                sent += _remind([unit_id], title=f"任务已超过完成时限：{task.title[:30]}",
                              body=f"完成时限为 {deadline:%Y年%m月%d日}，已逾期 {-days_left} 天。", link=link,
                              kind="plans.escalation", escalate=True)
    return sent


def _order_reminders(plan: Plan, rule: AlertRule, today: datetime.date) -> int:
    sent = 0
    orders = SupervisionOrder.objects.filter(task__plan=plan, status__in=[OrderStatus.ISSUED, OrderStatus.SIGNED])
    for order in orders:
        days_left = (order.due_date - today).days
        key, link = f"order:{order.pk}", reverse("plans:order_detail", args=[order.pk])
        if 0 <= days_left <= rule.remind_days_before and _once("order_due", key, order.unit_id, "remind", today):
            sent += _remind([order.unit_id], title=f"督办单即将到期：{order.number}",
                          body=f"办理时限 {order.due_date:%Y年%m月%d日}，请按时办理并回复。", link=link,
                          kind="plans.reminder", escalate=False)
        stage = _stage(-days_left, rule)
        if stage and _once("order_overdue", key, order.unit_id, stage, today):
            sent += _remind([order.unit_id], title=f"督办单逾期未办结：{order.number}",
                          body=f"办理时限 {order.due_date:%Y年%m月%d日}，已逾期 {-days_left} 天。", link=link,
                          kind="plans.escalation", escalate=True)
    return sent


def daily_run(today: datetime.date | None = None) -> dict[str, int]:
    """The daily job: live indicator values, lights, reminders and escalations for every current plan."""
    from kepu.plans.services.ledger import indicator_refresh

    today = today or timezone.localdate()
    totals = {"plans": 0, "green": 0, "yellow": 0, "red": 0, "changed": 0, "notified": 0}
    for plan in Plan.objects.filter(is_archived=False):
        with transaction.atomic():
            for indicator in plan.indicators.filter(source=IndicatorSource.PROVIDER):
                indicator_refresh(indicator=indicator, today=today)
            counts = recompute_plan(plan, today)
            facts = _plan_facts(plan, None, today)
            notified = (_report_reminders(plan, facts.rule, facts, today)
                        + _deadline_reminders(plan, facts.rule, facts, today)
                        + _order_reminders(plan, facts.rule, today))
        totals["plans"] += 1
        totals["notified"] += notified
        for key in ("green", "yellow", "red", "changed"):
            totals[key] += counts[key]
    return totals


# ---------------------------------------------------------------- 督办单

def _order_number(today: datetime.date) -> str:
    """The 文号 of the next 督办单 of the year, e.g. 昆科协督〔2026〕3号, never given twice."""
    prefix = document_number("督", today, 0).removesuffix("0号")

    def issued() -> int:
        return SupervisionOrder.objects.filter(number__startswith=prefix).count()

    return document_number("督", today, next_number(f"plans.order.{today.year}", start_after=issued))


@transaction.atomic
def order_issue(*, actor: Any, task: Task, unit: Any, requirement: str, due_date: datetime.date) -> SupervisionOrder:
    """The office orders one of the task's units to act by a date; its liaisons hear at once (SMS too)."""
    require(actor, "plans.order.issue")
    require_reach(actor, "plans.order.issue", task)
    if not selectors.is_assigned(task, getattr(unit, "pk", None)):
        raise ValidationFailed("承办单位须为该任务的牵头或参与单位", "unit")
    if not requirement.strip():
        raise ValidationFailed("请填写督办事项及要求", "requirement")
    today = timezone.localdate()
    if due_date < today:
        raise ValidationFailed("办理时限不能早于今天", "due_date")
    order = SupervisionOrder.objects.create(number=_order_number(today), task=task, unit=unit,
                                            requirement=requirement.strip(), due_date=due_date,
                                            issued_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor, "plans.order.issue", category=AuditCategory.WORKFLOW, obj=order,
                 after=audit.snapshot(order, ORDER_FIELDS))
    tell(liaisons_of([unit.pk]), title=f"督办单：{order.number}（请签收）", kind="plans.order",
           body=f"任务：{task.title}。办理时限：{due_date:%Y年%m月%d日}。{requirement.strip()}",
           link=reverse("plans:order_detail", args=[order.pk]), email=True, text_message=True)
    return order


def _order_step(actor: Any, order: SupervisionOrder, verb: str, action: str, **changes: Any) -> SupervisionOrder:
    require(actor, action)
    require_reach(actor, action, order)
    before = audit.snapshot(order, ORDER_FIELDS)
    transition(order, to=next_status(ORDER_TRANSITIONS, verb, order.status), actor=actor,
               action=f"plans.order.{verb}", **changes)
    audit.record(actor, f"plans.order.{verb}", category=AuditCategory.WORKFLOW, obj=order, before=before,
                 after=audit.snapshot(order, ORDER_FIELDS), reason=changes.get("close_note", "") or "")
    return order


def _person(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def order_sign(*, actor: Any, order: SupervisionOrder) -> SupervisionOrder:
    """签收: the unit acknowledges the order."""
    return _order_step(actor, order, "sign", "plans.order.respond", signed_by=_person(actor), signed_at=timezone.now())


@transaction.atomic
def order_answer(*, actor: Any, order: SupervisionOrder, answer: str) -> SupervisionOrder:
    """办理回复: the unit says what it has done."""
    if not answer.strip():
        raise ValidationFailed("请填写办理情况", "answer")
    order = _order_step(actor, order, "answer", "plans.order.respond", answer=answer.strip(),
                        answered_by=_person(actor), answered_at=timezone.now())
    tell(office_staff(), title=f"督办单已回复：{order.number}", kind="plans.order",
           body=answer.strip()[:200], link=reverse("plans:order_detail", args=[order.pk]))
    return order


@transaction.atomic
def order_reject_answer(*, actor: Any, order: SupervisionOrder, reason: str) -> SupervisionOrder:
    """The office finds the answer insufficient and sends the order back to the unit."""
    if not reason.strip():
        raise ValidationFailed("退回重办须填写原因", "reason")
    order = _order_step(actor, order, "reject_answer", "plans.order.issue", close_note=reason.strip())
    tell(liaisons_of([order.unit_id]), title=f"督办单退回重办：{order.number}", kind="plans.order",
           body=reason.strip(), link=reverse("plans:order_detail", args=[order.pk]), email=True)
    return order


@transaction.atomic
def order_close(*, actor: Any, order: SupervisionOrder, note: str) -> SupervisionOrder:
    """办结: the office closes the order with its opinion."""
    if not note.strip():
        raise ValidationFailed("请填写办结意见", "close_note")
    return _order_step(actor, order, "close", "plans.order.issue", close_note=note.strip(),
                       closed_by=_person(actor), closed_at=timezone.now())


def overdue_orders(orders: Any, today: datetime.date | None = None) -> Any:
    today = today or timezone.localdate()
    return orders.filter(~Q(status=OrderStatus.CLOSED), due_date__lt=today)


def order_counts(orders: Any) -> dict[str, int]:
    return dict(orders.values_list("status").annotate(n=Count("id")).values_list("status", "n"))
