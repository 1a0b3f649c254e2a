"""Plans in the other layouts offices circulate: task-division tables (Word, tab-separated, aligned
with spaces), member-unit duty sentences, all-member tasks, undated documents, work points that
name no units. Each document is written here with its hand-checked result: every task, every unit."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from kepu.plans.docimport import ParsedPlan, parse_file, parse_text

from .conftest import resolver_from_aliases

REGISTRY = resolver_from_aliases({
    "江海县教育局": ["县教育局"],
    "江海县科学技术协会": ["县科协"],
    "共青团江海县委员会": ["团县委"],
    "江海县财政局": ["县财政局"],
    "江海县农业农村局": ["县农业农村局", "县农业局"],
    "江海县民政局": ["县民政局"],
    "江海县卫生健康委员会": ["县卫健委"],
    "江海县妇女联合会": ["县妇联"],
    "中共江海县委宣传部": ["县委宣传部", "县文明办"],
})


def units(refs: list[Any]) -> list[str]:
    return [ref.written for ref in refs]


def shape(plan: ParsedPlan) -> list[tuple[Any, ...]]:
    """Every section with its lead units, every task with number, title, leads, participants, flags."""
    return [
        (s.number, s.title, units(s.lead_units),
         [(t.number, t.title, units(t.lead_units), units(t.participating_units), t.all_members, t.subarea_marker)
          for t in s.tasks])
        for s in plan.sections
    ]


# --- a Word table: merged section rows, a header row repeated on the next page, a vertical merge ---


def _repeat_header(row: Any) -> None:
    row._tr.get_or_add_trPr().append(parse_xml(f'<w:tblHeader {nsdecls("w")}/>'))


def _division_docx() -> bytes:
    document = docx.Document()
    document.add_paragraph("江海县2024年全民科学素质行动任务分工方案")
    document.add_paragraph("为落实《全民科学素质行动规划纲要》，制定本任务分工。")
    header = ("序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限")
    rows: list[tuple[str, ...]] = [
        header,
        ("一、青少年科学素质提升行动",),  # merged across the row
        ("1", "举办青少年科技节", "组织全县中小学生参加科技节，参与学生不少于5000人次。", "县教育局", "县科协\n团县委", "2024年5月底前"),
        ("2", "建设校园科技馆", "新建校园科技馆2所。", "县教育局", "县财政局", "2024年12月"),  # lead merged down
        header,  # Word repeats the header on the next page
        ("二", "农民科学素质提升行动", "", "县农业农村局", "", ""),  # a section row with its lead unit
        ("3", "开展高素质农民培训", "全年培训农民1500人次。", "", "县科协、各乡镇", "年底前"),
        ("4", "实施科普惠农行动", "由县农业农村局、县科协牵头，县妇联参加。", "", "", "2024年10月31日前"),
    ]
    table = document.add_table(rows=len(rows), cols=len(header))
    for r, values in enumerate(rows):
        if len(values) == 1:
            merged = table.cell(r, 0).merge(table.cell(r, len(header) - 1))
            merged.text = values[0]
            continue
        for c, value in enumerate(values):
            table.cell(r, c).text = value
    _repeat_header(table.rows[0])
    table.cell(2, 3).merge(table.cell(3, 3)).text = "县教育局"
    # the same table goes on after a page break as a second Word table with the header again
    more = document.add_table(rows=2, cols=len(header))
    for c, value in enumerate(header):
        more.cell(0, c).text = value
    for c, value in enumerate(("5", "开展农村科普活动", "每年举办科普大集20场次。", "", "各成员单位", "")):
        more.cell(1, c).text = value
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_division_table_with_merged_rows_and_repeated_headers() -> None:
    plan = parse_file(_division_docx(), "分工.docx", resolve_unit=REGISTRY)
    assert (plan.title, plan.kind, plan.years) == ("江海县2024年全民科学素质行动任务分工方案", "annual", (2024, 2024))
    assert shape(plan) == [
        ("一、", "青少年科学素质提升行动", [], [
            ("1.", "举办青少年科技节", ["县教育局"], ["县科协", "团县委"], False, None),
            ("2.", "建设校园科技馆", ["县教育局"], ["县财政局"], False, None),
        ]),
        ("二、", "农民科学素质提升行动", ["县农业农村局"], [
            ("3.", "开展高素质农民培训", [], ["县科协"], False, "各乡镇"),
            ("4.", "实施科普惠农行动", ["县农业农村局", "县科协"], ["县妇联"], False, None),
            ("5.", "开展农村科普活动", [], [], True, None),
        ]),
    ]
    festival, museum = plan.sections[0].tasks
    assert festival.body == "组织全县中小学生参加科技节，参与学生不少于5000人次。"
    assert str(festival.deadline) == "2024-05-31" and str(museum.deadline) == "2024-12-31"
    assert [(i.name, i.value, i.unit, i.year, i.direction) for i in festival.indicators] == [
        ("参与学生", Decimal(5000), "人次", 2024, "≥")]
    training, action, fair = plan.sections[1].tasks
    assert str(training.deadline) == "2024-12-31" and str(action.deadline) == "2024-10-31"
    assert [(i.name, i.value, i.unit, i.annual) for i in fair.indicators] == [("举办科普大集", Decimal(20), "场次", True)]
    assert [(u.written, u.matched_name) for u in festival.participating_units] == [
        ("县科协", "江海县科学技术协会"), ("团县委", "共青团江海县委员会")]
    assert plan.unknown_units == []
    # the all-members task and the section-led tasks raise no "no units" warning
    assert not [w for w in plan.warnings if "未写明责任单位" in w]


# --- the same kind of table as text -------------------------------------------------------------

TAB_SEPARATED = """江海县全民科学素质行动重点任务分工（2021-2025）

牵头单位\t编号\t工作任务\t参与单位\t主要内容\t时间
\t一、老年人科学素质提升行动\t\t\t\t
县民政局\t1\t开展智能技术培训\t县科协、县卫健委\t每年培训老年人不少于1000人次。\t2023年12月底前
县卫健委\t2\t普及健康科普知识\t县妇联\t到2025年，老年健康科普覆盖率达到90%。\t
二、领导干部科学素质提升行动
县委宣传部（县文明办）\t3\t加强领导干部科学素质培训\t各县（区）\t\t长期坚持
\t\t\t\t将科学素质内容纳入干部培训课程。\t
"""


def test_a_tab_separated_table_in_any_column_order() -> None:
    plan = parse_text(TAB_SEPARATED, resolve_unit=REGISTRY)
    assert (plan.title, plan.kind, plan.years) == ("江海县全民科学素质行动重点任务分工（2021-2025）", "implementation", (2021, 2025))
    assert shape(plan) == [
        ("一、", "老年人科学素质提升行动", [], [
            ("1.", "开展智能技术培训", ["县民政局"], ["县科协", "县卫健委"], False, None),
            ("2.", "普及健康科普知识", ["县卫健委"], ["县妇联"], False, None),
        ]),
        ("二、", "领导干部科学素质提升行动", [], [
            ("3.", "加强领导干部科学素质培训", ["县委宣传部（县文明办）"], [], False, "各县（区）"),
        ]),
    ]
    first, second = plan.sections[0].tasks
    assert [(i.name, i.value, i.unit, i.annual, i.direction) for i in first.indicators] == [
        ("培训老年人", Decimal(1000), "人次", True, "≥")]
    assert [(i.name, i.value, i.unit, i.year) for i in second.indicators] == [("老年健康科普覆盖率", Decimal(90), "%", 2025)]
    assert str(first.deadline) == "2023-12-31" and second.deadline is None
    cadres = plan.sections[1].tasks[0]
    assert cadres.body == "将科学素质内容纳入干部培训课程。"  # the continuation row joins its task
    assert cadres.lead_units[0].matched_name == "中共江海县委宣传部"
    assert [t.source_line for t in plan.tasks] == [5, 6, 8]


SPACE_ALIGNED = """清河区全民科学素质行动任务分工（2021—2025年）

编号  工作任务                  责任单位                      完成时间
一、青少年科学素质提升行动
1     推进科学教育进课堂        区教育局牵头，区科协配合      2025年6月底前
2     建设青少年科普基地        区科协、区教育局
二、老年人科学素质提升行动
3     开展老年人智能技术        区民政局（牵头）、区卫健委    2023年12月底前
      应用培训
4     推进老年科普阵地建设      各成员单位按职责分工负责
"""


def test_a_table_aligned_with_spaces() -> None:
    plan = parse_text(SPACE_ALIGNED)
    assert plan.years == (2021, 2025)
    assert shape(plan) == [
        ("一、", "青少年科学素质提升行动", [], [
            ("1.", "推进科学教育进课堂", ["区教育局"], ["区科协"], False, None),
            ("2.", "建设青少年科普基地", ["区科协"], ["区教育局"], False, None),
        ]),
        ("二、", "老年人科学素质提升行动", [], [
            ("3.", "开展老年人智能技术应用培训", ["区民政局"], ["区卫健委"], False, None),
            ("4.", "推进老年科普阵地建设", [], [], True, None),
        ]),
    ]
    assert [str(t.deadline) if t.deadline else None for t in plan.tasks] == ["2025-06-30", None, "2023-12-31", None]


# --- prose: member-unit duties, all members, years in the title only ---------------------------

MEMBER_DUTIES = """江海县全民科学素质行动实施方案（2021—2025年）

一、重点任务
（一）青少年科学素质提升行动
1.加强学校科学教育。开齐开足科学课程，每年组织科学教师培训不少于200人次。由县教育局、县科协牵头，团县委、县妇联参加。
2.开展科技创新后备人才培养。建设青少年科技创新基地。（由县科协负责，县教育局、县财政局配合）
（二）农民科学素质提升行动
3.开展高素质农民培训。由县农业农村局负责，各乡镇协助。
4.实施科普示范工程。县农业农村局牵头沟通联络各方，开展科普示范村建设。（县科协、县农业农村局）
二、保障措施
加强组织领导，各成员单位按职责分工抓好落实。
"""


def test_member_unit_duty_sentences() -> None:
    plan = parse_text(MEMBER_DUTIES, resolve_unit=REGISTRY)
    assert plan.years == (2021, 2025)
    assert shape(plan) == [
        ("（一）", "青少年科学素质提升行动", [], [
            ("1.", "加强学校科学教育", ["县教育局", "县科协"], ["团县委", "县妇联"], False, None),
            ("2.", "开展科技创新后备人才培养", ["县科协"], ["县教育局", "县财政局"], False, None),
        ]),
        ("（二）", "农民科学素质提升行动", [], [
            ("3.", "开展高素质农民培训", ["县农业农村局"], [], False, "各乡镇"),
            ("4.", "实施科普示范工程", ["县科协"], ["县农业农村局"], False, None),
        ]),
    ]
    first = plan.tasks[0]
    assert "参加" not in "".join(units(first.participating_units))
    assert [(i.name, i.value, i.unit, i.annual) for i in first.indicators] == [("组织科学教师培训", Decimal(200), "人次", True)]


ALL_MEMBERS = """江海县2023年全民科学素质工作要点

一、强化科学素质建设
1.深入宣传科学精神。开展科学家精神进校园活动。（各成员单位）
2.组织全国科普日活动。各成员单位按职责分工负责。
3.开展科技活动周。（县科协牵头，各成员单位配合）
4.推进基层科普阵地建设。（各县（区））
"""


def test_all_members_and_all_subareas() -> None:
    plan = parse_text(ALL_MEMBERS)
    assert (plan.kind, plan.years) == ("annual", (2023, 2023))
    assert shape(plan) == [
        ("一、", "强化科学素质建设", [], [
            ("1.", "深入宣传科学精神", [], [], True, None),
            ("2.", "组织全国科普日活动", [], [], True, None),
            ("3.", "开展科技活动周", ["县科协"], [], True, None),
            ("4.", "推进基层科普阵地建设", [], [], False, "各县（区）"),
        ]),
    ]
    assert [t.all_subareas for t in plan.tasks] == [False, False, False, True]
    assert plan.to_dict()["sections"][0]["tasks"][0]["all_members"] is True


UNDATED = """关于印发科普工作方案的通知

江海县科普能力提升三年行动方案（2023—2025）

一、主要任务
1.建设科普场馆。新建科普场馆3座以上。（县科协）
2.培育科普队伍。（县教育局）
"""


def test_years_come_from_the_title_before_any_default() -> None:
    plan = parse_text(UNDATED)
    assert plan.title == "江海县科普能力提升三年行动方案（2023—2025）"
    assert plan.years == (2023, 2025)
    (museums,) = plan.tasks[0].indicators
    assert (museums.name, museums.value, museums.unit, museums.direction) == ("科普场馆", Decimal(3), "座", "≥")


def test_years_come_from_the_text_when_the_title_has_none() -> None:
    plan = parse_text("科普工作要点\n\n2024年是关键之年。\n一、重点工作\n1.办好科技周。2024年5月底前完成。\n")
    assert plan.years == (2024, 2024)
    assert str(plan.tasks[0].deadline) == "2024-05-31"


WORK_POINTS = """2024年全民科学素质行动工作要点

2024年是实现“十四五”规划目标任务的关键一年。

一、强化政治引领
1.深入学习贯彻党的创新理论。加强对科学素质建设重要论述的宣传阐释。
2.大力弘扬科学家精神。开展科学家精神宣讲活动。
二、实施重点人群科学素质提升行动
3.实施青少年科学素质提升行动。实施科学素质提升行动5项，开展“科学家（精神）进校园”活动。
4.实施农民科学素质提升行动。培训高素质农民不少于1万人次。
"""


def test_work_points_that_name_no_units() -> None:
    plan = parse_text(WORK_POINTS)
    assert (plan.kind, plan.years) == ("annual", (2024, 2024))
    assert shape(plan) == [
        ("一、", "强化政治引领", [], [
            ("1.", "深入学习贯彻党的创新理论", [], [], False, None),
            ("2.", "大力弘扬科学家精神", [], [], False, None),
        ]),
        ("二、", "实施重点人群科学素质提升行动", [], [
            ("3.", "实施青少年科学素质提升行动", [], [], False, None),
            ("4.", "实施农民科学素质提升行动", [], [], False, None),
        ]),
    ]
    assert plan.tasks[2].indicators == []  # "实施科学素质提升行动5项" counts the plan's own items
    assert [(i.name, i.value, i.unit) for i in plan.tasks[3].indicators] == [("培训高素质农民", Decimal(1), "万人次")]


def test_figures_without_direction_or_year_are_not_targets() -> None:
    plan = parse_text("江海县科普工作方案\n\n一、重点任务\n1.建设科普阵地。全县现有科普场馆3座。（县科协）\n")
    assert plan.years is None and plan.tasks[0].indicators == []
