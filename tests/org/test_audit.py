"""The audit trail: every write leaves who/what/before/after/when/where; the log is append-only."""

from __future__ import annotations

from typing import Any

import pytest

from kepu.core.models import AuditCategory, AuditEntry
from tests.org.sheets import read_xlsx

pytestmark = pytest.mark.django_db


def test_editing_a_unit_records_before_and_after_and_the_client_address(as_user: Any, cast: dict[str, Any]) -> None:
    unit = cast["jiaoyu"].unit
    response = as_user("office").post(f"/office/org/units/{unit.pk}/edit/", {
        "name": unit.name, "short_name": "教育局", "kind": unit.kind, "region": unit.region_id, "sort_order": 3,
        "is_member": str(unit.is_member),
    }, REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(action="org.unit.update").latest("id")
    assert entry.actor == cast["office"] and entry.ip == "10.1.2.3" and entry.channel == "web"
    assert entry.before["short_name"] == "市教育局" and entry.after["short_name"] == "教育局"
    assert entry.object_type == "org.unit" and entry.object_id == str(unit.pk)


def test_a_unit_is_deactivated_with_a_reason_never_deleted(as_user: Any, cast: dict[str, Any]) -> None:
    unit = cast["nongye"].unit
    client = as_user("office")
    client.post(f"/office/org/units/{unit.pk}/deactivate/", {"reason": ""})
    unit.refresh_from_db()
    assert unit.is_active
    client.post(f"/office/org/units/{unit.pk}/deactivate/", {"reason": "机构改革合并"})
    unit.refresh_from_db()
    assert not unit.is_active
    entry = AuditEntry.objects.get(action="org.unit.deactivate")
    assert entry.category == AuditCategory.WITHDRAW and entry.reason == "机构改革合并"


def test_the_log_cannot_be_changed_or_deleted() -> None:
    entry = AuditEntry.objects.first()
    assert entry is not None
    entry.reason = "篡改"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.all().delete()
    with pytest.raises(PermissionError):
        AuditEntry.objects.update(reason="篡改")


def test_the_office_filters_and_exports_the_log_and_the_export_is_logged(as_user: Any) -> None:
    client = as_user("office")
    page = client.get("/office/org/audit/?category=create&action=org.unit")
    rows = page.context["page_obj"].paginator.object_list
    assert rows.count() > 0 and all(e.category == "create" and e.action.startswith("org.unit") for e in rows)
    exported = read_xlsx(client.get("/office/org/audit/export/?category=create&action=org.unit").content)
    assert len(exported) - 1 == rows.count()
    export_entry = AuditEntry.objects.filter(category=AuditCategory.EXPORT).latest("id")
    assert export_entry.action == "core.audit.export" and "类别=create" in export_entry.reason


def test_others_see_only_their_own_entries(as_user: Any, cast: dict[str, Any]) -> None:
    client = as_user("jiaoyu")
    client.get("/office/org/units/export/")
    rows = client.get("/office/org/audit/").context["page_obj"].paginator.object_list
    assert rows.count() >= 1 and set(rows.values_list("actor", flat=True)) == {cast["jiaoyu"].pk}


def test_logout_is_recorded(as_user: Any) -> None:
    as_user("jiaoyu").post("/logout/")
    assert AuditEntry.objects.filter(category=AuditCategory.LOGOUT, action="auth.logout").exists()
