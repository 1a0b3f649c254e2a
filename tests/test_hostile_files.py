"""Hostile files are refused before the work: a sheet claiming a cell at XFD1048576, a zip bomb, a
Word document of 200,000 paragraphs, a decompression-bomb image, an oversized request. Each refusal
is a Chinese message and nothing is written."""

from __future__ import annotations

import io
import zipfile
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from kepu.core.errors import ImportRejected, ValidationFailed
from kepu.core.excel import Column, read_rows
from kepu.core.uploads import FileRefused, check_docx

pytestmark = pytest.mark.django_db


def _xlsx(cells: dict[str, str]) -> bytes:
    workbook = Workbook()
    for ref, value in cells.items():
        workbook.active[ref] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_a_small_sheet_with_a_cell_at_xfd1048576_is_refused() -> None:
    data = _xlsx({"A1": "单位名称", "A2": "甲", "XFD1048576": "x"})
    assert len(data) < 10_000
    with pytest.raises(ImportRejected) as refused:
        read_rows(data, [Column("单位名称", "name", required=True)])
    assert "超过 500 列" in refused.value.message


def test_a_sheet_whose_dimension_lies_is_read_for_what_it_holds() -> None:
    data = _xlsx({"A1": "单位名称", "A2": "甲", "A3": "乙"})
    source, buffer = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        for member in source.infolist():
            content = source.read(member)
            if member.filename == "xl/worksheets/sheet1.xml":
                assert b'<dimension ref="A1:A3"/>' in content
                content = content.replace(b'<dimension ref="A1:A3"/>', b'<dimension ref="A1:XFD1048576"/>')
            package.writestr(member, content)
    lying = buffer.getvalue()
    rows, errors = read_rows(lying, [Column("单位名称", "name", required=True)])
    assert [r.values["name"] for r in rows] == ["甲", "乙"] and errors == []


def _bomb(name: str, size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr("[Content_Types].xml", "<Types/>")
        package.writestr(name, b"\0" * size)
    return buffer.getvalue()


def test_a_zip_bomb_workbook_is_refused_unread() -> None:
    with pytest.raises(ImportRejected) as refused:
        read_rows(_bomb("xl/worksheets/sheet1.xml", 20 * 1024 * 1024), [Column("单位名称", "name")])
    assert "压缩炸弹" in refused.value.message


def test_a_word_document_of_200000_paragraphs_is_refused() -> None:
    body = b'<w:document xmlns:w="x"><w:body>' + b"<w:p/>" * 200_000 + b"</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:  # no compression: no bomb ratio
        package.writestr("word/document.xml", body)
    with pytest.raises(FileRefused, match="段落过多"):
        check_docx(buffer.getvalue())


def test_the_plan_import_refuses_it_before_opening_a_transaction(cast: dict[str, Any], monkeypatch: Any) -> None:
    from kepu.plans.models import PlanImportDraft
    from kepu.plans.services import importing

    body = b'<w:document xmlns:w="x"><w:body>' + b"<w:p/>" * 200_000 + b"</w:body></w:document>"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as package:  # no compression: no bomb ratio
        package.writestr("word/document.xml", body)
    opened: list[str] = []
    real_atomic = importing.transaction.atomic
    monkeypatch.setattr(importing.transaction, "atomic", lambda *a, **k: opened.append("atomic") or real_atomic(*a, **k))
    count = PlanImportDraft.objects.count()
    with pytest.raises(ValidationFailed, match="段落过多"):
        importing.draft_create(actor=cast["office"], data=buffer.getvalue(), filename="方案.docx")
    assert opened == [] and PlanImportDraft.objects.count() == count


def test_a_decompression_bomb_image_is_refused() -> None:
    from PIL import Image

    from kepu.service_orders.photos import check_image

    buffer = io.BytesIO()
    Image.new("1", (9000, 9000)).save(buffer, format="PNG")  # 81 million pixels in a small file
    upload = SimpleUploadedFile("现场.png", buffer.getvalue(), content_type="image/png")
    with pytest.raises(ValidationFailed, match="像素过多"):
        check_image(upload)


def test_a_request_over_the_size_limit_is_refused_before_reading(client: Any, settings: Any) -> None:
    settings.KEPU_MAX_REQUEST_BYTES = 1024
    response = client.post("/login/", {"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413 and "过大" in response.content.decode()
    api = client.post("/api/v1/org/units", data={"name": "x" * 2000}, content_type="application/json")
    assert api.status_code == 413


def _docx_with_span(span: str) -> bytes:
    """A Word document whose task table has one cell claiming to span `span` columns."""
    import docx
    from docx.oxml.ns import qn

    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "序号", "任务"
    table.cell(1, 0).text, table.cell(1, 1).text = "1", "开展科普活动"
    tc_pr = table.cell(1, 1)._tc.get_or_add_tcPr()
    grid_span = tc_pr.makeelement(qn("w:gridSpan"), {qn("w:val"): span})
    tc_pr.append(grid_span)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("span", ["1000000000", "abc"])
def test_a_word_table_cell_spanning_a_billion_columns_is_refused_unread(span: str) -> None:
    from kepu.plans.docimport import DocumentImportError
    from kepu.plans.docimport.docx_reader import read_docx

    with pytest.raises(DocumentImportError, match=r"表格第 2 行.*超过 Word 表格的上限 63 列"):
        read_docx(_docx_with_span(span))


def test_a_word_table_cell_spanning_two_columns_is_read_once() -> None:
    from kepu.plans.docimport.docx_reader import read_docx

    assert read_docx(_docx_with_span("2")).splitlines()[-1] == "1\u3000开展科普活动"  # the merged cell once
