"""Activities and signing in and out of them.

Each activity gets a random 6-digit sign-in code and a QR token. A volunteer who is an approved member
of the activity's team (or of a team under it) enters the code, or opens the QR address, once to sign
in and once more to sign out. The sign-out yields a ServiceHours record of source 活动签到, pending
review: sign-out − sign-in, to the nearest half hour, at most the activity's length.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone

from kepu.core import audit
from kepu.core.access import require, require_reach
from kepu.core.errors import ValidationFailed, WorkflowError, short_text
from kepu.core.models import AuditCategory
from kepu.core.transitions import transition
from kepu.org.public import Region
from kepu.volunteers import rules
from kepu.volunteers.models import (
    Activity,
    ActivityStatus,
    Attendance,
    HoursSource,
    MembershipStatus,
    ServiceHours,
    SignChannel,
    TeamMembership,
    Volunteer,
    VolunteerTeam,
)
from kepu.volunteers.services.hours import HOURS_FIELDS

ACTIVITY_FIELDS = ("team", "title", "place", "region", "starts_at", "ends_at", "status", "cancel_reason")
MAX_LENGTH = datetime.timedelta(hours=24)
WRONG_CODES_ALLOWED = 10
WRONG_CODE_WINDOW = 15 * 60  # seconds


def _check_times(starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed("结束时间应晚于开始时间", "ends_at")
    if ends_at - starts_at > MAX_LENGTH:
        raise ValidationFailed("单次活动不超过 24 小时；多日活动请按天分别发布", "ends_at")


def _unique_codes(activity: Activity) -> None:
    """Save the activity with a fresh sign-in code and QR token, retrying on the rare collision."""
    for _ in range(20):
        activity.sign_code, activity.qr_token = rules.new_sign_code(), rules.new_qr_token()
        try:
            with transaction.atomic():
                activity.save()
            return
        except IntegrityError:
            if Activity.objects.filter(sign_code=activity.sign_code).exists() or \
                    Activity.objects.filter(qr_token=activity.qr_token).exists():
                continue
            raise
    raise ValidationFailed("签到码生成失败，请重试")


@transaction.atomic
def activity_create(*, actor: Any, team: VolunteerTeam, title: str, place: str, region: Region,
                    starts_at: datetime.datetime, ends_at: datetime.datetime, description: str = "") -> Activity:
    require(actor, "volunteers.activity.manage")
    require_reach(actor, "volunteers.activity.manage", team)
    if not team.is_active:
        raise ValidationFailed("该队伍已停用", "team")
    if not title.strip():
        raise ValidationFailed("请填写活动名称", "title")
    if not place.strip():
        raise ValidationFailed("请填写活动地点", "place")
    _check_times(starts_at, ends_at)
    activity = Activity(team=team, title=title.strip(), place=place.strip(), region=region, starts_at=starts_at,
                        ends_at=ends_at, description=description.strip(),
                        created_by=actor if getattr(actor, "pk", None) else None)
    _unique_codes(activity)
    audit.record(actor, "volunteers.activity.create", category=AuditCategory.CREATE, obj=activity,
                 after=audit.snapshot(activity, ACTIVITY_FIELDS))
    return activity


@transaction.atomic
def activity_update(*, actor: Any, activity: Activity, **changes: Any) -> Activity:
    """Edit an activity; its times are fixed once someone has signed in."""
    require(actor, "volunteers.activity.manage")
    require_reach(actor, "volunteers.activity.manage", activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise WorkflowError("活动已取消，不能修改")
    before = audit.snapshot(activity, ACTIVITY_FIELDS)
    started = activity.attendances.exists()
    for field, value in changes.items():
        if field in ("starts_at", "ends_at") and started and value != getattr(activity, field):
            raise ValidationFailed("已有志愿者签到，不能再修改活动时间", field)
        setattr(activity, field, value.strip() if isinstance(value, str) else value)
    _check_times(activity.starts_at, activity.ends_at)
    activity.save()
    after = audit.snapshot(activity, ACTIVITY_FIELDS)
    if audit.diff(before, after):
        audit.record(actor, "volunteers.activity.update", obj=activity, before=before, after=after)
    return activity


@transaction.atomic
def activity_cancel(*, actor: Any, activity: Activity, reason: str) -> Activity:
    require(actor, "volunteers.activity.manage")
    require_reach(actor, "volunteers.activity.manage", activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise WorkflowError("活动已取消")
    if activity.attendances.exists():
        raise WorkflowError("已有志愿者签到，不能取消活动")
    if not reason.strip():
        raise ValidationFailed("取消活动须填写原因", "reason")
    reason = short_text(reason, label="取消原因", field="reason", max_length=200)
    before = audit.snapshot(activity, ACTIVITY_FIELDS)
    transition(activity, to=ActivityStatus.CANCELLED, actor=actor, action="volunteers.activity.cancel",
               cancel_reason=reason)
    audit.record(actor, "volunteers.activity.cancel", category=AuditCategory.WITHDRAW, obj=activity,
                 before=before, after=audit.snapshot(activity, ACTIVITY_FIELDS), reason=activity.cancel_reason)
    return activity


@transaction.atomic
def activity_new_code(*, actor: Any, activity: Activity) -> Activity:
    """Replace a sign-in code and QR address that got out (the old ones stop working at once)."""
    require(actor, "volunteers.activity.manage")
    require_reach(actor, "volunteers.activity.manage", activity)
    old = activity.sign_code
    _unique_codes(activity)
    audit.record(actor, "volunteers.activity.new_code", obj=activity, reason=f"更换签到码（原 {old[:2]}****）")
    return activity


# ---------------------------------------------------------------- signing in and out

@dataclass(frozen=True)
class SignResult:
    step: str  # "in" or "out"
    attendance: Attendance
    hours: ServiceHours | None = None

    @property
    def detail(self) -> str:
        """The line under the 签到成功 / 签退成功 heading."""
        if self.step == "in":
            return f"签到时间 {timezone.localtime(self.attendance.signed_in_at):%H:%M}"
        if self.hours is None:
            return "本次服务不足半小时，不计时长。"
        return f"本次服务 {self.hours.hours} 小时，待队伍审核后计入累计时长。"

    @property
    def message(self) -> str:
        if self.step == "in":
            return f"签到成功：{self.attendance.activity.title}，{timezone.localtime(self.attendance.signed_in_at):%H:%M}"
        if self.hours is None:
            return "签退成功。本次服务不足半小时，不计时长。"
        return f"签退成功：本次服务 {self.hours.hours} 小时，待队伍审核后计入。"


class EarlySignOut(WorkflowError):
    """A sign-out sooner than KEPU_SIGN_OUT_MIN_MINUTES after the sign-in, not confirmed: nothing changed."""

    def __init__(self, minutes: int) -> None:
        super().__init__(f"您刚签到 {minutes} 分钟，确定签退吗？签退后本次活动不能再签到。")
        self.minutes = minutes


def _throttle_key(actor: Any) -> str:
    return f"volunteers:wrong-sign-code:{getattr(actor, 'pk', 'anon')}"


def activity_by_code(*, actor: Any, code: str) -> Activity:
    """The open activity with this sign-in code; wrong codes are counted per person and limited."""
    key = _throttle_key(actor)
    if cache.get(key, 0) >= WRONG_CODES_ALLOWED:
        raise ValidationFailed("签到码错误次数过多，请 15 分钟后再试", "code")
    code = (code or "").strip()
    activity = Activity.objects.select_related("team").filter(sign_code=code, status=ActivityStatus.PLANNED).first() \
        if code.isdigit() and len(code) == 6 else None
    if activity is None:
        cache.add(key, 0, WRONG_CODE_WINDOW)
        cache.incr(key)
        raise ValidationFailed("签到码不正确，请核对活动现场公布的 6 位数字", "code")
    return activity


def activity_by_qr(*, token: str) -> Activity | None:
    return Activity.objects.select_related("team", "region").filter(qr_token=token).first()


def _volunteer(actor: Any) -> Volunteer:
    volunteer = Volunteer.objects.filter(user_id=getattr(actor, "pk", None)).first()
    if volunteer is None:
        raise ValidationFailed("请先完成志愿者实名登记")
    if not volunteer.is_active:
        raise ValidationFailed("您的志愿者登记已停用，请联系所在队伍")
    return volunteer


def is_activity_member(volunteer: Volunteer, activity: Activity) -> bool:
    """An approved member of the activity's team or of a team under it."""
    return TeamMembership.objects.filter(volunteer=volunteer, status=MembershipStatus.APPROVED,
                                         team__path__startswith=activity.team.path).exists()


@transaction.atomic
def attendance_sign(*, actor: Any, activity: Activity, channel: str = SignChannel.CODE,
                    now: datetime.datetime | None = None, confirm_early: bool = False) -> SignResult:
    """Sign in (first time) or sign out (second time) of an activity. A sign-out within the minimum
    interval after the sign-in raises EarlySignOut unless `confirm_early` says the volunteer confirmed."""
    require(actor, "volunteers.attendance.sign")
    volunteer = _volunteer(actor)
    now = now or timezone.now()
    if activity.status != ActivityStatus.PLANNED:
        raise WorkflowError("活动已取消")
    if not is_activity_member(volunteer, activity):
        raise ValidationFailed(f"您不是“{activity.team.name}”的队员，不能签到。请先在“我的志愿服务”中申请入队。")
    attendance = Attendance.objects.select_for_update().filter(activity=activity, volunteer=volunteer).first()
    if attendance is None:
        return _sign_in(actor, activity, volunteer, channel, now)
    if attendance.signed_out_at is not None:
        raise WorkflowError("您已完成本次活动的签到和签退")
    minutes = int((now - attendance.signed_in_at).total_seconds() // 60)
    if minutes < settings.KEPU_SIGN_OUT_MIN_MINUTES and not confirm_early:
        raise EarlySignOut(max(minutes, 0))
    return _sign_out(actor, activity, attendance, now)


def attendance_of(*, actor: Any, activity: Activity) -> Attendance | None:
    """The actor's own sign-in at this activity, if any (for the confirmation page)."""
    return Attendance.objects.filter(activity=activity, volunteer__user_id=getattr(actor, "pk", None)).first()


def early_minutes(attendance: Attendance | None, now: datetime.datetime | None = None) -> int | None:
    """Minutes since the sign-in while a sign-out would still need confirming; None otherwise."""
    if attendance is None or attendance.signed_out_at is not None:
        return None
    minutes = int(((now or timezone.now()) - attendance.signed_in_at).total_seconds() // 60)
    return max(minutes, 0) if minutes < settings.KEPU_SIGN_OUT_MIN_MINUTES else None


def _sign_in(actor: Any, activity: Activity, volunteer: Volunteer, channel: str,
             now: datetime.datetime) -> SignResult:
    if now < activity.starts_at - rules.SIGN_IN_OPENS_BEFORE:
        opens = timezone.localtime(activity.starts_at - rules.SIGN_IN_OPENS_BEFORE)
        raise WorkflowError(f"签到尚未开始：活动开始前 1 小时（{opens:%-m月%-d日 %H:%M}）起可签到")
    if now > activity.ends_at:
        raise WorkflowError("活动已结束，不能签到；如确有服务，请联系队长补录时长")
    attendance = Attendance.objects.create(activity=activity, volunteer=volunteer, signed_in_at=now,
                                           channel=channel if channel in SignChannel.values else SignChannel.CODE)
    audit.record(actor, "volunteers.attendance.sign_in", category=AuditCategory.CREATE, obj=attendance,
                 after={"activity": activity.pk, "signed_in_at": now, "channel": attendance.channel})
    return SignResult("in", attendance)


def _sign_out(actor: Any, activity: Activity, attendance: Attendance, now: datetime.datetime) -> SignResult:
    if now > activity.ends_at + rules.SIGN_OUT_CLOSES_AFTER:
        raise WorkflowError("已超过签退时限（活动结束后 2 小时），请联系队长补录时长")
    attendance.signed_out_at = max(now, attendance.signed_in_at)
    attendance.save(update_fields=["signed_out_at"])
    hours = rules.attendance_hours(signed_in_at=attendance.signed_in_at, signed_out_at=attendance.signed_out_at,
                                   starts_at=activity.starts_at, ends_at=activity.ends_at)
    record = None
    if hours > 0:
        record = ServiceHours.objects.create(
            volunteer=attendance.volunteer, team=activity.team, source=HoursSource.SIGN_IN, activity=activity,
            attendance=attendance, title=activity.title, served_on=timezone.localdate(attendance.signed_in_at),
            hours=hours, created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit.record(actor, "volunteers.hours.sign_in", category=AuditCategory.CREATE, obj=record,
                     after=audit.snapshot(record, HOURS_FIELDS))
    audit.record(actor, "volunteers.attendance.sign_out", obj=attendance,
                 after={"activity": activity.pk, "signed_out_at": attendance.signed_out_at, "hours": hours})
    return SignResult("out", attendance, record)
