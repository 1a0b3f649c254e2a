"""Heading numbers in the forms Chinese documents write them, and Chinese numerals."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kepu.plans.docimport.numbering import NumberingState, cn_to_int, inline_markers, int_to_cn, line_marker


@pytest.mark.parametrize(
    ("line", "style", "value", "number"),
    [
        ("一、前言", "cn", 1, "一、"),
        ("九十九、附则", "cn", 99, "九十九、"),
        ("十二．保障", "cn", 12, "十二."),
        ("（一）指导思想", "cn_paren", 1, "（一）"),
        ("(二十三)任务", "cn_paren", 23, "（二十三）"),
        ("1.加强校内青少年科学教育。", "arabic", 1, "1."),
        ("12、完善机制", "arabic", 12, "12、"),
        ("3．推进", "arabic", 3, "3."),
        ("⒌推进", "arabic", 5, "⒌"),
        ("（1）每年发布目录", "arabic_paren", 1, "（1）"),
        ("(15)每年发布目录", "arabic_paren", 15, "（15）"),
        ("2)开展活动", "arabic_paren", 2, "2）"),
        ("⑴开展活动", "arabic_paren", 1, "⑴"),
        ("③开展活动", "circled", 3, "③"),
        ("第一章 总则", "chapter", 1, "第一章"),
        ("第十二章 附则", "chapter", 12, "第十二章"),
        ("第二节 农民", "jie", 2, "第二节"),
        ("第三条 为了", "article", 3, "第三条"),
        ("第一部分 总体要求", "part", 1, "第一部分"),
    ],
)
def test_heading_numbers_and_their_variants(line: str, style: str, value: int, number: str) -> None:
    from kepu.plans.docimport.text import normalize_line

    marker = line_marker(normalize_line(line))
    assert marker is not None
    assert (marker.style, marker.value, marker.number) == (style, value, number)


@pytest.mark.parametrize(
    "line",
    ["1.5万人次参加", "2025年，全市", "一、二、三产业融合", "第三条规定的情形", "5G网络", "12.5%的学校", "十四五期间"],
)
def test_text_that_only_looks_numbered(line: str) -> None:
    assert line_marker(line) is None


@given(st.integers(min_value=1, max_value=99))
def test_chinese_numerals_round_trip_to_ninety_nine(value: int) -> None:
    assert cn_to_int(int_to_cn(value)) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("十", 10), ("十五", 15), ("二十", 20), ("九十九", 99), ("一百零五", 105), ("两千五百", 2500),
     ("一万", 10_000), ("一万零五百", 10_500), ("三千万", 30_000_000), ("一亿二千万", 120_000_000), ("二〇二五", 2025)],
)  # fmt: skip
def test_chinese_numerals(text: str, value: int) -> None:
    assert cn_to_int(text) == value


def test_inline_numbers_must_continue_the_numbering() -> None:
    state = NumberingState()
    found = []
    for marker in inline_markers("一、原则…二、任务（一）工程1、机制2、行动3、责任培训1、榜样示范（二）工程1、创作"):
        if state.fits(marker):
            state.advance(marker)
            found.append(marker.number)
    assert found == ["一、", "二、", "（一）", "1、", "2、", "3、", "（二）", "1、"]
