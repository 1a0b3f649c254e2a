"""The plan ledger's cards on the back-office home page (工作台)."""

from __future__ import annotations

from typing import Any

from kepu.core.access import can
from kepu.plans import dashboard, selectors
from kepu.plans.models import OrderStatus, ReportStatus


def office_card_context(user: Any) -> dict[str, Any] | None:
    plan = selectors.current_plan(user=user)
    if plan is None:
        return None
    tasks = selectors.task_list(user=user, filters=selectors.TaskFilters(plan=plan.pk))
    return {"plan": plan, "counts": dashboard.light_counts(tasks), "ledger_url": dashboard.ledger_url,
            "pending": selectors.report_list(user=user).filter(status=ReportStatus.SUBMITTED).count(),
            "open_orders": selectors.order_list(user=user).exclude(status=OrderStatus.CLOSED).count()}


def my_tasks_context(user: Any) -> dict[str, Any] | None:
    """“我的任务” for liaisons (and the area's tasks for area administrators)."""
    if can(user, "plans.report.review"):
        return None  # the office has its own card
    tasks = selectors.task_list(user=user)
    counts = dashboard.light_counts(tasks)
    if not counts["total"]:
        return None
    due = selectors.due_soon(user=user)
    return {"counts": counts, "ledger_url": dashboard.ledger_url, "due": due,
            "due_tasks": sum(len(row["tasks"]) for row in due),
            "late_tasks": sum(len(row["tasks"]) for row in due if row["late"]),
            "returned": selectors.report_list(user=user).filter(status=ReportStatus.RETURNED).count(),
            "orders": selectors.order_list(user=user).filter(status__in=[OrderStatus.ISSUED, OrderStatus.SIGNED]).count(),
            "is_liaison": can(user, "plans.report.submit")}
