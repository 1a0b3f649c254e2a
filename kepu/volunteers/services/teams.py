"""Teams in the 支队 / 大队 / 分队 hierarchy, and memberships: a volunteer applies, the team's leader
(or the unit, area or office) approves or rejects; leaders are appointed by administrators."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import deny, forget, require, require_reach, scoped
from kepu.core.errors import ValidationFailed, WorkflowError, short_text
from kepu.core.models import AuditCategory
from kepu.core.transitions import save_if_unchanged, transition
from kepu.notifications.services import notify
from kepu.org.public import Region, Unit
from kepu.volunteers import states
from kepu.volunteers.models import MembershipStatus, TeamLevel, TeamMembership, Volunteer, VolunteerTeam

TEAM_FIELDS = ("name", "level", "parent", "unit", "region", "is_active")
MEMBERSHIP_FIELDS = ("volunteer", "team", "status", "is_leader", "reviewed_by", "reviewed_at", "review_note")
LEVEL_ORDER = {TeamLevel.DETACHMENT: 0, TeamLevel.BRIGADE: 1, TeamLevel.SQUAD: 2}


def team_path(team: VolunteerTeam) -> str:
    return f"{team.parent.path if team.parent_id else '/'}{team.pk}/"


def check_level(level: str, parent_level: str | None) -> str | None:
    """Why a team of `level` cannot sit under a team of `parent_level`, or None when it can."""
    if parent_level is None:
        return None
    if LEVEL_ORDER[TeamLevel(level)] <= LEVEL_ORDER[TeamLevel(parent_level)]:
        return f"{TeamLevel(level).label}不能隶属于{TeamLevel(parent_level).label}（层级：支队 > 大队 > 分队）"
    return None


def _check_team(team: VolunteerTeam) -> None:
    if not team.name.strip():
        raise ValidationFailed("队伍名称不能为空", "name")
    clash = VolunteerTeam.objects.filter(name=team.name.strip()).exclude(pk=team.pk)
    if clash.exists():
        raise ValidationFailed(f"队伍“{team.name}”已存在", "name")
    if team.parent_id:
        if team.pk and team.parent.path.startswith(team.path or "\0"):
            raise ValidationFailed("上级队伍不能是本队或其下级队伍", "parent")
        problem = check_level(team.level, team.parent.level)
        if problem:
            raise ValidationFailed(problem, "parent")


def _require_placement(actor: Any, unit: Unit, region: Region) -> None:
    """An area administrator places teams only in the own area, under units of that area."""
    action = "volunteers.team.change"
    if not scoped(Region.objects.filter(pk=region.pk), actor, action).exists():
        deny(actor, action, obj=region)
    if not scoped(Unit.objects.filter(pk=unit.pk), actor, action).exists():
        deny(actor, action, obj=unit)


@transaction.atomic
def team_create(*, actor: Any, name: str, level: str, unit: Unit, region: Region,
                parent: VolunteerTeam | None = None) -> VolunteerTeam:
    require(actor, "volunteers.team.change")
    _require_placement(actor, unit, region)
    if parent is not None:
        require_reach(actor, "volunteers.team.view", parent)
    team = VolunteerTeam(name=name.strip(), level=level, unit=unit, region=region, parent=parent)
    _check_team(team)
    team.save()
    team.path = team_path(team)
    team.save(update_fields=["path"])
    audit.record(actor, "volunteers.team.create", category=AuditCategory.CREATE, obj=team,
                 after=audit.snapshot(team, TEAM_FIELDS))
    return team


@transaction.atomic
def team_update(*, actor: Any, team: VolunteerTeam, edit_token: str = "", **changes: Any) -> VolunteerTeam:
    require(actor, "volunteers.team.change")
    require_reach(actor, "volunteers.team.change", team)
    before = audit.snapshot(team, TEAM_FIELDS)
    for field, value in changes.items():
        setattr(team, field, value.strip() if isinstance(value, str) else value)
    _check_team(team)
    _require_placement(actor, team.unit, team.region)
    old_path, team.path = team.path, team_path(team)
    save_if_unchanged(team, edit_token, actor=actor, action="volunteers.team.change")
    if old_path != team.path:
        move_subtree(old_path, team.path)
    after = audit.snapshot(team, TEAM_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "volunteers.team.update", obj=team, before=before, after=after)
    return team


def move_subtree(old: str, new: str) -> None:
    rows = list(VolunteerTeam.objects.filter(path__startswith=old).exclude(path=new))
    for row in rows:
        row.path = new + row.path[len(old):]
    VolunteerTeam.objects.bulk_update(rows, ["path"], batch_size=1000)


@transaction.atomic
def team_deactivate(*, actor: Any, team: VolunteerTeam, reason: str) -> VolunteerTeam:
    """Teams are never deleted (hours and orders refer to them): they are deactivated with a reason."""
    require(actor, "volunteers.team.change")
    require_reach(actor, "volunteers.team.change", team)
    if not reason.strip():
        raise ValidationFailed("停用队伍须填写原因", "reason")
    if team.children.filter(is_active=True).exists():
        raise ValidationFailed("请先停用其下级队伍", "reason")
    before = audit.snapshot(team, TEAM_FIELDS)
    team.is_active = False
    team.save(update_fields=["is_active", "updated_at"])
    audit.record(actor, "volunteers.team.deactivate", category=AuditCategory.WITHDRAW, obj=team, before=before,
                 after=audit.snapshot(team, TEAM_FIELDS), reason=reason.strip())
    return team


# ---------------------------------------------------------------- memberships

def _actor_volunteer(actor: Any) -> Volunteer:
    volunteer = Volunteer.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if volunteer is None:
        raise ValidationFailed("请先完成志愿者实名登记")
    if not volunteer.is_active:
        raise ValidationFailed("您的志愿者登记已停用，请联系所在队伍")
    return volunteer


@transaction.atomic
def membership_apply(*, actor: Any, team: VolunteerTeam, note: str = "") -> TeamMembership:
    """The signed-in volunteer asks to join a team; the team's leaders are told."""
    require(actor, "volunteers.membership.apply")
    volunteer = _actor_volunteer(actor)
    if not team.is_active:
        raise ValidationFailed("该队伍已停用")
    membership = TeamMembership.objects.select_for_update().filter(volunteer=volunteer, team=team).first()
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS) if membership else None
    if membership is None:
        membership = TeamMembership(volunteer=volunteer, team=team, status=MembershipStatus.PENDING)
    else:
        label = MembershipStatus(membership.status).label
        membership.status = states.next_status(states.MEMBERSHIP, "apply", membership.status, label)
        membership.is_leader, membership.reviewed_by, membership.reviewed_at = False, None, None
    membership.review_note = short_text(note, label="申请说明", field="note", max_length=200)
    membership.save()
    audit.record(actor, "volunteers.membership.apply", category=AuditCategory.WORKFLOW, obj=membership,
                 before=before, after=audit.snapshot(membership, MEMBERSHIP_FIELDS))
    notify(team_leader_users(team), title=f"{volunteer.name}申请加入{team.name}",
           link=f"/office/volunteers/teams/{team.pk}/", kind="volunteers.membership.apply")
    return membership


def team_leader_users(team: VolunteerTeam) -> list[Any]:
    """The accounts of the leaders of this team and of the teams above it."""
    ancestors = [int(pk) for pk in team.path.strip("/").split("/") if pk]
    rows = TeamMembership.objects.filter(team_id__in=ancestors or [team.pk], is_leader=True,
                                         status=MembershipStatus.APPROVED).select_related("volunteer__user")
    return [m.volunteer.user for m in rows if m.volunteer.user_id]


def _review(actor: Any, membership: TeamMembership, verb: str, note: str) -> TeamMembership:
    action = "volunteers.membership.review"
    require(actor, action)
    require_reach(actor, action, membership)
    target = states.next_status(states.MEMBERSHIP, verb, membership.status,
                                MembershipStatus(membership.status).label)
    if verb == "reject" and not note.strip():
        raise ValidationFailed("不予通过须填写理由", "note")
    note = short_text(note, label="理由", field="note", max_length=200)
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    transition(membership, to=target, actor=actor, action=f"volunteers.membership.{verb}",
               reviewed_by=_user(actor), reviewed_at=timezone.now(), review_note=note)
    audit.record(actor, f"volunteers.membership.{verb}", category=AuditCategory.WORKFLOW, obj=membership,
                 before=before, after=audit.snapshot(membership, MEMBERSHIP_FIELDS), reason=membership.review_note)
    word = "已通过" if verb == "approve" else "未通过"
    notify([membership.volunteer.user], title=f"您加入{membership.team.name}的申请{word}",
           body=membership.review_note, link="/volunteer/", kind=f"volunteers.membership.{verb}")
    return membership


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def membership_approve(*, actor: Any, membership: TeamMembership, note: str = "") -> TeamMembership:
    return _review(actor, membership, "approve", note)


@transaction.atomic
def membership_reject(*, actor: Any, membership: TeamMembership, note: str) -> TeamMembership:
    return _review(actor, membership, "reject", note)


@transaction.atomic
def membership_leave(*, actor: Any, membership: TeamMembership, reason: str = "") -> TeamMembership:
    """A volunteer leaves a team (or withdraws a request); an administrator may also remove a member."""
    own = membership.volunteer.user_id is not None and membership.volunteer.user_id == getattr(actor, "pk", None)
    if not own:
        require(actor, "volunteers.team.change")
        require_reach(actor, "volunteers.team.change", membership.team)
        if not reason.strip():
            raise ValidationFailed("移出队员须填写原因", "reason")
    target = states.next_status(states.MEMBERSHIP, "leave", membership.status,
                                MembershipStatus(membership.status).label)
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    transition(membership, to=target, actor=actor, action="volunteers.membership.leave", is_leader=False)
    audit.record(actor, "volunteers.membership.leave", category=AuditCategory.WORKFLOW, obj=membership,
                 before=before, after=audit.snapshot(membership, MEMBERSHIP_FIELDS), reason=reason.strip())
    return membership


@transaction.atomic
def membership_set_leader(*, actor: Any, membership: TeamMembership, is_leader: bool) -> TeamMembership:
    """Appoint or remove a team leader; only an approved member with an account can lead."""
    require(actor, "volunteers.team.change")
    require_reach(actor, "volunteers.team.change", membership.team)
    if is_leader and membership.status != MembershipStatus.APPROVED:
        raise WorkflowError("只有已加入的队员才能担任队长")
    if is_leader and not membership.volunteer.user_id:
        raise ValidationFailed("该队员尚无登录账号，不能担任队长")
    if membership.is_leader == is_leader:
        return membership
    before = audit.snapshot(membership, MEMBERSHIP_FIELDS)
    membership.is_leader = is_leader
    membership.save(update_fields=["is_leader", "updated_at"])
    audit.record(actor, "volunteers.membership.leader", category=AuditCategory.PERMISSION, obj=membership,
                 before=before, after=audit.snapshot(membership, MEMBERSHIP_FIELDS))
    forget(membership.volunteer.user)
    return membership
