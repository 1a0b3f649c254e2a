"""Numeric targets: values, units of measure, years, directions and names."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kepu.plans.docimport.dates import find_deadline, plan_kind, plan_years
from kepu.plans.docimport.targets import find_indicators
from kepu.plans.docimport.text import normalize_line


def one(text: str, **kwargs: object) -> tuple[object, ...]:
    (indicator,) = find_indicators(normalize_line(text), **kwargs)  # type: ignore[arg-type]
    return (indicator.name, indicator.value, indicator.unit, indicator.year, indicator.direction)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到2025年，公民具备科学素质的比例力争达到23%，保持全省领先。", ("公民具备科学素质的比例", Decimal(23), "%", 2025, "≥")),
        ("到2025年底，争取创建40所昆山市级以上的“科学教育综合示范学校”。", ("科学教育综合示范学校", Decimal(40), "所", 2025, "≥")),
        ("“十四五”期间，创建市级以上科普教育基地30家以上。", ("科普教育基地", Decimal(30), "家", 2025, "≥")),
        ("2025年目标：我国公民具备科学素质的比例超过15%。", ("公民具备科学素质的比例", Decimal(15), "%", 2025, "≥")),
        ("到2030年，人均科普经费不低于3.5元。", ("人均科普经费", Decimal("3.5"), "元", 2030, "≥")),
        ("到2025年，城乡差距控制在5个百分点以内。", ("城乡差距", Decimal(5), "个百分点", 2025, "≤")),
        ("到2025年，伪科学投诉率控制在1%以下。", ("伪科学投诉率", Decimal(1), "%", 2025, "≤")),
        ("到2025年，科普场馆年参观人数提高到120万人次。", ("科普场馆年参观人数", Decimal(120), "万人次", 2025, "≥")),
        ("到2025年，科普经费投入达到1.2亿元。", ("科普经费投入", Decimal("1.2"), "亿元", 2025, "≥")),
        ("力争2024年举办科普讲座一万场次。", ("举办科普讲座", Decimal(10000), "场次", 2024, "≥")),
        ("到2025年，青少年科学素养达标率达到百分之九十。", ("青少年科学素养达标率", Decimal(90), "%", 2025, "≥")),
    ],
)
def test_targets_as_plans_write_them(text: str, expected: tuple[object, ...]) -> None:
    assert one(text) == expected


def test_a_change_from_a_value_gives_the_baseline() -> None:
    (indicator,) = find_indicators("到2025年，公民具备科学素质的比例由16.7%提高到23%。")
    assert (indicator.name, indicator.value, indicator.baseline, indicator.direction) == (
        "公民具备科学素质的比例", Decimal(23), Decimal("16.7"), "≥",
    )  # fmt: skip


def test_a_range_is_read_by_its_first_number() -> None:
    (indicator,) = find_indicators("到2025年，覆盖率达到20%—30%。")
    assert (indicator.name, indicator.value) == ("覆盖率", Decimal(20))


def test_annual_targets_apply_to_each_year_of_the_plan() -> None:
    (indicator,) = find_indicators("每年培训农民1500人次。", plan_years=(2021, 2025))
    assert (indicator.name, indicator.year, indicator.annual, indicator.years) == ("培训农民", None, True, [2021, 2022, 2023, 2024, 2025])
    assert indicator.direction == "="


def test_annual_plans_default_to_their_year() -> None:
    assert one("全年培训老年人5000人次以上。", default_year=2024) == ("培训老年人", Decimal(5000), "人次", 2024, "≥")


def test_a_verb_before_the_number_names_the_thing_after_it() -> None:
    assert one("每年资助2000名农民工和一线职工提升学历。")[:3] == ("资助农民工和一线职工提升学历", Decimal(2000), "名")
    assert one("扶持农村劳动力自主创业330人以上。")[:3] == ("扶持农村劳动力自主创业", Decimal(330), "人")


def test_coordinated_clauses_share_the_verb_and_year() -> None:
    found = find_indicators("到2025年，全市人才总量达60万人，高层次人才6.2万人，高技能人才14.5万人。")
    assert [(i.name, i.value, i.unit, i.year, i.direction) for i in found] == [
        ("人才总量", Decimal(60), "万人", 2025, "≥"),
        ("高层次人才", Decimal("6.2"), "万人", 2025, "≥"),
        ("高技能人才", Decimal("14.5"), "万人", 2025, "≥"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "做到“两个维护”，增强“四个意识”。",
        "建立一批创新实践基地，开展三个方面工作。",
        "2023年2月13日印发，45周岁及以下，第十二次调查，15分钟科普圈，5G网络。",
        "《昆山市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要》",
        "万元GDP能耗持续下降。",
    ],
)
def test_numbers_that_are_not_targets(text: str) -> None:
    assert find_indicators(normalize_line(text)) == []


@pytest.mark.parametrize(
    ("text", "year", "deadline"),
    [
        ("2024年6月底前完成", None, "2024-06-30"),
        ("于2025年底前建成", None, "2025-12-31"),
        ("9月30日前报送", 2024, "2024-09-30"),
        ("年底前完成", 2024, "2024-12-31"),
        ("（完成时限：2024年11月）", None, "2024-11-30"),
        ("2024年上半年完成", None, "2024-06-30"),
        ("到2025年，比例达到23%", None, None),
        ("年底前完成", None, None),
    ],
)
def test_deadlines(text: str, year: int | None, deadline: str | None) -> None:
    found = find_deadline(normalize_line(text), year)
    assert (found.isoformat() if found else None) == deadline


@pytest.mark.parametrize(
    ("title", "kind", "years"),
    [
        ("昆山市2021—2025年全民科学素质行动规划纲要实施方案", "implementation", (2021, 2025)),
        ("全民科学素质行动规划纲要（2021—2035年）", "outline", (2021, 2035)),
        ("中国科协2022年科普工作要点", "annual", (2022, 2022)),
        ("南湖区2024年全民科学素质工作计划", "annual", (2024, 2024)),
        ("“十四五”全民科学素质行动实施方案", "implementation", (2021, 2025)),
        ("临江市科普基地管理办法", "implementation", None),
    ],
)
def test_kind_and_years_from_the_title(title: str, kind: str, years: tuple[int, int] | None) -> None:
    found_years = plan_years(title)
    assert (plan_kind(title, found_years)[0], found_years) == (kind, years)
