"""The plan ledger's cards on the back-office home page (工作台)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from kepu.core.access import can
from kepu.plans import dashboard, selectors
from kepu.plans.models import OrderStatus, ReportStatus


def _count(queryset: Any) -> Subquery:
    """A scalar subquery counting a (scoped) queryset, so one query carries every figure of a card."""
    counted = queryset.order_by().annotate(one=Value(1)).values("one").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def office_card_context(user: Any) -> dict[str, Any] | None:
    """The office's card: the current plan's lights, reports to review, open orders — in one query."""
    tasks = selectors.task_list(user=user).filter(plan=OuterRef("pk"))
    plan = (selectors.plan_list(user=user, include_archived=False).order_by("-is_default", "-start_year", "-id")
            .annotate(total=_count(tasks), green=_count(tasks.filter(alert_level="green")),
                      yellow=_count(tasks.filter(alert_level="yellow")), red=_count(tasks.filter(alert_level="red")),
                      pending=_count(selectors.report_list(user=user).filter(status=ReportStatus.SUBMITTED)),
                      open_orders=_count(selectors.order_list(user=user).exclude(status=OrderStatus.CLOSED)))
            .first())
    if plan is None:
        return None
    counts = {"total": plan.total, "green": plan.green, "yellow": plan.yellow, "red": plan.red}
    return {"plan": plan, "counts": counts, "ledger_url": dashboard.ledger_url(),
            "pending": plan.pending, "open_orders": plan.open_orders}


def my_tasks_context(user: Any) -> dict[str, Any] | None:
    """“我的任务” for liaisons (and the area's tasks for area administrators)."""
    if can(user, "plans.report.review"):
        return None  # the office has its own card
    tasks = selectors.task_list(user=user)
    counts = dashboard.light_counts(tasks)
    if not counts["total"]:
        return None
    due = selectors.due_soon(user=user)
    return {"counts": counts, "ledger_url": dashboard.ledger_url(), "due": due,
            "due_tasks": sum(len(row["tasks"]) for row in due),
            "late_tasks": sum(len(row["tasks"]) for row in due if row["late"]),
            "returned": selectors.report_list(user=user).filter(status=ReportStatus.RETURNED).count(),
            "orders": selectors.order_list(user=user).filter(status__in=[OrderStatus.ISSUED, OrderStatus.SIGNED]).count(),
            "is_liaison": can(user, "plans.report.submit")}
