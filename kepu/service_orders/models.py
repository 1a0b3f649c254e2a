"""The grassroots science-service order workflow (C4): 群众点单 → 社区派单 → 部门领单 → 服务队接单 →
服务 → 群众评单.

`ServiceOrder.status` is assigned only by the services of `states.py`; every change of it writes an
`OrderEvent` (the order's history, shown on its page like Saleor's order events) and an audit entry.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from kepu.core.access import ScopeRule
from kepu.core.models import TimeStampedModel
from kepu.core.protected import DigestField, ProtectedField
from kepu.core.text import mask_phone


class ServiceCategory(models.TextChoices):
    HEALTH = "health", "健康医疗"
    EMERGENCY = "emergency", "应急避险"
    AGRICULTURE = "agriculture", "农业技术"
    YOUTH = "youth", "青少年科技"
    ELDERLY_DIGITAL = "elderly_digital", "老年数字技能"
    ENVIRONMENT = "environment", "生态环保"
    LIFE = "life", "生活科普"
    OTHER = "other", "其他"


class Audience(models.TextChoices):
    """Who a service is for: the five priority groups of the outline, or everyone."""

    EVERYONE = "everyone", "社区居民"
    YOUTH = "youth", "青少年"
    FARMERS = "farmers", "农民"
    WORKERS = "workers", "产业工人"
    ELDERLY = "elderly", "老年人"
    OFFICIALS = "officials", "领导干部和公务员"


class CentreLevel(models.TextChoices):
    CENTRE = "centre", "实践中心"
    INSTITUTE = "institute", "实践所"
    STATION = "station", "实践站"


class PracticeCentre(TimeStampedModel):
    """A 新时代文明实践中心（所、站）: the grassroots venue that receives and dispatches orders of its area."""

    name = models.CharField("名称", max_length=100, unique=True)
    level = models.CharField("层级", max_length=12, choices=CentreLevel.choices)
    region = models.OneToOneField("org.Region", verbose_name="所在区划", on_delete=models.PROTECT,
                                  related_name="practice_centre")
    address = models.CharField("地址", max_length=200, blank=True)
    phone = models.CharField("联系电话", max_length=30, blank=True)

    scope_rule = ScopeRule(region="region")

    class Meta:
        verbose_name = "新时代文明实践阵地"
        verbose_name_plural = "新时代文明实践阵地"
        ordering = ["region__path"]

    def __str__(self) -> str:
        return self.name


class ServiceItem(TimeStampedModel):
    """One entry of the service menu (服务菜单): a talk, a clinic, a training that can be ordered."""

    name = models.CharField("服务名称", max_length=100)
    category = models.CharField("类别", max_length=20, choices=ServiceCategory.choices)
    summary = models.TextField("服务内容")
    audience = models.CharField("服务对象", max_length=12, choices=Audience.choices, default=Audience.EVERYONE)
    duration_minutes = models.PositiveIntegerField("时长（分钟）", default=90,
                                                   validators=[MinValueValidator(15), MaxValueValidator(1440)])
    max_headcount = models.PositiveIntegerField("人数上限", default=100, validators=[MinValueValidator(1)])
    provider_unit = models.ForeignKey("org.Unit", verbose_name="提供部门", on_delete=models.PROTECT,
                                      related_name="service_items")
    provider_team = models.ForeignKey("volunteers.VolunteerTeam", verbose_name="提供队伍", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="service_items")
    area = models.ForeignKey("org.Region", verbose_name="服务区域", on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField("上架", default=True)
    sort_order = models.PositiveIntegerField("排序", default=100)

    scope_rule = ScopeRule(unit="provider_unit", region="area")

    class Meta:
        verbose_name = "服务项目"
        verbose_name_plural = "服务项目"
        ordering = ["category", "sort_order", "name"]
        constraints = [models.UniqueConstraint(fields=["name", "provider_unit"], name="item_name_per_unit")]

    def __str__(self) -> str:
        return self.name

    @property
    def duration_label(self) -> str:
        hours, minutes = divmod(self.duration_minutes, 60)
        if not hours:
            return f"{minutes} 分钟"
        return f"{hours} 小时" + (f" {minutes} 分钟" if minutes else "")


class OrderStatus(models.TextChoices):
    PLACED = "placed", "待派单"
    DISPATCHED = "dispatched", "待领单"
    CLAIMED = "claimed", "待接单"
    ACCEPTED = "accepted", "已接单"
    IN_SERVICE = "in_service", "服务中"
    COMPLETED = "completed", "待评价"
    RATED = "rated", "已评价"
    REJECTED = "rejected", "不予受理"
    CANCELLED = "cancelled", "已取消"


class OrderChannel(models.TextChoices):
    PORTAL = "portal", "群众点单"
    COMMUNITY = "community", "社区代下单"


class TimeSlot(models.TextChoices):
    MORNING = "morning", "上午 9:00"
    AFTERNOON = "afternoon", "下午 14:30"
    EVENING = "evening", "晚上 19:00"


class ServiceOrder(TimeStampedModel):
    """A request for a science service, from a resident or a community, and its path to delivery."""

    item = models.ForeignKey(ServiceItem, verbose_name="服务项目", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="orders")
    title = models.CharField("服务需求", max_length=100)
    category = models.CharField("类别", max_length=20, choices=ServiceCategory.choices)
    description = models.TextField("需求说明", blank=True)
    channel = models.CharField("来源", max_length=12, choices=OrderChannel.choices, default=OrderChannel.PORTAL)
    requester_name = models.CharField("联系人", max_length=50)
    requester_phone = ProtectedField("联系电话")
    requester_phone_digest = DigestField(source="requester_phone", kind="phone")
    requester_user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下单账号", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="service_orders")
    # Where: the town (for figures and the town's queue) and the exact area (town or community).
    town = models.ForeignKey("org.Region", verbose_name="镇（街道）", on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey("org.Region", verbose_name="服务地点区划", on_delete=models.PROTECT, related_name="+")
    centre = models.ForeignKey(PracticeCentre, verbose_name="受理阵地", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="orders")
    address = models.CharField("详细地址", max_length=200)
    scheduled_at = models.DateTimeField("预约时间")
    headcount = models.PositiveIntegerField("预计人数", validators=[MinValueValidator(1)])

    status = models.CharField("状态", max_length=12, choices=OrderStatus.choices, default=OrderStatus.PLACED)
    # Every transition is a conditional UPDATE on (status, version): two claimers cannot both win.
    version = models.PositiveIntegerField(default=0, editable=False)
    stage_started_at = models.DateTimeField("本环节开始时间")
    escalated_at = models.DateTimeField("超时督办时间", null=True, blank=True)

    dispatch_unit = models.ForeignKey("org.Unit", verbose_name="承办部门", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="service_orders")
    # While claimed: offered to one team (directed) or, when empty, open to every team (抢单池).
    offered_team = models.ForeignKey("volunteers.VolunteerTeam", verbose_name="指派队伍", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="offered_orders")
    team = models.ForeignKey("volunteers.VolunteerTeam", verbose_name="服务队伍", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="service_orders")

    placed_at = models.DateTimeField("点单时间", db_index=True)
    dispatched_at = models.DateTimeField("派单时间", null=True, blank=True)
    claimed_at = models.DateTimeField("领单时间", null=True, blank=True)
    accepted_at = models.DateTimeField("接单时间", null=True, blank=True)
    started_at = models.DateTimeField("开始服务时间", null=True, blank=True)
    completed_at = models.DateTimeField("完成时间", null=True, blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)

    report = models.TextField("服务小结", blank=True)
    served_count = models.PositiveIntegerField("实际服务人数", null=True, blank=True)
    service_hours = models.DecimalField("每人服务时长（小时）", max_digits=5, decimal_places=1, null=True, blank=True)
    rating = models.PositiveSmallIntegerField("评分", null=True, blank=True,
                                              validators=[MinValueValidator(1), MaxValueValidator(5)])
    rating_comment = models.TextField("评价", blank=True)
    rated_at = models.DateTimeField("评价时间", null=True, blank=True)
    # Only a hash of the rating link's token is kept; the link itself went out by SMS.
    rating_token_hash = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    close_reason = models.TextField("关闭原因", blank=True)

    # A team reaches the orders it serves or is offered, and (while it has a team) the open pool.
    scope_rule = ScopeRule(unit="dispatch_unit", region="region", owner="requester_user", team="team",
                           teams=("offered_team",),
                           team_open=models.Q(status=OrderStatus.CLAIMED, offered_team__isnull=True))

    class Meta:
        verbose_name = "服务工单"
        verbose_name_plural = "服务工单"
        ordering = ["-placed_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-placed_at"], name="order_status_placed"),
            models.Index(fields=["status", "stage_started_at"], name="order_status_stage"),
            models.Index(fields=["town", "-placed_at"], name="order_town_placed"),
            models.Index(fields=["dispatch_unit", "status"], name="order_unit_status"),
            models.Index(fields=["offered_team", "status"], name="order_offer_status"),
            models.Index(fields=["team", "status"], name="order_team_status"),
            # The figures' grouped counts over a year of orders, read off the index alone (no table rows).
            models.Index(fields=["placed_at"], name="order_placed_figures",
                         include=["status", "town", "region", "dispatch_unit", "team", "rating", "served_count",
                                  "accepted_at", "completed_at"]),
            models.Index(fields=["requester_phone_digest", "-placed_at"], name="order_phone_placed"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                                   name="order_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def number(self) -> str:
        """The order number people quote on the phone: 点单日期 + 序号."""
        day = self.placed_at.astimezone(_tz()).strftime("%Y%m%d") if self.placed_at else "00000000"
        return f"FW{day}{self.pk or 0:06d}"

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.requester_phone)

    @property
    def in_open_pool(self) -> bool:
        return self.status == OrderStatus.CLAIMED and self.offered_team_id is None

    @property
    def is_closed(self) -> bool:
        return self.status in (OrderStatus.RATED, OrderStatus.REJECTED, OrderStatus.CANCELLED)


def _tz():  # type: ignore[no-untyped-def]
    from django.utils import timezone

    return timezone.get_current_timezone()


def order_photo_path(photo: OrderPhoto, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    from uuid import uuid4

    return f"service_orders/{photo.order_id}/{uuid4().hex}.{suffix}"


class OrderPhoto(models.Model):
    """A photo of the close-out report. Stored under MEDIA_ROOT, served only through a scoped view."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.PROTECT, related_name="photos")
    image = models.ImageField("照片", upload_to=order_photo_path)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField("上传时间", auto_now_add=True)

    class Meta:
        verbose_name = "服务照片"
        verbose_name_plural = "服务照片"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.image.name


class EventKind(models.TextChoices):
    PLACED = "placed", "群众点单"
    DISPATCHED = "dispatched", "派单"
    REJECTED = "rejected", "不予受理"
    CLAIMED = "claimed", "部门领单"
    RETURNED = "returned", "部门退单"
    OFFERED = "offered", "指派队伍"
    ACCEPTED = "accepted", "服务队接单"
    RELEASED = "released", "服务队退回"
    STARTED = "started", "开始服务"
    COMPLETED = "completed", "完成服务"
    RATED = "rated", "群众评单"
    CANCELLED = "cancelled", "取消"
    RECALLED = "recalled", "撤回重派"
    REASSIGNED = "reassigned", "改派"
    TIMED_OUT = "timed_out", "超时退回"
    ESCALATED = "escalated", "超时督办"


class OrderEvent(models.Model):
    """One step in an order's history: who did what, from which status to which, and why."""

    order = models.ForeignKey(ServiceOrder, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("事件", max_length=12, choices=EventKind.choices)
    from_status = models.CharField("原状态", max_length=12, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField("新状态", max_length=12, choices=OrderStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    actor_name = models.CharField("操作人", max_length=100)
    note = models.TextField("说明", blank=True)
    created_at = models.DateTimeField("时间", db_index=True)

    class Meta:
        verbose_name = "工单事件"
        verbose_name_plural = "工单事件"
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="order_event_time")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.get_kind_display()}"


class OrderSettings(models.Model):
    """The time limit of each stage, set by the office; one row (pk=1)."""

    dispatch_hours = models.PositiveIntegerField("派单时限（小时）", default=24,
                                                 validators=[MinValueValidator(1), MaxValueValidator(720)])
    claim_hours = models.PositiveIntegerField("领单时限（小时）", default=24,
                                              validators=[MinValueValidator(1), MaxValueValidator(720)])
    accept_hours = models.PositiveIntegerField("接单时限（小时）", default=48,
                                               validators=[MinValueValidator(1), MaxValueValidator(720)])
    complete_days = models.PositiveIntegerField("办结时限（预约日后天数）", default=3,
                                                validators=[MinValueValidator(0), MaxValueValidator(60)])
    early_start_hours = models.PositiveIntegerField("提前开始服务窗口（小时）", default=2,
                                                    validators=[MinValueValidator(0), MaxValueValidator(72)])
    rating_days = models.PositiveIntegerField("评价有效期（天）", default=30,
                                              validators=[MinValueValidator(1), MaxValueValidator(365)])
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        verbose_name = "工单时限设置"
        verbose_name_plural = "工单时限设置"

    def __str__(self) -> str:
        return "工单时限设置"

    @classmethod
    def current(cls) -> OrderSettings:
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)
