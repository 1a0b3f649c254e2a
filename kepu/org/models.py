"""Regions, units and their aliases, people and their roles (C1)."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from kepu.core.access import AccessProfile, ScopeRule
from kepu.core.models import TimeStampedModel
from kepu.core.protected import ProtectedField
from kepu.core.roles import Role


class RegionLevel(models.TextChoices):
    CITY = "city", "市"
    DISTRICT = "district", "区/县"
    TOWN = "town", "乡镇/街道"
    COMMUNITY = "community", "社区/村"


LEVEL_DEPTH = {RegionLevel.CITY: 0, RegionLevel.DISTRICT: 1, RegionLevel.TOWN: 2, RegionLevel.COMMUNITY: 3}


class Region(TimeStampedModel):
    """A node of the area tree, keyed by its 12-digit national statistical division code."""

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=60)
    level = models.CharField("层级", max_length=12, choices=RegionLevel.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级区划", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # "/320583000000/320583102000/": every ancestor's code, so a subtree is one prefix match.
    path = models.CharField(max_length=160, db_index=True, editable=False)
    is_active = models.BooleanField("启用", default=True)

    scope_rule = ScopeRule(region="")

    class Meta:
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"
        ordering = ["path"]
        constraints = [models.CheckConstraint(condition=models.Q(code__regex=r"^[0-9]{12}$"),
                                              name="region_code_12_digits")]

    def __str__(self) -> str:
        return self.name

    @property
    def depth(self) -> int:
        return self.path.count("/") - 2


class UnitKind(models.TextChoices):
    PARTY_GOVERNMENT = "party_government", "党政机关"
    PEOPLES_ORGANISATION = "peoples_organisation", "人民团体"
    PUBLIC_INSTITUTION = "public_institution", "事业单位"
    SOCIETY = "society", "学会/协会"
    SCHOOL = "school", "学校"
    ENTERPRISE = "enterprise", "企业"
    MEDIA = "media", "媒体"
    VENUE = "venue", "科普场馆/基地"
    TEAM = "team", "志愿服务队"
    GRASSROOTS = "grassroots", "基层组织"
    OTHER = "other", "其他"


class Unit(TimeStampedModel):
    """Any organisation: a member department of the leading group, a school, a base, a team …"""

    name = models.CharField("单位名称", max_length=100)
    short_name = models.CharField("简称", max_length=40, blank=True)
    normalized_name = models.CharField(max_length=100, unique=True, editable=False)
    kind = models.CharField("类别", max_length=24, choices=UnitKind.choices, default=UnitKind.PARTY_GOVERNMENT)
    region = models.ForeignKey(Region, verbose_name="所属区划", on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    is_member = models.BooleanField("领导小组成员单位", default=False)
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    contact_phone = models.CharField("办公电话", max_length=30, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)
    # "/12/57/": every ancestor's id, so "本单位及下级" is one prefix match.
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")

    scope_rule = ScopeRule(unit="", region="region")

    class Meta:
        verbose_name = "单位"
        verbose_name_plural = "单位"
        ordering = ["sort_order", "name"]
        indexes = [models.Index(fields=["is_member", "sort_order"], name="unit_member_sort")]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        return self.short_name or self.name


class UnitAlias(models.Model):
    """Another spelling of a unit's name (市人力资源社会保障局 = 市人社局), used to match documents."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField("别名", max_length=100)
    normalized_name = models.CharField(max_length=100, unique=True, editable=False)

    scope_rule = ScopeRule(unit="unit", region="unit__region")

    class Meta:
        verbose_name = "单位别名"
        verbose_name_plural = "单位别名"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in: staff of a unit, an expert, a volunteer or a resident."""

    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="members"
    )
    region = models.ForeignKey(
        Region, verbose_name="管辖区划", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="区县/乡镇管理员管辖的区域；不填则取所属单位的区划",
    )
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    totp_secret = ProtectedField(blank=True, editable=False)  # encrypted at rest, like ID numbers
    totp_enabled = models.BooleanField("已启用动态口令", default=False)

    objects = UserManager()

    scope_rule = ScopeRule(unit="unit", region="unit__region", owner="")

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        cache = getattr(self, "_prefetched_objects_cache", {}).get("role_assignments")
        rows = cache if cache is not None else self.role_assignments.all()
        return frozenset(r.role for r in rows)

    @property
    def role_labels(self) -> list[str]:
        return [Role(code).label for code in Role.values if code in self.role_codes]

    @cached_property
    def access_profile(self) -> AccessProfile:
        region = self.region or (self.unit.region if self.unit_id else None)
        return AccessProfile(
            user_id=self.pk,
            roles=self.role_codes,
            unit_id=self.unit_id,
            unit_path=self.unit.path if self.unit_id else None,
            region_id=region.pk if region else None,
            region_path=region.path if region else None,
            unit_is_member=bool(self.unit_id and self.unit.is_member and self.unit.is_active),
        )

    def clear_access_cache(self) -> None:
        for name in ("role_codes", "access_profile"):
            self.__dict__.pop(name, None)


class RoleAssignment(models.Model):
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments")
    role = models.CharField("角色", max_length=20, choices=Role.choices)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    granted_at = models.DateTimeField("授予时间", auto_now_add=True)

    class Meta:
        verbose_name = "角色分配"
        verbose_name_plural = "角色分配"
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="one_assignment_per_role")]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class ApiToken(models.Model):
    """A bearer token for the REST API; only a hash is stored, the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField("用途", max_length=60)
    prefix = models.CharField(max_length=12, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    expires_at = models.DateTimeField("到期时间")
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("吊销时间", null=True, blank=True)

    scope_rule = ScopeRule(owner="user")

    class Meta:
        verbose_name = "接口令牌"
        verbose_name_plural = "接口令牌"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
