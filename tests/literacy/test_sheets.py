"""Excel sheets: an instrument's answer key round-trips; population margins import as a census cross table
or a long table; bad rows are named and nothing changes."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from kepu.core.errors import ImportRejected
from kepu.literacy import sheets
from kepu.literacy.models import Instrument, PopulationMargin, SurveyWave
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db


def xlsx(header: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rejected(call: Any) -> list[str]:
    before = db_fingerprint()
    with pytest.raises(ImportRejected) as caught:
        call()
    assert db_fingerprint() == before
    return [str(e) for e in caught.value.errors]


@pytest.fixture
def instrument() -> Instrument:
    return Instrument.objects.get(name="公民科学素质测评卷（2024年版）")


def test_the_answer_key_round_trips_through_excel(cast: dict[str, Any], instrument: Instrument) -> None:
    exported = sheets.items_export(instrument)
    rows = list(load_workbook(io.BytesIO(exported)).active.iter_rows(values_only=True))
    assert rows[0] == ("题号", "题干", "维度", "分值", "标准答案", "对应基准", "难度")
    before = [(i.code, i.dimension, i.points, i.correct) for i in instrument.items.all()]
    summary = sheets.items_import(actor=cast["office"], instrument=instrument, data=exported)
    assert summary == "已导入 40 道题目及标准答案"
    assert [(i.code, i.dimension, i.points, i.correct) for i in instrument.items.all()] == before


def test_bad_item_rows_are_named_and_nothing_changes(cast: dict[str, Any], instrument: Instrument) -> None:
    data = xlsx(["题号", "维度", "分值", "标准答案", "对应基准"], [
        ["Q1", "科学知识", 2.5, "2", 1],
        ["Q2", "科学常识", 2.5, "2", None],
        ["Q3", "科学方法", 0, "A", 30],
        ["Q1", "科学方法", 2.5, "1,3", None],
    ])
    errors = _rejected(lambda: sheets.items_import(actor=cast["office"], instrument=instrument, data=data))
    assert errors == [
        "第 3 行「维度」：“科学常识”不是可选维度（科学知识、科学方法、科学精神与思想、应用科学的能力、科学与社会）",
        "第 4 行「分值」：分值须为正数",
        "第 4 行「对应基准」：基准编号应在 1—26 之间",
        "第 4 行「标准答案」：标准答案“A”应为选项编号（数字），多个正确选项用逗号分隔",
        "第 5 行「题号」：与第 2 行重复",
    ]


def test_an_overlong_item_code_or_answer_is_refused_not_cut(cast: dict[str, Any], instrument: Instrument) -> None:
    data = xlsx(["题号", "维度", "分值", "标准答案"], [
        ["Q" * 41, "科学知识", 2.5, "2"],
        ["Q2", "科学知识", 2.5, ",".join(["1"] * 31)],
    ])
    errors = _rejected(lambda: sheets.items_import(actor=cast["office"], instrument=instrument, data=data))
    assert errors == ["第 2 行「题号」：不能超过 40 个字（现有 41 个）", "第 3 行「标准答案」：不能超过 60 个字（现有 61 个）"]


@pytest.fixture
def wave() -> SurveyWave:
    return SurveyWave.objects.get(name="2024年昆山市公民科学素质调查")


def test_the_census_cross_table_is_summed_into_margins(cast: dict[str, Any], wave: SurveyWave) -> None:
    template = sheets.margin_template(wave)
    rows = list(load_workbook(io.BytesIO(template)).active.iter_rows(values_only=True))
    assert rows[0] == ("区县/镇街", "城乡", "性别", "年龄段", "人口数") and len(rows) - 1 == 11 * 2 * 2 * 5
    filled = [[*row[:4], 100] for row in rows[1:]]
    summary = sheets.margins_import(actor=cast["office"], wave=wave, data=xlsx(list(rows[0]), filled))
    assert summary == "已导入人口控制数 20 项（区县/镇街、城乡、性别、年龄段）"
    margins = {(m.variable, m.level_label): m.total for m in PopulationMargin.objects.filter(wave=wave)}
    assert margins[("district", "周庄镇")] == 2 * 2 * 5 * 100
    assert margins[("sex", "女")] == 11 * 2 * 5 * 100
    assert margins[("age_band", "60—69岁")] == 11 * 2 * 2 * 100


def test_margins_import_as_a_long_table_with_codes_and_labels(cast: dict[str, Any], wave: SurveyWave) -> None:
    data = xlsx(["变量", "类别", "人口数"], [["性别", "1", 830000], ["性别", "女", 790000], ["城乡", "城镇", 1300000],
                                       ["城乡", "2", 320000]])
    sheets.margins_import(actor=cast["office"], wave=wave, data=data)
    margins = {(m.variable, m.level): m.total for m in PopulationMargin.objects.filter(wave=wave)}
    assert margins[("sex", "男")] == 830000 and margins[("urban_rural", "乡村")] == 320000
    assert margins[("district", "320583100000")] > 0  # variables not in the sheet are kept


def test_bad_margin_rows_are_named_and_nothing_changes(cast: dict[str, Any], wave: SurveyWave) -> None:
    data = xlsx(["镇", "性别", "人口数"], [["玉山镇", "男", 1000], ["花果山", "女", 10], ["周庄镇", "未知", "很多"],
                                      ["", "男", -5]])
    errors = _rejected(lambda: sheets.margins_import(actor=cast["office"], wave=wave, data=data))
    assert errors == [
        "第 3 行「镇」：“花果山”不是昆山市下辖的区划（名称或 12 位区划代码）",
        "第 4 行「人口数」：“很多”不是数字",
        "第 4 行「性别」：“未知”不是可识别的性别（可填：男、女，或其编号 1—2）",
        "第 5 行「人口数」：须为非负数",
        "第 5 行「镇」：不能为空",
    ]
    assert _rejected(lambda: sheets.margins_import(actor=cast["office"], wave=wave, data=xlsx(["性别"], [["男"]]))) \
        == ["第 1 行「人口数」：缺少此列"]


def test_an_item_score_beyond_what_the_answer_key_stores_is_refused_not_cut(cast: dict[str, Any],
                                                                           instrument: Instrument) -> None:
    data = xlsx(["题号", "维度", "分值", "标准答案"], [
        ["Q1", "科学知识", 1000, "2"],
        ["Q2", "科学知识", 2.555, "2"],
        ["Q3", "科学知识", 999.99, "2"],
    ])
    errors = _rejected(lambda: sheets.items_import(actor=cast["office"], instrument=instrument, data=data))
    assert errors == ["第 2 行「分值」：分值不能超过 999.99", "第 3 行「分值」：分值最多保留 2 位小数"]


def test_an_unknown_margin_column_is_refused_by_name(cast: dict[str, Any], wave: SurveyWave) -> None:
    crossed = xlsx(["镇", "姓别", "人口数"], [["玉山镇", "男", 1000]])
    errors = _rejected(lambda: sheets.margins_import(actor=cast["office"], wave=wave, data=crossed))
    assert len(errors) == 1 and errors[0].startswith("第 1 行：未知的列“姓别”（可用的列：区县/镇街、")
    long = xlsx(["变量", "类别", "人口数", "备注"], [["性别", "男", 830000, "七普"]])
    errors = _rejected(lambda: sheets.margins_import(actor=cast["office"], wave=wave, data=long))
    assert errors == ["第 1 行：未知的列“备注”（可用的列：变量、类别、人口数）"]


def test_a_blank_column_left_by_formatting_does_not_stop_a_margin_import(cast: dict[str, Any],
                                                                        wave: SurveyWave) -> None:
    data = xlsx(["变量", "类别", "人口数", None], [["性别", "男", 830000, None], ["性别", "女", 790000, None]])
    sheets.margins_import(actor=cast["office"], wave=wave, data=data)
    assert PopulationMargin.objects.get(wave=wave, variable="sex", level="女").total == 790000
