"""Kunshan's implementation plan (seed 002) against a table read from the document by hand.

The table is the ground truth: every task of 三、五项重点提升行动 and 四、五项重点工程 with the units
its "（责任单位：…）" names, the first of them the lead unit, and whether it ends with "各区镇".
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from kepu.plans.docimport import ParsedPlan, parse_text

# (chapter, section number, section title, [(task number, title, lead, participants, 各区镇)])
EXPECTED: list[tuple[str, str, str, list[tuple[str, str, str, list[str], bool]]]] = [
    ("三、五项重点提升行动", "（一）", "实施青少年科学素质提升行动", [
        ("1.", "加强校内青少年科学教育", "市教育局", ["市人社局", "团市委", "市科协"], True),
        ("2.", "完善校内外科学教育联动机制", "市教育局", ["市科技局", "市人社局", "市科协", "团市委"], True),
        ("3.", "打造青少年科教活动品牌", "市教育局",
         ["团市委", "市妇联", "市科协", "市委宣传部", "市应急管理局"], True),
        ("4.", "实施教师科学素质培养提升工程", "市教育局", ["市人社局", "市科协", "团市委"], True),
    ]),
    ("三、五项重点提升行动", "（二）", "实施农民科学素质提升行动", [
        ("1.", "实施高素质农民与农村科技人才培育工程", "市农业农村局", ["市人社局", "市妇联", "市科协"], True),
        ("2.", "实施科技兴农与科普惠农工程", "市农业农村局",
         ["市委宣传部", "市卫健委", "市科协", "市资源规划局", "市住建局", "市水务局", "市应急局", "市气象局",
          "苏州市昆山生态环境局"], True),
        ("3.", "健全农村科普服务条件与体系", "市农业农村局", ["市科技局", "市科协"], True),
    ]),
    ("三、五项重点提升行动", "（三）", "实施产业工人科学素质提升行动", [
        ("1.", "构建科学教育培训体系", "市人社局", ["市总工会", "市应急局", "市卫健委", "苏州市昆山生态环境局"], True),
        ("2.", "推进产业工人教育培训", "市人社局", ["市总工会", "市工信局", "市妇联", "市科协"], True),
        ("3.", "提升产业工人职业技能", "市人社局",
         ["市总工会", "市应急管理局", "市工信局", "市住建局", "团市委", "市妇联", "市科协"], True),
        ("4.", "营造创新创造浓厚氛围", "市总工会", ["市人社局", "市科技局", "市工信局", "市科协"], True),
    ]),
    ("三、五项重点提升行动", "（四）", "实施老年人科学素质提升行动", [
        ("1.", "提高老年人信息素养", "市发改委", ["市民政局", "市科技局", "市工信局", "市科协"], True),
        ("2.", "加强老年人健康科普服务", "市卫健委", ["市民政局", "市妇联", "市科协", "市文体广旅局"], True),
        ("3.", "实施银龄科普行动", "市委宣传部（市文明办）",
         ["市民政局", "市卫健委", "市文体广旅局", "市科技局", "市科协"], True),
    ]),
    ("三、五项重点提升行动", "（五）", "实施领导干部和公务员科学素质提升行动", [
        ("1.", "完善教育推进机制", "市委组织部", ["市委党校", "市科协"], True),
        ("2.", "创新学习渠道载体", "市委组织部", ["市科技局", "市科协"], True),
        ("3.", "完善考核激励机制", "市委组织部", [], False),
    ]),
    ("四、五项重点工程", "（一）", "实施科技资源科普化工程", [
        ("1.", "建立完善科技资源科普化机制", "市科技局", ["市教育局", "市科协"], True),
        ("2.", "实施科技资源科普化专项行动", "市科技局",
         ["市教育局", "市文体广旅局", "市资源规划局", "苏州市昆山生态环境局", "市住建局", "市水务局",
          "市农业农村局", "市市场监管局"], True),
        ("3.", "增强科技工作者社会责任", "市科技局", ["市教育局", "市科协", "市委宣传部"], True),
    ]),
    ("四、五项重点工程", "（二）", "实施科普信息化提升工程", [
        ("1.", "加大科普创作支持力度", "市科技局", ["市委宣传部", "市文体广旅局", "市教育局", "市科协", "团市委"], True),
        ("2.", "提升全媒体科学传播能力", "市委宣传部",
         ["市文体广旅局", "市科协", "市资源规划局", "市卫健委", "市住建局", "市应急管理局", "市市场监管局",
          "市气象局", "苏州市昆山生态环境局", "昆山传媒集团"], True),
        ("3.", "探索科普数字化发展", "市科技局",
         ["市发改委", "市工信局", "市教育局", "市民政局", "市交通运输局", "市城管局", "市科协", "昆山传媒集团"], True),
    ]),
    ("四、五项重点工程", "（三）", "实施科普基础设施建设工程", [
        ("1.", "优化科普设施建设布局", "市发改委",
         ["市科技局", "市财政局", "市文体广旅局", "市科协", "市资源规划局", "苏州市昆山生态环境局", "市住建局",
          "市水务局", "市农业农村局", "市市场监管局", "市气象局"], True),
        ("2.", "推进科普场馆体系建设", "市发改委", ["市科技局", "市科协", "市教育局", "市文体广旅局"], True),
        ("3.", "强化科普基地建设", "市科技局",
         ["市科协", "市文体广旅局", "市教育局", "市资源规划局", "市水务局", "市住建局", "市卫健委", "市应急管理局",
          "市市场监管局", "市城管局", "苏州市昆山生态环境局", "市气象局", "昆山海关", "市社科联"], True),
        ("4.", "推动科普基础设施普惠开放", "市科技局", ["市教育局", "市科协", "市文体广旅局"], True),
    ]),
    ("四、五项重点工程", "（四）", "实施科普能力提升工程", [
        ("1.", "完善应急科普宣教协同机制", "市应急管理局",
         ["市委宣传部", "市科技局", "市科协", "市教育局", "市卫健委", "市农业农村局", "苏州市昆山生态环境局",
          "市住建局", "市总工会", "市妇联", "市气象局"], True),
        ("2.", "健全基层科普服务体系", "市科协", ["市委宣传部", "市委组织部", "市教育局", "市科技局", "市农业农村局"], True),
        ("3.", "提升基层科普供给服务能力", "市科协",
         ["市委宣传部", "市科技局", "市工信局", "市资源规划局", "市住建局", "市水务局", "市卫健委", "市应急管理局",
          "市市场监管局", "苏州市昆山生态环境局", "市气象局"], True),
    ]),
    ("四、五项重点工程", "（五）", "实施科学素质开放合作工程", [
        ("1.", "拓展交流空间", "市科技局", ["市科协", "市委宣传部", "市教育局", "市文体广旅局"], True),
        ("2.", "丰富合作内容", "市委组织部", ["市科技局", "市科协"], True),
        ("3.", "推动共建共享", "市科协", ["市科技局"], True),
    ]),
]  # fmt: skip

EXPECTED_TASKS = sum(len(tasks) for *_, tasks in EXPECTED)


@pytest.fixture(scope="module")
def plan(seed_text: Any, kunshan_resolver: Any) -> ParsedPlan:
    return parse_text(seed_text("002"), resolve_unit=kunshan_resolver)


def _row(section: Any, task: Any) -> tuple[str, str, str, list[str], bool]:
    lead = task.lead_units[0].written if len(task.lead_units) == 1 else "/".join(u.written for u in task.lead_units)
    return (task.number, task.title, lead, [u.written for u in task.participating_units], task.all_subareas)


def test_every_task_of_the_actions_and_projects_is_found_with_its_units(plan: ParsedPlan) -> None:
    found = [(s.path, s.number, s.title, [_row(s, t) for t in s.tasks]) for s in plan.sections]
    expected = [([chapter], number, title, tasks) for chapter, number, title, tasks in EXPECTED]
    mismatches = [
        f"{exp[1]}{exp[2]}: expected {exp[3]}\n got {got[3]}" for exp, got in zip(expected, found, strict=False) if exp != got
    ]
    assert len(plan.tasks) == EXPECTED_TASKS == 33, f"found {len(plan.tasks)} of {EXPECTED_TASKS} tasks"
    assert not mismatches, "\n".join(mismatches)
    assert found == expected


def test_the_sections_are_the_ten_actions_and_projects_under_their_chapters(plan: ParsedPlan) -> None:
    assert [(s.path[0][:2], s.number) for s in plan.sections] == [
        ("三、", n) for n in ("（一）", "（二）", "（三）", "（四）", "（五）")
    ] + [("四、", n) for n in ("（一）", "（二）", "（三）", "（四）", "（五）")]
    assert all(s.level == 2 for s in plan.sections)
    assert all(not s.lead_units for s in plan.sections), "the document names units per task, not per section"


def test_framing_chapters_give_no_tasks(plan: ParsedPlan) -> None:
    titles = [t.title for t in plan.tasks]
    assert "突出价值引领" not in titles and "坚持协同推进" not in titles
    assert not any(s.title in ("前言", "指导思想", "基本原则", "主要目标", "组织保障") for s in plan.sections)


def test_every_unit_is_matched_to_the_registry_through_its_alias(plan: ParsedPlan) -> None:
    refs = [ref for t in plan.tasks for ref in t.lead_units + t.participating_units]
    assert len(refs) == sum(1 + len(parts) for *_, tasks in EXPECTED for _, _, _, parts, _ in tasks) == 200
    assert all(ref.status == "matched" for ref in refs)
    assert plan.unknown_units == []
    by_written = {ref.written: ref for ref in refs}
    assert by_written["市应急局"].matched_name == "昆山市应急管理局"
    assert by_written["市应急管理局"].unit_id == by_written["市应急局"].unit_id == "ks-yjj"
    assert by_written["市委宣传部（市文明办）"].matched_name == "中共昆山市委宣传部"
    assert by_written["市文体广旅局"].matched_name == "昆山市文化体育广电和旅游局"
    assert by_written["团市委"].matched_name == "共青团昆山市委员会"


def test_the_plan_level_goal_has_its_target_year_and_baseline(plan: ParsedPlan) -> None:
    assert plan.title == "昆山市2021—2025年全民科学素质行动规划纲要实施方案"
    assert plan.kind == "implementation"
    assert plan.years == (2021, 2025)
    assert [(g.name, g.value, g.unit, g.year, g.direction, g.baseline) for g in plan.goals] == [
        ("公民具备科学素质的比例", Decimal("23"), "%", 2025, "≥", Decimal("16.7"))
    ]


def _indicators(plan: ParsedPlan, section: int, task: int) -> list[tuple[Any, ...]]:
    return [(i.name, i.value, i.unit, i.year, i.direction, i.annual) for i in plan.sections[section].tasks[task].indicators]


def test_task_targets_carry_their_years_units_and_directions(plan: ParsedPlan) -> None:
    assert _indicators(plan, 0, 0) == [("科学教育综合示范学校", Decimal(40), "所", 2025, "≥", False)]
    assert _indicators(plan, 0, 3) == [("培训科技辅导员", Decimal(200), "人次", None, "≥", True)]
    assert _indicators(plan, 1, 0) == [
        ("培训农民", Decimal(1500), "人次", None, "=", True),
        ("扶持农村劳动力自主创业", Decimal(330), "人", None, "≥", True),
        ("新型农民占农业总人口比例", Decimal(10), "%", 2025, "≥", False),
        ("新型职业农民", Decimal(1800), "人", 2025, "≥", False),
        ("45周岁及以下已认定新型职业农民中大专（含）以上学历人数占比", Decimal(80), "%", 2025, "≥", False),
    ]
    assert _indicators(plan, 2, 1) == [("资助农民工和一线职工提升学历", Decimal(2000), "名", None, "=", True)]
    assert [(n, v, u) for n, v, u, *_ in _indicators(plan, 2, 2)] == [
        ("人才总量", Decimal(60), "万人"),
        ("高层次人才", Decimal("6.2"), "万人"),
        ("专业技术人才", Decimal(40), "万人"),
        ("高技能人才", Decimal("14.5"), "万人"),
    ]
    assert _indicators(plan, 7, 2) == [("科普教育基地", Decimal(30), "家", 2025, "≥", False)]
    annual = plan.sections[1].tasks[0].indicators[0]
    assert annual.years == [2021, 2022, 2023, 2024, 2025]


def test_tasks_point_back_to_their_source_lines(plan: ParsedPlan, seed_text: Any) -> None:
    lines = seed_text("002").splitlines()
    for task in plan.tasks:
        assert lines[task.source_line - 1].startswith(task.number + task.title[:4])
