"""Volunteers and their teams (C4). The order workflow (kepu.service_orders) refers to teams and
volunteers through kepu.volunteers.public; activities, hours and stars live here too."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kepu.core.access import ScopeRule
from kepu.core.models import TimeStampedModel, Withdrawable
from kepu.core.protected import DigestField, ProtectedField


class TeamLevel(models.TextChoices):
    DETACHMENT = "detachment", "支队"
    BRIGADE = "brigade", "大队"
    SQUAD = "squad", "分队"


class VolunteerTeam(TimeStampedModel):
    """A 科技志愿服务队 in the 支队 / 大队 / 分队 hierarchy, under a unit and serving an area."""

    name = models.CharField("队伍名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=12, choices=TeamLevel.choices, default=TeamLevel.SQUAD)
    parent = models.ForeignKey("self", verbose_name="上级队伍", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="children")
    unit = models.ForeignKey("org.Unit", verbose_name="所属单位", on_delete=models.PROTECT, related_name="teams")
    region = models.ForeignKey("org.Region", verbose_name="服务区域", on_delete=models.PROTECT, related_name="+")
    # "/3/17/": every ancestor team's id, for "this team and the teams under it".
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    is_active = models.BooleanField("启用", default=True)

    scope_rule = ScopeRule(unit="unit", region="region", team="")

    class Meta:
        verbose_name = "科技志愿服务队"
        verbose_name_plural = "科技志愿服务队"
        ordering = ["path", "name"]

    def __str__(self) -> str:
        return self.name


class Volunteer(TimeStampedModel):
    """A real-name 科技志愿者. ID number and phone are personal data: encrypted at rest, compared through
    their digests, shown masked unless the role may."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="volunteer")
    name = models.CharField("姓名", max_length=50)
    id_number = ProtectedField("身份证号")
    id_number_digest = DigestField(source="id_number", kind="id_number", unique=True)
    phone = ProtectedField("手机号")
    phone_digest = DigestField(source="phone", kind="phone", db_index=True)
    region = models.ForeignKey("org.Region", verbose_name="所在区域", on_delete=models.PROTECT, related_name="+")
    skills = models.CharField("专长", max_length=200, blank=True)
    is_active = models.BooleanField("在册", default=True)
    phone_verified_at = models.DateTimeField("手机号验证时间", null=True, blank=True)

    scope_rule = ScopeRule(region="region", owner="user", units=("memberships__team__unit",),
                           teams=("memberships__team",))

    class Meta:
        verbose_name = "科技志愿者"
        verbose_name_plural = "科技志愿者"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已加入"
    REJECTED = "rejected", "未通过"
    LEFT = "left", "已退出"


class TeamMembership(TimeStampedModel):
    """A volunteer's place in a team; joining needs the team's approval."""

    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="memberships")
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="memberships")
    status = models.CharField("状态", max_length=12, choices=MembershipStatus.choices,
                              default=MembershipStatus.PENDING)
    is_leader = models.BooleanField("队长", default=False)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)

    scope_rule = ScopeRule(unit="team__unit", region="team__region", owner="volunteer__user", team="team")

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = "队员"
        constraints = [models.UniqueConstraint(fields=["volunteer", "team"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.team}"


# ---------------------------------------------------------------- activities and sign-in

class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "正常"
    CANCELLED = "cancelled", "已取消"


class Activity(TimeStampedModel):
    """A 志愿服务活动 of one team, with a 6-digit sign-in code and a QR token for signing in and out."""

    team = models.ForeignKey(VolunteerTeam, verbose_name="组织队伍", on_delete=models.PROTECT,
                             related_name="activities")
    title = models.CharField("活动名称", max_length=120)
    description = models.TextField("活动内容", blank=True)
    place = models.CharField("活动地点", max_length=120)
    region = models.ForeignKey("org.Region", verbose_name="活动区域", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")
    sign_code = models.CharField("签到码", max_length=6, unique=True)
    qr_token = models.CharField(max_length=32, unique=True, editable=False)
    status = models.CharField("状态", max_length=12, choices=ActivityStatus.choices, default=ActivityStatus.PLANNED)
    cancel_reason = models.CharField("取消原因", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")

    scope_rule = ScopeRule(unit="team__unit", region="team__region", owner="created_by", team="team")

    class Meta:
        verbose_name = "志愿服务活动"
        verbose_name_plural = "志愿服务活动"
        ordering = ["-starts_at", "-id"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")),
                                              name="activity_ends_after_start")]
        indexes = [models.Index(fields=["team", "-starts_at"], name="activity_team_time")]

    def __str__(self) -> str:
        return self.title


class SignChannel(models.TextChoices):
    CODE = "code", "签到码"
    QR = "qr", "扫码"


class Attendance(models.Model):
    """One volunteer's sign-in and sign-out at one activity; the sign-out produces a ServiceHours record."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="attendances")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="attendances")
    signed_in_at = models.DateTimeField("签到时间")
    signed_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    channel = models.CharField("方式", max_length=8, choices=SignChannel.choices, default=SignChannel.CODE)

    scope_rule = ScopeRule(unit="activity__team__unit", region="activity__team__region", owner="volunteer__user",
                           team="activity__team")

    class Meta:
        verbose_name = "签到记录"
        verbose_name_plural = "签到记录"
        ordering = ["signed_in_at", "id"]
        constraints = [models.UniqueConstraint(fields=["activity", "volunteer"], name="one_attendance_per_activity")]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.activity}"


# ---------------------------------------------------------------- service hours

class HoursSource(models.TextChoices):
    SIGN_IN = "sign_in", "活动签到"
    MANUAL = "manual", "管理员补录"
    ORDER = "order", "订单服务"


class HoursStatus(models.TextChoices):
    PENDING = "pending", "待审核"
    APPROVED = "approved", "已认定"
    DECLINED = "declined", "未认定"


class ServiceHours(TimeStampedModel, Withdrawable):
    """One record of 志愿服务时长. Sign-in, administrator-added and order-service hours are distinct
    sources; each record is approved or declined, and withdrawn with a reason — never deleted.
    Totals count approved records that are not withdrawn."""

    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT,
                                  related_name="hours_records")
    team = models.ForeignKey(VolunteerTeam, verbose_name="服务队伍", on_delete=models.PROTECT,
                             related_name="hours_records")
    source = models.CharField("来源", max_length=10, choices=HoursSource.choices)
    activity = models.ForeignKey(Activity, verbose_name="活动", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="hours_records")
    attendance = models.OneToOneField(Attendance, null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="hours_record")
    # The order workflow's reference ("service_orders.order:123"); makes its hook idempotent.
    reference = models.CharField("来源编号", max_length=60, blank=True)
    title = models.CharField("服务内容", max_length=200)
    served_on = models.DateField("服务日期")
    hours = models.DecimalField("时长（小时）", max_digits=6, decimal_places=1)
    reason = models.TextField("补录原因", blank=True)
    evidence_note = models.TextField("佐证说明", blank=True)
    status = models.CharField("状态", max_length=10, choices=HoursStatus.choices, default=HoursStatus.PENDING)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=200, blank=True)

    scope_rule = ScopeRule(unit="team__unit", region="team__region", owner="volunteer__user", team="team")

    class Meta:
        verbose_name = "志愿服务时长"
        verbose_name_plural = "志愿服务时长"
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(hours__gt=0, hours__lte=24), name="hours_between_0_and_24"),
            models.UniqueConstraint(fields=["source", "reference", "volunteer"], condition=~models.Q(reference=""),
                                    name="one_hours_record_per_reference"),
        ]
        indexes = [
            models.Index(fields=["status", "served_on"], name="hours_status_day"),
            models.Index(fields=["volunteer", "status"], name="hours_volunteer_status"),
            # The hours list's own order, so a page is read off the index instead of sorting every record.
            models.Index(fields=["-served_on", "-id"], name="hours_day_id"),
            # The figures' grouped sums over a year of counted hours, read off the index alone.
            models.Index(fields=["served_on"], name="hours_counted_figures",
                         include=["team", "volunteer", "hours"],
                         condition=models.Q(status="approved", withdrawn_at=None)),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.served_on} {self.hours}h"

    @property
    def counts(self) -> bool:
        """Whether the record counts towards totals."""
        return self.status == HoursStatus.APPROVED and self.withdrawn_at is None


# ---------------------------------------------------------------- star levels and certificates

class StarLevel(models.IntegerChoices):
    ONE = 1, "一星"
    TWO = 2, "二星"
    THREE = 3, "三星"
    FOUR = 4, "四星"
    FIVE = 5, "五星"


class StarStatus(models.TextChoices):
    SUBMITTED = "submitted", "待审核"
    RETURNED = "returned", "已退回"
    CANCELLED = "cancelled", "已撤回"
    IN_NOTICE = "in_notice", "公示中"
    REJECTED = "rejected", "不予认定"
    CERTIFIED = "certified", "已发证"


OPEN_STAR_STATUSES = (StarStatus.SUBMITTED, StarStatus.IN_NOTICE)


class StarApplication(TimeStampedModel):
    """A volunteer's application for a star level; reviewed by the unit of the chosen team, then a public
    notice of at least five working days, then a certificate."""

    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT,
                                  related_name="star_applications")
    team = models.ForeignKey(VolunteerTeam, verbose_name="申报队伍", on_delete=models.PROTECT,
                             related_name="star_applications")
    level = models.PositiveSmallIntegerField("申请星级", choices=StarLevel.choices)
    hours_at_application = models.DecimalField("申请时认定时长", max_digits=8, decimal_places=1)
    statement = models.TextField("个人陈述", blank=True)
    status = models.CharField("状态", max_length=12, choices=StarStatus.choices, default=StarStatus.SUBMITTED)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    notice_starts_on = models.DateField("公示开始", null=True, blank=True)
    notice_ends_on = models.DateField("公示结束", null=True, blank=True)

    scope_rule = ScopeRule(unit="team__unit", region="team__region", owner="volunteer__user", team="team")

    class Meta:
        verbose_name = "星级认定申请"
        verbose_name_plural = "星级认定申请"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["volunteer"], condition=models.Q(status__in=OPEN_STAR_STATUSES),
                                    name="one_open_star_application"),
            models.UniqueConstraint(fields=["volunteer", "level"], condition=models.Q(status="certified"),
                                    name="one_certificate_per_star_level"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.get_level_display()}"


class ObjectionStatus(models.TextChoices):
    OPEN = "open", "待处理"
    UPHELD = "upheld", "异议成立"
    DISMISSED = "dismissed", "异议不成立"


class StarObjection(models.Model):
    """An objection anyone files against a star application during its public notice."""

    application = models.ForeignKey(StarApplication, on_delete=models.PROTECT, related_name="objections")
    name = models.CharField("异议人", max_length=50)
    phone = ProtectedField("联系电话")
    text = models.TextField("异议内容")
    created_at = models.DateTimeField("提出时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handling_note = models.CharField("处理意见", max_length=300, blank=True)

    scope_rule = ScopeRule(unit="application__team__unit", region="application__team__region")

    class Meta:
        verbose_name = "公示异议"
        verbose_name_plural = "公示异议"
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.application} · {self.name}"


class Certificate(TimeStampedModel, Withdrawable):
    """The printable star certificate; anyone can check its verification code on the portal."""

    application = models.OneToOneField(StarApplication, on_delete=models.PROTECT, related_name="certificate")
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT,
                                  related_name="certificates")
    level = models.PositiveSmallIntegerField("星级", choices=StarLevel.choices)
    hours = models.DecimalField("认定时长", max_digits=8, decimal_places=1)
    code = models.CharField("查验码", max_length=20, unique=True)
    issued_on = models.DateField("发证日期")
    issuing_unit = models.ForeignKey("org.Unit", verbose_name="发证单位", on_delete=models.PROTECT, related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")

    scope_rule = ScopeRule(unit="application__team__unit", region="application__team__region",
                           owner="volunteer__user")

    class Meta:
        verbose_name = "星级证书"
        verbose_name_plural = "星级证书"
        ordering = ["-issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.volunteer} {self.get_level_display()}志愿者证书"
