"""Volunteers and their teams (C4). The order workflow (kepu.service_orders) refers to teams and
volunteers through kepu.volunteers.public; activities, hours and stars live here too."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kepu.core.access import ScopeRule
from kepu.core.models import TimeStampedModel


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

    scope_rule = ScopeRule(unit="unit", region="region")

    class Meta:
        verbose_name = "科技志愿服务队"
        verbose_name_plural = "科技志愿服务队"
        ordering = ["path", "name"]

    def __str__(self) -> str:
        return self.name


class Volunteer(TimeStampedModel):
    """A real-name 科技志愿者. ID number and phone are personal data: shown masked unless the role may."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, verbose_name="账号", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="volunteer")
    name = models.CharField("姓名", max_length=50)
    id_number = models.CharField("身份证号", max_length=18, unique=True)
    phone = models.CharField("手机号", max_length=20)
    region = models.ForeignKey("org.Region", verbose_name="所在区域", on_delete=models.PROTECT, related_name="+")
    skills = models.CharField("专长", max_length=200, blank=True)
    is_active = models.BooleanField("在册", default=True)

    scope_rule = ScopeRule(region="region", owner="user", units=("memberships__team__unit",))

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

    scope_rule = ScopeRule(unit="team__unit", region="team__region", owner="volunteer__user")

    class Meta:
        verbose_name = "队员"
        verbose_name_plural = "队员"
        constraints = [models.UniqueConstraint(fields=["volunteer", "team"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.volunteer} @ {self.team}"
