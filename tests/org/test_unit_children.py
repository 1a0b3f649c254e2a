"""A unit's page lists its child units a page at a time (教育局 has 1,500 schools at a city's volume)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from kepu.org.models import Unit
from kepu.org.views.units import CHILDREN_PER_PAGE

pytestmark = pytest.mark.django_db


@pytest.fixture
def schools(cast: dict[str, Any]) -> Unit:
    edu = Unit.objects.get(name="昆山市教育局")
    Unit.objects.bulk_create([Unit(name=f"测试学校{i:03d}", normalized_name=f"测试学校{i:03d}", kind="school",
                                   region=edu.region, parent=edu, path="", sort_order=i)
                              for i in range(CHILDREN_PER_PAGE + 7)])
    Unit.objects.create(name="已停用学校", normalized_name="已停用学校", kind="school", region=edu.region, parent=edu,
                        path="", is_active=False)
    return edu


def _schools_listed(html: str) -> list[str]:
    return re.findall(r">(测试学校\d{3})</a>", html)


def test_the_child_units_come_a_page_at_a_time(schools: Unit, as_user: Any) -> None:
    total = Unit.objects.filter(parent=schools, is_active=True).count()
    client = as_user("office")
    first = client.get(reverse("org:unit_detail", args=[schools.pk])).content.decode()
    assert len(re.findall(r'class="list-group-item"><a href="/office/org/units/\d+/"', first)) == CHILDREN_PER_PAGE
    assert f"共 {total} 条" in first and "下一页" in first and "已停用学校" not in first
    last = client.get(reverse("org:unit_detail", args=[schools.pk]), {"page": 2}).content.decode()
    assert set(_schools_listed(first)).isdisjoint(_schools_listed(last))
    assert len(_schools_listed(first)) + len(_schools_listed(last)) == CHILDREN_PER_PAGE + 7


def test_another_page_of_children_answers_htmx_with_the_list_alone(schools: Unit, as_user: Any) -> None:
    response = as_user("office").get(reverse("org:unit_detail", args=[schools.pk]), {"page": 2},
                                     HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.startswith('<div class="kp-card mt-3" id="unit-children">')
    assert "基本信息" not in html and _schools_listed(html)
