"""Word documents: automatic list numbering rebuilt from the numbering definitions, and task tables."""

from __future__ import annotations

import io

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from kepu.plans.docimport import parse_file, read_document
from kepu.plans.docimport.docx_reader import format_number

CHINESE_OUTLINE = f"""<w:abstractNum {nsdecls("w")} w:abstractNumId="90">
  <w:multiLevelType w:val="multilevel"/>
  <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>
  <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>
  <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
  <w:lvl w:ilvl="3"><w:start w:val="1"/><w:numFmt w:val="decimalEnclosedCircle"/><w:lvlText w:val="%4"/></w:lvl>
</w:abstractNum>"""


def _document_with_outline_numbering() -> docx.document.Document:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.find(qn("w:num")).addprevious(parse_xml(CHINESE_OUTLINE))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return document


def _numbered(document: docx.document.Document, text: str, level: int, num_id: int = 90) -> None:
    paragraph = document.add_paragraph(text)
    paragraph._p.get_or_add_pPr().append(
        parse_xml(f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    )


def _bytes(document: docx.document.Document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _plan_docx() -> bytes:
    document = _document_with_outline_numbering()
    document.add_paragraph("海门市全民科学素质行动实施方案（2021—2025年）")
    _numbered(document, "总体要求", 0)
    _numbered(document, "主要目标", 1)
    document.add_paragraph("到2025年，全市公民具备科学素质的比例达到17%。")
    _numbered(document, "重点任务", 0)
    _numbered(document, "青少年科学素质提升行动", 1)
    document.add_paragraph("牵头单位：市教育局")
    _numbered(document, "加强学校科学教育。开齐开足科学课程。（责任单位：市教育局、市科协）", 2)
    _numbered(document, "开展科技竞赛。每年组织青少年科技创新大赛。", 2)
    _numbered(document, "赛事覆盖全部中小学；", 3)
    _numbered(document, "参赛学生不少于5000人次。（责任单位：市科协、市教育局）", 3)
    _numbered(document, "农民科学素质提升行动", 1)
    _numbered(document, "开展农技培训。（责任单位：市农业农村局，各镇（区））", 2)
    _numbered(document, "保障措施", 0)
    document.add_paragraph("加强组织领导。")
    return _bytes(document)


def test_automatic_numbers_are_put_back_into_the_text() -> None:
    lines = read_document(_plan_docx(), "方案.docx").splitlines()
    assert lines[1:5] == ["一、总体要求", "（一）主要目标", "到2025年，全市公民具备科学素质的比例达到17%。", "二、重点任务"]
    assert lines[5] == "（一）青少年科学素质提升行动"
    assert lines[7].startswith("1.加强学校科学教育")
    assert lines[8].startswith("2.开展科技竞赛")
    assert lines[9:11] == ["①赛事覆盖全部中小学；", "②参赛学生不少于5000人次。（责任单位：市科协、市教育局）"]
    assert lines[11] == "（二）农民科学素质提升行动"
    assert lines[12].startswith("1.开展农技培训"), "a deeper level restarts under a new parent"
    assert lines[13] == "三、保障措施"


def test_an_auto_numbered_docx_parses_like_typed_numbers() -> None:
    plan = parse_file(_plan_docx(), "方案.docx")
    assert plan.title == "海门市全民科学素质行动实施方案（2021—2025年）"
    assert [(s.number, s.title, [t.number + t.title for t in s.tasks]) for s in plan.sections] == [
        ("（一）", "青少年科学素质提升行动", ["1.加强学校科学教育", "2.开展科技竞赛"]),
        ("（二）", "农民科学素质提升行动", ["1.开展农技培训"]),
    ]
    youth = plan.sections[0]
    assert [u.written for u in youth.lead_units] == ["市教育局"]
    contest = youth.tasks[1]
    assert [u.written for u in contest.lead_units] == ["市科协"]
    assert [(i.name, int(i.value), i.unit) for i in contest.indicators] == [("参赛学生", 5000, "人次")]
    assert plan.sections[1].tasks[0].subarea_marker == "各镇（区）"
    assert [(g.name, int(g.value)) for g in plan.goals] == [("公民具备科学素质的比例", 17)]


def test_numbering_from_a_paragraph_style_and_restarts_by_override() -> None:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.find(qn("w:num")).addprevious(parse_xml(CHINESE_OUTLINE))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    numbering.append(
        parse_xml(
            f'<w:num {nsdecls("w")} w:numId="91"><w:abstractNumId w:val="90"/>'
            '<w:lvlOverride w:ilvl="2"><w:startOverride w:val="1"/></w:lvlOverride></w:num>'
        )
    )
    document.add_paragraph("甲", style="List Number")
    document.add_paragraph("乙", style="List Number")
    _numbered(document, "丙", 2, 90)
    _numbered(document, "丁", 2, 90)
    _numbered(document, "戊", 2, 91)
    assert read_document(_bytes(document), "a.docx").splitlines() == ["1.甲", "2.乙", "1.丙", "2.丁", "1.戊"]


def test_word_number_formats() -> None:
    assert [format_number(n, "chineseCounting") for n in (1, 10, 11, 20, 99)] == ["一", "十", "十一", "二十", "九十九"]
    assert format_number(3, "decimalEnclosedCircle") == "③"
    assert format_number(2, "decimalEnclosedParen") == "⑵"
    assert format_number(4, "upperRoman") == "IV"
    assert format_number(5, "bullet") == ""


def test_a_task_division_table_becomes_tasks_with_units() -> None:
    document = docx.Document()
    document.add_paragraph("江北区2024年全民科学素质工作任务分工")
    rows = [
        ("序号", "类别", "重点任务", "牵头单位", "配合单位", "完成时限"),
        ("1", "青少年", "举办青少年科技节", "区教育局", "区科协、团区委", "2024年5月底前"),
        ("2", "青少年", "建设校园科技馆2所", "区教育局", "区财政局", "2024年12月底前"),
        ("3", "老年人", "开展智能手机培训200场", "区民政局", "区科协，各街道", ""),
    ]
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            table.cell(r, c).text = value
    plan = parse_file(_bytes(document), "分工.docx")
    assert plan.kind == "annual"
    assert [(s.number, s.title, [t.title for t in s.tasks]) for s in plan.sections] == [
        ("一、", "青少年", ["举办青少年科技节", "建设校园科技馆2所"]),
        ("二、", "老年人", ["开展智能手机培训200场"]),
    ]
    festival, museum = plan.sections[0].tasks
    assert [u.written for u in festival.lead_units] == ["区教育局"]
    assert [u.written for u in festival.participating_units] == ["区科协", "团区委"]
    assert str(festival.deadline) == "2024-05-31"
    assert [(i.name, int(i.value), i.unit) for i in museum.indicators] == [("校园科技馆", 2, "所")]
    assert plan.sections[1].tasks[0].subarea_marker == "各街道"
