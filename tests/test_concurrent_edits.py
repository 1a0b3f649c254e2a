"""Edit forms of records people share detect a change made since the form was opened: the save is
refused with a message, the other person's change stays, and the form keeps what the user typed."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from kepu.core.transitions import CHANGED_MEANWHILE

pytestmark = pytest.mark.django_db


def _token(page: Any) -> str:
    match = re.search(r'name="edit_token" value="([^"]+)"', page.content.decode())
    assert match, "the edit form carries its record's edit token"
    return match.group(1)


def _form_values(page: Any, names: list[str]) -> dict[str, str]:
    html = page.content.decode()
    values = {}
    for name in names:
        match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
            rf'<textarea name="{name}"[^>]*>\s*([^<]*)</textarea>', html)
        values[name] = match.group(1) if match else ""
    return values


def _stale_save(client: Any, url: str, data: dict[str, Any], touch: Any, fresh: Any, field: str,
                typed: str) -> None:
    page = client.get(url)
    data = {**data, "edit_token": _token(page)}
    touch()  # someone else saves the record meanwhile
    other = fresh()
    response = client.post(url, {**data, field: typed})
    assert response.status_code == 200
    text = response.content.decode()
    assert CHANGED_MEANWHILE.split("，")[0] in text
    assert typed in text, "the form keeps what the user typed"
    assert getattr(fresh(), field) == getattr(other, field), "the other person's change stays"
    # With the current token the same edit goes through.
    page = client.get(url)
    response = client.post(url, {**data, "edit_token": _token(page), field: typed})
    assert response.status_code == 302
    assert getattr(fresh(), field) == typed


def test_a_unit_edited_meanwhile_is_not_overwritten(as_user: Any, cast: dict[str, Any]) -> None:
    from kepu.org.models import Unit

    unit = Unit.objects.get(pk=cast["jiaoyu"].unit_id)
    url = reverse("org:unit_edit", args=[unit.pk])
    data = {"name": unit.name, "short_name": unit.short_name, "kind": unit.kind, "region": unit.region_id,
            "parent": unit.parent_id or "", "is_member": str(unit.is_member),
            "credit_code": unit.credit_code, "contact_phone": unit.contact_phone, "sort_order": unit.sort_order}

    def touch() -> None:
        from kepu.org import services

        services.unit_update(actor=cast["office"], unit=Unit.objects.get(pk=unit.pk), short_name="教育局（他人改）")

    _stale_save(as_user("office"), url, data, touch, lambda: Unit.objects.get(pk=unit.pk), "contact_phone",
                "0512-12345678")


def test_a_task_edited_meanwhile_is_not_overwritten(as_user: Any, cast: dict[str, Any]) -> None:
    from kepu.plans.models import Task, UnitRole
    from kepu.plans.services.ledger import task_update

    task = Task.objects.filter(units__role=UnitRole.LEAD).first()
    url = reverse("plans:task_edit", args=[task.pk])
    units = list(task.units.all())
    data = {"number": task.number, "title": task.title, "body": task.body,
            "deadline": task.deadline.isoformat() if task.deadline else "",
            "lead_units": [tu.unit_id for tu in units if tu.role == UnitRole.LEAD],
            "participating_units": [tu.unit_id for tu in units if tu.role == UnitRole.PARTICIPANT], "reason": ""}

    def touch() -> None:
        task_update(actor=cast["office"], task=Task.objects.get(pk=task.pk), number="他人改号")

    _stale_save(as_user("office"), url, data, touch, lambda: Task.objects.get(pk=task.pk), "title",
                "我改的任务名称")


def test_a_team_edited_meanwhile_is_not_overwritten(as_user: Any, cast: dict[str, Any]) -> None:
    from kepu.volunteers.models import VolunteerTeam
    from kepu.volunteers.services import team_update

    team = VolunteerTeam.objects.filter(parent__isnull=False).first()
    url = reverse("volunteers:team_edit", args=[team.pk])
    data = {"name": team.name, "level": team.level, "parent": team.parent_id, "unit": team.unit_id,
            "region": team.region_id}

    def touch() -> None:
        team_update(actor=cast["office"], team=VolunteerTeam.objects.get(pk=team.pk), name=team.name + "（他人改）")

    _stale_save(as_user("office"), url, data, touch, lambda: VolunteerTeam.objects.get(pk=team.pk), "name",
                "我改的队名")


def test_a_service_item_edited_meanwhile_is_not_overwritten(as_user: Any, cast: dict[str, Any]) -> None:
    from kepu.service_orders.models import ServiceItem
    from kepu.service_orders.services import item_update

    item = ServiceItem.objects.filter(is_active=True).first()
    url = reverse("service_orders:item_edit", args=[item.pk])
    data = {"name": item.name, "category": item.category, "audience": item.audience, "summary": item.summary,
            "duration_minutes": item.duration_minutes, "max_headcount": item.max_headcount,
            "provider_unit": item.provider_unit_id or "", "provider_team": item.provider_team_id or "",
            "area": item.area_id or "", "sort_order": item.sort_order, "is_active": "on"}

    def touch() -> None:
        item_update(actor=cast["office"], item=ServiceItem.objects.get(pk=item.pk), sort_order=item.sort_order + 1)

    _stale_save(as_user("office"), url, data, touch, lambda: ServiceItem.objects.get(pk=item.pk), "name",
                "我改的项目名")
