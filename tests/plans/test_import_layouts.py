"""Document import of tables and unit-less work points, at the database level and through the pages:
section leads set once, "apply to all tasks", the unit picker, the dashboard's default plan, the command."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditEntry
from kepu.plans import selectors
from kepu.plans.models import Plan, UnitRole
from kepu.plans.services import importing
from tests.plans.conftest import seed_path
from tests.test_authorization import db_fingerprint

pytestmark = pytest.mark.django_db

TABLE = """昆山市2026年全民科学素质任务分工

序号\t重点任务\t具体措施\t牵头单位\t配合单位\t完成时限
一、青少年科学素质提升行动\t\t\t市教育局\t\t
1\t举办青少年科技节\t参与学生不少于5000人次。\t\t市科协、团市委\t2026年5月底前
2\t建设科学教育示范学校\t新建示范学校2所。\t市科协\t市教育局\t
二、农民科学素质提升行动
3\t开展高素质农民培训\t由市农业农村局牵头，市妇联参加。\t\t\t年底前
4\t开展科普宣传\t\t各成员单位\t\t
"""


def _units(task: Any, role: str) -> list[str]:
    return [tu.unit.name for tu in task.units.order_by("order") if tu.role == role]


def test_a_division_table_commits_with_section_leads_and_the_all_members_flag(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, text=TABLE, filename="分工.txt")
    first, second = draft.parsed["sections"][0]["tasks"]
    assert first["lead_from_section"] and not second["lead_from_section"]  # task 1 names no lead: the section's
    assert draft.parsed["sections"][1]["tasks"][1]["all_members"] is True
    with pytest.raises(ValidationFailed, match=re.escape("二、4.开展科普宣传")):  # the whole title, never cut
        importing.draft_commit(actor=office, draft=draft)
    importing.draft_update_section(actor=office, draft=draft, index=1, changes={
        "lead_units": "市科协", "tasks": [{"include": True}, {"include": True}]})
    plan = importing.draft_commit(actor=office, draft=draft)
    tasks = list(plan.tasks.order_by("order").prefetch_related("units__unit"))
    assert [(t.number, t.title, _units(t, UnitRole.LEAD), _units(t, UnitRole.PARTICIPANT), t.all_members)
            for t in tasks] == [
        ("1.", "举办青少年科技节", ["昆山市教育局"], ["昆山市科学技术协会", "共青团昆山市委员会"], False),
        ("2.", "建设科学教育示范学校", ["昆山市科学技术协会"], ["昆山市教育局"], False),
        ("3.", "开展高素质农民培训", ["昆山市农业农村局"], ["昆山市妇女联合会"], False),
        ("4.", "开展科普宣传", ["昆山市科学技术协会"], [], True),
    ]
    assert [str(t.deadline) for t in tasks[:1]] == ["2026-05-31"]
    assert [s.lead_units.get().name for s in plan.sections.order_by("order")] == ["昆山市教育局", "昆山市科学技术协会"]


def test_work_points_naming_no_units_take_each_sections_lead_once(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, data=seed_path("004").read_bytes(), filename="004.txt")
    sections = draft.parsed["sections"]
    assert [len(s["tasks"]) for s in sections] == [2, 5, 4, 3]
    leads = ["市委宣传部", "市科协", "市科技局", "市科协"]
    for index, lead in enumerate(leads):
        importing.draft_set_section_units(actor=office, draft=draft, index=index, lead_units=lead)
    assert all(t["lead_from_section"] for s in draft.parsed["sections"] for t in s["tasks"])
    assert AuditEntry.objects.filter(action="plans.plan.import_section_units", object_id=str(draft.pk)).count() == 4
    plan = importing.draft_commit(actor=office, draft=draft, allow_duplicate=True)
    assert plan.tasks.count() == 14
    by_section = [[_units(t, UnitRole.LEAD) for t in s.tasks.order_by("order")] for s in plan.sections.order_by("order")]
    assert by_section == [
        [["中共昆山市委宣传部"]] * 2, [["昆山市科学技术协会"]] * 5, [["昆山市科学技术局"]] * 4,
        [["昆山市科学技术协会"]] * 3]


def test_apply_to_all_tasks_overrides_the_tasks_own_units(cast: dict[str, Any]) -> None:
    office = cast["office"]
    draft = importing.draft_create(actor=office, text=TABLE)
    importing.draft_set_section_units(actor=office, draft=draft, index=0, lead_units="市科技局",
                                      participating_units="市妇联", apply_lead=True, apply_participants=True)
    tasks = draft.parsed["sections"][0]["tasks"]
    assert [[r["written"] for r in t["lead_units"]] for t in tasks] == [["市科技局"], ["市科技局"]]
    assert [[r["written"] for r in t["participating_units"]] for t in tasks] == [["市妇联"], ["市妇联"]]
    # without "apply", only the task that names no lead follows a new section lead
    importing.draft_set_section_units(actor=office, draft=draft, index=1, lead_units="市科协")
    farmers, publicity = draft.parsed["sections"][1]["tasks"]
    assert [r["written"] for r in farmers["lead_units"]] == ["市农业农村局"]
    assert [r["written"] for r in publicity["lead_units"]] == ["市科协"] and publicity["lead_from_section"]


def test_importing_does_not_change_the_dashboards_default_plan(cast: dict[str, Any], as_user: Any) -> None:
    office = cast["office"]
    shown = selectors.current_plan(user=office)
    assert shown is not None
    draft = importing.draft_create(actor=office, text=TABLE)
    importing.draft_set_section_units(actor=office, draft=draft, index=1, lead_units="市科协", apply_lead=True)
    new = importing.draft_commit(actor=office, draft=draft)
    assert new.start_year >= shown.start_year  # the newest plan, which used to become the default
    assert selectors.current_plan(user=office) == shown
    page = as_user("office").get(reverse("plans:dashboard"))
    assert page.context["plan"] == shown
    # the office may still choose another default on the plan's form
    from kepu.plans.services.ledger import plan_update

    plan_update(actor=office, plan=new, is_default=True)
    assert selectors.current_plan(user=office) == new
    assert list(Plan.objects.filter(is_default=True)) == [new]


def test_the_unit_picker_searches_names_short_names_and_aliases(cast: dict[str, Any], as_user: Any) -> None:
    draft = importing.draft_create(actor=cast["office"], text=TABLE)
    client = as_user("office")
    review = client.get(reverse("plans:import_review", kwargs={"draft_id": draft.pk})).content.decode()
    url = reverse("backoffice:choices", kwargs={"source": "units"}) + "?action=plans.plan.import"
    assert f'data-kp-picker-url="{url}"' in review  # the shared search (kepu.core.choices)
    by_short = client.get(url, {"q": "市科协"}).content.decode()
    assert 'data-kp-pick="昆山市科学技术协会"' in by_short
    assert "昆山市教育局" not in by_short
    nothing = client.get(url, {"q": "不存在的单位"}).content.decode()
    assert "没有匹配“不存在的单位”的单位" in nothing
    assert "<option" not in review.split('id="units"')[1].split('id="section-0"')[0]  # no select of every unit
    assert "沿用板块" in review and "各成员单位" in review


def test_the_review_page_sets_a_sections_lead_for_its_tasks(cast: dict[str, Any], as_user: Any) -> None:
    draft = importing.draft_create(actor=cast["office"], text=TABLE)
    client = as_user("office")
    response = client.post(reverse("plans:import_section_units", kwargs={"draft_id": draft.pk, "index": 1}),
                           {"lead_units": "市科协", "participating_units": ""}, follow=True)
    assert "1 项任务沿用板块牵头单位" in response.content.decode()
    draft.refresh_from_db()
    assert [r["written"] for r in draft.parsed["sections"][1]["tasks"][1]["lead_units"]] == ["市科协"]


def test_the_command_reports_tables_and_flags_as_json(tmp_path: Any) -> None:
    path = tmp_path / "分工.txt"
    path.write_text(TABLE, encoding="utf-8")
    out = io.StringIO()
    before = db_fingerprint()
    call_command("import_plan", str(path), "--dry-run", "--format", "json", stdout=out)
    assert db_fingerprint() == before
    result = json.loads(out.getvalue())
    assert result["years"] == [2026, 2026]
    assert [(s["number"], s["title"], [u["written"] for u in s["lead_units"]]) for s in result["sections"]] == [
        ("一、", "青少年科学素质提升行动", ["市教育局"]), ("二、", "农民科学素质提升行动", [])]
    tasks = [t for s in result["sections"] for t in s["tasks"]]
    assert [(t["number"], t["title"], [u["written"] for u in t["lead_units"]], t["lead_from_section"],
             [u["written"] for u in t["participating_units"]], t["all_members"]) for t in tasks] == [
        ("1.", "举办青少年科技节", ["市教育局"], True, ["市科协", "团市委"], False),
        ("2.", "建设科学教育示范学校", ["市科协"], False, ["市教育局"], False),
        ("3.", "开展高素质农民培训", ["市农业农村局"], False, ["市妇联"], False),
        ("4.", "开展科普宣传", [], False, [], True),
    ]
    assert tasks[0]["lead_units"][0]["unit"]["name"] == "昆山市教育局"
