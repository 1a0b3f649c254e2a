"""Word documents in the house style of a Chinese office: 方正小标宋/黑体 headings, 仿宋 body text,
tables with a shaded header row, charts as images. Domains compose their reports from these."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

BODY_FONT, HEADING_FONT, TITLE_FONT = "仿宋_GB2312", "黑体", "方正小标宋简体"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _east_asian(run: Any, font: str) -> None:
    run.font.name = font
    run._element.rPr.rFonts.set(qn("w:eastAsia"), font)


class Report:
    """A Word document being written: title, headings, paragraphs, tables, figures."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        normal = self.document.styles["Normal"]
        normal.font.size = Pt(14)
        normal.font.name = BODY_FONT
        normal.element.rPr.rFonts.set(qn("w:eastAsia"), BODY_FONT)
        self._paragraph(title, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
        if subtitle:
            self._paragraph(subtitle, BODY_FONT, 14, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)

    def _paragraph(self, text: str, font: str, size: int, *, bold: bool = False,
                   align: Any = None, space_after: int = 4, indent: bool = False) -> Any:
        paragraph = self.document.add_paragraph()
        if align is not None:
            paragraph.alignment = align
        paragraph.paragraph_format.space_after = Pt(space_after)
        paragraph.paragraph_format.line_spacing = Pt(28)
        if indent:
            paragraph.paragraph_format.first_line_indent = Pt(size * 2)
        run = paragraph.add_run(text)
        run.bold = bold
        run.font.size = Pt(size)
        _east_asian(run, font)
        return paragraph

    def heading(self, text: str, level: int = 1) -> None:
        self._paragraph(text, HEADING_FONT if level == 1 else "楷体_GB2312", 16 if level == 1 else 15,
                        bold=level > 1, space_after=4)

    def paragraph(self, text: str) -> None:
        self._paragraph(text, BODY_FONT, 14, indent=True)

    def note(self, text: str) -> None:
        paragraph = self._paragraph(text, BODY_FONT, 10)
        for run in paragraph.runs:
            run.font.color.rgb = RGBColor(0x5B, 0x6B, 0x82)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths: Sequence[float] | None = None) -> None:
        table = self.document.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            self._cell(cell, str(text), bold=True, shade="D9E2F3")
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                self._cell(cell, "" if value is None else str(value))
        if widths:
            for row in table.rows:
                for cell, width in zip(row.cells, widths, strict=False):
                    cell.width = Cm(width)
        self.document.add_paragraph()

    def _cell(self, cell: Any, text: str, *, bold: bool = False, shade: str | None = None) -> None:
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = bold
        run.font.size = Pt(10.5)
        _east_asian(run, "宋体")
        if shade:
            properties = cell._element.get_or_add_tcPr()
            fill = OxmlElement("w:shd")
            fill.set(qn("w:val"), "clear")
            fill.set(qn("w:fill"), shade)
            properties.append(fill)

    def figure(self, png: bytes, caption: str = "", width_cm: float = 15) -> None:
        self.document.add_picture(io.BytesIO(png), width=Cm(width_cm))
        self.document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
        if caption:
            self._paragraph(caption, BODY_FONT, 10.5, align=WD_ALIGN_PARAGRAPH.CENTER)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()
