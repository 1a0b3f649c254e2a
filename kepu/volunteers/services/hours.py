"""Service hours: sign-in hours (from activities), hours an administrator adds, hours from completed
service orders. Each record is approved or declined by a reviewer of its team; approved records are
withdrawn with a reason, never deleted. Totals count approved records that are not withdrawn."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import require, require_reach
from kepu.core.errors import ValidationFailed, WorkflowError, short_text
from kepu.core.models import AuditCategory
from kepu.core.transitions import AlreadyHandled, transition
from kepu.notifications.services import notify
from kepu.volunteers import states
from kepu.volunteers.models import (
    HoursSource,
    HoursStatus,
    MembershipStatus,
    ServiceHours,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)

HOURS_FIELDS = ("volunteer", "team", "source", "activity", "reference", "title", "served_on", "hours", "reason",
                "evidence_note", "status", "reviewed_by", "reviewed_at", "review_note", "withdrawn_at",
                "withdrawal_reason")
MAX_HOURS = Decimal(24)


def clean_hours(value: Any, field: str = "hours") -> Decimal:
    """A positive number of hours in half-hour steps, at most 24 for one record."""
    try:
        hours = Decimal(str(value)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed("时长应为数字（小时）", field) from None
    if hours <= 0 or hours > MAX_HOURS:
        raise ValidationFailed("单条记录的时长应大于 0 且不超过 24 小时", field)
    if hours % Decimal("0.5"):
        raise ValidationFailed("时长以半小时为单位，例如 1.5", field)
    return hours


def _check_member(volunteer: Volunteer, team: VolunteerTeam) -> None:
    served = TeamMembership.objects.filter(volunteer=volunteer, team=team,
                                           status__in=(MembershipStatus.APPROVED, MembershipStatus.LEFT))
    if not served.exists():
        raise ValidationFailed(f"{volunteer.name}不是“{team.name}”的队员", "volunteer")


def _check_day(served_on: datetime.date) -> None:
    if served_on > timezone.localdate():
        raise ValidationFailed("服务日期不能晚于今天", "served_on")


@transaction.atomic
def hours_add(*, actor: Any, volunteer: Volunteer, team: VolunteerTeam, hours: Any, served_on: datetime.date,
              title: str, reason: str, evidence_note: str = "") -> ServiceHours:
    """An administrator (team leader, unit, area, office) adds hours by hand: a source of its own,
    reason required, pending review like every other record."""
    require(actor, "volunteers.hours.add")
    require_reach(actor, "volunteers.hours.add", team)
    amount = clean_hours(hours)
    _check_member(volunteer, team)
    _check_day(served_on)
    if not title.strip():
        raise ValidationFailed("请填写服务内容", "title")
    if not reason.strip():
        raise ValidationFailed("补录时长须说明原因", "reason")
    record = ServiceHours.objects.create(
        volunteer=volunteer, team=team, source=HoursSource.MANUAL, title=title.strip(), served_on=served_on,
        hours=amount, reason=reason.strip(), evidence_note=evidence_note.strip(), created_by=_user(actor),
    )
    audit.record(actor, "volunteers.hours.add", category=AuditCategory.CREATE, obj=record,
                 after=audit.snapshot(record, HOURS_FIELDS))
    return record


def _user(actor: Any) -> Any:
    return actor if getattr(actor, "pk", None) else None


@transaction.atomic
def order_hours_add(*, actor: Any, team: VolunteerTeam, volunteers: Iterable[Any], hours: Any,
                    served_on: datetime.date, reference: str, title: str) -> list[ServiceHours]:
    """Hours for the volunteers who served a completed service order (source 订单服务), pending review.

    Called by the order workflow, which has already checked that `actor` may complete the order; this
    hook checks the data it is given. `volunteers` are Volunteer rows or their user accounts, each an
    approved member of `team`. Calling it again with the same `reference` adds nothing twice.
    """
    amount = clean_hours(hours)
    if not reference.strip():
        raise ValidationFailed("缺少订单编号", "reference")
    _check_day(served_on)
    people = [_as_volunteer(v) for v in volunteers]
    if not people:
        raise ValidationFailed("请至少选择一名服务的志愿者", "volunteers")
    records = []
    for volunteer in dict.fromkeys(people):
        _check_member(volunteer, team)
        record, created = ServiceHours.objects.get_or_create(
            source=HoursSource.ORDER, reference=reference.strip()[:60], volunteer=volunteer,
            defaults={"team": team, "title": title.strip()[:200] or "订单服务", "served_on": served_on,
                      "hours": amount, "created_by": _user(actor)},
        )
        if created:
            audit.record(actor, "volunteers.hours.order", category=AuditCategory.CREATE, obj=record,
                         after=audit.snapshot(record, HOURS_FIELDS))
        records.append(record)
    return records


def _as_volunteer(person: Any) -> Volunteer:
    if isinstance(person, Volunteer):
        return person
    volunteer = Volunteer.objects.filter(user_id=getattr(person, "pk", None)).first()
    if volunteer is None:
        raise ValidationFailed(f"“{person}”没有登记为志愿者", "volunteers")
    return volunteer


def _review(actor: Any, record: ServiceHours, verb: str, note: str) -> ServiceHours:
    action = "volunteers.hours.review"
    require(actor, action)
    require_reach(actor, action, record)
    if record.is_withdrawn:
        raise WorkflowError("该记录已撤销，不能审核")
    if record.volunteer.user_id and record.volunteer.user_id == getattr(actor, "pk", None):
        raise WorkflowError("不能审核本人的服务时长")
    label = HoursStatus(record.status).label
    target = states.next_status(states.HOURS, verb, record.status, label)
    if verb == "decline" and not note.strip():
        raise ValidationFailed("不予认定须填写理由", "note")
    note = short_text(note, label="理由", field="note", max_length=200)
    before = audit.snapshot(record, HOURS_FIELDS)
    # One conditional UPDATE: two reviewers deciding at once get one success and one 已被他人处理.
    transition(record, to=target, actor=actor, action=f"volunteers.hours.{verb}", reviewed_by=_user(actor),
               reviewed_at=timezone.now(), review_note=note)
    audit.record(actor, f"volunteers.hours.{verb}", category=AuditCategory.WORKFLOW, obj=record, before=before,
                 after=audit.snapshot(record, HOURS_FIELDS), reason=record.review_note)
    word = "已认定" if verb == "approve" else "未予认定"
    notify([record.volunteer.user], title=f"您 {record.served_on:%-m月%-d日} 的 {record.hours} 小时服务时长{word}",
           body=record.review_note, link="/volunteer/", kind=f"volunteers.hours.{verb}")
    return record


@transaction.atomic
def hours_approve(*, actor: Any, record: ServiceHours, note: str = "") -> ServiceHours:
    return _review(actor, record, "approve", note)


@transaction.atomic
def hours_decline(*, actor: Any, record: ServiceHours, note: str) -> ServiceHours:
    return _review(actor, record, "decline", note)


@transaction.atomic
def hours_approve_many(*, actor: Any, records: Iterable[ServiceHours]) -> int:
    """Approve each pending record the actor may review; the others are left as they are."""
    approved = 0
    for record in records:
        if record.status != HoursStatus.PENDING or record.is_withdrawn:
            continue
        if record.volunteer.user_id and record.volunteer.user_id == getattr(actor, "pk", None):
            continue
        try:
            _review(actor, record, "approve", "")
        except AlreadyHandled:
            continue  # decided by someone else meanwhile: left as they decided
        approved += 1
    return approved


@transaction.atomic
def hours_withdraw(*, actor: Any, record: ServiceHours, reason: str) -> ServiceHours:
    """Withdraw a record that was entered in error; it stays, marked, and no longer counts."""
    action = "volunteers.hours.withdraw"
    require(actor, action)
    require_reach(actor, action, record)
    if record.is_withdrawn:
        raise WorkflowError("该记录已撤销")
    if record.status == HoursStatus.DECLINED:
        raise WorkflowError("未予认定的记录不计入时长，无须撤销")
    if not reason.strip():
        raise ValidationFailed("撤销须填写原因", "reason")
    before = audit.snapshot(record, HOURS_FIELDS)
    transition(record, to=timezone.now(), status_field="withdrawn_at", actor=actor, action=action,
               withdrawn_by=_user(actor), withdrawal_reason=reason.strip())
    audit.record(actor, action, category=AuditCategory.WITHDRAW, obj=record, before=before,
                 after=audit.snapshot(record, HOURS_FIELDS), reason=record.withdrawal_reason)
    notify([record.volunteer.user], title=f"您 {record.served_on:%-m月%-d日} 的服务时长记录已被撤销",
           body=record.withdrawal_reason, link="/volunteer/", kind="volunteers.hours.withdraw")
    return record
