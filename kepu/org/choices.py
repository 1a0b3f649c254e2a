"""The unit choice source (kepu.core.choices): units by name, short name or alias, in the data scope of
the action the form is for (`?action=plans.task.change` …; 本单位的单位 for a liaison, the town's for its
administrator)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Prefetch, QuerySet

from kepu.core.choices import ChoiceSource, context_action
from kepu.org.models import Unit, UnitAlias
from kepu.org.selectors import unit_choices, unit_search


def units_for(user: Any, context: Mapping[str, str]) -> QuerySet[Unit]:
    """The active units the user may choose for the action in `context` (default 查看单位)."""
    action = context_action(user, context, default="org.unit.view")
    return unit_choices(user=user, action=action).order_by("-is_member", "sort_order", "name").only(
        "id", "name", "short_name", "is_member").prefetch_related(
        Prefetch("aliases", queryset=UnitAlias.objects.order_by("name").only("unit_id", "name")))


def unit_detail(unit: Unit) -> str:
    aliases = [a.name for a in unit.aliases.all()][:3]
    parts = [f"简称：{unit.short_name}" if unit.short_name else "", f"别名：{'、'.join(aliases)}" if aliases else "",
             "成员单位" if unit.is_member else ""]
    return " · ".join(p for p in parts if p)


UNITS = ChoiceSource(key="units", noun="单位", choices=units_for, search=unit_search,
                     label=lambda unit: unit.name, detail=unit_detail, prompt="输入单位名称、简称或别名搜索")
