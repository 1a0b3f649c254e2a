"""The Excel ledger (台账): exported with the same columns it is imported with, so an office can edit it
in Excel and upload it again. The import checks every row first — unknown task numbers, unknown units,
bad dates, progress outside 0–100 — and writes nothing unless every row is good."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from kepu.core import audit
from kepu.core.access import require
from kepu.core.errors import ImportRejected, RowError
from kepu.core.excel import (
    CellError,
    Column,
    SheetRow,
    date_cell,
    int_cell,
    model_text_cell,
    read_rows,
    text_cell,
    write_workbook,
)
from kepu.core.models import AuditCategory
from kepu.org.public import Unit
from kepu.plans.docimport.units import resolve_name
from kepu.plans.models import Task, UnitRole
from kepu.plans.selectors import task_list
from kepu.plans.services.importing import registry_resolver, split_units
from kepu.plans.services.ledger import task_update


def _progress_cell(value: Any) -> int | None:
    number = int_cell(value)
    if number is not None and not 0 <= number <= 100:
        raise CellError(f"“{number}”应在 0—100 之间")
    return number


LEDGER_COLUMNS = [
    Column("编号", "id", int_cell, required=True, width=8, note="系统任务编号，用于更新；请勿修改"),
    Column("方案", "plan", text_cell, width=28, note="仅供查看，导入时不修改"),
    Column("板块", "section", text_cell, width=26, note="仅供查看，导入时不修改"),
    Column("序号", "number", model_text_cell(Task, "number"), width=8, note="如“1.”“（三）”"),
    Column("任务", "title", model_text_cell(Task, "title"), required=True, width=36),
    Column("牵头单位", "lead", text_cell, required=True, width=22, note="多个单位用顿号“、”分隔；可写简称或别名"),
    Column("参与单位", "participants", text_cell, width=40, note="多个单位用顿号“、”分隔"),
    Column("完成时限", "deadline", date_cell, width=12, note="如 2025-12-31；留空为方案截止年度年底"),
    Column("进度(%)", "progress", _progress_cell, width=9, note="0—100 的整数"),
    Column("预警灯", "light", text_cell, width=8, note="系统计算，导入时不修改"),
    Column("预警原因", "reason", text_cell, width=40, note="系统计算，导入时不修改"),
]


@dataclass
class LedgerImportSummary:
    updated: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return f"更新 {self.updated} 项任务，未变 {self.unchanged} 项"


def _unit_names(task: Task, role: str) -> str:
    return "、".join(tu.unit.label for tu in task.units.all() if tu.role == role)


def ledger_rows(tasks: Iterable[Task]) -> Iterable[list[Any]]:
    for task in tasks:
        yield [task.pk, task.plan.title, f"{task.section.number}{task.section.title}", task.number, task.title,
               _unit_names(task, UnitRole.LEAD), _unit_names(task, UnitRole.PARTICIPANT), task.deadline,
               task.progress, task.get_alert_level_display() if task.alert_level else "", task.alert_reason]


def ledger_export(tasks: Iterable[Task]) -> bytes:
    return write_workbook("任务台账", LEDGER_COLUMNS, ledger_rows(tasks))


def _resolve_units(row: SheetRow, key: str, header: str, resolver: Any, units: dict[int, Unit],
                   errors: list[RowError]) -> list[Unit]:
    found = []
    for name in split_units(row.values.get(key, "")):
        ref = resolve_name(name, resolver)
        if ref.unit_id is None:
            errors.append(RowError(row.number, header, f"单位“{name}”不在单位名录中（可在单位管理中为其添加别名）"))
            row.valid = False
        else:
            found.append(units[int(ref.unit_id)])
    return found


def _check_rows(actor: Any, rows: list[SheetRow]) -> tuple[list[tuple[SheetRow, Task, list[Unit], list[Unit]]],
                                                           list[RowError]]:
    errors: list[RowError] = []
    ids = {r.values["id"] for r in rows if r.valid and r.values.get("id") is not None}
    tasks = {t.pk: t for t in task_list(user=actor, action="plans.ledger.import").filter(pk__in=ids)}
    resolver, units = registry_resolver(), {u.pk: u for u in Unit.objects.all()}
    seen: dict[int, int] = {}
    checked = []
    for row in rows:
        if not row.valid:
            continue
        task_id = row.values["id"]
        if task_id in seen:
            errors.append(RowError(row.number, "编号", f"与第 {seen[task_id]} 行重复"))
            continue
        seen[task_id] = row.number
        task = tasks.get(task_id)
        if task is None:
            errors.append(RowError(row.number, "编号", f"任务编号 {task_id} 不存在或不在您的数据范围内"))
            continue
        lead = _resolve_units(row, "lead", "牵头单位", resolver, units, errors)
        participants = _resolve_units(row, "participants", "参与单位", resolver, units, errors)
        if row.valid and not lead:
            errors.append(RowError(row.number, "牵头单位", "不能为空"))
            continue
        if row.valid:
            checked.append((row, task, lead, participants))
    return checked, errors


def _changes(row: SheetRow, task: Task, lead: list[Unit], participants: list[Unit]) -> dict[str, Any]:
    v = row.values
    changes: dict[str, Any] = {}
    for field in ("title", "number"):
        if field in v and v[field] != getattr(task, field):
            changes[field] = v[field]
    if "deadline" in v and v["deadline"] != task.deadline:
        changes["deadline"] = v["deadline"]
    if v.get("progress") is not None and v["progress"] != task.progress:
        changes["progress"] = v["progress"]
    current_lead = [tu.unit_id for tu in task.units.all() if tu.role == UnitRole.LEAD]
    current_part = [tu.unit_id for tu in task.units.all() if tu.role == UnitRole.PARTICIPANT]
    wanted_part = [u.pk for u in participants if u.pk not in {x.pk for x in lead}]
    if [u.pk for u in lead] != current_lead or wanted_part != current_part:
        changes["lead_units"], changes["participating_units"] = lead, participants
    return changes


@transaction.atomic
def ledger_import(*, actor: Any, data: bytes) -> LedgerImportSummary:
    """Update the tasks named by 编号 from an edited ledger; every error by row and column, or every change."""
    require(actor, "plans.ledger.import")
    rows, errors = read_rows(data, LEDGER_COLUMNS)
    checked, more = _check_rows(actor, rows)
    errors += more
    if errors:
        raise ImportRejected(errors)
    summary = LedgerImportSummary()
    for row, task, lead, participants in checked:
        changes = _changes(row, task, lead, participants)
        if not changes:
            summary.unchanged += 1
            continue
        task_update(actor=actor, task=task, reason=f"台账导入第 {row.number} 行", **changes)
        summary.updated += 1
    audit.record(actor, "plans.ledger.import", category=AuditCategory.IMPORT, object_repr="任务台账",
                 reason=str(summary))
    if summary.updated:
        from kepu.plans.services.supervision import recompute_plan

        for plan in {task.plan for _row, task, _l, _p in checked}:
            recompute_plan(plan)
    return summary
