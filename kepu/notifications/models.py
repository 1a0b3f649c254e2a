"""In-app notifications, and the SMS messages the fake adapter records instead of sending."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from kepu.core.access import ScopeRule


class Notification(models.Model):
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=120)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    kind = models.CharField("类别", max_length=40, blank=True, help_text="如 plans.reminder、orders.dispatched")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)

    scope_rule = ScopeRule(owner="recipient")

    class Meta:
        verbose_name = "站内消息"
        verbose_name_plural = "站内消息"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self) -> str:
        return self.title


class SmsMessage(models.Model):
    """What the fake SMS adapter 'sent': tests and demos read these; production uses a real gateway."""

    phone = models.CharField("手机号", max_length=20)
    text = models.CharField("内容", max_length=500)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "短信（模拟）"
        verbose_name_plural = "短信（模拟）"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.phone}: {self.text[:20]}"
