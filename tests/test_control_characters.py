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
    response = client.post("/api/v1/org/units", data={"name": "新单位\x01", "nested": {"a": ["ok"]}},
                           content_type="application/json", headers=headers)
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "name"] and "控制字符" in detail["msg"]


def test_tab_and_line_breaks_are_ordinary_text(as_user: Any) -> None:
    response = as_user("office").post(reverse("org:unit_create"), {"name": "甲\t乙\r\n丙"})
    assert response.status_code != 400


def test_an_excel_cell_with_a_control_character_is_a_cell_error() -> None:
    with pytest.raises(CellError, match="控制字符"):
        text_cell("名称\x02")
    assert text_cell(" 名称\t ") == "名称"
