"""Document import (任务分解) pages: upload or paste, review the proposal, fix units, commit."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kepu.core.errors import KepuError, ValidationFailed
from kepu.core.views import action_required
from kepu.org.public import Region, RegionLevel, Unit, unit_list
from kepu.plans import selectors
from kepu.plans.forms import CommitForm, CreateUnitForm, ImportUploadForm, MapUnitForm, PlanSettingsForm
from kepu.plans.models import DraftStatus, PlanImportDraft
from kepu.plans.services import importing
from kepu.plans.views.common import first_error, form_error

DIRECTIONS = (("≥", "≥ 不低于"), ("≤", "≤ 不高于"), ("=", "= 未注明"))


@action_required("plans.plan.import")
def import_start(request: HttpRequest) -> HttpResponse:
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        try:
            if upload is not None:
                draft = importing.draft_create(actor=request.user, data=upload.read(), filename=upload.name)
            else:
                draft = importing.draft_create(actor=request.user, text=form.cleaned_data["text"])
        except KepuError as exc:
            form_error(request, form, exc)
        else:
            return redirect("plans:import_review", draft_id=draft.pk)
    return render(request, "plans/import_start.html", {
        "page_title": "文件导入（任务分解）",
        "page_subtitle": "上传或粘贴规划纲要、实施方案、年度工作要点，系统自动识别板块、任务、责任单位和目标指标，审核后导入台账",
        "form": form, "drafts": selectors.draft_list(user=request.user)[:10]})


def _counts(data: dict[str, Any]) -> dict[str, int]:
    sections = [s for s in data["sections"] if s.get("include", True)]
    tasks = [t for s in sections for t in s["tasks"] if t.get("include", True)]
    return {"sections": len(sections), "tasks": len(tasks),
            "all_tasks": sum(len(s["tasks"]) for s in data["sections"]),
            "indicators": sum(1 for t in tasks for i in t["indicators"] if i.get("include", True))
            + sum(1 for g in data["goals"] if g.get("include", True)),
            "units": len({r["written"] for s in sections for t in s["tasks"] if t.get("include", True)
                          for r in t["lead_units"] + t["participating_units"]})}


def _settings_initial(draft: PlanImportDraft) -> dict[str, Any]:
    return dict(draft.parsed["settings"])


def _new_unit_regions() -> Any:
    return Region.objects.filter(is_active=True, level__in=[RegionLevel.CITY, RegionLevel.DISTRICT,
                                                            RegionLevel.TOWN]).order_by("path")


def _unit_forms(draft: PlanImportDraft, refused: CreateUnitForm | None = None) -> list[dict[str, Any]]:
    """One row per unknown unit; `refused` (a new-unit form the office sent back incomplete) replaces
    its row's blank form, so what was typed and the errors stay on the page."""
    regions = _new_unit_regions()
    city = regions.first()
    rows = []
    for index, written in enumerate(draft.parsed["unknown_units"]):
        prefix = f"new{index}"
        create_form = refused if refused is not None and refused.prefix == prefix else CreateUnitForm(
            # Neither a kind nor membership is assumed for a new unit: the office chooses both.
            initial={"written": written, "name": written, "region": city}, regions=regions, prefix=prefix)
        rows.append({
            "index": index, "written": written,
            "map_form": MapUnitForm(initial={"written": written}, units=Unit.objects.none(), prefix=f"map{index}"),
            "create_form": create_form, "refused": create_form is refused,
            "where": _where(draft.parsed, written),
        })
    return rows


def _where(data: dict[str, Any], written: str) -> list[str]:
    found = []
    for section in data["sections"]:
        if any(r["written"] == written for r in section["lead_units"] + section.get("participating_units", [])):
            found.append(f"板块 {section['number']}{section['title']}")
        for task in section["tasks"]:
            if any(r["written"] == written for r in task["lead_units"] + task["participating_units"]):
                found.append(importing.task_label(section, task))
    return found[:4]


@action_required("plans.plan.import")
def import_review(request: HttpRequest, draft_id: int, settings_form: PlanSettingsForm | None = None,
                  unit_form: CreateUnitForm | None = None) -> HttpResponse:
    """`settings_form` / `unit_form` are refused settings or a refused new unit, shown again as typed
    with the errors under their fields."""
    draft = selectors.draft_detail(user=request.user, draft_id=draft_id)
    data = draft.parsed
    return render(request, "plans/import_review.html", {
        "page_title": "审核导入内容", "draft": draft, "data": data, "open": draft.status == DraftStatus.OPEN,
        "settings_form": settings_form or PlanSettingsForm(initial=_settings_initial(draft)),
        "unit_rows": _unit_forms(draft, unit_form) if draft.status == DraftStatus.OPEN else [],
        "duplicates": importing.duplicates(draft), "counts": _counts(data), "commit_form": CommitForm(),
        "directions": DIRECTIONS,
    })


def _back(draft: PlanImportDraft, anchor: str = "") -> HttpResponse:
    response = redirect("plans:import_review", draft_id=draft.pk)
    response["Location"] += f"#{anchor}" if anchor else ""
    return response


@require_POST
@action_required("plans.plan.import")
def import_settings(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_detail(user=request.user, draft_id=draft_id)
    form = PlanSettingsForm(request.POST)
    if not form.is_valid():
        return import_review(request, draft.pk, settings_form=form)  # as typed, the errors under their fields
    goals = [request.POST.get(f"goal{i}-include") == "on" for i in range(len(draft.parsed["goals"]))]
    try:
        importing.draft_update_settings(actor=request.user, draft=draft, goals=goals, **form.cleaned_data)
        messages.success(request, "方案信息已保存。")
    except ValidationFailed as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return import_review(request, draft.pk, settings_form=form)
    except KepuError as exc:
        messages.error(request, exc.message)
    return _back(draft, "settings")


def _section_changes(post: Any, section: dict[str, Any]) -> dict[str, Any]:
    tasks = []
    for i, task in enumerate(section["tasks"]):
        p = f"t{i}-"
        tasks.append({
            "include": post.get(p + "include") == "on", "number": post.get(p + "number", task["number"]),
            "title": post.get(p + "title", task["title"]), "deadline": post.get(p + "deadline", ""),
            "participating_units": post.get(p + "participants", ""),
            "indicators": [{"include": post.get(f"{p}ind{j}-include") == "on",
                            "direction": post.get(f"{p}ind{j}-direction", "")} for j in range(len(task["indicators"]))],
        })
        lead = post.get(p + "lead", "")
        if lead.strip() or not task.get("lead_from_section"):
            tasks[-1]["lead_units"] = lead  # left empty: the task follows the section's lead
    return {"include": post.get("include") == "on", "title": post.get("title", section["title"]),
            "lead_units": post.get("lead_units", ""), "participating_units": post.get("participating_units", ""),
            "apply_lead": post.get("apply_lead") == "on", "apply_participants": post.get("apply_participants") == "on",
            "tasks": tasks}


@require_POST
@action_required("plans.plan.import")
def import_section_units(request: HttpRequest, draft_id: int, index: int) -> HttpResponse:
    """Set a section's lead (and participating) units once, for the tasks that name none or for all."""
    draft = selectors.draft_detail(user=request.user, draft_id=draft_id)
    try:
        section = importing.draft_set_section_units(
            actor=request.user, draft=draft, index=index, lead_units=request.POST.get("lead_units", ""),
            participating_units=request.POST.get("participating_units"),
            apply_lead=request.POST.get("apply_lead") == "on",
            apply_participants=request.POST.get("apply_participants") == "on")
    except KepuError as exc:
        messages.error(request, exc.message)
    else:
        following = sum(1 for t in section["tasks"] if t.get("lead_from_section"))
        messages.success(request, f"已设置板块“{section['number']}{section['title']}”的牵头单位，"
                                  f"{following} 项任务沿用板块牵头单位。")
    return _back(draft, f"section-{index}")


@action_required("plans.plan.import")
def import_section(request: HttpRequest, draft_id: int, index: int) -> HttpResponse:
    """Edit one section of the draft: include or leave out tasks, fix titles, units, deadlines, directions."""
    draft = selectors.draft_detail(user=request.user, draft_id=draft_id)
    sections = draft.parsed["sections"]
    if not 0 <= index < len(sections):
        messages.error(request, "没有这个板块。")
        return _back(draft)
    section = sections[index]
    if draft.status != DraftStatus.OPEN:
        messages.info(request, "该草稿已导入或已放弃，不能再修改。")
        return _back(draft, f"section-{index}")
    if request.method == "POST":
        try:
            importing.draft_update_section(actor=request.user, draft=draft, index=index,
                                           changes=_section_changes(request.POST, section))
        except KepuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"已保存板块“{section['number']}{section['title']}”。")
            return _back(draft, f"section-{index}")
    section_lead = "、".join(r["written"] for r in section["lead_units"]) or "（板块未设牵头单位）"
    tasks = [{**task, "lead_field": f"t{i}-lead", "part_field": f"t{i}-participants",
              "lead_value": "" if task.get("lead_from_section") else "、".join(r["written"] for r in task["lead_units"]),
              "lead_placeholder": f"沿用板块牵头：{section_lead}" if task.get("lead_from_section") else ""}
             for i, task in enumerate(section["tasks"])]
    return render(request, "plans/import_section.html", {
        "page_title": f"编辑板块：{section['number']}{section['title']}", "draft": draft, "section": section,
        "tasks": tasks, "index": index, "directions": DIRECTIONS})


@require_POST
@action_required("plans.plan.import")
def import_map_unit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_detail(user=request.user, draft_id=draft_id)
    prefix = request.POST.get("prefix", "")
    form = MapUnitForm(request.POST, prefix=prefix or None, units=unit_list(user=request.user))
    if not form.is_valid():
        messages.error(request, first_error(form))
        return _back(draft, "units")
    try:
        importing.draft_map_unit(actor=request.user, draft=draft, written=form.cleaned_data["written"],
                                 unit=form.cleaned_data["unit"])
        messages.success(request, f"已将“{form.cleaned_data['written']}”设为“{form.cleaned_data['unit'].name}”的别名。")
    except KepuError as exc:
        messages.error(request, exc.message)
    return _back(draft, "units")


@require_POST
@action_required("plans.plan.import")
def import_create_unit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_detail(user=request.user, draft_id=draft_id)
    prefix = request.POST.get("prefix", "")
    form = CreateUnitForm(request.POST, prefix=prefix or None, regions=_new_unit_regions())
    if not form.is_valid():
        return import_review(request, draft.pk, unit_form=form)  # as typed, the errors under their fields
    data = form.cleaned_data
    try:
        unit = importing.draft_create_unit(actor=request.user, draft=draft, written=data["written"], name=data["name"],
                                           region=data["region"], kind=data["kind"], is_member=data["is_member"])
        messages.success(request, f"已新建单位“{unit.name}”。")
    except ValidationFailed as exc:
        form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        return import_review(request, draft.pk, unit_form=form)
    except KepuError as exc:
        messages.error(request, exc.message)
    return _back(draft, "units")


@require_POST
@action_required("plans.plan.import")
def import_commit(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_detail(user=request.user, draft_id=draft_id)
    form = CommitForm(request.POST)
    form.is_valid()
    try:
        plan = importing.draft_commit(actor=request.user, draft=draft,
                                      allow_duplicate=form.cleaned_data.get("allow_duplicate", False))
    except KepuError as exc:
        messages.error(request, exc.message)
        return _back(draft, "commit")
    messages.success(request, f"已导入《{plan.title}》：{plan.sections.count()} 个板块、{plan.tasks.count()} 项任务、"
                              f"{plan.indicators.count()} 个指标。")
    return redirect("plans:plan_detail", plan_id=plan.pk)


@require_POST
@action_required("plans.plan.import")
def import_discard(request: HttpRequest, draft_id: int) -> HttpResponse:
    draft = selectors.draft_detail(user=request.user, draft_id=draft_id)
    try:
        importing.draft_discard(actor=request.user, draft=draft)
        messages.success(request, "已放弃该导入草稿。")
    except KepuError as exc:
        messages.error(request, exc.message)
    return redirect("plans:import_start")
