from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from kepu.core.access import ScopeRule


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        abstract = True


class Withdrawable(models.Model):
    """A record with legal weight (hours, verdicts, scores …): withdrawn with a reason, never deleted."""

    withdrawn_at = models.DateTimeField("撤销时间", null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="撤销人", null=True, blank=True,
        on_delete=models.PROTECT, related_name="+",
    )
    withdrawal_reason = models.TextField("撤销原因", blank=True)

    class Meta:
        abstract = True

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("具有法律效力的记录不可删除，只能注明原因后撤销")


class AuditCategory(models.TextChoices):
    CREATE = "create", "新增"
    UPDATE = "update", "修改"
    WITHDRAW = "withdraw", "撤销/停用"
    IMPORT = "import", "导入"
    EXPORT = "export", "导出"
    LOGIN = "login", "登录"
    LOGIN_FAILED = "login_failed", "登录失败"
    LOGOUT = "logout", "退出"
    PERMISSION = "permission", "权限变更"
    DENIED = "denied", "越权拒绝"
    WORKFLOW = "workflow", "流程操作"
    SYSTEM = "system", "系统"


class AuditEntryQuerySet(models.QuerySet["AuditEntry"]):
    def delete(self) -> Any:
        raise PermissionError("操作日志不可删除")

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("操作日志不可修改")


class AuditEntry(models.Model):
    """Who did what, to which record, with what before and after, when and from where."""

    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="操作人", null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    category = models.CharField("类别", max_length=20, choices=AuditCategory.choices)
    action = models.CharField("操作", max_length=80)
    object_type = models.CharField("对象类型", max_length=60, blank=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    reason = models.TextField("原因/说明", blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    user_agent = models.CharField("客户端", max_length=200, blank=True)
    channel = models.CharField("渠道", max_length=12, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    # Everyone may be granted their own entries; the office is granted all of them.
    scope_rule = ScopeRule(owner="actor")

    class Meta:
        verbose_name = "操作日志"
        verbose_name_plural = "操作日志"
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["category", "-created_at"], name="audit_category_time"),
            models.Index(fields=["actor", "-created_at"], name="audit_actor_time"),
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["action", "-created_at"], name="audit_action_time"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise PermissionError("操作日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("操作日志不可删除")



class JobRun(models.Model):
    """One day's enqueueing of a scheduled job (see kepu.core.scheduler)."""

    name = models.CharField(max_length=80)
    day = models.DateField()
    slot = models.PositiveIntegerField(default=0)  # which interval of the day, for interval jobs
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["name", "day", "slot"], name="one_run_per_job_and_slot")]

    def __str__(self) -> str:
        return f"{self.name} {self.day}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", "排队中"
    RUNNING = "running", "生成中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"
    EXPIRED = "expired", "已过期"


class ExportJob(models.Model):
    """A large Excel export built in the background (kepu.core.exports) and downloadable by its owner."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导出人", on_delete=models.CASCADE,
                             related_name="+")
    action = models.CharField("操作", max_length=80)
    title = models.CharField("名称", max_length=200)
    path = models.CharField("导出地址", max_length=2000)  # the export URL with the user's filters
    filters = models.CharField("条件", max_length=500, blank=True)
    ip = models.GenericIPAddressField("来源地址", null=True, blank=True)
    rows = models.PositiveIntegerField("行数", default=0)
    written = models.PositiveIntegerField("已写行数", default=0)  # progress while it is being built
    status = models.CharField("状态", max_length=10, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    message = models.CharField("说明", max_length=300, blank=True)
    file = models.FileField("文件", upload_to="exports/%Y/%m/", blank=True)
    size = models.PositiveBigIntegerField("大小", default=0)
    created_at = models.DateTimeField("提交时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", default=timezone.now)  # kepu.core.leases
    attempts = models.PositiveSmallIntegerField("重试次数", default=0)
    updated_at = models.DateTimeField(auto_now=True)

    scope_rule = ScopeRule(owner="user")

    class Meta:
        verbose_name = "导出任务"
        verbose_name_plural = "导出任务"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "-created_at"], name="export_user_time")]

    def __str__(self) -> str:
        return self.title


class Sequence(models.Model):
    """A named counter that hands out each number once, even to two requests at the same instant
    (kepu.core.sequences): the 文号 of 督办单 and 通报 are drawn from it."""

    name = models.CharField(max_length=80, unique=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name} {self.last}"
