"""Excel import and export of teams and volunteers (an exported sheet edited and imported again updates
the rows it names), and exports of hours and figures.

Imports check every row first and write nothing unless all rows are good; every error names the row
and the column in Chinese. ID numbers and phones are exported masked unless the user's role may see
them in full; a masked number cannot be imported back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import require
from kepu.core.errors import ImportRejected, RowError
from kepu.core.excel import (
    Column,
    ImportSummary,
    SheetRow,
    bool_cell,
    choice_cell,
    int_cell,
    model_text_cell,
    read_rows,
    split_list,
    text_cell,
    write_workbook,
)
from kepu.core.models import AuditCategory
from kepu.core.protected import digest, refresh_digests
from kepu.core.text import is_id_number, is_mobile, mask_id_number, mask_phone, normalize_name
from kepu.org.public import Region, unit_name_index
from kepu.volunteers.models import (
    MembershipStatus,
    ServiceHours,
    TeamLevel,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)
from kepu.volunteers.services.teams import LEVEL_ORDER, TEAM_FIELDS, check_level
from kepu.volunteers.services.volunteers import NUMBERS_CHANGED, VOLUNTEER_FIELDS


def _code_cell(value: Any) -> str:
    return text_cell(value).replace(" ", "")


def _id_cell(value: Any) -> str:
    return text_cell(value).replace(" ", "").upper()


# ---------------------------------------------------------------- teams

TEAM_COLUMNS = [
    Column("编号", "id", int_cell, width=8, note="系统编号；新增队伍留空，修改已有队伍请保留"),
    Column("队伍名称", "name", model_text_cell(VolunteerTeam, "name"), required=True, width=32),
    Column("层级", "level", choice_cell(TeamLevel.choices), required=True, width=8, note="支队、大队或分队"),
    Column("上级队伍", "parent_name", text_cell, width=32, note="填写队伍名称；可以是表中的队伍"),
    Column("所属单位", "unit_name", text_cell, required=True, width=26, note="单位全称或简称"),
    Column("服务区域代码", "region_code", _code_cell, required=True, width=16, note="12 位区划代码"),
    Column("服务区域", "region_name", text_cell, width=12, note="仅供阅读，导入时以区划代码为准"),
    Column("启用", "is_active", bool_cell, width=8),
]


def teams_export(teams: Iterable[VolunteerTeam]) -> bytes:
    rows = ((t.pk, t.name, t.get_level_display(), t.parent.name if t.parent_id else "", t.unit.name,
             t.region.code, t.region.name, t.is_active) for t in teams)
    return write_workbook("志愿服务队", TEAM_COLUMNS, rows)


@dataclass
class _TeamPlan:
    row: SheetRow
    team: VolunteerTeam | None
    parent_key: str | None = None

    @property
    def key(self) -> str:
        return f"#{self.team.pk}" if self.team and self.team.pk else f"row{self.row.number}"


class _TeamSheetCheck:
    """Every cross-row check of a team sheet against itself and the database."""

    def __init__(self, rows: list[SheetRow]) -> None:
        self.rows = [r for r in rows if r.valid]
        self.errors: list[RowError] = []
        self.teams = {t.pk: t for t in VolunteerTeam.objects.all()}
        self.by_name = {t.name: t for t in self.teams.values()}
        self.units = unit_name_index()
        self.regions = {r.code: r for r in Region.objects.all()}
        self.plans: list[_TeamPlan] = []

    def error(self, row: SheetRow, column: str, message: str) -> None:
        self.errors.append(RowError(row.number, column, message))

    def run(self) -> list[_TeamPlan]:
        for row in self.rows:
            self._match(row)
        self._check_names()
        self._check_parents()
        return self.plans

    def _match(self, row: SheetRow) -> None:
        v = row.values
        team = None
        if v.get("id"):
            team = self.teams.get(v["id"])
            if team is None:
                self.error(row, "编号", f"编号 {v['id']} 在系统中不存在；新增队伍请留空")
        else:
            team = self.by_name.get(v["name"])
        if normalize_name(v["unit_name"]) not in self.units:
            self.error(row, "所属单位", f"“{v['unit_name']}”不是系统中的单位（可先在单位管理中新增或添加别名）")
        if v["region_code"] not in self.regions:
            self.error(row, "服务区域代码", f"“{v['region_code']}”不是系统中的区划代码")
        self.plans.append(_TeamPlan(row, team))

    def _check_names(self) -> None:
        seen: dict[str, int] = {}
        for plan in self.plans:
            name = plan.row.values["name"]
            if name in seen:
                self.error(plan.row, "队伍名称", f"与第 {seen[name]} 行重名")
            seen.setdefault(name, plan.row.number)
            clash = self.by_name.get(name)
            if clash is not None and (plan.team is None or clash.pk != plan.team.pk):
                self.error(plan.row, "队伍名称", f"与已有队伍“{clash.name}”（编号 {clash.pk}）重名")

    def _check_parents(self) -> None:
        sheet = {p.row.values["name"]: p for p in self.plans}
        levels = {p.key: p.row.values["level"] for p in self.plans}
        for plan in self.plans:
            name = plan.row.values.get("parent_name", "")
            if not name:
                continue
            target = sheet.get(name)
            parent = self.by_name.get(name)
            if target is None and parent is None:
                self.error(plan.row, "上级队伍", f"“{name}”在表中和系统中都不存在")
                continue
            plan.parent_key = target.key if target is not None else f"#{parent.pk}"
            parent_level = levels.get(plan.parent_key) or (parent.level if parent else None)
            problem = check_level(plan.row.values["level"], parent_level)
            if problem:
                self.error(plan.row, "层级", problem)
        self._check_cycles()

    def _check_cycles(self) -> None:
        parents: dict[str, str | None] = {f"#{t.pk}": (f"#{t.parent_id}" if t.parent_id else None)
                                          for t in self.teams.values()}
        parents.update({p.key: p.parent_key for p in self.plans})
        rows = {p.key: p.row for p in self.plans}
        names = {**{f"#{t.pk}": t.name for t in self.teams.values()}, **{p.key: p.row.values["name"] for p in self.plans}}
        for plan in self.plans:
            seen, node = [], plan.key
            while node is not None:
                if node in seen:
                    loop = " → ".join(names.get(n, n) for n in [*seen[seen.index(node):], node])
                    self.error(rows[plan.key], "上级队伍", f"上下级关系形成循环：{loop}")
                    break
                seen.append(node)
                node = parents.get(node)


@transaction.atomic
def teams_import(*, actor: Any, data: bytes) -> ImportSummary:
    require(actor, "volunteers.team.import")
    rows, cell_errors = read_rows(data, TEAM_COLUMNS)
    check = _TeamSheetCheck(rows)
    plans = check.run()
    if cell_errors or check.errors:
        raise ImportRejected(cell_errors + check.errors)
    summary, entries = ImportSummary(), []
    keys = {p.key: p for p in plans}
    before = {p.team.pk: audit.snapshot(p.team, TEAM_FIELDS) for p in plans if p.team}
    # Higher levels first: a parent is always saved before the teams under it.
    for plan in sorted(plans, key=lambda p: LEVEL_ORDER[TeamLevel(p.row.values["level"])]):
        v = plan.row.values
        team = plan.team or VolunteerTeam()
        team.name, team.level = v["name"], v["level"]
        team.unit = check.units[normalize_name(v["unit_name"])]
        team.region = check.regions[v["region_code"]]
        if "is_active" in v:
            team.is_active = v["is_active"]
        parent = keys.get(plan.parent_key or "")
        team.parent = parent.team if parent else (check.teams[int(plan.parent_key[1:])] if plan.parent_key else None)
        after = audit.snapshot(team, TEAM_FIELDS)
        old = before.get(team.pk) if team.pk else None
        if team.pk is None or old is None or audit.diff(old, after):
            team.save()
            plan.team = team
            created = old is None
            summary.created += created
            summary.updated += not created
            entries.append(audit.build(actor, "volunteers.team.import", category=AuditCategory.IMPORT, obj=team,
                                       before=old, after=after))
        else:
            summary.unchanged += 1
    rebuild_team_paths()
    audit.record_many(entries)
    return summary


def rebuild_team_paths() -> None:
    teams = {t.pk: t for t in VolunteerTeam.objects.only("id", "parent_id", "path")}

    def path_of(team: VolunteerTeam, depth: int = 0) -> str:
        parent = teams.get(team.parent_id) if team.parent_id else None
        return f"{path_of(parent, depth + 1) if parent and depth < 16 else '/'}{team.pk}/"

    changed = []
    for team in teams.values():
        path = path_of(team)
        if path != team.path:
            team.path = path
            changed.append(team)
    VolunteerTeam.objects.bulk_update(changed, ["path"], batch_size=1000)


# ---------------------------------------------------------------- volunteers

VOLUNTEER_COLUMNS = [
    Column("编号", "id", int_cell, width=8, note="系统编号；新增志愿者留空，修改已有志愿者请保留"),
    Column("姓名", "name", model_text_cell(Volunteer, "name"), required=True, width=10),
    Column("身份证号", "id_number", _id_cell, required=True, width=22, note="18 位，末位校验码须正确"),
    Column("手机号", "phone", _code_cell, required=True, width=14),
    Column("所在区域代码", "region_code", _code_cell, required=True, width=16, note="12 位区划代码"),
    Column("所在区域", "region_name", text_cell, width=12, note="仅供阅读，导入时以区划代码为准"),
    Column("专长", "skills", model_text_cell(Volunteer, "skills"), width=24),
    Column("所属队伍", "teams", text_cell, width=36, note="队伍名称，多个用顿号“、”分隔；导入时加入所列队伍"),
    Column("在册", "is_active", bool_cell, width=8),
    Column("认定时长", "hours", text_cell, width=10, note="仅供阅读，导入时忽略"),
]


def volunteers_export(volunteers: Iterable[Volunteer], *, full: bool) -> bytes:
    """`full`: the role may see ID numbers and phones in full; otherwise both are masked."""
    people = list(volunteers)
    teams: dict[int, list[str]] = {}
    for m in TeamMembership.objects.filter(volunteer_id__in=[p.pk for p in people],
                                           status=MembershipStatus.APPROVED).select_related("team").order_by("team__path"):
        teams.setdefault(m.volunteer_id, []).append(m.team.name)
    rows = ((p.pk, p.name, p.id_number if full else mask_id_number(p.id_number),
             p.phone if full else mask_phone(p.phone), p.region.code, p.region.name, p.skills,
             "、".join(teams.get(p.pk, [])), p.is_active, getattr(p, "hours_total", None)) for p in people)
    return write_workbook("志愿者", VOLUNTEER_COLUMNS, rows)


class _VolunteerSheetCheck:
    def __init__(self, rows: list[SheetRow]) -> None:
        self.rows = [r for r in rows if r.valid]
        self.errors: list[RowError] = []
        numbers = [r.values["id_number"] for r in self.rows]
        ids = [r.values["id"] for r in self.rows if r.values.get("id")]
        digests = [digest("id_number", n) for n in numbers]
        self.existing = {v.id_number: v for v in Volunteer.objects.filter(id_number_digest__in=digests)}
        self.by_id = Volunteer.objects.in_bulk(ids)
        self.regions = {r.code: r for r in Region.objects.all()}
        self.teams = {t.name: t for t in VolunteerTeam.objects.filter(is_active=True)}
        self.plans: list[tuple[SheetRow, Volunteer | None, list[VolunteerTeam]]] = []

    def error(self, row: SheetRow, column: str, message: str) -> None:
        self.errors.append(RowError(row.number, column, message))

    def run(self) -> list[tuple[SheetRow, Volunteer | None, list[VolunteerTeam]]]:
        seen: dict[str, int] = {}
        for row in self.rows:
            v = row.values
            number = v["id_number"]
            if "*" in number:
                self.error(row, "身份证号", "为脱敏格式，不能导入；请由可查看完整证件号的账号导出后再修改")
            elif not is_id_number(number):
                self.error(row, "身份证号", f"“{number}”不是有效的身份证号（18 位，末位校验码须正确）")
            elif number in seen:
                self.error(row, "身份证号", f"与第 {seen[number]} 行重复")
            seen.setdefault(number, row.number)
            if "*" in v["phone"] or not is_mobile(v["phone"]):
                self.error(row, "手机号", f"“{v['phone']}”不是 11 位手机号码")
            if v["region_code"] not in self.regions:
                self.error(row, "所在区域代码", f"“{v['region_code']}”不是系统中的区划代码")
            teams = []
            for name in split_list(v.get("teams", "")):
                if name in self.teams:
                    teams.append(self.teams[name])
                else:
                    self.error(row, "所属队伍", f"“{name}”不是系统中启用的队伍")
            self.plans.append((row, self._target(row), teams))
        return self.plans

    def _target(self, row: SheetRow) -> Volunteer | None:
        v = row.values
        by_number = self.existing.get(v["id_number"])
        if not v.get("id"):
            return by_number
        volunteer = self.by_id.get(v["id"])
        if volunteer is None:
            self.error(row, "编号", f"编号 {v['id']} 在系统中不存在；新增志愿者请留空")
        elif by_number is not None and by_number.pk != volunteer.pk:
            self.error(row, "身份证号", f"已登记为另一名志愿者（编号 {by_number.pk}）")
        return volunteer


@transaction.atomic
def volunteers_import(*, actor: Any, data: bytes) -> ImportSummary:
    require(actor, "volunteers.volunteer.import")
    rows, cell_errors = read_rows(data, VOLUNTEER_COLUMNS)
    check = _VolunteerSheetCheck(rows)
    plans = check.run()
    if cell_errors or check.errors:
        raise ImportRejected(cell_errors + check.errors)
    summary, entries, new, changed, resolved = ImportSummary(), [], [], [], []
    for row, volunteer, teams in plans:
        v = row.values
        old = audit.snapshot(volunteer, VOLUNTEER_FIELDS) if volunteer else None
        # Snapshots mask the numbers, so a change inside them is seen by comparing the numbers.
        old_numbers = (volunteer.id_number, volunteer.phone) if volunteer else None
        volunteer = volunteer or Volunteer()
        volunteer.name, volunteer.id_number, volunteer.phone = v["name"], v["id_number"], v["phone"]
        volunteer.region = check.regions[v["region_code"]]
        volunteer.skills = v.get("skills", volunteer.skills)
        if "is_active" in v:
            volunteer.is_active = v["is_active"]
        resolved.append((row, volunteer, teams))
        if old is None:
            new.append((row, volunteer))
        elif (audit.diff(old, audit.snapshot(volunteer, VOLUNTEER_FIELDS))
              or old_numbers != (volunteer.id_number, volunteer.phone)):
            refresh_digests(volunteer)  # bulk_update does not run the fields' pre_save
            changed.append((volunteer, old, old_numbers != (volunteer.id_number, volunteer.phone)))
        else:
            summary.unchanged += 1
    Volunteer.objects.bulk_create([p for _, p in new], batch_size=1000)
    Volunteer.objects.bulk_update([p for p, _, _ in changed], ["name", "id_number", "id_number_digest", "phone",
                                                            "phone_digest", "region", "skills",
                                                            "is_active", "updated_at"], batch_size=1000)
    for _, person in new:
        entries.append(audit.build(actor, "volunteers.volunteer.import", category=AuditCategory.IMPORT, obj=person,
                                   after=audit.snapshot(person, VOLUNTEER_FIELDS)))
    for person, old, numbers_changed in changed:
        entries.append(audit.build(actor, "volunteers.volunteer.import", category=AuditCategory.IMPORT, obj=person,
                                   before=old, after=audit.snapshot(person, VOLUNTEER_FIELDS),
                                   reason=NUMBERS_CHANGED if numbers_changed else ""))
    summary.created, summary.updated = len(new), len(changed)
    joined = _join_teams(actor, resolved)  # new volunteers have their ids from bulk_create by now
    if joined:
        summary.notes.append(f"加入队伍 {joined} 人次")
    audit.record_many(entries)
    return summary


def _join_teams(actor: Any, plans: list[tuple[SheetRow, Volunteer, list[VolunteerTeam]]]) -> int:
    """Approved memberships for the teams a row lists (existing memberships are approved in place)."""
    wanted = {(p.pk, t.pk) for _, p, teams in plans for t in teams}
    if not wanted:
        return 0
    current = {(m.volunteer_id, m.team_id): m for m in TeamMembership.objects.filter(
        volunteer_id__in={v for v, _ in wanted})}
    now, reviewer = timezone.now(), actor if getattr(actor, "pk", None) else None
    create = [TeamMembership(volunteer_id=v, team_id=t, status=MembershipStatus.APPROVED, reviewed_by=reviewer,
                             reviewed_at=now, review_note="Excel 导入") for v, t in wanted if (v, t) not in current]
    update = [m for key, m in current.items() if key in wanted and m.status != MembershipStatus.APPROVED]
    for m in update:
        m.status, m.reviewed_by, m.reviewed_at, m.review_note = MembershipStatus.APPROVED, reviewer, now, "Excel 导入"
    TeamMembership.objects.bulk_create(create, batch_size=1000)
    TeamMembership.objects.bulk_update(update, ["status", "reviewed_by", "reviewed_at", "review_note"])
    return len(create) + len(update)


# ---------------------------------------------------------------- hours and figures

HOURS_COLUMNS = [
    Column("记录编号", "id", width=10), Column("志愿者", "volunteer", width=10),
    Column("身份证号", "id_number", width=22), Column("服务队伍", "team", width=30),
    Column("来源", "source", width=12), Column("服务内容", "title", width=30), Column("服务日期", "served_on", width=12),
    Column("时长（小时）", "hours", width=12), Column("状态", "status", width=10), Column("审核人", "reviewer", width=12),
    Column("审核意见", "review_note", width=24), Column("撤销原因", "withdrawal_reason", width=24),
]


def hours_export(records: Iterable[ServiceHours], *, full: bool) -> bytes:
    rows = ((r.pk, r.volunteer.name, r.volunteer.id_number if full else mask_id_number(r.volunteer.id_number),
             r.team.name, r.get_source_display(), r.title, r.served_on, r.hours,
             "已撤销" if r.is_withdrawn else r.get_status_display(), str(r.reviewed_by or ""), r.review_note,
             r.withdrawal_reason) for r in records)
    return write_workbook("服务时长", HOURS_COLUMNS, rows)


FIGURE_COLUMNS = [Column("统计维度", "dimension", width=14), Column("名称", "label", width=32),
                  Column("认定时长（小时）", "hours", width=16), Column("活跃志愿者（人）", "volunteers", width=16)]


def figures_export(sections: list[tuple[str, list[Any]]]) -> bytes:
    rows = ((title, r.label, r.hours, r.volunteers) for title, figures in sections for r in figures)
    return write_workbook("志愿服务统计", FIGURE_COLUMNS, rows)
