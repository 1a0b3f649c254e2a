"""Every Excel export writes text that looks like a formula as text, and no stored value — however it
got there — can make an export fail. One place does it (kepu.core.excel.cell_value and
write_workbook); these tests hold every export listed in the authorisation tables to it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from kepu.core import audit
from kepu.core.excel import FORMULA_TRIGGERS, Column, write_workbook
from kepu.core.models import AuditCategory, AuditEntry
from kepu.core.text import CONTROL_CHARACTERS
from tests.authz import Page
from tests.test_authorization import CASES, objs  # noqa: F401 — the fixture the cases' kwargs use

EXPORTS = [c for c in CASES if isinstance(c, Page) and c.url_name.endswith("_export")]
HOSTILE = {
    "unit": '=HYPERLINK("http://example.invalid/?x","点此查看")',
    "team": "+1+cmd|' /C calc'!A0",
    "volunteer": "@SUM(1+1)*cmd",
    "task": "-2+3+cmd|' /C calc'!A0",
}


def _workbook(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def _cells(workbook: Any) -> list[Any]:
    return [cell for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row]


def assert_no_formula_and_no_control_characters(content: bytes) -> list[Any]:
    cells = _cells(_workbook(content))
    for cell in cells:
        assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            assert not CONTROL_CHARACTERS.search(cell.value), cell.coordinate
            if cell.value.startswith(FORMULA_TRIGGERS):
                assert cell.data_type == "s" and cell.quotePrefix, f"{cell.coordinate}: {cell.value!r}"
    return cells


@pytest.fixture
def hostile_rows(cast: dict[str, Any], objs: dict[str, Any]) -> None:  # noqa: F811 — after objs looks rows up
    """Formula-like text in the names most exports carry, and a control character in the audit log."""
    from kepu.org.models import Unit
    from kepu.plans.models import Task
    from kepu.volunteers.models import Volunteer, VolunteerTeam

    unit = Unit.objects.get(pk=cast["jiaoyu"].unit_id)  # a copy of 教育局 under a hostile name
    unit.pk, unit.id, unit.name, unit.normalized_name = None, None, HOSTILE["unit"], HOSTILE["unit"]
    unit.save()
    VolunteerTeam.objects.filter(pk=VolunteerTeam.objects.order_by("pk").values("pk")[:1]).update(name=HOSTILE["team"])
    Volunteer.objects.filter(pk=Volunteer.objects.order_by("pk").values("pk")[:1]).update(name=HOSTILE["volunteer"])
    Task.objects.filter(pk=Task.objects.order_by("pk").values("pk")[:1]).update(title=HOSTILE["task"])
    audit.record(None, "auth.login_failed", category=AuditCategory.LOGIN_FAILED, actor_name="\x01admin\x1b",
                 reason="用户名或密码错误\x07")


def test_text_that_looks_like_a_formula_is_written_as_text() -> None:
    values = ["=1+1", "+86 138", "-", "@me", "\tx", "\rx", "普通文字", "=HYPERLINK(\"http://x\",\"y\")"]
    content = write_workbook("测试", [Column("值", "v")], [[v] for v in values])
    cells = assert_no_formula_and_no_control_characters(content)
    assert [c.value for c in cells[1:]] == values


def test_control_characters_are_stripped_on_export() -> None:
    content = write_workbook("测试", [Column("值", "v")], [["a\x01b\x1fc\x7f"], ["保留\t制表符\n换行"]])
    cells = assert_no_formula_and_no_control_characters(content)
    assert [c.value for c in cells[1:]] == ["abc", "保留\t制表符\n换行"]


@pytest.mark.django_db
@pytest.mark.parametrize("case", EXPORTS, ids=lambda c: c.url_name)
def test_every_export_writes_formulas_as_text(case: Page, hostile_rows: None, cast: dict[str, Any],
                                              objs: dict[str, Any]) -> None:  # noqa: F811
    user = "office" if "office" in case.allowed else case.allowed[0]
    client = Client()
    client.force_login(cast[user], backend="kepu.org.auth.KepuModelBackend")
    response = client.get(reverse(case.url_name, kwargs=case.kwargs(objs)), data=case.data(objs))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert_no_formula_and_no_control_characters(response.content)


@pytest.mark.django_db
def test_a_unit_named_like_a_formula_comes_back_as_that_text(hostile_rows: None, as_user: Any) -> None:
    response = as_user("office").get(reverse("org:unit_export"))
    cells = assert_no_formula_and_no_control_characters(response.content)
    hostile = [c for c in cells if c.value == HOSTILE["unit"]]
    assert hostile and all(c.data_type == "s" for c in hostile)


@pytest.mark.django_db
def test_a_failed_login_with_a_control_character_is_refused_and_the_audit_export_still_works(
        hostile_rows: None, as_user: Any) -> None:
    before = AuditEntry.objects.count()
    response = Client().post(reverse("login"), {"username": "\x01admin", "password": "x"})
    assert response.status_code == 400
    assert "控制字符" in response.content.decode()
    assert AuditEntry.objects.count() == before  # refused before any sign-in attempt
    export = as_user("office").get(reverse("org:audit_export"))
    assert export.status_code == 200
    cells = assert_no_formula_and_no_control_characters(export.content)
    assert "admin" in [c.value for c in cells]  # the older entry's name, its control characters gone
