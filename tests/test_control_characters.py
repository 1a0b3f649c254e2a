"""Control characters are refused at every input — forms, API bodies, imports — with a Chinese
message that shows where they are, and nothing is changed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from kepu.core.excel import CellError, text_cell
from kepu.org.models import Unit
from tests.test_authorization import _auth_headers

pytestmark = pytest.mark.django_db


def test_a_form_post_with_a_control_character_changes_nothing(as_user: Any, cast: dict[str, Any]) -> None:
    unit = cast["jiaoyu"].unit
    count = Unit.objects.count()
    response = as_user("office").post(reverse("org:unit_create"), {"name": "新单位\x0b名称", "kind": "department"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "控制字符" in text and "新单位名称" in text  # quotes the text around it
    assert Unit.objects.count() == count
    unit.refresh_from_db()


def test_an_api_body_with_a_control_character_is_refused_with_422(client: Any, cast: dict[str, Any]) -> None:
    headers = _auth_headers("office", cast)
    response = client.post("/api/v1/org/units", data={"name": "新单位\x01", "region_code": "320583000000",
                                                           "nested": {"a": ["ok"]}},
                           content_type="application/json", headers=headers)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "name"] and "控制字符" in detail["msg"]


def test_a_search_term_with_a_nul_is_refused_not_a_server_error(client: Any, as_user: Any,
                                                                 cast: dict[str, Any]) -> None:
    # PostgreSQL refuses NUL in text: unchecked, a search for it was a 500.
    response = client.get("/api/v1/org/units", {"q": "教育\x00"}, headers=_auth_headers("office", cast))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "q"]
    page = as_user("office").get(reverse("org:unit_list"), {"q": "教育\x00"})
    assert page.status_code == 400 and "控制字符" in page.content.decode()


def test_tab_and_line_breaks_are_ordinary_text(as_user: Any) -> None:
    response = as_user("office").post(reverse("org:unit_create"), {"name": "甲\t乙\r\n丙"})
    assert response.status_code != 400


def test_an_excel_cell_with_a_control_character_is_a_cell_error() -> None:
    with pytest.raises(CellError, match="控制字符"):
        text_cell("名称\x02")
    assert text_cell(" 名称\t ") == "名称"
