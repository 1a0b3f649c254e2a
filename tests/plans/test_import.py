"""Document import at the database level: drafts, the unit registry, the review, the commit, the command."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import call_command

from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory, AuditEntry
from kepu.org.models import Unit, UnitAlias
from kepu.plans.models import DraftStatus, Indicator, Plan, PlanImportDraft, Task, TaskUnit, UnitRole
from kepu.plans.services import importing
from tests.docimport.test_kunshan_002 import EXPECTED
from tests.plans.conftest import SMALL_PLAN, VARIATIONS, seed_path
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db


def _seed(key: str) -> bytes:
    return seed_path(key).read_bytes()


def _registry_name(written: str) -> str:
    return importing.registry_resolver()(written.split("（")[0]).name  # type: ignore[union-attr]


def test_seed_002_commits_every_task_of_the_actions_and_projects_with_exactly_its_units(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, data=_seed("002"), filename="002.txt")
    assert draft.parsed["unknown_units"] == []  # every unit matched through names, short names and aliases
    plan = importing.draft_commit(actor=office, draft=draft, allow_duplicate=True)  # the demo holds the same text
    found = [
        (s.path, s.number, s.title,
         [(t.number, t.title,
           [tu.unit.name for tu in t.units.all() if tu.role == UnitRole.LEAD],
           [tu.unit.name for tu in t.units.all() if tu.role == UnitRole.PARTICIPANT], t.all_subareas)
          for t in s.tasks.order_by("order").prefetch_related("units__unit")])
        for s in plan.sections.order_by("order")
    ]
    expected = [
        (chapter, number, title,
         [(n, t, [_registry_name(lead)], list(dict.fromkeys(_registry_name(p) for p in parts)), sub)
          for n, t, lead, parts, sub in tasks])
        for chapter, number, title, tasks in EXPECTED
    ]
    assert found == expected
    assert plan.tasks.count() == 33 and plan.sections.count() == 10
    written = dict(TaskUnit.objects.filter(task__plan=plan).values_list("written_name", "unit__name").distinct())
    assert written["市应急局"] == written["市应急管理局"] == "昆山市应急管理局"
    assert written["市委宣传部（市文明办）"] == "中共昆山市委宣传部"


def test_the_commit_writes_targets_as_indicators_with_value_unit_year_and_direction(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, data=_seed("002"), filename="002.txt")
    plan = importing.draft_commit(actor=office, draft=draft, allow_duplicate=True)
    goal = plan.indicators.get(task=None)
    assert (goal.name, goal.target, goal.unit_of_measure, goal.target_year, goal.direction, goal.baseline) == (
        "公民具备科学素质的比例", 23, "%", 2025, "ge", Decimal("16.7"))
    schools = Indicator.objects.get(plan=plan, name="科学教育综合示范学校")
    assert (schools.task.title, schools.target, schools.unit_of_measure, schools.target_year) == (
        "加强校内青少年科学教育", 40, "所", 2025)
    farmers = Indicator.objects.get(plan=plan, name="培训农民")
    assert farmers.annual and farmers.target_year is None and farmers.direction == "eq"
    assert plan.indicators.count() == 14  # the goal and 13 task targets


def test_the_commit_is_one_transaction_with_audit_entries(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, text=SMALL_PLAN)
    before = AuditEntry.objects.count()
    plan = importing.draft_commit(actor=office, draft=draft)
    entries = AuditEntry.objects.order_by("id")[before:]
    assert [e.action for e in entries].count("plans.task.create") == 3
    assert any(e.action == "plans.plan.import" and e.category == AuditCategory.IMPORT for e in entries)
    assert PlanImportDraft.objects.get(pk=draft.pk).status == DraftStatus.COMMITTED
    assert plan.periods.count() == 4 and plan.alert_rule is not None
    assert all(t.alert_level for t in plan.tasks.all()), "lights are computed at once"


def test_an_unknown_unit_blocks_the_commit_and_nothing_is_written(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, text=SMALL_PLAN.replace("团市委", "市青少年宫"))
    assert draft.parsed["unknown_units"] == ["市青少年宫"]
    before = db_fingerprint()
    with pytest.raises(ValidationFailed, match="市青少年宫"):
        importing.draft_commit(actor=office, draft=draft)
    assert db_fingerprint() == before


def test_mapping_an_unknown_name_adds_an_alias_and_matches_it_everywhere(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, text=SMALL_PLAN.replace("市教育局", "市教体局"))
    assert draft.parsed["unknown_units"] == ["市教体局"]
    edu = Unit.objects.get(name="昆山市教育局")
    importing.draft_map_unit(actor=office, draft=draft, written="市教体局", unit=edu)
    draft.refresh_from_db()
    assert draft.parsed["unknown_units"] == []
    assert UnitAlias.objects.get(name="市教体局").unit == edu
    leads = [t["lead_units"][0] for s in draft.parsed["sections"] for t in s["tasks"]][:2]
    assert [(r["written"], r["unit_id"], r["status"]) for r in leads] == [("市教体局", edu.pk, "matched")] * 2
    plan = importing.draft_commit(actor=office, draft=draft)
    assert set(TaskUnit.objects.filter(task__plan=plan, role="lead").values_list("unit__name", flat=True)) == {
        "昆山市教育局", "昆山市农业农村局"}


def test_an_unknown_unit_can_be_created_on_the_review(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, text=SMALL_PLAN.replace("团市委", "市青少年宫"))
    city = Unit.objects.get(name="昆山市教育局").region
    unit = importing.draft_create_unit(actor=office, draft=draft, written="市青少年宫", name="昆山市青少年活动中心",
                                       region=city, kind="public_institution", is_member=False)
    assert UnitAlias.objects.get(name="市青少年宫").unit == unit
    plan = importing.draft_commit(actor=office, draft=PlanImportDraft.objects.get(pk=draft.pk))
    assert TaskUnit.objects.filter(task__plan=plan, unit=unit, role="participant").count() == 1


def test_the_review_edits_a_section_excludes_a_task_and_fixes_units(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, text=SMALL_PLAN)
    importing.draft_update_section(actor=office, draft=draft, index=0, changes={
        "include": True, "title": "青少年科学素质提升行动", "tasks": [
            {"include": True, "title": "举办青少年科技节", "lead_units": "市科协", "participating_units": "市教育局、团市委",
             "deadline": "2026-10-31", "indicators": [{"include": False}]},
            {"include": False},
        ]})
    draft.refresh_from_db()  # the review survives reloads: it lives in the draft
    plan = importing.draft_commit(actor=office, draft=draft)
    first = plan.tasks.order_by("order").first()
    assert (first.title, str(first.deadline)) == ("举办青少年科技节", "2026-10-31")
    assert [tu.unit.label for tu in first.units.order_by("role", "order")] == ["市科协", "市教育局", "团市委"]
    assert plan.tasks.count() == 2 and not first.indicators.exists()
    assert plan.sections.order_by("order").first().title == "青少年科学素质提升行动"


def test_a_bad_deadline_on_the_review_is_refused_in_chinese(cast: dict[str, Any]) -> None:
    draft = importing.draft_create(actor=cast["office"], text=SMALL_PLAN)
    with pytest.raises(ValidationFailed, match="完成时限“10月底”不是日期"):
        importing.draft_update_section(actor=cast["office"], draft=draft, index=0,
                                       changes={"tasks": [{"deadline": "10月底"}]})


def test_importing_the_same_document_again_warns_and_needs_a_confirmation(cast: dict[str, Any],
                                                                         demo_plan: Plan) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, data=_seed("002"), filename="again.txt")
    assert importing.duplicates(draft) == [demo_plan]
    with pytest.raises(ValidationFailed, match="可能已导入过"):
        importing.draft_commit(actor=office, draft=draft)
    assert Plan.objects.count() == 1
    importing.draft_commit(actor=office, draft=draft, allow_duplicate=True)
    assert Plan.objects.count() == 2


def test_section_level_units_answer_for_tasks_that_name_none(cast: dict[str, Any]) -> None:
    """临江: 牵头单位/配合单位 lines under each section heading, none per task."""
    text = (VARIATIONS / "linjiang_lead_unit_lines.txt").read_text(encoding="utf-8")
    for name in ("市乡村振兴局", "市老龄办", "市文化广电旅游局", "市发展改革委"):
        text = text.replace(name, "市科协")
    draft = importing.draft_create(actor=cast["office"], text=text.replace("临江", "昆山"))
    first = draft.parsed["sections"][0]
    assert [r["written"] for r in first["tasks"][0]["lead_units"]] == ["市教育局", "团市委"]
    plan = importing.draft_commit(actor=cast["office"], draft=draft)
    task = plan.tasks.order_by("order").first()
    assert {tu.unit.label for tu in task.units.filter(role="lead")} == {"市教育局", "团市委"}


def test_a_docx_upload_is_read_with_its_automatic_numbering(cast: dict[str, Any]) -> None:
    from docx import Document

    document = Document()
    document.add_paragraph("测试市2026年科普工作要点")
    document.add_paragraph("一、重点任务")
    document.add_paragraph("（一）开展科技活动周。（牵头单位：市科技局；配合单位：市科协）")
    document.add_paragraph("（二）建设科普基地。到2026年新建科普教育基地5家。（责任单位：市科协、市教育局）")
    buffer = io.BytesIO()
    document.save(buffer)
    draft = importing.draft_create(actor=cast["office"], data=buffer.getvalue(), filename="要点.docx")
    plan = importing.draft_commit(actor=cast["office"], draft=draft)
    assert [t.title for t in plan.tasks.order_by("order")] == ["开展科技活动周", "建设科普基地"]
    assert Indicator.objects.get(plan=plan).target == 5


def test_unreadable_files_are_refused_with_a_chinese_message(cast: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed, match="PDF"):
        importing.draft_create(actor=cast["office"], data=b"%PDF-1.4 ...", filename="方案.pdf")
    assert not PlanImportDraft.objects.exists() or PlanImportDraft.objects.filter(filename="方案.pdf").count() == 0


def test_only_the_office_may_import(cast: dict[str, Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        importing.draft_create(actor=cast["jiaoyu"], text=SMALL_PLAN)


def test_the_command_prints_the_proposal_as_json_without_saving() -> None:
    out = io.StringIO()
    before = db_fingerprint()
    call_command("import_plan", str(seed_path("002")), "--dry-run", "--format", "json", stdout=out)
    assert db_fingerprint() == before
    result = json.loads(out.getvalue())
    tasks = [t for s in result["sections"] for t in s["tasks"]]
    assert len(result["sections"]) == 10 and len(tasks) == 33
    first = result["sections"][0]
    assert (first["title"], first["lead_units"]) == ("实施青少年科学素质提升行动", [])
    assert tasks[0]["number"] == "1." and tasks[0]["title"] == "加强校内青少年科学教育"
    assert tasks[0]["lead_units"][0]["written"] == "市教育局"
    assert tasks[0]["lead_units"][0]["unit"]["name"] == "昆山市教育局"
    assert tasks[0]["participating_units"][1] == {"written": "团市委", "unit": {
        "id": Unit.objects.get(name="共青团昆山市委员会").pk, "name": "共青团昆山市委员会"}}
    goal = result["indicators"][0]
    assert {k: goal[k] for k in ("name", "value", "unit", "year", "direction")} == {
        "name": "公民具备科学素质的比例", "value": 23, "unit": "%", "year": 2025, "direction": "≥"}
    assert result["unknown_units"] == []


def test_the_command_marks_units_the_registry_does_not_know() -> None:
    out = io.StringIO()
    call_command("import_plan", str(VARIATIONS / "linjiang_lead_unit_lines.txt"), "--dry-run", "--format", "json",
                 stdout=out)
    result = json.loads(out.getvalue())
    refs = [r for s in result["sections"] for r in s["lead_units"]]
    assert {"written": "市教育局", "unit": {"id": Unit.objects.get(name="昆山市教育局").pk, "name": "昆山市教育局"}} in refs
    assert "市乡村振兴局" in result["unknown_units"]


def test_the_command_commits_when_not_a_dry_run() -> None:
    out = io.StringIO()
    text = SMALL_PLAN.encode()
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".txt") as handle:
        handle.write(text)
        handle.flush()
        call_command("import_plan", handle.name, "--format", "text", "--cycle", "month", stdout=out)
    plan = Plan.objects.get(title__startswith="测试市")
    assert plan.tasks.count() == 3 and plan.periods.count() == 12
    assert "已导入台账" in out.getvalue()


def test_the_command_refuses_an_unreadable_file_in_chinese(tmp_path: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="无法读取"):
        call_command("import_plan", str(tmp_path / "nothing.txt"), "--dry-run")


def test_a_liaison_is_lead_or_participant_of_the_imported_tasks(cast: dict[str, Any]) -> None:
    plan = importing.draft_commit(actor=cast["office"], draft=importing.draft_create(actor=cast["office"],
                                                                                    text=SMALL_PLAN))
    edu = cast["jiaoyu"].unit
    assert set(Task.objects.filter(plan=plan, units__unit=edu).values_list("title", flat=True)) == {
        "开展青少年科技节", "建设科学教育示范学校"}


def test_other_numbering_and_bracket_habits_import_with_every_unit_matched() -> None:
    """Seed 002's task chapters written as 1、 / 1． / （1） tasks under (一) / （一） sections (bench/plans.py)."""
    from bench.plans import long_plan

    _text, proposal = importing.propose(text=long_plan(4))
    tasks = [t for s in proposal["sections"] for t in s["tasks"]]
    assert len(proposal["sections"]) == 40 and len(tasks) == 132
    assert {t["number"][-1] for t in tasks} == {".", "、", "）"}  # "1．" is read as "1."
    assert proposal["unknown_units"] == []
    assert all(r["status"] == "matched" for t in tasks for r in t["lead_units"] + t["participating_units"])
    assert [t["title"] for t in tasks[:4]] == [t["title"] for t in tasks[33:37]] == [
        "加强校内青少年科学教育", "完善校内外科学教育联动机制", "打造青少年科教活动品牌", "实施教师科学素质培养提升工程"]
