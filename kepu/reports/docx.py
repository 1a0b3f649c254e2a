"""Word documents in the house style of a Chinese office: 方正小标宋/黑体 headings, 仿宋 body text,
tables with a shaded header row, charts as images. Domains compose their reports from these.

`OfficialDocument` is the one layout of what an office sends out (GB/T 9704 in spirit): the 红头 with
the issuing organisation, the 文号, a red rule, the title, the 主送, the body, and the 落款 with the
organisation and the date. It names the organisation from the settings, never the software."""

from __future__ import annotations

import base64
import datetime
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

BODY_FONT, HEADING_FONT, TITLE_FONT, KAI_FONT = "仿宋_GB2312", "黑体", "方正小标宋简体", "楷体_GB2312"
DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
RED = RGBColor(0xC0, 0x00, 0x00)
BLACK = RGBColor(0, 0, 0)
# Heading levels: (Word style, font, size in pt, bold). Real heading styles, so that Word's navigation
# pane and a table of contents find them.
HEADINGS = {1: ("Heading 1", HEADING_FONT, 16, False), 2: ("Heading 2", KAI_FONT, 15, True)}


def issuer_name() -> str:
    """The organisation that signs the office's documents (发文机关), from the settings."""
    return str(settings.KEPU_ISSUER_NAME)


def document_number(kind: str, day: datetime.date, sequence: int) -> str:
    """A 发文字号 such as 昆科协督〔2026〕3号: the issuer's code, the kind of document, the year, the number."""
    return f"{settings.KEPU_DOC_CODE}{kind}〔{day.year}〕{sequence}号"


def seal_image() -> tuple[bytes, str] | None:
    """The configured seal (KEPU_SEAL_IMAGE, a PNG or JPEG file) and its content type; None when there is none.

    Nothing imitates a seal when none is configured: a drawn circle is not a seal."""
    path = str(settings.KEPU_SEAL_IMAGE or "")
    if not path:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return data, "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return data, "image/jpeg"
    return None


def seal_data_uri() -> str:
    """The configured seal as a data: URI for printable pages, or "" when there is none."""
    seal = seal_image()
    return f"data:{seal[1]};base64,{base64.b64encode(seal[0]).decode()}" if seal else ""


def cn_date(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _east_asian(run: Any, font: str) -> None:
    run.font.name = font
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)


def _style_fonts(style: Any, font: str, size: int, *, bold: bool, colour: RGBColor = BLACK) -> None:
    style.font.name = font
    style.font.size = Pt(size)
    style.font.bold = bold
    style.font.italic = False
    style.font.color.rgb = colour
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:eastAsia"), font)


def _field(paragraph: Any, instruction: str, placeholder: str) -> None:
    """A Word field (TOC, PAGE…) that Word fills in when the document's fields are updated."""
    def char(kind: str) -> Any:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        return element

    paragraph.add_run()._r.append(char("begin"))
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = instruction
    paragraph.add_run()._r.append(code)
    paragraph.add_run()._r.append(char("separate"))
    paragraph.add_run(placeholder)
    paragraph.add_run()._r.append(char("end"))


class Report:
    """A Word document being written: title, headings, paragraphs, tables, figures."""

    def __init__(self, title: str, subtitle: str = "") -> None:
        self._setup()
        self.title(title, subtitle)

    def _setup(self) -> None:
        self.document = Document()
        section = self.document.sections[0]
        section.page_width, section.page_height = Cm(21), Cm(29.7)
        section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
        section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
        styles = self.document.styles
        _style_fonts(styles["Normal"], BODY_FONT, 14, bold=False)
        for style_name, font, size, bold in HEADINGS.values():
            _style_fonts(styles[style_name], font, size, bold=bold)
            styles[style_name].paragraph_format.space_before = Pt(6)
            styles[style_name].paragraph_format.space_after = Pt(4)
        _style_fonts(styles["Title"], TITLE_FONT, 22, bold=False)

    def title(self, title: str, subtitle: str = "") -> None:
        paragraph = self._paragraph(title, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
        paragraph.style = self.document.styles["Title"]
        if subtitle:
            self._paragraph(subtitle, KAI_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)

    def _paragraph(self, text: str, font: str, size: float, *, bold: bool = False, align: Any = None,
                   space_after: int = 4, indent: bool = False, colour: RGBColor | None = None) -> Any:
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
        if colour is not None:
            run.font.color.rgb = colour
        _east_asian(run, font)
        return paragraph

    def heading(self, text: str, level: int = 1) -> None:
        """A heading in Word's Heading 1/2 style (navigation pane, table of contents)."""
        style_name, font, _size, _bold = HEADINGS[min(max(level, 1), 2)]
        paragraph = self.document.add_paragraph(style=style_name)
        paragraph.paragraph_format.line_spacing = Pt(28)
        _east_asian(paragraph.add_run(text), font)

    def table_of_contents(self, title: str = "目　录") -> None:
        """A TOC field over the headings; Word fills it in on opening (it asks to update fields)."""
        self._paragraph(title, HEADING_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER)
        _field(self.document.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', "（打开文档时更新域即显示目录）")
        update = OxmlElement("w:updateFields")
        update.set(qn("w:val"), "true")
        self.document.settings.element.append(update)

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


class OfficialDocument(Report):
    """What an office sends: 红头 (the issuer in red), 文号 and a red rule, title, 主送, body, 落款.

    `number` and `red_head` are optional so that a report without a 文号 (the monitoring report) keeps
    the same title and 落款 as the notices."""

    def __init__(self, title: str, *, number: str = "", addressee: str = "", subtitle: str = "",
                 issuer: str | None = None, red_head: bool = True) -> None:
        self._setup()
        self.issuer = issuer or issuer_name()
        self.number = number
        if red_head:
            self._paragraph(self.issuer, TITLE_FONT, 22, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=10,
                            colour=RED).paragraph_format.line_spacing = Pt(40)
        if number:
            self._paragraph(number, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=2)
        if red_head:
            self._red_rule()
        self.title(title, subtitle)
        if addressee:
            self._paragraph(f"{addressee}：", BODY_FONT, 16, space_after=2)

    def _red_rule(self) -> None:
        paragraph = self.document.add_paragraph()
        paragraph.paragraph_format.space_after = Pt(12)
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "1"), ("w:color", "C00000")):
            bottom.set(qn(key), value)
        borders.append(bottom)
        paragraph._p.get_or_add_pPr().append(borders)

    def sign_off(self, day: datetime.date) -> None:
        """The 落款: the issuing organisation and the date, right-aligned under the body."""
        self.document.add_paragraph()
        for text in (self.issuer, cn_date(day)):
            paragraph = self._paragraph(text, BODY_FONT, 16, align=WD_ALIGN_PARAGRAPH.RIGHT, space_after=0)
            paragraph.paragraph_format.right_indent = Cm(1)
