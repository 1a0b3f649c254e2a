"""Reading files and cleaning text: encodings, unsupported kinds, widths, spaces, junk, page markers."""

from __future__ import annotations

import pytest

from kepu.plans.docimport import DocumentImportError, read_document
from kepu.plans.docimport.text import Line, clean_lines, decode_text, normalize_line, strip_page_markers

SAMPLE = "一、总体要求（责任单位：市科协）"


@pytest.mark.parametrize(
    "data",
    [
        SAMPLE.encode("utf-8"),
        b"\xef\xbb\xbf" + SAMPLE.encode("utf-8"),
        SAMPLE.encode("gb18030"),
        SAMPLE.encode("gbk"),
        SAMPLE.encode("utf-16"),
    ],
    ids=["utf-8", "utf-8-bom", "gb18030", "gbk", "utf-16-bom"],
)
def test_text_files_decode_in_the_encodings_offices_use(data: bytes) -> None:
    assert read_document(data, "方案.txt") == SAMPLE


def test_undecodable_bytes_get_a_chinese_message() -> None:
    with pytest.raises(DocumentImportError, match="无法识别文件的文字编码"):
        decode_text(b"\x81\x30\xff\xfe\x00\x00\xff")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "a.txt", "文件是空的"),
        (b"%PDF-1.7 ...", "a.pdf", "暂不支持 PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "a.doc", "旧版 Word"),
        (b"PK\x03\x04 not really a zip", "a.docx", "无法打开这个 Word 文档"),
        (b"plain text", "a.docx", "不是有效的 .docx"),
        (b"\x89PNG\r\n", "a.png", "不支持“.png”格式"),
    ],
)
def test_unreadable_or_unsupported_files_raise_with_a_chinese_message(data: bytes, name: str, message: str) -> None:
    with pytest.raises(DocumentImportError, match=message):
        read_document(data, name)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("(一)实施青少年科学素质提升行动", "（一）实施青少年科学素质提升行动"),
        ("(责任单位:市教育局、市科协等,各区镇)", "（责任单位：市教育局、市科协等，各区镇）"),
        ("１．加强科普基地建设，比例达到２３％", "1.加强科普基地建设，比例达到23%"),
        ("传递科 学的思想 观念", "传递科学的思想观念"),
        ("责任单位：市教育局 市科协  团市委", "责任单位：市教育局、市科协、团市委"),
        ("全市 1,500 人次，时间 16:30", "全市1,500人次，时间16:30"),
        ('紧紧围绕"四服务"定位', "紧紧围绕“四服务”定位"),
        ("部署2024年任务.(区科协牵头)", "部署2024年任务。（区科协牵头）"),
        ("\u3000\u3000一、前言\u00a0", "一、前言"),
    ],
)
def test_lines_are_normalised_to_one_form(raw: str, clean: str) -> None:
    assert normalize_line(raw) == clean


def test_web_page_furniture_lines_are_dropped_and_numbers_kept() -> None:
    text = "\n".join(
        [
            "首页 / 信息公开 / 重点公开领域",
            "时间: 2023-02-22 16:53 访问量:",
            "【字体:",
            "昆山市实施方案",
            "",
            "— 3 —",
            "一、前言",
            "扫一扫在手机打开当前页",
        ]
    )
    assert [(line.no, line.text) for line in clean_lines(text)] == [(4, "昆山市实施方案"), (7, "一、前言")]


def test_page_numbers_of_a_sharing_site_are_stripped_and_pages_joined() -> None:
    pages = [
        Line("1、某某行动计划一、原则践行社会主义核心价值观，弘扬科学精神和科学家精神" + "，加强创新文化建设" * 30, 2),
        Line("2、和价值引领。二、重点任务（一）科技资源科普化工程建立机制" + "，强化科普责任" * 30, 3),
        Line("3、推进科普化。三、组织实施（一）组织保障加强领导" + "，完善机制" * 40, 4),
    ]
    lines, stripped = strip_page_markers(pages)
    assert stripped
    (joined,) = lines
    assert joined.text.startswith("某某行动计划一、原则")
    assert "精神和价值引领" not in joined.text and "创新文化建设和价值引领" in joined.text
    assert joined.line_at(joined.text.index("三、组织实施")) == 4


def test_ordinary_numbered_tasks_are_not_page_numbers() -> None:
    tasks = [Line(f"{n}.加强科普工作。" + "开展科普活动，" * 40, n) for n in (1, 2, 3, 4)]
    lines, stripped = strip_page_markers([Line("一、重点任务", 0), *tasks])
    assert not stripped and len(lines) == 5
