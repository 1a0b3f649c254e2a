"""Data scopes: the same rows in lists, counts, exports and the API; several roles combine by union."""

from __future__ import annotations

import json
from typing import Any

import pytest

from kepu.core.access import can, scoped
from kepu.core.permissions import Action, register
from kepu.core.roles import DataScope, Role
from kepu.org import services
from kepu.org.models import Unit, User
from kepu.org.selectors import UnitFilters, unit_list
from tests.org.sheets import read_xlsx

pytestmark = pytest.mark.django_db


def _page_unit_ids(client: Any, query: str = "") -> set[int]:
    response = client.get(f"/office/org/units/?active=all{query}")
    return {u.pk for u in response.context["page_obj"].paginator.object_list}


def test_a_liaison_sees_only_the_own_unit_everywhere(as_user: Any, cast: dict[str, Any]) -> None:
    own = {cast["jiaoyu"].unit_id}
    client = as_user("jiaoyu")
    assert _page_unit_ids(client) == own
    exported = read_xlsx(client.get("/office/org/units/export/").content)
    assert [row[1] for row in exported[1:]] == ["昆山市教育局"]
    from kepu.org.services import token_create

    _, key = token_create(actor=cast["jiaoyu"], name="t")
    api = client.get("/api/v1/org/units", headers={"Authorization": f"Bearer {key}"})
    assert [u["id"] for u in json.loads(api.content)["items"]] == list(own)


def test_an_area_administrator_sees_the_units_of_the_own_area(as_user: Any, cast: dict[str, Any]) -> None:
    zhangpu_path = cast["zhangpu"].region.path
    expected = set(Unit.objects.filter(region__path__startswith=zhangpu_path).values_list("pk", flat=True))
    assert expected and _page_unit_ids(as_user("zhangpu")) == expected
    assert Unit.objects.get(name="张浦镇科协").pk in expected


def test_the_office_sees_every_unit(as_user: Any) -> None:
    assert _page_unit_ids(as_user("office")) == set(Unit.objects.values_list("pk", flat=True))


def test_filters_narrow_within_the_scope_never_beyond(as_user: Any, cast: dict[str, Any]) -> None:
    # A liaison filtering by another unit's name still sees nothing of it.
    assert _page_unit_ids(as_user("jiaoyu"), "&q=农业") == set()
    assert _page_unit_ids(as_user("office"), "&q=市人社局") == {Unit.objects.get(name="昆山市人力资源和社会保障局").pk}


@pytest.fixture
def union_action() -> Any:
    from kepu.core import permissions

    register(Action("test.union", "测试并集", {Role.LIAISON: DataScope.UNIT, Role.AREA_ADMIN: DataScope.REGION_TREE}))
    yield "test.union"
    permissions._registry.pop("test.union")


def test_a_user_with_two_roles_sees_the_union_of_both_scopes(cast: dict[str, Any], union_action: str) -> None:
    user = cast["jiaoyu"]
    liaison_only = set(scoped(Unit.objects.all(), user, "test.union").values_list("pk", flat=True))
    assert liaison_only == {user.unit_id}
    services.user_update(actor=cast["admin"], user=user, region=cast["zhangpu"].region)
    services.user_set_roles(actor=cast["admin"], user=user, roles=[Role.LIAISON, Role.AREA_ADMIN])
    user = User.objects.get(pk=user.pk)
    both = set(scoped(Unit.objects.all(), user, "test.union").values_list("pk", flat=True))
    zhangpu = set(Unit.objects.filter(region__path__startswith=cast["zhangpu"].region.path).values_list("pk", flat=True))
    assert both == liaison_only | zhangpu


def test_a_second_role_grants_no_action_neither_role_has(cast: dict[str, Any]) -> None:
    weijian = cast["weijian"]  # liaison and expert
    assert weijian.role_codes == {Role.LIAISON, Role.EXPERT}
    assert not can(weijian, "org.unit.change") and not can(weijian, "core.audit.export")


def test_the_user_page_states_the_multi_role_rule_and_the_sources(as_user: Any, cast: dict[str, Any]) -> None:
    page = as_user("office").get(f"/office/org/users/{cast['weijian'].pk}/").content.decode()
    assert "多角色规则" in page and "取并集" in page
    assert "成员单位联络员" in page and "专家" in page


def test_counts_go_through_the_same_scope(cast: dict[str, Any]) -> None:
    assert unit_list(user=cast["jiaoyu"], filters=UnitFilters()).count() == 1
    assert unit_list(user=cast["resident"], filters=UnitFilters()).count() == 0


def test_a_role_change_is_recorded_as_a_permission_change(cast: dict[str, Any]) -> None:
    from kepu.core.models import AuditCategory, AuditEntry

    services.user_set_roles(actor=cast["office"], user=cast["nongye"], roles=[Role.LIAISON, Role.EXPERT])
    entry = AuditEntry.objects.filter(category=AuditCategory.PERMISSION, action="org.user.roles").latest("id")
    assert entry.before == {"roles": ["liaison"]} and entry.after == {"roles": ["expert", "liaison"]}
    assert entry.actor == cast["office"]


def test_only_a_system_administrator_makes_another(cast: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.user_set_roles(actor=cast["office"], user=cast["nongye"], roles=[Role.SYSTEM_ADMIN])
    assert Role.SYSTEM_ADMIN not in User.objects.get(pk=cast["nongye"].pk).role_codes


def test_the_permission_matrix_exports_every_action(as_user: Any) -> None:
    from kepu.core.permissions import all_actions

    rows = read_xlsx(as_user("office").get("/office/org/permissions/export/").content)
    assert rows[0][:3] == ["模块", "操作", "代码"] and rows[0][3:] == [label for _, label in Role.choices]
    assert {r[2] for r in rows[1:]} == {a.code for a in all_actions()}
    unit_view = next(r for r in rows if r[2] == "org.unit.view")
    assert unit_view[3 + Role.values.index(Role.LIAISON)] == "本单位"
