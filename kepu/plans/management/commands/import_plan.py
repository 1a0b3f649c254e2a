"""python manage.py import_plan FILE [--dry-run] [--format json|text] — the document import for batch
work and checking: prints the proposed structure; without --dry-run it also commits it to the ledger."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kepu.core.access import SYSTEM
from kepu.core.errors import KepuError
from kepu.plans.services import importing


def _unit(ref: dict[str, Any]) -> dict[str, Any]:
    matched = {"id": ref["unit_id"], "name": ref["matched_name"]} if ref["status"] == "matched" else None
    return {"written": ref["written"], "unit": matched}


def _indicator(raw: dict[str, Any], task: str | None = None) -> dict[str, Any]:
    out = {"name": raw["name"], "value": raw["value"], "unit": raw["unit"], "year": raw["year"],
           "direction": raw["direction"], "baseline": raw["baseline"], "annual": raw["annual"]}
    if task is not None:
        out["task"] = task
    return out


def proposal(data: dict[str, Any]) -> dict[str, Any]:
    """The proposed structure in the command's output shape (every unit as written and as matched)."""
    sections, indicators = [], [_indicator(g) for g in data["goals"]]
    for section in data["sections"]:
        tasks = []
        for task in section["tasks"]:
            tasks.append({"number": task["number"], "title": task["title"],
                          "lead_units": [_unit(r) for r in task["lead_units"]],
                          "lead_from_section": bool(task.get("lead_from_section")),
                          "participating_units": [_unit(r) for r in task["participating_units"]],
                          "all_members": bool(task.get("all_members")),
                          "all_subareas": task["all_subareas"], "subarea_marker": task.get("subarea_marker"),
                          "collective_units": task.get("collective_units", []), "deadline": task["deadline"],
                          "source_line": task.get("source_line"),
                          "indicators": [_indicator(i) for i in task["indicators"]]})
            indicators += [_indicator(i, f"{section['number']}{task['number']}") for i in task["indicators"]]
        sections.append({"number": section["number"], "title": section["title"], "path": section["path"],
                         "lead_units": [_unit(r) for r in section["lead_units"]],
                         "participating_units": [_unit(r) for r in section.get("participating_units", [])],
                         "all_members": bool(section.get("all_members")),
                         "all_subareas": bool(section.get("all_subareas")), "tasks": tasks})
    settings = data["settings"]
    return {"title": settings["title"], "kind": settings["kind"],
            "years": [settings["start_year"], settings["end_year"]], "goals": [_indicator(g) for g in data["goals"]],
            "sections": sections, "indicators": indicators, "unknown_units": data["unknown_units"],
            "warnings": data["warnings"]}


def _names(refs: list[dict[str, Any]]) -> str:
    return "、".join(r["written"] + ("" if r["unit"] else "（未匹配）") for r in refs) or "—"


def as_text(result: dict[str, Any]) -> str:
    lines = [f"{result['title']}（{result['kind']}，{result['years'][0]}—{result['years'][1]}）"]
    for goal in result["goals"]:
        lines.append(f"  目标：{goal['name']} {goal['direction']}{goal['value']}{goal['unit']}（{goal['year'] or '每年'}）")
    for section in result["sections"]:
        lines.append(f"{section['number']}{section['title']}" + (f"  牵头：{_names(section['lead_units'])}"
                                                                   if section["lead_units"] else ""))
        for task in section["tasks"]:
            flags = "".join(f"  [{flag}]" for flag, on in (
                ("沿用板块牵头", task["lead_from_section"]), ("各成员单位", task["all_members"]),
                (task["subarea_marker"] or "各区镇", task["all_subareas"])) if on)
            lines.append(f"  {task['number']}{task['title']}  牵头：{_names(task['lead_units'])}  "
                         f"参与：{_names(task['participating_units'])}{flags}")
            for i in task["indicators"]:
                lines.append(f"      指标：{i['name']} {i['direction']}{i['value']}{i['unit']}（{i['year'] or '每年'}）")
    count = sum(len(s["tasks"]) for s in result["sections"])
    lines.append(f"共 {len(result['sections'])} 个板块、{count} 项任务、{len(result['indicators'])} 个指标；"
                 f"未匹配单位 {len(result['unknown_units'])} 个：{'、'.join(result['unknown_units']) or '无'}")
    lines += [f"提示：{w}" for w in result["warnings"]]
    return "\n".join(lines)


class Command(BaseCommand):
    help = "从 .docx / .txt 方案文件识别板块、任务、责任单位和目标指标；--dry-run 只输出识别结果，不写入台账。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="方案文件（.docx 或 .txt）；“-”表示从标准输入读取文本")
        parser.add_argument("--dry-run", action="store_true", help="只输出识别结果，不写入数据库")
        parser.add_argument("--format", choices=["json", "text"], default="text", help="输出格式")
        parser.add_argument("--cycle", choices=["month", "quarter", "half_year", "year"], default="quarter",
                            help="填报周期（导入时）")
        parser.add_argument("--allow-duplicate", action="store_true", help="同名或同文本的方案已导入时仍然导入")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取文件“{name}”：{exc.strerror}") from None
        filename = "stdin.txt" if name == "-" else Path(name).name
        try:
            if options["dry_run"]:
                _text, parsed = importing.propose(data=data, filename=filename)
                result = proposal(parsed)
            else:
                draft = importing.draft_create(actor=SYSTEM, data=data, filename=filename)
                result = proposal(draft.parsed)
                settings = draft.parsed["settings"]
                importing.draft_update_settings(
                    actor=SYSTEM, draft=draft, title=settings["title"], kind=settings["kind"],
                    start_year=settings["start_year"], end_year=settings["end_year"],
                    reporting_cycle=options["cycle"], reporting_from=_date(settings["reporting_from"]))
                plan = importing.draft_commit(actor=SYSTEM, draft=draft,
                                              allow_duplicate=options["allow_duplicate"])
                result["plan_id"] = plan.pk
        except KepuError as exc:
            raise CommandError(exc.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(as_text(result))
            if "plan_id" in result:
                self.stdout.write(self.style.SUCCESS(f"已导入台账，方案编号 {result['plan_id']}。"))


def _date(text: str) -> Any:
    import datetime

    return datetime.date.fromisoformat(text)
