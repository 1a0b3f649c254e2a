"""Document import (任务分解): a plan's text → a draft the office reviews → one committed plan.

The parser (kepu.plans.docimport) proposes; the draft keeps its JSON, with the reviewer's edits, in
`PlanImportDraft.parsed` so the review survives reloads. Unit names are matched to the registry
through aliases; an unknown name is mapped to a unit (creating the alias) or created as a new unit.
Nothing enters the ledger until `draft_commit`, which writes the whole plan in one transaction.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core import audit, uploads
from kepu.core.access import require, require_reach
from kepu.core.errors import ValidationFailed
from kepu.core.models import AuditCategory
from kepu.core.registry import indicator_providers
from kepu.core.text import normalize_name
from kepu.core.transitions import transition
from kepu.org import public as org_services
from kepu.org.public import Region, Unit, unit_name_index
from kepu.plans.docimport import DocumentImportError, UnitMatch, parse_text, read_document
from kepu.plans.docimport.units import resolve_name, split_top_level
from kepu.plans.models import (
    DraftStatus,
    Indicator,
    IndicatorSource,
    Plan,
    PlanImportDraft,
    PlanKind,
    PlanSection,
    ReportingCycle,
    Task,
    TaskUnit,
    UnitRole,
)
from kepu.plans.services.ledger import check_plan, keep_default_plan, plan_create

DIRECTIONS = {"≥": "ge", "≤": "le", "=": "eq"}
MAX_TEXT = 2_000_000
UNIT_SEPARATORS = "、，,；;／/ \n"


# ---------------------------------------------------------------- matching units

def registry_resolver() -> Callable[[str], UnitMatch | None]:
    """The unit registry as the parser's lookup: names, aliases and short names, compared after normalising."""
    index = unit_name_index()
    for unit in Unit.objects.exclude(short_name="").only("id", "name", "short_name"):
        index.setdefault(normalize_name(unit.short_name), unit)

    def lookup(name: str) -> UnitMatch | None:
        unit = index.get(normalize_name(name))
        return UnitMatch(unit_id=unit.pk, name=unit.name) if unit is not None else None

    return lookup


def _refs(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every unit reference of the included sections and tasks."""
    for section in data["sections"]:
        if not section.get("include", True):
            continue
        yield from section["lead_units"]
        yield from section.get("participating_units", [])
        for task in section["tasks"]:
            if task.get("include", True):
                yield from task["lead_units"]
                yield from task["participating_units"]


def resolve_units(data: dict[str, Any], resolver: Callable[[str], UnitMatch | None] | None = None) -> None:
    """Match every written unit name again (after a mapping or a new unit) and list the unknown ones."""
    resolver = resolver or registry_resolver()
    cache: dict[str, dict[str, Any]] = {}
    for ref in _refs(data):
        if ref["written"] not in cache:
            cache[ref["written"]] = resolve_name(ref["written"], resolver).to_dict()
        ref.update(cache[ref["written"]])
    data["unknown_units"] = list(dict.fromkeys(r["written"] for r in _refs(data) if r["status"] != "matched"))


def split_units(text: str) -> list[str]:
    """A reviewer's list of names ("市教育局、市科协") as written names."""
    return list(dict.fromkeys(name for name in split_top_level(text or "", UNIT_SEPARATORS) if name))


# ---------------------------------------------------------------- drafts

def _prepare(parsed: dict[str, Any]) -> dict[str, Any]:
    """The parser's output plus the reviewer's switches and the plan's settings."""
    years = parsed.get("years") or [timezone.localdate().year] * 2
    parsed["settings"] = {
        "title": parsed.get("title") or "未命名方案", "kind": parsed.get("kind") or PlanKind.IMPLEMENTATION,
        "start_year": years[0], "end_year": years[1],
        "reporting_cycle": ReportingCycle.QUARTER,
        "reporting_from": datetime.date(years[0], 1, 1).isoformat(),
    }
    for goal in parsed["goals"]:
        goal["include"] = True
    for section in parsed["sections"]:
        section["include"] = True
        for indicator in section["indicators"]:
            indicator["include"] = True
        section.setdefault("all_members", False)
        for task in section["tasks"]:
            task["include"] = True
            task.setdefault("all_members", False)
            task["lead_from_section"] = False
            if not task["lead_units"] and not task["participating_units"]:
                # Units named once under the section heading answer for each of its tasks.
                task["participating_units"] = [dict(ref) for ref in section["participating_units"]]
                task["all_members"] = task["all_members"] or section["all_members"]
            for indicator in task["indicators"]:
                indicator["include"] = True
        follow_section_lead(section)
    return parsed


def follow_section_lead(section: dict[str, Any], *, everywhere: bool = False) -> None:
    """Tasks that name no lead unit of their own take the section's (marked ``lead_from_section``);
    ``everywhere``: every task of the section does ("apply to all tasks of this section")."""
    for task in section["tasks"]:
        if everywhere or not task["lead_units"] or task.get("lead_from_section"):
            task["lead_units"] = [dict(ref) for ref in section["lead_units"]]
            task["lead_from_section"] = bool(section["lead_units"])


def task_label(section: dict[str, Any], task: dict[str, Any]) -> str:
    """“（一）3.实施银龄科普行动”: a task as messages name it — the whole title, never cut mid-word."""
    return f"{section['number']}{task['number']}{task['title']}"


def text_digest(text: str) -> str:
    return hashlib.sha256(re.sub(r"\s+", "", text).encode()).hexdigest()


def propose(*, text: str = "", data: bytes | None = None, filename: str = "") -> tuple[str, dict[str, Any]]:
    """(text, proposed structure) of a file or pasted text, matched against the unit registry; writes nothing."""
    if data is not None:
        if filename.lower().endswith(".docx"):
            uploads.check_docx(data)  # a zip bomb or 200,000 paragraphs is refused before parsing
        try:
            text = read_document(data, filename)
        except DocumentImportError as exc:
            raise ValidationFailed(str(exc), "file") from None
    if not text.strip():
        raise ValidationFailed("请上传 .docx 或 .txt 文件，或粘贴方案全文", "text")
    if len(text) > MAX_TEXT:
        raise ValidationFailed("文本过长（超过 200 万字），请拆分后导入", "text")
    return text, _prepare(parse_text(text, resolve_unit=registry_resolver()).to_dict())


def draft_create(*, actor: Any, text: str = "", data: bytes | None = None, filename: str = "") -> PlanImportDraft:
    """Parse an uploaded file or pasted text into a draft for review (nothing enters the ledger).

    The parsing runs before the write transaction opens: a slow or hostile file never holds a lock."""
    require(actor, "plans.plan.import")
    text, parsed = propose(text=text, data=data, filename=filename)
    with transaction.atomic():
        return _draft_save(actor, text, parsed, filename)


def _draft_save(actor: Any, text: str, parsed: dict[str, Any], filename: str) -> PlanImportDraft:
    draft = PlanImportDraft.objects.create(
        filename=filename[:200], source_sha256=text_digest(text), text=text, parsed=parsed,
        created_by=actor if getattr(actor, "pk", None) else None)
    audit.record(actor, "plans.plan.import_draft", category=AuditCategory.CREATE, obj=draft,
                 object_repr=str(draft)[:200],
                 after={"filename": filename, "sections": len(parsed["sections"]),
                        "tasks": sum(len(s["tasks"]) for s in parsed["sections"]),
                        "unknown_units": parsed["unknown_units"]})
    return draft


def _open(actor: Any, draft: PlanImportDraft) -> None:
    require(actor, "plans.plan.import")
    require_reach(actor, "plans.plan.import", draft)
    if draft.status != DraftStatus.OPEN:
        raise ValidationFailed("该草稿已导入或已放弃，不能再修改")


def duplicates(draft: PlanImportDraft) -> list[Plan]:
    """Plans already imported from the same text or under the same title."""
    title = normalize_name(draft.parsed["settings"]["title"])
    same = Plan.objects.filter(source_sha256=draft.source_sha256)
    by_title = [p for p in Plan.objects.only("id", "title", "created_at") if normalize_name(p.title) == title]
    return [p for p in {p.pk: p for p in [*same, *by_title]}.values() if p.pk != draft.plan_id]


@transaction.atomic
def draft_update_settings(*, actor: Any, draft: PlanImportDraft, title: str, kind: str, start_year: int,
                          end_year: int, reporting_cycle: str, reporting_from: datetime.date,
                          goals: list[bool] | None = None) -> PlanImportDraft:
    """The plan's own fields (title, kind, years, reporting) and which plan-level goals to keep."""
    _open(actor, draft)
    check_plan(title=title, start_year=start_year, end_year=end_year)
    if kind not in PlanKind.values or reporting_cycle not in ReportingCycle.values:
        raise ValidationFailed("类别或填报周期不正确", "kind")
    draft.parsed["settings"] = {"title": title.strip(), "kind": kind, "start_year": start_year,
                                "end_year": end_year, "reporting_cycle": reporting_cycle,
                                "reporting_from": reporting_from.isoformat()}
    for goal, keep in zip(draft.parsed["goals"], goals or [], strict=False):
        goal["include"] = keep
    draft.save(update_fields=["parsed", "updated_at"])
    return draft


def _section(draft: PlanImportDraft, index: int) -> dict[str, Any]:
    sections = draft.parsed["sections"]
    if not 0 <= index < len(sections):
        raise ValidationFailed("没有这个板块", "section")
    section: dict[str, Any] = sections[index]
    return section


def _unit_refs(text: str, old: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept = {ref["written"]: ref for ref in old}
    return [kept.get(name) or {"written": name, "unit_id": None, "matched_name": None, "status": "unknown"}
            for name in split_units(text)]


def _parse_deadline(text: str, where: str) -> str | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValidationFailed(f"{where}的完成时限“{text}”不是日期（如 2025-06-30）", "deadline") from None


@transaction.atomic
def draft_update_section(*, actor: Any, draft: PlanImportDraft, index: int, changes: dict[str, Any]) -> None:
    """Apply the reviewer's edits to one section: its title and units, and each task's switches and fields.

    `changes` = {"include", "title", "lead_units": "A、B", "participating_units", "apply_lead", "apply_participants",
    "tasks": [{"include", "number", "title", "lead_units", "participating_units", "deadline",
    "indicators": [{"include", "direction"}]}]}. A task whose lead is left empty follows the section's lead.
    """
    _open(actor, draft)
    section = _section(draft, index)
    section["include"] = bool(changes.get("include", True))
    section["title"] = (changes.get("title") or section["title"]).strip()[:200]
    for task, edit in zip(section["tasks"], changes.get("tasks", []), strict=False):
        task["include"] = bool(edit.get("include", True))
        task["title"] = (edit.get("title") or task["title"]).strip()[:300]
        task["number"] = (edit.get("number") or task["number"]).strip()[:20]
        where = f"任务“{task_label(section, task)}”"
        task["deadline"] = _parse_deadline(edit.get("deadline", task["deadline"] or ""), where)
        if "lead_units" in edit:
            task["lead_units"] = _unit_refs(edit["lead_units"], task["lead_units"])
            task["lead_from_section"] = False
        if "participating_units" in edit:
            task["participating_units"] = _unit_refs(edit["participating_units"], task["participating_units"])
        for indicator, switch in zip(task["indicators"], edit.get("indicators", []), strict=False):
            indicator["include"] = bool(switch.get("include", True))
            if switch.get("direction") in DIRECTIONS:
                indicator["direction"] = switch["direction"]
    _section_units(section, changes)
    resolve_units(draft.parsed)
    draft.save(update_fields=["parsed", "updated_at"])


def _section_units(section: dict[str, Any], changes: dict[str, Any]) -> None:
    if "lead_units" in changes:
        section["lead_units"] = _unit_refs(changes["lead_units"], section["lead_units"])
    if "participating_units" in changes:
        section["participating_units"] = _unit_refs(changes["participating_units"], section["participating_units"])
    if changes.get("apply_participants"):
        for task in section["tasks"]:
            task["participating_units"] = [dict(ref) for ref in section["participating_units"]]
    follow_section_lead(section, everywhere=bool(changes.get("apply_lead")))


@transaction.atomic
def draft_set_section_units(*, actor: Any, draft: PlanImportDraft, index: int, lead_units: str,
                            participating_units: str | None = None, apply_lead: bool = False,
                            apply_participants: bool = False) -> dict[str, Any]:
    """The section's lead (and participating) units, set once for its tasks: tasks naming no lead follow
    the section's; ``apply_lead`` / ``apply_participants`` put them on every task of the section."""
    _open(actor, draft)
    section = _section(draft, index)
    changes: dict[str, Any] = {"lead_units": lead_units, "apply_lead": apply_lead,
                               "apply_participants": apply_participants}
    if participating_units is not None:
        changes["participating_units"] = participating_units
    before = {"lead_units": [r["written"] for r in section["lead_units"]]}
    _section_units(section, changes)
    resolve_units(draft.parsed)
    draft.save(update_fields=["parsed", "updated_at"])
    audit.record(actor, "plans.plan.import_section_units", obj=draft, object_repr=str(draft)[:200], before=before,
                 after={"section": f"{section['number']}{section['title']}",
                        "lead_units": [r["written"] for r in section["lead_units"]],
                        "participating_units": [r["written"] for r in section["participating_units"]],
                        "apply_lead": apply_lead, "apply_participants": apply_participants})
    return section


@transaction.atomic
def draft_map_unit(*, actor: Any, draft: PlanImportDraft, written: str, unit: Unit) -> None:
    """An unknown name is another spelling of an existing unit: add it as an alias, match it everywhere."""
    _open(actor, draft)
    org_services.alias_add(actor=actor, unit=unit, name=written)
    resolve_units(draft.parsed)
    draft.save(update_fields=["parsed", "updated_at"])


@transaction.atomic
def draft_create_unit(*, actor: Any, draft: PlanImportDraft, written: str, name: str, region: Region,
                      kind: str, is_member: bool) -> Unit:
    """An unknown name is a unit the registry lacks: create it (the written form becomes an alias)."""
    _open(actor, draft)
    aliases = [written] if normalize_name(written) != normalize_name(name) else []
    unit = org_services.unit_create(actor=actor, name=name, region=region, kind=kind, is_member=is_member,
                                    aliases=aliases)
    resolve_units(draft.parsed)
    draft.save(update_fields=["parsed", "updated_at"])
    return unit


@transaction.atomic
def draft_discard(*, actor: Any, draft: PlanImportDraft) -> None:
    _open(actor, draft)
    transition(draft, to=DraftStatus.DISCARDED, actor=actor, action="plans.plan.import_discard")
    audit.record(actor, "plans.plan.import_discard", category=AuditCategory.WITHDRAW, obj=draft,
                 object_repr=str(draft)[:200])


# ---------------------------------------------------------------- commit

def _check_commit(data: dict[str, Any]) -> None:
    included = [t for s in data["sections"] if s.get("include", True) for t in s["tasks"] if t.get("include", True)]
    if not included:
        raise ValidationFailed("没有选中任何任务，无法导入")
    if data["unknown_units"]:
        raise ValidationFailed(f"以下单位尚未匹配：{'、'.join(data['unknown_units'])}。请映射到已有单位、新建单位，"
                               "或从任务中删去后再导入", "units")
    leaderless = [task_label(s, t) for s in data["sections"] if s.get("include", True) for t in s["tasks"]
                  if t.get("include", True) and not t["lead_units"]]
    if leaderless:
        raise ValidationFailed(f"以下 {len(leaderless)} 项任务没有牵头单位：{'；'.join(leaderless[:5])}"
                               f"{'等' if len(leaderless) > 5 else ''}。请设置板块牵头单位（应用到本板块任务）、"
                               "逐项补充，或取消选中", "lead_units")


def _indicator(plan: Plan, task: Task | None, raw: dict[str, Any], order: int) -> Indicator:
    provider = _matching_provider(raw["name"], raw.get("unit") or "") if task is None else None
    annual = bool(raw.get("annual"))
    return Indicator(
        plan=plan, task=task, name=raw["name"][:200], unit_of_measure=(raw.get("unit") or "")[:20],
        target=Decimal(str(raw["value"])), baseline=Decimal(str(raw["baseline"])) if raw.get("baseline") is not None
        else None, target_year=None if annual else raw.get("year"), annual=annual,
        direction=DIRECTIONS.get(raw.get("direction", "="), "eq"), sentence=raw.get("sentence", ""), order=order,
        source=IndicatorSource.PROVIDER if provider else (IndicatorSource.REPORTS if task else IndicatorSource.MANUAL),
        provider_code=provider or "",
    )


def _matching_provider(name: str, unit: str) -> str | None:
    """A plan goal that names a figure kepu measures itself (e.g. the literacy ratio) is fed by it: the same
    unit of measure and the same name (or one containing the other); an exact name wins."""
    wanted = normalize_name(name)
    candidates = [(normalize_name(p.label) != wanted, code) for code, p in indicator_providers().items()
                  if p.unit_of_measure == unit and normalize_name(p.label)
                  and (normalize_name(p.label) in wanted or wanted in normalize_name(p.label))]
    return min(candidates)[1] if candidates else None


def _deadline(raw: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(raw) if raw else None


@transaction.atomic
def draft_commit(*, actor: Any, draft: PlanImportDraft, allow_duplicate: bool = False) -> Plan:
    """Create the plan, its sections, tasks, units and indicators in one transaction, with audit entries."""
    _open(actor, draft)
    require(actor, "plans.plan.change")
    data = draft.parsed
    resolve_units(data)
    _check_commit(data)
    found = duplicates(draft)
    if found and not allow_duplicate:
        names = "、".join(f"《{p.title}》（{p.created_at:%Y-%m-%d}）" for p in found)
        raise ValidationFailed(f"该文件可能已导入过：{names}。如确需再次导入，请勾选“仍然导入”", "allow_duplicate")
    # Claim the draft first: of two people pressing 导入 at once, only one creates the plan.
    transition(draft, to=DraftStatus.COMMITTED, actor=actor, action="plans.plan.import")
    keep_default_plan(actor=actor)  # the dashboard goes on showing the plan it showed before the import
    settings = data["settings"]
    plan = plan_create(actor=actor, title=settings["title"], kind=settings["kind"],
                       start_year=settings["start_year"], end_year=settings["end_year"],
                       reporting_cycle=settings["reporting_cycle"],
                       reporting_from=datetime.date.fromisoformat(settings["reporting_from"]),
                       preamble=data.get("preamble", "")[:20000], source_filename=draft.filename,
                       source_sha256=draft.source_sha256)
    units = {u.pk: u for u in Unit.objects.filter(pk__in={r["unit_id"] for r in _refs(data)})}
    indicators = [_indicator(plan, None, g, i) for i, g in enumerate(data["goals"]) if g.get("include", True)]
    tasks = _create_sections_and_tasks(plan, data, units, indicators)
    Indicator.objects.bulk_create(indicators)
    entries = [audit.build(actor, "plans.task.create", category=AuditCategory.CREATE, obj=t,
                           after={"title": t.title, "section": t.section_id}) for t in tasks]
    audit.record_many(entries)
    audit.record(actor, "plans.plan.import", category=AuditCategory.IMPORT, obj=plan,
                 reason=f"由文件“{draft.filename or '粘贴文本'}”导入：{plan.sections.count()} 个板块、"
                        f"{len(tasks)} 项任务、{len(indicators)} 个指标")
    draft.plan = plan
    draft.save(update_fields=["plan", "updated_at"])
    from kepu.plans.services.supervision import recompute_plan

    recompute_plan(plan)
    return plan


def _create_sections_and_tasks(plan: Plan, data: dict[str, Any], units: dict[int, Unit],
                               indicators: list[Indicator]) -> list[Task]:
    tasks: list[Task] = []
    pending: list[tuple[Task, dict[str, Any]]] = []
    order = section_order = 0
    for raw_section in data["sections"]:
        chosen = [t for t in raw_section["tasks"] if t.get("include", True)]
        if not raw_section.get("include", True) or not chosen:
            continue
        section_order += 1
        section = PlanSection.objects.create(plan=plan, number=raw_section["number"][:20],
                                             title=raw_section["title"][:200],
                                             path=" / ".join(raw_section.get("path", []))[:300],
                                             order=section_order)
        section.lead_units.set([units[r["unit_id"]] for r in raw_section["lead_units"]])
        for raw in chosen:
            order += 1
            task = Task(plan=plan, section=section, number=raw["number"][:20], seq=raw.get("seq") or order,
                        order=order, title=raw["title"][:300], body=raw.get("body", ""),
                        deadline=_deadline(raw.get("deadline")), all_subareas=bool(raw.get("all_subareas")),
                        subarea_marker=(raw.get("subarea_marker") or "")[:40],
                        all_members=bool(raw.get("all_members")),
                        collective_units="、".join(raw.get("collective_units", []))[:200],
                        source_line=raw.get("source_line") or 0)
            pending.append((task, raw))
            tasks.append(task)
        # Section-level targets belong to the plan (no single task answers for them).
        indicators += [_indicator(plan, None, i, len(indicators)) for i in raw_section["indicators"]
                       if i.get("include", True)]
    Task.objects.bulk_create(tasks)
    rows = []
    for task, raw in pending:
        seen: set[int] = set()
        for role, refs in ((UnitRole.LEAD, raw["lead_units"]), (UnitRole.PARTICIPANT, raw["participating_units"])):
            for position, ref in enumerate(refs):
                if ref["unit_id"] in seen:
                    continue
                seen.add(ref["unit_id"])
                rows.append(TaskUnit(task=task, unit=units[ref["unit_id"]], role=role, order=position,
                                     written_name=ref["written"][:100]))
        indicators += [_indicator(plan, task, i, len(indicators)) for i in raw["indicators"] if i.get("include", True)]
    TaskUnit.objects.bulk_create(rows, batch_size=1000)
    return tasks
