"""A new unit is not a member of the leading group, nor of a kind, by accident: wherever a unit is
created, the user chooses both, and a form that leaves either open creates nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kepu.org.models import Unit

pytestmark = pytest.mark.django_db


def test_the_unit_form_requires_an_explicit_choice_of_membership_and_kind(as_user: Any, cast: dict[str, Any]) -> None:
    count = Unit.objects.count()
    response = as_user("office").post(reverse("org:unit_create"), {
        "name": "昆山市测试研究所", "region": cast["office"].unit.region_id, "sort_order": 100})
    text = response.content.decode()
    assert response.status_code == 200
    assert "请选择是否为领导小组成员单位" in text and "请选择单位类别" in text
    assert "昆山市测试研究所" in text, "the form keeps what the user typed"
    assert Unit.objects.count() == count


def test_a_unit_created_as_not_a_member_stays_out_of_the_member_list(as_user: Any, cast: dict[str, Any]) -> None:
    response = as_user("office").post(reverse("org:unit_create"), {
        "name": "昆山市测试研究所", "region": cast["office"].unit.region_id, "sort_order": 100,
        "kind": "public_institution", "is_member": "False"})
    assert response.status_code == 302
    unit = Unit.objects.get(name="昆山市测试研究所")
    assert unit.is_member is False and unit.kind == "public_institution"


def test_the_import_review_proposes_no_kind_and_no_membership(as_user: Any) -> None:
    from kepu.plans.forms import CreateUnitForm

    form = CreateUnitForm(initial={"written": "市某中心", "name": "市某中心"})
    html = str(form["is_member"]) + str(form["kind"])
    assert 'value="" selected' in html.replace("selected=\"\"", "selected") or "selected" not in html
    bound = CreateUnitForm({"written": "市某中心", "name": "市某中心", "region": ""})
    assert not bound.is_valid()
    assert {"is_member", "kind"} <= set(bound.errors)
