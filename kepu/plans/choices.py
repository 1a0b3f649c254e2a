"""The plan ledger's choice source (kepu.core.choices): the units one task is assigned to, for the 督办单's 承办单位
(`?task=12`; the task fetched in the scope of 签发督办单, as the form's own queryset is)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from kepu.core.choices import ChoiceSource, context_id
from kepu.org.public import Unit, unit_search
from kepu.plans import selectors


def order_units(user: Any, context: Mapping[str, str]) -> QuerySet[Unit]:
    task = selectors.task_detail(user=user, task_id=context_id(context, "task"), action="plans.order.issue")
    # The form's own queryset: named units and, for a task 各成员单位共同负责, every active member unit.
    return selectors.responsible_units(task)


ORDER_UNITS = ChoiceSource(key="order-units", noun="承办单位", choices=order_units, search=unit_search,
                           label=lambda unit: unit.name, prompt="输入任务责任单位的名称、简称或别名")
