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


class PhoneVerification(models.Model):
    """A 6-digit code sent by SMS to prove someone holds a phone, for one purpose (placing service
    orders, registering as a volunteer …); only an HMAC of the code is kept."""

    phone = models.CharField("手机号", max_length=20)
    purpose = models.CharField("用途", max_length=40)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField("发送时间", auto_now_add=True)
    expires_at = models.DateTimeField("失效时间")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    verified_at = models.DateTimeField("验证时间", null=True, blank=True)

    class Meta:
        verbose_name = "短信验证码"
        verbose_name_plural = "短信验证码"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["phone", "purpose", "-created_at"], name="phone_verification_recent")]

    def __str__(self) -> str:
        from kepu.core.text import mask_phone

        return f"{mask_phone(self.phone)} {self.purpose}"


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
