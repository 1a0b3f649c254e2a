"""What offices circulate: the Excel ledger (台账) that round-trips with import — bad rows reported by
row and column and nothing written — and the Word 通报 generated from live data with a chart."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from kepu.core.errors import ImportRejected
from kepu.core.models import AuditCategory, AuditEntry
from kepu.plans.models import Task, TaskUnit
from kepu.plans.sheets import ledger_import
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db


def _export(client: Any, query: str = "") -> Any:
    response = client.get(f"/office/plans/tasks/export/{query}")
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def _bytes(workbook: Any) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_the_export_carries_the_ledger_columns_and_the_filters(as_user: Any, demo_plan: Any) -> None:
    sheet = _export(as_user("office"), f"?plan={demo_plan.pk}&light=red").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:11] == ("编号", "方案", "板块", "序号", "任务", "牵头单位", "参与单位", "完成时限", "进度(%)", "预警灯",
                            "预警原因")
    red = Task.objects.filter(plan=demo_plan, alert_level="red")
    assert sorted(r[0] for r in rows[1:]) == sorted(red.values_list("pk", flat=True))
    assert all(r[9] == "红灯" and r[10] for r in rows[1:])
    assert AuditEntry.objects.filter(action="plans.ledger.export", category=AuditCategory.EXPORT).exists()


def test_an_edited_ledger_uploads_back_and_updates_the_rows(cast: dict[str, Any], as_user: Any,
                                                           demo_plan: Any) -> None:
    workbook = _export(as_user("office"), f"?plan={demo_plan.pk}")
    sheet = workbook.active
    row = next(r for r in sheet.iter_rows(min_row=2) if r[4].value == "加强校内青少年科学教育")
    row[4].value = "加强校内青少年科学教育（含科技节）"
    row[5].value = "市教育局、市科协"
    row[6].value = "团市委"
    row[7].value = datetime.date(2026, 9, 30)
    row[8].value = 88
    summary = ledger_import(actor=cast["office"], data=_bytes(workbook))
    assert (summary.updated, summary.unchanged) == (1, demo_plan.tasks.count() - 1)
    task = Task.objects.get(pk=row[0].value)
    assert (task.title, str(task.deadline), task.progress) == ("加强校内青少年科学教育（含科技节）", "2026-09-30", 88)
    assert [(tu.unit.label, tu.role) for tu in task.units.order_by("role", "order")] == [
        ("市教育局", "lead"), ("市科协", "lead"), ("团市委", "participant")]
    entry = AuditEntry.objects.filter(action="plans.task.update", object_id=str(task.pk)).latest("id")
    assert entry.reason.startswith("台账导入第") and entry.before["title"] == "加强校内青少年科学教育"


def test_bad_rows_are_reported_by_row_and_column_and_nothing_is_written(cast: dict[str, Any], as_user: Any,
                                                                       demo_plan: Any) -> None:
    workbook = _export(as_user("office"), f"?plan={demo_plan.pk}")
    sheet = workbook.active
    sheet["F2"] = "市宇宙局"  # unknown unit
    sheet["H3"] = "明年春天"  # not a date
    sheet["A4"] = 999999  # no such task
    sheet["I5"] = 120  # progress over 100
    sheet["A6"] = sheet["A7"].value  # duplicate 编号
    sheet["E8"] = ""  # empty title
    sheet["E9"] = "这一行是好的，但整批不写入"
    before = db_fingerprint()
    with pytest.raises(ImportRejected) as caught:
        ledger_import(actor=cast["office"], data=_bytes(workbook))
    assert db_fingerprint() == before
    errors = {(e.row, e.column): e.message for e in caught.value.errors}
    assert errors[(2, "牵头单位")].startswith("单位“市宇宙局”不在单位名录中")
    assert errors[(3, "完成时限")] == "“明年春天”不是日期，请写成 2025-06-30"
    assert errors[(4, "编号")] == "任务编号 999999 不存在或不在您的数据范围内"
    assert errors[(5, "进度(%)")] == "“120”应在 0—100 之间"
    assert errors[(7, "编号")] == "与第 6 行重复"
    assert errors[(8, "任务")] == "不能为空"
    assert "导入未执行，数据未作任何改动" in caught.value.message


def test_an_overlong_task_title_in_the_ledger_is_refused_not_cut(cast: dict[str, Any], as_user: Any,
                                                                 demo_plan: Any) -> None:
    workbook = _export(as_user("office"), f"?plan={demo_plan.pk}")
    workbook.active["E2"] = "长" * 301
    workbook.active["D3"] = "序" * 21
    before = db_fingerprint()
    with pytest.raises(ImportRejected) as caught:
        ledger_import(actor=cast["office"], data=_bytes(workbook))
    assert db_fingerprint() == before
    errors = {(e.row, e.column): e.message for e in caught.value.errors}
    assert errors == {(2, "任务"): "不能超过 300 个字（现有 301 个）", (3, "序号"): "不能超过 20 个字（现有 21 个）"}


def test_the_ledger_import_page_lists_the_errors(as_user: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = as_user("office").post("/office/plans/tasks/import/", {
        "file": SimpleUploadedFile("台账.xlsx", b"not an excel file")})
    assert response.status_code == 200 and "无法读取文件" in response.content.decode()


def test_the_bulletin_is_a_word_document_from_live_data_with_a_chart(as_user: Any, demo_plan: Any) -> None:
    response = as_user("office").get(f"/office/plans/bulletin/?plan={demo_plan.pk}")
    assert response.status_code == 200 and "filename*=UTF-8''" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    red = Task.objects.filter(plan=demo_plan, alert_level="red").count()
    assert f"关于{demo_plan.title}实施进展情况的通报" in text
    assert f"台账共有任务 {demo_plan.tasks.count()} 项" in text and f"红灯（滞后）{red} 项" in text
    assert "按时报送率" in text and "牵头任务出现红灯的单位有" in text
    assert len(document.inline_shapes) == 1, "the chart of lights by section"
    lagging = document.tables[1]
    assert lagging.rows[0].cells[1].text == "任务"
    assert len(lagging.rows) - 1 == Task.objects.filter(plan=demo_plan, alert_level__in=["red", "yellow"]).count()
    assert AuditEntry.objects.filter(action="plans.bulletin.export", category=AuditCategory.EXPORT).exists()


def test_a_liaison_exports_only_the_own_units_tasks(as_user: Any, cast: dict[str, Any], demo_plan: Any) -> None:
    rows = list(_export(as_user("jiaoyu"), f"?plan={demo_plan.pk}").active.iter_rows(min_row=2, values_only=True))
    own = set(TaskUnit.objects.filter(unit=cast["jiaoyu"].unit, task__plan=demo_plan).values_list("task_id", flat=True))
    assert {r[0] for r in rows} == own and len(rows) == len(own)
