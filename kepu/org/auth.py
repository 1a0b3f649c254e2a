"""Signing in: password, lockout after repeated failures, the optional second factor, audit entries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from kepu.core import audit, limits
from kepu.core.models import AuditCategory
from kepu.org.models import User


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


def _account_limit() -> limits.Limit:
    # Per account AND client address: a stranger's wrong passwords lock the account only for the
    # stranger's address, never the real user at theirs.
    return limits.Limit("login.account", settings.KEPU_LOCKOUT_FAILURES, settings.KEPU_LOCKOUT_SECONDS,
                        "连续登录失败次数过多，账号已锁定，请 {minutes} 分钟后再试。")


def _spray_limit() -> limits.Limit:
    # Many accounts tried from one address (password spraying): the address is refused for a while.
    return limits.Limit("login.address", settings.KEPU_LOGIN_ADDRESS_FAILURES, settings.KEPU_LOGIN_ADDRESS_SECONDS,
                        "此网络地址登录失败次数过多，请 {minutes} 分钟后再试。")


def second_factor_limit() -> limits.Limit:
    return limits.Limit("login.totp", settings.KEPU_LOCKOUT_FAILURES, settings.KEPU_LOCKOUT_SECONDS,
                        "动态口令错误次数过多，请 {minutes} 分钟后再试。")


def _generation(username: str) -> str:
    """Bumped by an administrator's unlock, which so voids every counter of the account."""
    return str(cache.get(f"kepu:login:generation:{_key(username)}", 0))


def account_identifier(username: str) -> str:
    return f"{_key(username)}|{_generation(username)}|{limits.client_address()}"


def locked_until(username: str) -> Any:
    """When the account's latest lock ends (at the address that caused it), for the user page."""
    until = cache.get(f"kepu:login:locked:{_key(username)}:{_generation(username)}")
    return until if until and until > timezone.now() else None


def unlock(username: str) -> None:
    key = f"kepu:login:generation:{_key(username)}"
    cache.add(key, 0, None)
    cache.incr(key)


def _refusal(username: str) -> str:
    for limit, identifier in ((_spray_limit(), limits.client_address()), (_account_limit(),
                                                                          account_identifier(username))):
        try:
            limits.refuse_if_reached(limit, identifier)
        except limits.LimitExceeded as exc:
            return exc.message
    return ""


def _register_failure(username: str) -> int:
    """Count a failed sign-in for the account at this address and for the address; returns how many
    failures the account has had at this address in the window."""
    limits.hit(_spray_limit(), limits.client_address())
    failures = limits.hit(_account_limit(), account_identifier(username))
    if failures >= settings.KEPU_LOCKOUT_FAILURES:
        cache.set(f"kepu:login:locked:{_key(username)}:{_generation(username)}",
                  timezone.now() + timedelta(seconds=settings.KEPU_LOCKOUT_SECONDS), settings.KEPU_LOCKOUT_SECONDS)
    return failures


def attempt_login(request: HttpRequest, username: str, password: str) -> LoginOutcome:
    """Check a password sign-in; the caller logs the user in when `user` is set and no factor is due."""
    refusal = _refusal(username)
    if refusal:
        audit.record(None, "auth.login_locked", category=AuditCategory.LOGIN_FAILED,
                     actor_name=username, reason="锁定期间尝试登录")
        return LoginOutcome(None, refusal, locked=True)
    user = authenticate(request, username=username, password=password)
    if user is None:
        failures = _register_failure(username)
        audit.record(None, "auth.login_failed", category=AuditCategory.LOGIN_FAILED,
                     actor_name=username, reason=f"用户名或密码错误（第 {failures} 次）")
        if failures >= settings.KEPU_LOCKOUT_FAILURES:
            return LoginOutcome(None, f"连续登录失败 {settings.KEPU_LOCKOUT_FAILURES} 次，账号已锁定 "
                                      f"{settings.KEPU_LOCKOUT_SECONDS // 60} 分钟。", locked=True)
        left = settings.KEPU_LOCKOUT_FAILURES - failures
        return LoginOutcome(None, f"用户名或密码错误，再错 {left} 次账号将被锁定。")
    if user.totp_enabled:
        return LoginOutcome(user, needs_second_factor=True)
    return LoginOutcome(user)


def login_succeeded(user: User) -> None:
    limits.clear(_account_limit(), account_identifier(user.username))
    audit.record(user, "auth.login", category=AuditCategory.LOGIN, obj=user)


def password_expired(user: User) -> bool:
    max_age = getattr(settings, "KEPU_PASSWORD_MAX_AGE_DAYS", 0)
    if user.must_change_password:
        return True
    if not max_age or user.password_changed_at is None:
        return False
    return timezone.now() - user.password_changed_at > timedelta(days=max_age)
