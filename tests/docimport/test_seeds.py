"""The other seed documents: two annual work points and a messy web extraction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kepu.plans.docimport import parse_text


def test_annual_points_with_chinese_bracket_items_are_sections_of_tasks(seed_text: Any) -> None:
    plan = parse_text(seed_text("001"))
    assert plan.title == "中国科协2022年科普工作要点"
    assert (plan.kind, plan.years) == ("annual", (2022, 2022))
    assert [(s.number, len(s.tasks)) for s in plan.sections] == [("一、", 5), ("二、", 3), ("三、", 4), ("四、", 7), ("五、", 1)]
    first = plan.sections[0]
    assert first.title == "以政治引领和价值引领为统领，不断增强科技工作者和公众的科普获得感"
    assert [t.number for t in first.tasks] == ["（一）", "（二）", "（三）", "（四）", "（五）"]
    assert first.tasks[1].title == "强化科普价值导向"
    assert first.tasks[1].body.startswith("将弘扬科学精神贯穿于科普服务全链条")
    assert [t.title for t in plan.sections[3].tasks][-1] == "积极发展科普智库"


def test_a_chapter_without_items_becomes_one_task(seed_text: Any) -> None:
    chapter = parse_text(seed_text("001")).sections[4]
    assert chapter.title == "创新体制机制，推动科技助力乡村振兴"
    (task,) = chapter.tasks
    assert (task.number, task.title) == ("五、", "创新体制机制，推动科技助力乡村振兴")
    assert task.body.startswith("进一步完善科技助力乡村振兴机制")


def test_the_attachment_list_before_the_title_is_not_a_task(seed_text: Any) -> None:
    plan = parse_text(seed_text("001"))
    assert "中国科协2022年科普工作要点" not in [t.title for t in plan.tasks]
    assert plan.preamble.startswith("2022年是党的二十大召开之年")


def test_annual_points_numbered_through_the_document(seed_text: Any) -> None:
    plan = parse_text(seed_text("004"))
    assert plan.title == "2024年全民科学素质行动工作要点"
    assert (plan.kind, plan.years) == ("annual", (2024, 2024))
    assert [[t.number for t in s.tasks] for s in plan.sections] == [
        ["1.", "2."],
        ["3.", "4.", "5.", "6.", "7."],
        ["8.", "9.", "10.", "11."],
        ["12.", "13.", "14."],
    ]
    assert [t.seq for t in plan.sections[1].tasks] == [1, 2, 3, 4, 5]
    assert plan.sections[1].tasks[0].title == "实施青少年科学素质提升行动"
    assert plan.sections[3].tasks[0].title == "强化制度和组织保障"
    assert not any(t.lead_units for t in plan.tasks)
    assert plan.warnings == []


def test_web_extraction_page_numbers_are_removed_and_inline_headings_found(seed_text: Any) -> None:
    plan = parse_text(seed_text("000"))
    assert plan.title == "大力加强科普基地建设行动计划"
    assert any("分页编号" in w for w in plan.warnings)
    assert [(s.number, s.title, s.path, len(s.tasks)) for s in plan.sections] == [
        ("二、", "大力加强科普基地建设", [], 4),
        ("（一）", "科技资源科普化工程", ["四、重点工程"], 3),
        ("（二）", "科普信息化提升工程", ["四、重点工程"], 4),
        ("（三）", "科普基础设施工程", ["四、重点工程"], 3),
        ("（四）", "基层科普能力提升工程", ["四、重点工程"], 4),
        ("（五）", "科学素质国际交流合作工程", ["四、重点工程"], 0),
    ]


def test_web_extraction_titles_are_cut_from_glued_body_text(seed_text: Any) -> None:
    plan = parse_text(seed_text("000"))
    assert [t.title for t in plan.sections[0].tasks] == [
        "拓展国际科技人文交流渠道",
        "丰富国际合作内容",
        "积极参与全球治理",
        "促进“一带一路”科技人文交流",
    ]
    assert [t.title for t in plan.sections[4].tasks] == [
        "建立应急科普宣教协同机制",
        "健全基层科普服务体系",
        "实施基层科普服务能力提升工程",
        "加强专职科普队伍建设",
    ]
    assert plan.sections[1].tasks[0].body.startswith("鼓励国家科技计划")
    # "培训1、榜样示范" breaks the numbering (1 after 3 with no heading between): not a task
    assert "榜样示范" in plan.sections[1].tasks[2].body


def test_web_extraction_goals_come_from_the_goal_chapter(seed_text: Any) -> None:
    plan = parse_text(seed_text("000"))
    goals = [(g.name, g.value, g.year, g.direction) for g in plan.goals if g.unit == "%"]
    assert goals == [
        ("公民具备科学素质的比例", Decimal(15), 2025, "≥"),
        ("公民具备科学素质的比例", Decimal(25), 2035, "≥"),
    ]
    titles = {t.title for t in plan.tasks}
    assert not titles & {"指导思想", "原则", "目标", "组织保障", "完善监测评估体系", "完善法规政策"}
