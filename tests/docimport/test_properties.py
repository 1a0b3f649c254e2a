"""Properties that must hold for any input: the parser never fails and its output is JSON."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from kepu.plans.docimport import parse_text
from kepu.plans.docimport.text import normalize_line

PIECES = [
    "一、", "二、", "（一）", "(二)", "1.", "2、", "（1）", "①", "第一章", "第二节", "。", "，", "；", "：", "\n",
    "（责任单位：", "市科协", "、", "市教育局", "等，各区镇）", "牵头", "配合", "到2025年", "每年培训", "1500人次",
    "达到23%", "以上", "控制在", "以内", "“", "”", "《", "》", "加强科普工作", "实施方案", " ", "\u3000", "1、",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=80))
def test_any_mix_of_plan_fragments_parses_to_json(pieces: list[str]) -> None:
    plan = parse_text("".join(pieces))
    json.dumps(plan.to_dict())
    for task in plan.tasks:
        assert task.seq >= 1
        assert task.source_line >= 1


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_parses(text: str) -> None:
    json.dumps(parse_text(text).to_dict())


@given(st.text(max_size=200))
def test_normalising_twice_changes_nothing(text: str) -> None:
    once = normalize_line(text)
    assert normalize_line(once) == once


def test_a_two_hundred_page_plan_parses_completely(seed_text: object) -> None:
    # Its speed is measured by `make bench-plans`, never asserted in a unit test.
    body = seed_text("002")  # type: ignore[operator]
    chapters = body[body.index("三、五项重点提升行动") : body.index("五、组织实施")]
    text = body + "\n".join(chapters for _ in range(40))  # ≈ 480,000 characters: far more than 200 pages
    assert len(text) > 400_000
    plan = parse_text(text)
    assert len(plan.tasks) >= 33 * 41
