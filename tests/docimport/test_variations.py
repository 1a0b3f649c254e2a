"""Other cities' plans in other styles (fixtures/variations), each written to exercise one habit of the genre."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from kepu.plans.docimport import ParsedPlan, parse_file

from .conftest import VARIATIONS, resolver_from_aliases

LINJIANG_UNITS = resolver_from_aliases(
    {
        "临江市教育局": ["市教育局"],
        "共青团临江市委员会": ["团市委"],
        "临江市科学技术协会": ["市科协"],
        "临江市科学技术局": ["市科技局"],
        "临江市妇女联合会": ["市妇联"],
        "临江市农业农村局": ["市农业农村局"],
        "临江市人力资源和社会保障局": ["市人社局", "市人力资源社会保障局"],
        "临江市卫生健康委员会": ["市卫健委", "市卫生健康委"],
        "临江市民政局": ["市民政局"],
        "临江市发展和改革委员会": ["市发改委", "市发展改革委"],
        "临江市文化广电和旅游局": ["市文化广电旅游局", "市文广旅局"],
    }
)


def parse(name: str, **kwargs: object) -> ParsedPlan:
    return parse_file(VARIATIONS / name, **kwargs)  # type: ignore[arg-type]


def written(refs: list) -> list[str]:  # type: ignore[type-arg]
    return [ref.written for ref in refs]


class TestLeadUnitLinesPerSection:
    """临江: 牵头单位/配合单位 lines under each section heading, full-width "1．" items, no units per task."""

    @pytest.fixture(scope="class")
    @classmethod
    def plan(cls) -> ParsedPlan:
        return parse("linjiang_lead_unit_lines.txt", resolve_unit=LINJIANG_UNITS)

    def test_sections_take_the_units_of_the_lines_after_their_heading(self, plan: ParsedPlan) -> None:
        assert [(s.path, s.number, s.title, written(s.lead_units), written(s.participating_units)) for s in plan.sections] == [
            (["二、重点任务"], "（一）", "青少年科学素质提升行动", ["市教育局", "团市委"], ["市科协", "市科技局", "市妇联"]),
            (["二、重点任务"], "（二）", "农民科学素质提升行动", ["市农业农村局"],
             ["市科协", "市人力资源社会保障局", "市妇联", "市乡村振兴局"]),
            (["二、重点任务"], "（三）", "老年人科学素质提升行动", ["市卫生健康委", "市民政局"],
             ["市老龄办", "市科协", "市文化广电旅游局"]),
            (["三、重点工程"], "（一）", "科普基础设施工程", ["市科协", "市发展改革委"], []),
        ]  # fmt: skip

    def test_tasks_are_the_numbered_items_of_each_section(self, plan: ParsedPlan) -> None:
        assert [(t.number, t.title) for t in plan.sections[0].tasks] == [
            ("1.", "推进中小学科学教育改革"),
            ("2.", "完善校外科学教育体系"),
            ("3.", "加强科技教师队伍建设"),
        ]
        assert [len(s.tasks) for s in plan.sections] == [3, 2, 2, 2]

    def test_units_missing_from_the_registry_are_flagged(self, plan: ParsedPlan) -> None:
        assert plan.unknown_units == ["市乡村振兴局", "市老龄办"]
        farmers = plan.sections[1]
        assert [(r.written, r.status, r.matched_name) for r in farmers.participating_units] == [
            ("市科协", "matched", "临江市科学技术协会"),
            ("市人力资源社会保障局", "matched", "临江市人力资源和社会保障局"),
            ("市妇联", "matched", "临江市妇女联合会"),
            ("市乡村振兴局", "unknown", None),
        ]
        assert any("市乡村振兴局、市老龄办" in w for w in plan.warnings)

    def test_principles_are_not_tasks_and_goals_are_plan_level(self, plan: ParsedPlan) -> None:
        assert "坚持党的领导" not in [t.title for t in plan.tasks]
        assert [(g.name, g.value, g.unit, g.direction) for g in plan.goals] == [
            ("公民具备科学素质的比例", Decimal(18), "%", "≥"),
            ("科普教育基地", Decimal(50), "个", "≥"),
            ("每万人拥有科普场馆展厅面积", Decimal(200), "平方米", "≥"),
            ("人均科普经费", Decimal(2), "元", "≥"),
        ]
        assert [g.year for g in plan.goals[:3]] == [2025, 2025, 2025]

    def test_deadlines_are_read_from_the_task_text(self, plan: ParsedPlan) -> None:
        assert plan.sections[0].tasks[2].deadline == date(2023, 12, 31)
        assert plan.sections[3].tasks[0].deadline == date(2024, 12, 31)
        assert plan.sections[0].tasks[0].deadline is None


class TestRoleWordsInHalfWidthAnnualPoints:
    """南湖: half-width punctuation, "(A牵头,B、C配合)", "(A、B按职责分工负责)", deadlines, unknown units."""

    @pytest.fixture(scope="class")
    @classmethod
    def plan(cls) -> ParsedPlan:
        return parse("nanhu_annual_role_words.txt")

    def test_the_plan_is_annual(self, plan: ParsedPlan) -> None:
        assert (plan.title, plan.kind, plan.years) == ("南湖区2024年全民科学素质工作要点", "annual", (2024, 2024))
        assert [t.number for t in plan.tasks] == ["1、", "2、", "3、", "4、", "5、", "6、", "7、", "8、"]

    def test_roles_follow_the_role_words(self, plan: ParsedPlan) -> None:
        rows = [(written(t.lead_units), written(t.participating_units), t.subarea_marker, t.collective_units) for t in plan.tasks]
        assert rows == [
            (["区科协"], [], None, ["各成员单位"]),
            (["区科协"], ["区委组织部"], None, []),
            (["区教育局"], ["区科协", "团区委"], None, []),
            (["区民政局"], ["区卫健委"], None, []),
            (["区农业农村局"], [], "各街道（镇）", []),
            (["区科协"], ["区住建局", "区数据资源局"], None, []),
            (["区文化广电旅游体育局"], ["区科协"], None, []),
            (["区委宣传部（区文明办）"], [], None, ["各成员单位"]),
        ]

    def test_deadlines_use_the_plan_year(self, plan: ParsedPlan) -> None:
        assert [t.deadline for t in plan.tasks] == [
            date(2024, 3, 31), None, None, None, None, date(2024, 10, 31), None, None,
        ]  # fmt: skip

    def test_targets_of_an_annual_plan_are_for_its_year(self, plan: ParsedPlan) -> None:
        old = plan.tasks[3].indicators
        assert [(i.name, i.value, i.unit, i.year, i.direction) for i in old] == [
            ("培训老年人", Decimal(5000), "人次", 2024, "≥")
        ]
        visitors = plan.tasks[6].indicators[0]
        assert (visitors.value, visitors.unit, visitors.direction) == (Decimal(20), "万人次", "≥")


class TestGB18030CountyPlanWithChaptersAndSections:
    """青山县: GB18030 file, 第一章/第一节/一、 levels, full-width digits, "（牵头）" marks, 各乡镇（街道）."""

    @pytest.fixture(scope="class")
    @classmethod
    def plan(cls) -> ParsedPlan:
        return parse("qingshan_county_gb18030.txt")

    def test_it_reads_gb18030_and_full_width_digits(self, plan: ParsedPlan) -> None:
        assert plan.title == "青山县全民科学素质行动实施方案（2021—2025年）"
        assert plan.years == (2021, 2025)

    def test_sections_are_the_jie_under_the_task_chapter(self, plan: ParsedPlan) -> None:
        assert [(s.path, s.number, s.title, [t.number for t in s.tasks]) for s in plan.sections] == [
            (["第二章 提升行动"], "第一节", "青少年科学素质提升行动", ["一、", "二、"]),
            (["第二章 提升行动"], "第二节", "农民科学素质提升行动", ["一、", "二、"]),
        ]

    def test_a_lead_marked_in_brackets_and_the_subarea_marker(self, plan: ParsedPlan) -> None:
        first = plan.sections[0].tasks[0]
        assert written(first.lead_units) == ["县教育体育局"]
        assert written(first.participating_units) == ["县科协", "团县委"]
        assert (first.all_subareas, first.subarea_marker) == (True, "各乡镇（街道）")
        last = plan.sections[1].tasks[1]
        assert (written(last.lead_units), written(last.participating_units)) == (["县科协"], ["县农业农村局", "县乡村振兴局"])

    def test_chinese_numerals_and_upper_bounds(self, plan: ParsedPlan) -> None:
        farmers = plan.sections[1].tasks[0].indicators
        assert [(i.name, i.value, i.unit, i.annual) for i in farmers] == [("培训农民", Decimal(10000), "人次", True)]
        gap = next(g for g in plan.goals if g.unit == "个百分点")
        assert (gap.value, gap.direction, gap.year) == (Decimal(5), "≤", 2025)
        assert ("公民具备科学素质的比例", Decimal(15), "≥") in [(g.name, g.value, g.direction) for g in plan.goals]


class TestDeepLevelsAndSubItems:
    """东川: 一、>（一）>1.>（1）/① sub-items folded into their task, ⒈ numbers, nested aliases."""

    @pytest.fixture(scope="class")
    @classmethod
    def plan(cls) -> ParsedPlan:
        return parse("dongchuan_deep_levels.txt")

    def test_sub_items_belong_to_their_task(self, plan: ParsedPlan) -> None:
        assert [[(t.number, t.title) for t in s.tasks] for s in plan.sections] == [
            [("1.", "建立科研设施开放制度"), ("2.", "开展“科学家开放日”活动")],
            [("⒈", "支持科普产品研发"), ("⒉", "举办科普产品交易会")],
        ]
        first = plan.sections[0].tasks[0]
        assert "（1）每年发布一次开放目录" in first.body and "（2）开放单位年接待公众" in first.body
        assert [(i.name, i.value) for i in first.indicators] == [("开放单位年接待公众", Decimal(2000))]

    def test_an_attribution_after_the_sub_items_is_the_tasks(self, plan: ParsedPlan) -> None:
        first, second = plan.sections[0].tasks
        assert written(first.lead_units) == ["市科技局"]
        assert written(first.participating_units) == ["市科协", "市工信局", "市教育局"]
        assert written(second.lead_units) == ["市科协"]
        assert written(second.participating_units) == ["市委网信办（市互联网信息办公室）", "东川日报社"]

    def test_a_bracketed_alias_resolves_through_either_name(self, plan: ParsedPlan) -> None:
        registry = resolver_from_aliases({"东川市互联网信息办公室": ["市互联网信息办公室"]})
        second = parse("dongchuan_deep_levels.txt", resolve_unit=registry).sections[0].tasks[1]
        ref = second.participating_units[0]
        assert (ref.written, ref.status, ref.matched_name) == ("市委网信办（市互联网信息办公室）", "matched", "东川市互联网信息办公室")

    def test_plural_subareas_in_brackets(self, plan: ParsedPlan) -> None:
        assert plan.sections[1].tasks[0].subarea_marker == "各县（市、区）"


class TestHardWrappedPdfCopy:
    """西岭: a PDF copy with lines broken every 30-odd characters and a "— 2 —" page footer."""

    @pytest.fixture(scope="class")
    @classmethod
    def plan(cls) -> ParsedPlan:
        return parse("pdf_copy_hard_wrapped.txt")

    def test_wrapped_lines_are_joined_and_the_subtitle_kept(self, plan: ParsedPlan) -> None:
        assert plan.title == "西岭市全民科学素质提升三年行动计划（2023—2025年）"
        assert any("硬换行" in w for w in plan.warnings)
        first = plan.sections[0].tasks[0]
        assert first.title == "建设社区科普馆"
        assert "按照“有场所、有设施、有队伍、有活动”标准建设社区科普馆（站）" in first.body

    def test_units_split_across_lines_are_whole(self, plan: ParsedPlan) -> None:
        first = plan.sections[0].tasks[0]
        assert written(first.participating_units) == ["市民政局", "市住房城乡建设局"]
        assert first.subarea_marker == "各区县"
        volunteers = plan.sections[1].tasks[0]
        assert written(volunteers.lead_units) == ["市科协"]
        assert "市委宣传部（市文明办）" in written(volunteers.participating_units)

    def test_the_page_footer_is_gone(self, plan: ParsedPlan) -> None:
        assert not any("— 2 —" in t.body for t in plan.tasks)
        assert [len(s.tasks) for s in plan.sections] == [2, 2]


class TestTextPastedWithoutLineBreaks:
    """北山: the whole plan pasted as one line; headings are found inline by their numbering."""

    @pytest.fixture(scope="class")
    @classmethod
    def plan(cls) -> ParsedPlan:
        return parse("pasted_single_line.txt")

    def test_structure_is_found_in_running_text(self, plan: ParsedPlan) -> None:
        assert plan.title == "北山区科普工作实施方案（2024—2026年）"
        assert [(s.number, s.title, [t.title for t in s.tasks]) for s in plan.sections] == [
            ("（一）", "加强科普阵地建设", ["建设区科技馆", "推进社区科普馆建设", "发展流动科普"]),
            ("（二）", "壮大科普人才队伍", ["培育科普讲解员", "建强科技志愿服务队伍"]),
        ]
        assert written(plan.sections[0].tasks[1].lead_units) == ["区科协"]
        assert plan.sections[0].tasks[1].subarea_marker == "各街道"

    def test_the_goal_chapter_glued_to_its_text_gives_goals(self, plan: ParsedPlan) -> None:
        first = plan.goals[0]
        assert (first.name, first.value, first.year) == ("公民具备科学素质的比例", Decimal(20), 2026)


class TestWebPageWithBomAndLabelLines:
    """东湖: UTF-8 with BOM and CRLF, breadcrumb and "扫一扫" junk, "责任单位：" lines after each task."""

    @pytest.fixture(scope="class")
    @classmethod
    def plan(cls) -> ParsedPlan:
        return parse("web_page_bom_crlf.txt")

    def test_page_furniture_is_dropped(self, plan: ParsedPlan) -> None:
        assert plan.title == "东湖市2024年全民科学素质行动工作要点"
        text = str(plan.to_dict())
        assert "扫一扫" not in text and "打印本页" not in text and "浏览次数" not in text

    def test_label_lines_after_tasks_name_their_units(self, plan: ParsedPlan) -> None:
        rows = [(t.title, written(t.lead_units), written(t.participating_units), t.subarea_marker) for t in plan.tasks]
        assert rows == [
            ("完善工作机制", ["市科协"], [], None),
            ("开展监测评估", ["市科协"], ["市统计局"], "各区人民政府"),
            ("开展青少年科技教育", ["市教育局"], ["团市委", "市科协"], None),
            ("开展农民技能培训", ["市农业农村局"], ["市人社局"], None),
        ]
        assert plan.tasks[1].deadline == date(2024, 6, 30)
