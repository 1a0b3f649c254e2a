"""Excel import and export of regions and units; an exported sheet edited and re-imported updates rows.

Imports check every row first and write nothing unless all rows are good (errors name the row and
column, in Chinese); then they write everything in one transaction with one audit entry per changed row.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, CharField, F, OuterRef, Subquery, Value, When
from django.db.models.functions import Cast, Concat

from kepu.core import audit
from kepu.core.access import require
from kepu.core.errors import ImportRejected, RowError
from kepu.core.excel import (
    CellError,
    Column,
    ImportSummary,
    SheetRow,
    bool_cell,
    choice_cell,
    form_field_cell,
    int_cell,
    read_rows,
    split_list,
    text_cell,
    write_workbook,
)
from kepu.core.models import AuditCategory
from kepu.core.text import normalize_name
from kepu.org.forms import UnitForm
from kepu.org.models import LEVEL_DEPTH, Region, RegionLevel, Unit, UnitAlias, UnitKind
from kepu.org.services import REGION_FIELDS, UNIT_FIELDS


def _code_cell(value: Any) -> str:
    return text_cell(value).replace(" ", "")


def _optional_code_cell(value: Any) -> str:
    return _code_cell(value)


_LEVEL_LABELS = [*RegionLevel.choices, ("district", "区"), ("district", "县"), ("town", "乡镇"), ("town", "街道"),
                 ("town", "镇"), ("town", "乡"), ("community", "社区"), ("community", "村")]

REGION_COLUMNS = [
    Column("区划代码", "code", _code_cell, required=True, width=16),
    Column("名称", "name", text_cell, required=True, width=20),
    Column("层级", "level", choice_cell(_LEVEL_LABELS), required=True, width=10),
    Column("上级区划代码", "parent_code", _optional_code_cell, width=16),
    Column("启用", "is_active", bool_cell, width=8),
]


# ---------------------------------------------------------------- regions

def regions_export(regions: Iterable[Region]) -> bytes:
    rows = ((r.code, r.name, r.get_level_display(), r.parent.code if r.parent_id else "", r.is_active)
            for r in regions)
    return write_workbook("行政区划", REGION_COLUMNS, rows)


def _region_errors(all_rows: list[SheetRow], existing: dict[str, Region]) -> list[RowError]:
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    rows = [r for r in all_rows if r.valid]
    sheet = {row.values["code"]: row for row in rows}
    for row in rows:
        v = row.values
        code = v["code"]
        if not (code.isdigit() and len(code) == 12):
            errors.append(RowError(row.number, "区划代码", f"“{code}”不是 12 位数字的统计用区划代码"))
        if code in seen:
            errors.append(RowError(row.number, "区划代码", f"与第 {seen[code]} 行重复"))
        seen.setdefault(code, row.number)
        parent_code = v.get("parent_code", "")
        if parent_code:
            if parent_code == code:
                errors.append(RowError(row.number, "上级区划代码", "不能是本区划自己"))
                continue
            parent_level = (sheet[parent_code].values["level"] if parent_code in sheet
                            else existing[parent_code].level if parent_code in existing else None)
            if parent_level is None:
                errors.append(RowError(row.number, "上级区划代码", f"“{parent_code}”在表中和系统中都不存在"))
            elif LEVEL_DEPTH[RegionLevel(parent_level)] >= LEVEL_DEPTH[RegionLevel(v["level"])]:
                errors.append(RowError(row.number, "层级", "层级应低于上级区划的层级"))
        elif v["level"] != RegionLevel.CITY:
            errors.append(RowError(row.number, "上级区划代码", "除市级外都须填写上级区划代码"))
    errors += _cycle_errors(
        {code: r.values.get("parent_code") or None for code, r in sheet.items()},
        {code: (r.parent.code if r.parent_id else None) for code, r in existing.items()},
        {code: r.number for code, r in sheet.items()}, "上级区划代码",
    )
    return errors


def _cycle_errors(sheet_parents: dict[str, str | None], db_parents: dict[str, str | None],
                  rows: dict[str, int], column: str) -> list[RowError]:
    """Rows whose parent chain loops back on itself, once the sheet is applied over the database."""
    parents = {**db_parents, **sheet_parents}
    errors, clean = [], set()
    for start in sheet_parents:
        seen, node = [], start
        while node is not None and node not in clean:
            if node in seen:
                loop = seen[seen.index(node):]
                errors.append(RowError(rows[start], column, f"上下级关系形成循环：{' → '.join([*loop, node])}"))
                break
            seen.append(node)
            node = parents.get(node)
        else:
            clean.update(seen)
    return errors


@transaction.atomic
def regions_import(*, actor: Any, data: bytes) -> ImportSummary:
    require(actor, "org.region.import")
    rows, errors = read_rows(data, REGION_COLUMNS)
    existing = {r.code: r for r in Region.objects.select_related("parent")}
    errors += _region_errors(rows, existing)
    if errors:
        raise ImportRejected(errors)
    summary, entries = ImportSummary(), []
    by_code = dict(existing)
    # Parents before children, so each path can be built from its parent's.
    for row in sorted(rows, key=lambda r: LEVEL_DEPTH[RegionLevel(r.values["level"])]):
        v = row.values
        parent = by_code.get(v.get("parent_code") or "")
        region = by_code.get(v["code"])
        before = audit.snapshot(region, REGION_FIELDS) if region else None
        if region is None:
            region = Region(code=v["code"])
        region.name, region.level, region.parent = v["name"], v["level"], parent
        region.is_active = v.get("is_active", True) if "is_active" in v else region.is_active
        region.path = f"{parent.path if parent else '/'}{region.code}/"
        after = audit.snapshot(region, REGION_FIELDS)
        if before is None:
            region.save()
            summary.created += 1
            entries.append(audit.build(actor, "org.region.import", category=AuditCategory.IMPORT, obj=region,
                                       after=after))
        elif audit.diff(before, after) or region.path != existing[region.code].path:
            region.save()
            summary.updated += 1
            entries.append(audit.build(actor, "org.region.import", category=AuditCategory.IMPORT, obj=region,
                                       before=before, after=after))
        else:
            summary.unchanged += 1
        by_code[region.code] = region
    _rebuild_region_paths()
    audit.record_many(entries)
    return summary


def _rebuild_region_paths() -> None:
    """Descendants of a region whose parent changed carry the new prefix too."""
    regions = list(Region.objects.select_related("parent").order_by("path"))
    by_id = {r.pk: r for r in regions}
    changed = []

    def path_of(region: Region) -> str:
        parent = by_id.get(region.parent_id) if region.parent_id else None
        return f"{path_of(parent) if parent else '/'}{region.code}/"

    for region in regions:
        path = path_of(region)
        if path != region.path:
            region.path = path
            changed.append(region)
    Region.objects.bulk_update(changed, ["path"], batch_size=1000)


# ---------------------------------------------------------------- units

_UNIT_FORM = UnitForm.base_fields  # the import checks each cell as the unit form checks it


def _member_cell(value: Any) -> bool:
    """成员单位 must be written out as 是 or 否 on every row: a blank is no answer, never “否” by default."""
    if text_cell(value) == "":
        raise CellError("请填写“是”或“否”")
    return bool_cell(value)


def _alias_cell(value: Any) -> str:
    text = text_cell(value)
    for alias in split_list(text):
        if len(alias) > Unit._meta.get_field("name").max_length:
            raise CellError(f"别名“{alias[:20]}…”超过 {Unit._meta.get_field('name').max_length} 个字")
    return text


# 类别 and 成员单位 are required on every row: a unit joins the leading group (and so the dispatch list,
# the counts and the assessment) only because someone wrote 是, never by a default.
UNIT_COLUMNS = [
    Column("编号", "id", int_cell, width=8, note="系统编号；新增单位留空，修改已有单位请保留"),
    Column("单位名称", "name", form_field_cell(_UNIT_FORM["name"]), required=True, width=30),
    Column("简称", "short_name", form_field_cell(_UNIT_FORM["short_name"]), width=14),
    Column("类别", "kind", choice_cell(UnitKind.choices), required=True, width=12),
    Column("所属区划代码", "region_code", _code_cell, required=True, width=16),
    Column("所属区划", "region_name", text_cell, width=12, note="仅供阅读，导入时以区划代码为准"),
    Column("上级单位", "parent_name", text_cell, width=24),
    Column("成员单位", "is_member", _member_cell, required=True, width=10, note="是：领导小组成员单位；否：其他单位"),
    Column("别名", "aliases", _alias_cell, width=30, note="多个别名用顿号“、”分隔"),
    Column("统一社会信用代码", "credit_code", form_field_cell(_UNIT_FORM["credit_code"]), width=22),
    Column("办公电话", "contact_phone", form_field_cell(_UNIT_FORM["contact_phone"]), width=16),
    Column("排序", "sort_order", form_field_cell(_UNIT_FORM["sort_order"]), width=8),
    Column("启用", "is_active", bool_cell, width=8),
]


def units_export(units: Iterable[Unit]) -> bytes:
    rows = (
        (u.pk, u.name, u.short_name, u.get_kind_display(), u.region.code, u.region.name,
         u.parent.name if u.parent_id else "", u.is_member, "、".join(a.name for a in u.aliases.all()),
         u.credit_code, u.contact_phone, u.sort_order, u.is_active)
        for u in units
    )
    return write_workbook("单位", UNIT_COLUMNS, rows)




@dataclass
class _UnitPlan:
    row: SheetRow
    unit: Unit | None  # the existing unit this row updates, or None to create one
    normalized: str
    aliases: list[str]
    parent_key: str | None = None  # "#<id>" of an existing unit or "row<n>" of a unit in this sheet

    @property
    def key(self) -> str:
        return f"#{self.unit.pk}" if self.unit else f"row{self.row.number}"


class _UnitSheetCheck:
    """All the cross-row checks of a unit sheet against itself and the database."""

    def __init__(self, rows: list[SheetRow]) -> None:
        self.rows = rows
        self.errors: list[RowError] = []
        self.units = {u.pk: u for u in Unit.objects.select_related("region", "parent")}
        self.by_name = {u.normalized_name: u for u in self.units.values()}
        self.aliases = {a.normalized_name: a.unit_id for a in UnitAlias.objects.all()}
        self.regions = {r.code: r for r in Region.objects.all()}
        self.plans: list[_UnitPlan] = []

    def error(self, row: SheetRow, column: str, message: str) -> None:
        self.errors.append(RowError(row.number, column, message))

    def run(self) -> list[_UnitPlan]:
        for row in self.rows:
            if row.valid:
                self._match(row)
        self._check_names()
        self._check_parents()
        return self.plans

    def _match(self, row: SheetRow) -> None:
        v = row.values
        normalized = normalize_name(v["name"])
        unit = None
        if v.get("id"):
            unit = self.units.get(v["id"])
            if unit is None:
                self.error(row, "编号", f"编号 {v['id']} 在系统中不存在；新增单位请留空")
        else:
            unit = self.by_name.get(normalized)
        if v["region_code"] not in self.regions:
            self.error(row, "所属区划代码", f"“{v['region_code']}”不是系统中的区划代码")
        self.plans.append(_UnitPlan(row, unit, normalized, split_list(v.get("aliases", ""))))

    def _check_names(self) -> None:
        names: dict[str, tuple[int, _UnitPlan]] = {}
        for plan in self.plans:
            own = plan.unit.pk if plan.unit else None
            clash = self.by_name.get(plan.normalized)
            if clash is not None and clash.pk != own and not self._renamed_in_sheet(clash):
                self.error(plan.row, "单位名称", f"与已有单位“{clash.name}”（编号 {clash.pk}）重名")
            alias_owner = self.aliases.get(plan.normalized)
            if alias_owner is not None and alias_owner != own:
                self.error(plan.row, "单位名称", f"“{plan.row.values['name']}”已是其他单位的别名")
            for name in [plan.normalized, *(normalize_name(a) for a in plan.aliases)]:
                if name in names and names[name][1] is not plan:
                    column = "单位名称" if name == plan.normalized else "别名"
                    self.error(plan.row, column, f"“{name}”与第 {names[name][0]} 行的名称或别名重复")
                names.setdefault(name, (plan.row.number, plan))
            for alias in plan.aliases:
                norm = normalize_name(alias)
                owner = self.aliases.get(norm)
                named = self.by_name.get(norm)
                if (owner is not None and owner != own and not self._in_sheet(owner)) or \
                        (named is not None and named.pk != own and not self._renamed_in_sheet(named)):
                    self.error(plan.row, "别名", f"“{alias}”已属于其他单位")

    def _in_sheet(self, unit_id: int) -> bool:
        return any(p.unit is not None and p.unit.pk == unit_id for p in self.plans)

    def _renamed_in_sheet(self, unit: Unit) -> bool:
        return any(p.unit is not None and p.unit.pk == unit.pk and p.normalized != unit.normalized_name
                   for p in self.plans)

    def _check_parents(self) -> None:
        sheet_names = {p.normalized: p for p in self.plans}
        sheet_aliases = {normalize_name(a): p for p in self.plans for a in p.aliases}
        for plan in self.plans:
            parent_name = normalize_name(plan.row.values.get("parent_name", ""))
            if not parent_name:
                continue
            target = sheet_names.get(parent_name) or sheet_aliases.get(parent_name)
            if target is not None:
                plan.parent_key = target.key
                continue
            unit = self.by_name.get(parent_name) or self.units.get(self.aliases.get(parent_name, -1))
            if unit is None:
                self.error(plan.row, "上级单位", f"“{plan.row.values['parent_name']}”在表中和系统中都不存在")
            else:
                plan.parent_key = f"#{unit.pk}"
        db_parents = {f"#{u.pk}": (f"#{u.parent_id}" if u.parent_id else None) for u in self.units.values()}
        self.errors += _cycle_errors({p.key: p.parent_key for p in self.plans}, db_parents,
                                     {p.key: p.row.number for p in self.plans}, "上级单位")


@transaction.atomic
def units_import(*, actor: Any, data: bytes) -> ImportSummary:
    require(actor, "org.unit.import")
    rows, cell_errors = read_rows(data, UNIT_COLUMNS)
    check = _UnitSheetCheck(rows)
    plans = check.run()
    if cell_errors or check.errors:
        raise ImportRejected(cell_errors + check.errors)
    try:
        with transaction.atomic():
            return _apply_units(actor, check, plans)
    except IntegrityError:
        # Two units exchanging names in one sheet: each name is taken while the other is written.
        raise ImportRejected([RowError(0, "单位名称", "表中有单位互换名称，请分两次导入")]) from None


def _apply_units(actor: Any, check: _UnitSheetCheck, plans: list[_UnitPlan]) -> ImportSummary:
    summary, entries = ImportSummary(), []
    before = {p.unit.pk: {**audit.snapshot(p.unit, UNIT_FIELDS),
                          "aliases": sorted(a.name for a in p.unit.aliases.all())} for p in plans if p.unit}
    keys = {p.key: p for p in plans}  # taken before new units get ids
    for plan in plans:
        if plan.unit is None:
            plan.unit = Unit()
        _fill_unit(plan.unit, plan, check)
    # New units are created parents first, each with its parent already set: no second pass.
    for level in _creation_levels(plans, keys):
        for plan in level:
            plan.unit.parent = _parent_unit(plan.parent_key, keys, check.units)
        Unit.objects.bulk_create([p.unit for p in level], batch_size=1000)
    for plan in plans:
        if plan.key.startswith("#"):
            plan.unit.parent = _parent_unit(plan.parent_key, keys, check.units)
    changed = []
    for plan in plans:
        after = {**audit.snapshot(plan.unit, UNIT_FIELDS), "aliases": sorted(plan.aliases)}
        old = before.get(plan.unit.pk)
        if old is None:
            summary.created += 1
            entries.append(audit.build(actor, "org.unit.import", category=AuditCategory.IMPORT, obj=plan.unit,
                                       after=after))
        elif audit.diff(old, after):
            summary.updated += 1
            changed.append(plan.unit)
            entries.append(audit.build(actor, "org.unit.import", category=AuditCategory.IMPORT, obj=plan.unit,
                                       before=old, after=after))
        else:
            summary.unchanged += 1
    Unit.objects.bulk_update(changed, [*UNIT_FIELDS, "normalized_name"], batch_size=1000)
    _sync_aliases(plans)
    _rebuild_unit_paths()
    audit.record_many(entries)
    return summary


def _creation_levels(plans: list[_UnitPlan], keys: dict[str, _UnitPlan]) -> list[list[_UnitPlan]]:
    """New units grouped so that every unit's new parent is in an earlier group."""
    depth: dict[str, int] = {}

    def depth_of(plan: _UnitPlan) -> int:
        if plan.key not in depth:
            parent = keys.get(plan.parent_key or "")
            new_parent = parent is not None and parent.unit.pk is None
            depth[plan.key] = depth_of(parent) + 1 if new_parent and parent is not None else 0
        return depth[plan.key]

    levels: dict[int, list[_UnitPlan]] = {}
    for plan in plans:
        if plan.unit.pk is None:
            levels.setdefault(depth_of(plan), []).append(plan)
    return [levels[d] for d in sorted(levels)]


def _parent_unit(key: str | None, sheet: dict[str, _UnitPlan], existing: dict[int, Unit]) -> Unit | None:
    if key is None:
        return None
    if key in sheet:
        return sheet[key].unit
    return existing[int(key.removeprefix("#"))]


def _fill_unit(unit: Unit, plan: _UnitPlan, check: _UnitSheetCheck) -> None:
    v = plan.row.values
    unit.name = v["name"]
    unit.normalized_name = plan.normalized
    unit.region = check.regions[v["region_code"]]
    for key in ("short_name", "kind", "is_member", "credit_code", "contact_phone", "sort_order", "is_active"):
        if key in v and v[key] is not None:
            setattr(unit, key, v[key])


def _sync_aliases(plans: list[_UnitPlan]) -> None:
    """Make each unit's aliases exactly the sheet's list, touching only what differs."""
    wanted = {(p.unit.pk, normalize_name(a)): a for p in plans for a in p.aliases if normalize_name(a) != p.normalized}
    current = {(a.unit_id, a.normalized_name): a for a in UnitAlias.objects.filter(unit_id__in=[p.unit.pk for p in plans])}
    stale = [a.pk for key, a in current.items() if key not in wanted]
    UnitAlias.objects.filter(pk__in=stale).delete()
    UnitAlias.objects.bulk_create(
        [UnitAlias(unit_id=unit_id, name=name, normalized_name=normalized)
         for (unit_id, normalized), name in wanted.items() if (unit_id, normalized) not in current],
        batch_size=1000,
    )


def _rebuild_unit_paths() -> None:
    """Set every unit's path from its parent's, in SQL, one tree level per pass."""
    own_segment = Concat(Cast("id", CharField()), Value("/"))
    parent_path = Subquery(Unit.objects.filter(pk=OuterRef("parent_id")).values("path")[:1])
    expected = Case(When(parent__isnull=True, then=Concat(Value("/"), own_segment)),
                    default=Concat(parent_path, own_segment), output_field=CharField())
    for _ in range(64):  # deeper than any real unit tree; guards against a loop slipping through
        stale = list(Unit.objects.annotate(expected=expected).exclude(path=F("expected"))
                     .values_list("id", flat=True))
        if not stale:
            return
        for start in range(0, len(stale), 1000):
            Unit.objects.filter(pk__in=stale[start:start + 1000]).update(path=expected)
