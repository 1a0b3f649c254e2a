"""Excel imports of teams and volunteers: every bad cell named by row and column in Chinese, nothing
written unless every row is good; an exported sheet imports back unchanged."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from kepu.core.errors import ImportRejected
from kepu.core.protected import digest
from kepu.volunteers import selectors, sheets
from kepu.volunteers.demo import synthetic_id_number
from kepu.volunteers.models import MembershipStatus, TeamMembership, Volunteer, VolunteerTeam
from tests.org.sheets import read_xlsx, xlsx
from tests.test_authorization import db_fingerprint
from tests.volunteers.factories import VolunteerFactory

pytestmark = pytest.mark.django_db

TEAM_HEADER = [c.header for c in sheets.TEAM_COLUMNS]
VOLUNTEER_HEADER = [c.header for c in sheets.VOLUNTEER_COLUMNS]
GOOD_ID, GOOD_ID_2 = "11010519491231002X", synthetic_id_number(datetime.date(1990, 1, 1), 1)
GOOD_ID_3, GOOD_ID_4 = synthetic_id_number(datetime.date(1990, 1, 1), 2), synthetic_id_number(datetime.date(1990, 1, 1), 3)


def _errors(importer: Any, actor: Any, data: bytes) -> list[str]:
    before = db_fingerprint()
    with pytest.raises(ImportRejected) as info:
        importer(actor=actor, data=data)
    assert db_fingerprint() == before, "a rejected import wrote something"
    return [str(e) for e in info.value.errors]


def _team_row(name: str, level: str = "分队", parent: str = "张浦镇科技志愿服务大队", unit: str = "张浦镇科协",
              region: str = "320583106000") -> list[Any]:
    return ["", name, level, parent, unit, region, "", "是"]


def test_teams_import_with_parents_in_the_same_sheet(cast: dict[str, Any]) -> None:
    data = xlsx(TEAM_HEADER, [
        _team_row("淀山湖镇科技志愿服务大队", "大队", "昆山市科协科技志愿服务支队", "市科协", "320583105000"),
        _team_row("淀山湖镇环保科普分队", parent="淀山湖镇科技志愿服务大队", unit="昆山市科学技术协会",
                  region="320583105000"),
    ])
    summary = sheets.teams_import(actor=cast["office"], data=data)
    assert summary.created == 2
    squad = VolunteerTeam.objects.select_related("parent__parent").get(name="淀山湖镇环保科普分队")
    assert squad.parent.parent.name == "昆山市科协科技志愿服务支队"
    assert squad.path == f"{squad.parent.path}{squad.pk}/"


def test_team_sheet_errors_name_row_and_column(cast: dict[str, Any], demo: dict[str, Any]) -> None:
    data = xlsx(TEAM_HEADER, [
        _team_row("新分队甲", unit="不存在的单位"),
        _team_row("新分队乙", region="999999999999"),
        _team_row("新分队丙", parent="不存在的大队"),
        _team_row("新大队", level="大队", parent="张浦镇科普宣讲分队"),
        [demo["rescue"].pk, *_team_row("张浦镇科普宣讲分队")[1:]],  # renamed onto another team's name
        _team_row("新分队丁", level="小队"),
        _team_row("新分队甲"),
    ])
    errors = _errors(sheets.teams_import, cast["office"], data)
    expected = [
        "第 2 行「所属单位」：“不存在的单位”不是系统中的单位",
        "第 3 行「服务区域代码」：“999999999999”不是系统中的区划代码",
        "第 4 行「上级队伍」：“不存在的大队”在表中和系统中都不存在",
        "第 5 行「层级」：大队不能隶属于分队",
        "第 6 行「队伍名称」：与已有队伍“张浦镇科普宣讲分队”",
        "第 7 行「层级」：“小队”不是可选值",
        "第 8 行「队伍名称」：与第 2 行重名",
    ]
    for text in expected:
        assert any(e.startswith(text) for e in errors), (text, errors)


def test_a_cycle_in_the_team_hierarchy_is_refused(cast: dict[str, Any], demo: dict[str, Any]) -> None:
    a, b = demo["brigade"], demo["squad"]
    # Same levels would also be refused; a loop through two sheet rows of one level pair shows the cycle check.
    data = xlsx(TEAM_HEADER, [
        [a.pk, "循环支队甲", "支队", "循环支队乙", "市科协", "320583000000", "", "是"],
        [b.pk, "循环支队乙", "支队", "循环支队甲", "市科协", "320583000000", "", "是"],
    ])
    errors = _errors(sheets.teams_import, cast["office"], data)
    assert any("上下级关系形成循环" in e for e in errors), errors


def test_teams_round_trip_through_export_unchanged(cast: dict[str, Any]) -> None:
    teams = list(selectors.team_list(user=cast["office"], filters=selectors.TeamFilters(active=None)))
    summary = sheets.teams_import(actor=cast["office"], data=sheets.teams_export(teams))
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, len(teams))


def _person(name: str, id_number: str, phone: str = "13911110000", region: str = "320583106000",
            teams: str = "张浦镇科普宣讲分队", row_id: Any = "") -> list[Any]:
    return [row_id, name, id_number, phone, region, "", "医疗", teams, "是", ""]


def test_volunteers_import_and_join_the_listed_teams(cast: dict[str, Any], demo: dict[str, Any]) -> None:
    data = xlsx(VOLUNTEER_HEADER, [_person("钱多多", GOOD_ID), _person("孙少少", GOOD_ID_2, "13911110001",
                                                                        teams="张浦镇科普宣讲分队、张浦镇应急救护分队")])
    summary = sheets.volunteers_import(actor=cast["office"], data=data)
    assert summary.created == 2 and "加入队伍 3 人次" in summary.notes[0]
    sun = Volunteer.objects.get(id_number_digest=digest("id_number", GOOD_ID_2))
    assert set(sun.memberships.filter(status=MembershipStatus.APPROVED).values_list("team__name", flat=True)) == {
        "张浦镇科普宣讲分队", "张浦镇应急救护分队"}


def test_overlong_names_and_skills_are_refused_not_cut(cast: dict[str, Any], demo: dict[str, Any]) -> None:
    long_skills = _person("钱多多", GOOD_ID)
    long_skills[6] = "医" * 201
    data = xlsx(VOLUNTEER_HEADER, [long_skills, _person("名" * 51, GOOD_ID_2)])
    errors = _errors(sheets.volunteers_import, cast["office"], data)
    assert errors == ["第 2 行「专长」：不能超过 200 个字（现有 201 个）", "第 3 行「姓名」：不能超过 50 个字（现有 51 个）"]
    team_errors = _errors(sheets.teams_import, cast["office"], xlsx(TEAM_HEADER, [_team_row("队" * 101)]))
    assert team_errors == ["第 2 行「队伍名称」：不能超过 100 个字（现有 101 个）"]


def test_volunteer_sheet_errors_name_row_and_column(cast: dict[str, Any], demo: dict[str, Any]) -> None:
    data = xlsx(VOLUNTEER_HEADER, [
        _person("甲", "110105194912310021"),                 # bad check digit
        _person("乙", GOOD_ID),
        _person("丙", GOOD_ID, "13911110002"),                # duplicate in the sheet
        _person("丁", "3205**********0013"),                  # a masked export
        _person("戊", GOOD_ID_2, "1391111"),                  # short phone
        _person("己", demo["leader"].id_number[:-1] + "0" if demo["leader"].id_number[-1] != "0" else GOOD_ID_2,
                region="123"),
        _person("庚", GOOD_ID_3, teams="不存在的队伍"),
        _person("", GOOD_ID_4),
    ])
    errors = _errors(sheets.volunteers_import, cast["office"], data)
    expected = [
        "第 2 行「身份证号」：“110105194912310021”不是有效的身份证号",
        "第 4 行「身份证号」：与第 3 行重复",
        "第 5 行「身份证号」：为脱敏格式，不能导入",
        "第 6 行「手机号」：“1391111”不是 11 位手机号码",
        "第 7 行「所在区域代码」：“123”不是系统中的区划代码",
        "第 8 行「所属队伍」：“不存在的队伍”不是系统中启用的队伍",
        "第 9 行「姓名」：不能为空",
    ]
    for text in expected:
        assert any(e.startswith(text) for e in errors), (text, errors)


def test_a_row_with_an_id_updates_that_volunteer_and_refuses_someone_elses_number(cast: dict[str, Any],
                                                                                  demo: dict[str, Any]) -> None:
    liu, leader = demo["liu"], demo["leader"]
    errors = _errors(sheets.volunteers_import, cast["office"],
                     xlsx(VOLUNTEER_HEADER, [_person("刘志愿", leader.id_number, row_id=liu.pk)]))
    assert any("已登记为另一名志愿者" in e for e in errors)
    summary = sheets.volunteers_import(actor=cast["office"], data=xlsx(
        VOLUNTEER_HEADER, [_person("刘志愿", liu.id_number, "13800000007", row_id=liu.pk)]))
    assert summary.updated == 1
    liu.refresh_from_db()
    assert liu.skills == "医疗"


def test_an_unreadable_file_or_missing_column_is_refused(cast: dict[str, Any]) -> None:
    assert "无法读取文件" in _errors(sheets.volunteers_import, cast["office"], b"not a workbook")[0]
    missing = _errors(sheets.volunteers_import, cast["office"], xlsx(["姓名"], [["张三"]]))
    assert any("「身份证号」：缺少此列" in e for e in missing)


def test_volunteers_round_trip_for_a_role_that_sees_full_numbers(cast: dict[str, Any], demo: dict[str, Any]) -> None:
    people = list(selectors.volunteer_list(user=cast["office"], filters=selectors.VolunteerFilters(active=None)))
    exported = sheets.volunteers_export(people, full=True)
    summary = sheets.volunteers_import(actor=cast["office"], data=exported)
    assert (summary.created, summary.updated, summary.unchanged) == (0, 0, len(people))
    assert not summary.notes  # every listed membership exists already


def test_an_export_for_other_roles_is_masked_and_cannot_be_imported(cast: dict[str, Any], as_user: Any,
                                                                     demo: dict[str, Any]) -> None:
    rows = read_xlsx(as_user("zhangpu").get("/office/volunteers/people/export/").content)
    assert rows[0][:4] == ["编号", "姓名", "身份证号", "手机号"]
    assert all("*" in r[2] and "*" in r[3] for r in rows[1:])
    full = read_xlsx(as_user("office").get("/office/volunteers/people/export/?q=刘志愿").content)
    assert full[1][2] == demo["liu"].id_number


def test_the_import_page_lists_the_errors(as_user: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("v.xlsx", xlsx(VOLUNTEER_HEADER, [_person("甲", "110105194912310021")]))
    page = as_user("office").post("/office/volunteers/people/import/", {"file": upload}).content.decode()
    assert "未导入任何数据" in page and "第 2 行" in page and "不是有效的身份证号" in page


def test_many_rows_import_in_one_go(cast: dict[str, Any]) -> None:
    people = [VolunteerFactory.build() for _ in range(500)]
    data = xlsx(VOLUNTEER_HEADER, [_person(p.name, p.id_number, p.phone) for p in people])
    assert sheets.volunteers_import(actor=cast["office"], data=data).created == 500
    assert TeamMembership.objects.filter(volunteer__id_number_digest__in=[digest("id_number", p.id_number) for p in people]).count() == 500
