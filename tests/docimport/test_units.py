"""Responsible units however documents give them, and names matched through the registry."""

from __future__ import annotations

import pytest

from kepu.plans.docimport import UnitMatch, normalize_unit_name
from kepu.plans.docimport.units import KnownCheck, find_attributions, resolve_name, split_top_level

from .conftest import resolver_from_aliases


def roles(text: str) -> tuple[list[str], list[str], str | None, list[str]]:
    found = find_attributions(text, KnownCheck(None))
    return found.leads, found.participants, found.subarea_marker, found.collective


@pytest.mark.parametrize(
    ("text", "leads", "participants", "marker"),
    [
        ("……。（责任单位：市教育局、市人社局、团市委、市科协等，各区镇）", ["市教育局"], ["市人社局", "团市委", "市科协"], "各区镇"),
        ("……。（牵头单位：市科协；配合单位：市教育局、市科技局）", ["市科协"], ["市教育局", "市科技局"], None),
        ("……。（市科协牵头，市教育局、市科技局配合）", ["市科协"], ["市教育局", "市科技局"], None),
        ("……。（市教育局、市科协按职责分工负责）", ["市教育局"], ["市科协"], None),
        ("……。（市卫健委负责）", ["市卫健委"], [], None),
        ("……。（由市科协、市教育局牵头，各乡镇（街道）配合）", ["市科协", "市教育局"], [], "各乡镇（街道）"),
        ("……。（责任单位：县教育局（牵头）、县科协、团县委）", ["县教育局"], ["县科协", "团县委"], None),
        ("……。（责任单位：市科协牵头，市文明办配合）", ["市科协"], ["市文明办"], None),
        ("……。（市教育局、市科协）", ["市教育局"], ["市科协"], None),
        ("牵头单位：市农业农村局\n配合单位：市科协、市妇联", ["市农业农村局"], ["市科协", "市妇联"], None),
        ("……。\n责任单位：市教育局，市科协，各区县", ["市教育局"], ["市科协"], "各区县"),
        ("……（主要责任单位：区委宣传部；参与单位：区科协等部门）", ["区委宣传部"], ["区科协"], None),
        ("……（市科协牵头，区科协配合，2024年6月底前完成）", ["市科协"], ["区科协"], None),
        ("……。\n责任单位：市科协 完成时限：2024年6月", ["市科协"], [], None),
    ],
)
def test_attribution_styles(text: str, leads: list[str], participants: list[str], marker: str | None) -> None:
    found_leads, found_participants, found_marker, _ = roles(text)
    assert (found_leads, found_participants, found_marker) == (leads, participants, marker)


def test_a_unit_with_a_bracketed_alias_stays_one_unit() -> None:
    leads, participants, _, _ = roles("（责任单位：市委宣传部（市文明办）、市民政局、市卫健委等，各区镇）")
    assert leads == ["市委宣传部（市文明办）"]
    assert participants == ["市民政局", "市卫健委"]


def test_collective_words_are_not_units() -> None:
    leads, participants, marker, collective = roles("（市科协牵头，各成员单位按职责分工负责）")
    assert (leads, participants, marker, collective) == (["市科协"], [], None, ["各成员单位"])


@pytest.mark.parametrize(
    "text",
    [
        "依托新时代文明实践中心（所、站）、党群服务中心等阵地",
        "大专（含）以上学历",
        "《全民科学素质行动规划纲要（2021—2035年）》",
        "昆山市全民科学素质工作领导小组办公室（市科协）起草了方案",
        "鼓励国家科技计划（专项、基金等）项目承担单位",
        "明确牵头部门和参与部门",
    ],
)
def test_brackets_that_are_not_attributions(text: str) -> None:
    assert roles(text) == ([], [], None, [])


def test_lists_split_outside_brackets_only() -> None:
    assert split_top_level("市委宣传部（市文明办）、市民政局，各乡镇（街道）", "、，") == [
        "市委宣传部（市文明办）",
        "市民政局",
        "各乡镇（街道）",
    ]


@pytest.mark.parametrize(
    ("a", "b"),
    [("市委宣传部（市文明办）", "市委宣传部(市文明办)"), ("市 科 协", "市科协"), ("ＡＢＣ公司", "ABC公司"), ("【市文明办】", "(市文明办)")],
)
def test_normalize_unit_name_folds_width_spaces_and_brackets(a: str, b: str) -> None:
    assert normalize_unit_name(a) == normalize_unit_name(b)


def test_names_resolve_through_aliases_then_bracket_parts() -> None:
    registry = resolver_from_aliases({"中共昆山市委宣传部": ["市委宣传部"], "昆山市应急管理局": ["市应急局"]})
    assert resolve_name("市应急局", registry).matched_name == "昆山市应急管理局"
    ref = resolve_name("市委宣传部（市文明办）", registry)
    assert (ref.written, ref.status, ref.matched_name) == ("市委宣传部（市文明办）", "matched", "中共昆山市委宣传部")
    unknown = resolve_name("市数据局", registry)
    assert (unknown.status, unknown.unit_id, unknown.matched_name) == ("unknown", None, None)


def test_the_resolver_may_return_its_own_objects() -> None:
    class Unit:
        unit_id = 7
        name = "昆山市科学技术协会"

    ref = resolve_name("市科协", lambda name: Unit() if name == "市科协" else None)
    assert (ref.unit_id, ref.matched_name) == (7, "昆山市科学技术协会")


def test_the_kunshan_registry_fixture_has_official_names(kunshan_resolver: object) -> None:
    from .conftest import kunshan_units

    names = {str(u["short_name"]): str(u["name"]) for u in kunshan_units()}
    assert names["市文体广旅局"] == "昆山市文化体育广电和旅游局"
    assert names["市资源规划局"] == "昆山市自然资源和规划局"
    assert names["市委组织部"] == "中共昆山市委组织部"
    assert names["团市委"] == "共青团昆山市委员会"
    assert names["市人社局"] == "昆山市人力资源和社会保障局"
    assert len(names) == 29
    assert isinstance(UnitMatch("ks-kx", "昆山市科学技术协会"), UnitMatch)
