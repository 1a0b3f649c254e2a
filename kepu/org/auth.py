"""Signing in: password, lockout after repeated failures, the optional second factor, audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone

from kepu.core import audit
from kepu.core.models import AuditCategory
from kepu.org.models import LoginThrottle, User


class KepuModelBackend(ModelBackend):
    """Django's password check; loads the user with what data scopes need in one query."""

    def get_user(self, user_id: Any) -> User | None:
        user = (
            User.objects.select_related("unit", "unit__region", "region")
            .prefetch_related("role_assignments")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None


@dataclass(frozen=True)
class LoginOutcome:
    user: User | None
    message: str = ""
    locked: bool = False
    needs_second_factor: bool = False


def _key(username: str) -> str:
    return username.strip().lower()


def locked_until(username: str) -> Any:
    throttle = LoginThrottle.objects.filter(username=_key(username)).first()
    if throttle and throttle.locked_until and throttle.locked_until > timezone.now():
        return throttle.locked_until
    return None


def _minutes_left(until: Any) -> int:
    return max(1, int((until - timezone.now()).total_seconds() + 59) // 60)


@transaction.atomic
def _register_failure(username: str) -> LoginThrottle:
    now = timezone.now()
    throttle, _ = LoginThrottle.objects.select_for_update().get_or_create(username=_key(username))
    if throttle.locked_until and throttle.locked_until <= now:
        throttle.failures = 0  # the previous lock has run out; count afresh
        throttle.locked_until = None
    LoginThrottle.objects.filter(pk=throttle.pk).update(failures=F("failures") + 1, last_failure_at=now)
    throttle.refresh_from_db()
    if throttle.failures >= settings.KEPU_LOCKOUT_FAILURES:
        throttle.locked_until = now + timedelta(seconds=settings.KEPU_LOCKOUT_SECONDS)
        throttle.save(update_fields=["locked_until"])
    return throttle


def attempt_login(request: HttpRequest, username: str, password: str) -> LoginOutcome:
    """Check a password sign-in; the caller logs the user in when `user` is set and no factor is due."""
    until = locked_until(username)
    if until is not None:
        audit.record(None, "auth.login_locked", category=AuditCategory.LOGIN_FAILED,
                     actor_name=username, reason="账号锁定期间尝试登录")
        return LoginOutcome(None, f"连续登录失败次数过多，账号已锁定，请 {_minutes_left(until)} 分钟后再试。", locked=True)
    user = authenticate(request, username=username, password=password)
    if user is None:
        throttle = _register_failure(username)
        audit.record(None, "auth.login_failed", category=AuditCategory.LOGIN_FAILED,
                     actor_name=username, reason=f"用户名或密码错误（第 {throttle.failures} 次）")
        if throttle.locked_until:
            return LoginOutcome(None, f"连续登录失败 {settings.KEPU_LOCKOUT_FAILURES} 次，账号已锁定 "
                                      f"{settings.KEPU_LOCKOUT_SECONDS // 60} 分钟。", locked=True)
        left = settings.KEPU_LOCKOUT_FAILURES - throttle.failures
        return LoginOutcome(None, f"用户名或密码错误，再错 {left} 次账号将被锁定。")
    if user.totp_enabled:
        return LoginOutcome(user, needs_second_factor=True)
    return LoginOutcome(user)


def login_succeeded(user: User) -> None:
    LoginThrottle.objects.filter(username=_key(user.username)).delete()
    audit.record(user, "auth.login", category=AuditCategory.LOGIN, obj=user)


def password_expired(user: User) -> bool:
    max_age = getattr(settings, "KEPU_PASSWORD_MAX_AGE_DAYS", 0)
    if user.must_change_password:
        return True
    if not max_age or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=max_age)
