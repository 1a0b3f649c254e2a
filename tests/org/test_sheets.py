"""Excel import and export of regions and units: row-level Chinese errors, all or nothing, round trip."""

from __future__ import annotations

from typing import Any

import pytest

from kepu.core.access import SYSTEM
from kepu.core.errors import ImportRejected
from kepu.core.models import AuditEntry
from kepu.org import sheets
from kepu.org.models import Region, Unit, UnitAlias
from tests.org.sheets import read_xlsx, xlsx
from tests.test_authorization import db_fingerprint

UNIT_HEADER = ["单位名称", "简称", "类别", "所属区划代码", "上级单位", "成员单位", "别名"]
REGION_HEADER = ["区划代码", "名称", "层级", "上级区划代码"]

pytestmark = pytest.mark.django_db


def _rejected(importer: Any, data: bytes) -> list[str]:
    before, audits = db_fingerprint(), AuditEntry.objects.count()
    with pytest.raises(ImportRejected) as caught:
        importer(actor=SYSTEM, data=data)
    assert db_fingerprint() == before, "a rejected import changed the database"
    assert AuditEntry.objects.count() == audits
    return [str(e) for e in caught.value.errors]


def test_a_unit_sheet_without_the_region_column_is_rejected_at_the_header() -> None:
    errors = _rejected(sheets.units_import, xlsx(["单位名称", "简称", "类别", "成员单位"], [["某单位", "", "其他", "否"]]))
    assert errors == ["第 1 行「所属区划代码」：缺少此列"]


def test_each_bad_unit_row_is_named_by_row_and_column() -> None:
    data = xlsx(UNIT_HEADER, [
        ["昆山市测试局甲", "", "党政机关", "320583000000", "", "是", ""],
        ["", "", "党政机关", "320583000000", "", "是", ""],
        ["昆山市测试局乙", "", "机关", "320583000000", "", "是", ""],
        ["昆山市测试局丙", "", "党政机关", "999999999999", "", "是", ""],
        ["昆山市测试局丁", "", "党政机关", "320583000000", "不存在的上级", "也许", ""],
    ])
    errors = _rejected(sheets.units_import, data)
    assert "第 3 行「单位名称」：不能为空" in errors
    assert any(e.startswith("第 4 行「类别」：“机关”不是可选值") for e in errors)
    assert "第 5 行「所属区划代码」：“999999999999”不是系统中的区划代码" in errors
    assert "第 6 行「成员单位」：“也许”应填“是”或“否”" in errors


def test_duplicate_names_in_a_sheet_are_reported_with_both_rows() -> None:
    data = xlsx(UNIT_HEADER, [
        ["昆山市测试局", "", "党政机关", "320583000000", "", "否", ""],
        ["昆山市测试局 ", "", "党政机关", "320583000000", "", "否", ""],
    ])
    errors = _rejected(sheets.units_import, data)
    assert "第 3 行「单位名称」：“昆山市测试局”与第 2 行的名称或别名重复" in errors


def test_an_alias_that_belongs_to_another_unit_is_refused() -> None:
    data = xlsx(UNIT_HEADER, [["昆山市测试局", "", "党政机关", "320583000000", "", "否", "市人社局"]])
    assert _rejected(sheets.units_import, data) == ["第 2 行「别名」：“市人社局”已属于其他单位"]


def test_a_cycle_of_parent_units_is_refused() -> None:
    data = xlsx(UNIT_HEADER, [
        ["甲单位", "", "其他", "320583000000", "乙单位", "否", ""],
        ["乙单位", "", "其他", "320583000000", "丙单位", "否", ""],
        ["丙单位", "", "其他", "320583000000", "甲单位", "否", ""],
    ])
    errors = _rejected(sheets.units_import, data)
    assert len(errors) == 3 and all("上下级关系形成循环" in e for e in errors)


def test_a_cycle_through_existing_units_is_refused() -> None:
    # 昆山市医学会 sits under 市科协; making 市科协 a child of 医学会 would close a loop.
    edu = Unit.objects.get(name="昆山市科学技术协会")
    data = xlsx(["编号", *UNIT_HEADER], [[edu.pk, edu.name, "市科协", "人民团体", "320583000000", "昆山市医学会",
                                          "是", ""]])
    errors = _rejected(sheets.units_import, data)
    assert len(errors) == 1 and errors[0].startswith("第 2 行「上级单位」：上下级关系形成循环")


def test_an_unknown_unit_number_is_refused() -> None:
    data = xlsx(["编号", *UNIT_HEADER], [[999999, "某单位", "", "其他", "320583000000", "", "否", ""]])
    assert _rejected(sheets.units_import, data) == ["第 2 行「编号」：编号 999999 在系统中不存在；新增单位请留空"]


def test_a_file_that_is_not_excel_is_refused_in_chinese() -> None:
    assert _rejected(sheets.units_import, b"not an excel file") == ["表头：无法读取文件，请上传 Excel（.xlsx）文件"]


def test_exported_units_edited_and_reimported_update_rows_and_aliases() -> None:
    exported = read_xlsx(sheets.units_export(Unit.objects.select_related("region", "parent")
                                             .prefetch_related("aliases").order_by("pk")))
    header, rows = exported[0], exported[1:]
    name_col, alias_col, short_col = header.index("单位名称"), header.index("别名"), header.index("简称")
    for row in rows:
        if row[name_col] == "昆山市教育局":
            row[short_col] = "教育局"
            row[alias_col] = "市教育局、昆山教育局"
    rows.append([None, "昆山市科普志愿者协会", "", "学会/协会", "320583000000", "昆山市", "昆山市科学技术协会",
                 "否", "科普志愿者协会", "", "", 200, "是"])
    summary = sheets.units_import(actor=SYSTEM, data=xlsx(header, rows))
    assert (summary.created, summary.updated) == (1, 1)
    edu = Unit.objects.get(name="昆山市教育局")
    assert edu.short_name == "教育局"
    assert sorted(a.name for a in edu.aliases.all()) == ["市教育局", "昆山教育局"]
    new = Unit.objects.get(name="昆山市科普志愿者协会")
    assert new.parent.name == "昆山市科学技术协会"
    assert new.path == f"{new.parent.path}{new.pk}/"
    assert AuditEntry.objects.filter(action="org.unit.import", object_id=str(edu.pk)).get().before["short_name"] \
        == "市教育局"


def test_reimporting_an_unchanged_export_changes_nothing() -> None:
    data = sheets.units_export(Unit.objects.select_related("region", "parent").prefetch_related("aliases"))
    before = db_fingerprint()
    summary = sheets.units_import(actor=SYSTEM, data=data)
    assert summary.created == summary.updated == 0
    assert db_fingerprint() == before


def test_region_import_checks_codes_levels_and_parents() -> None:
    data = xlsx(REGION_HEADER, [
        ["32058310600", "短代码", "社区", "320583106000"],
        ["320583106001", "甲社区", "社区", "320583999000"],
        ["320583106002", "乙社区", "社区", "320583106002"],
        ["320583106003", "丙镇", "乡镇", ""],
        ["320583106004", "丁社区", "社区", "320583106000"],
        ["320583106004", "丁社区重复", "社区", "320583106000"],
    ])
    errors = _rejected(sheets.regions_import, data)
    assert "第 2 行「区划代码」：“32058310600”不是 12 位数字的统计用区划代码" in errors
    assert "第 3 行「上级区划代码」：“320583999000”在表中和系统中都不存在" in errors
    assert "第 4 行「上级区划代码」：不能是本区划自己" in errors
    assert "第 5 行「上级区划代码」：除市级外都须填写上级区划代码" in errors
    assert "第 7 行「区划代码」：与第 6 行重复" in errors


def test_a_cycle_in_the_region_tree_is_refused() -> None:
    data = xlsx(REGION_HEADER, [
        ["320583106101", "甲", "社区", "320583106102"],
        ["320583106102", "乙", "社区", "320583106101"],
    ])
    errors = _rejected(sheets.regions_import, data)
    assert any("上下级关系形成循环" in e for e in errors)


def test_regions_round_trip_and_children_follow_a_moved_parent() -> None:
    sheets.regions_import(actor=SYSTEM, data=xlsx(REGION_HEADER, [
        ["320583106201", "示例社区", "社区", "320583106000"],
    ]))
    exported = read_xlsx(sheets.regions_export(Region.objects.select_related("parent")))
    header, rows = exported[0], exported[1:]
    for row in rows:
        if row[0] == "320583106201":
            row[3] = "320583102000"  # move the community from 张浦镇 to 周市镇
    summary = sheets.regions_import(actor=SYSTEM, data=xlsx(header, rows))
    assert summary.updated == 1 and summary.created == 0
    moved = Region.objects.get(code="320583106201")
    assert moved.path == "/320583000000/320583102000/320583106201/"


@pytest.mark.slow
def test_ten_thousand_unit_rows_import_in_one_piece_or_not_at_all() -> None:
    rows = [[f"测试单位{i:05d}", "", "企业", "320583106000", "", "否", f"测试简称{i:05d}"] for i in range(10_000)]
    bad = [row[:] for row in rows]
    bad[9_000][3] = "12345"  # one bad code near the end: nothing of the other 9,999 rows may land
    errors = _rejected(sheets.units_import, xlsx(UNIT_HEADER, bad))
    assert errors == ["第 9002 行「所属区划代码」：“12345”不是系统中的区划代码"]
    summary = sheets.units_import(actor=SYSTEM, data=xlsx(UNIT_HEADER, rows))
    assert summary.created == 10_000
    assert UnitAlias.objects.filter(name__startswith="测试简称").count() == 10_000
    assert AuditEntry.objects.filter(action="org.unit.import").count() == 10_000


def test_a_unit_sheet_must_say_membership_and_kind_on_every_row() -> None:
    """A blank 成员单位 or 类别 is no answer: never “否” or 党政机关 by default, and nothing is imported."""
    data = xlsx(UNIT_HEADER, [
        ["昆山市测试局甲", "", "", "320583000000", "", "是", ""],
        ["昆山市测试局乙", "", "党政机关", "320583000000", "", "", ""],
        ["昆山市测试局丙", "", "党政机关", "320583000000", "", "可能", ""],
        ["昆山市测试局丁", "", "党政机关", "320583000000", "", "否", ""],
    ])
    errors = _rejected(sheets.units_import, data)
    assert errors == ["第 2 行「类别」：不能为空", "第 3 行「成员单位」：不能为空",
                      "第 4 行「成员单位」：“可能”应填“是”或“否”"]


def test_a_unit_sheet_without_the_membership_or_kind_column_is_refused() -> None:
    header = ["单位名称", "所属区划代码"]
    errors = _rejected(sheets.units_import, xlsx(header, [["昆山市测试局甲", "320583000000"]]))
    assert errors == ["第 1 行「成员单位」：缺少此列", "第 1 行「类别」：缺少此列"]


def test_a_unit_imported_as_not_a_member_is_not_one() -> None:
    sheets.units_import(actor=SYSTEM, data=xlsx(UNIT_HEADER, [
        ["昆山市测试研究所", "", "事业单位", "320583000000", "", "否", ""]]))
    unit = Unit.objects.get(name="昆山市测试研究所")
    assert (unit.is_member, unit.kind) == (False, "public_institution")


def test_unit_cells_are_checked_as_the_unit_form_checks_them() -> None:
    """Lengths and formats are the form's: a name over 100 characters, a bad phone or credit code."""
    header = [*UNIT_HEADER, "统一社会信用代码", "办公电话"]
    data = xlsx(header, [
        ["测" * 101, "", "其他", "320583000000", "", "否", "", "", ""],
        ["昆山市测试局乙", "简" * 41, "其他", "320583000000", "", "否", "", "", ""],
        ["昆山市测试局丙", "", "其他", "320583000000", "", "否", "", "91350100M000100Y44", ""],
        ["昆山市测试局丁", "", "其他", "320583000000", "", "否", "", "", "请找王老师"],
        ["昆山市测试局戊", "", "其他", "320583000000", "", "否", "别" * 101, "", ""],
        ["昆山市测试局己", "", "其他", "320583000000", "", "否", "", "91350100M000100Y43", "0512-57500000 转 8012"],
    ])
    errors = _rejected(sheets.units_import, data)
    assert errors[0].startswith("第 2 行「单位名称」：") and "100" in errors[0]
    assert errors[1].startswith("第 3 行「简称」：") and "40" in errors[1]
    assert errors[2] == "第 4 行「统一社会信用代码」：统一社会信用代码应为 18 位数字或大写字母，且校验位正确"
    assert errors[3].startswith("第 5 行「办公电话」：电话号码格式不正确")
    assert errors[4].startswith("第 6 行「别名」：") and "100" in errors[4]
    assert len(errors) == 5, "row 7 is good"


def test_the_unit_form_checks_phone_and_credit_code_formats(as_user: Any, cast: dict[str, Any]) -> None:
    from django.urls import reverse

    count = Unit.objects.count()
    response = as_user("office").post(reverse("org:unit_create"), {
        "name": "昆山市测试研究所", "region": cast["office"].unit.region_id, "sort_order": 100,
        "kind": "public_institution", "is_member": "False", "credit_code": "91350100M000100Y44",
        "contact_phone": "请找王老师"})
    text = response.content.decode()
    assert "统一社会信用代码应为 18 位数字或大写字母，且校验位正确" in text and "电话号码格式不正确" in text
    assert Unit.objects.count() == count
