"""Proving someone holds a phone: a 6-digit code by SMS, valid 10 minutes, 5 tries, one a minute and
ten a day per number. Used wherever residents act without an account (service orders, volunteer
registration); each use names its `purpose`, so a code sent for one cannot be spent on another."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kepu.core import limits
from kepu.core.errors import ValidationFailed
from kepu.core.text import is_mobile
from kepu.notifications import sms
from kepu.notifications.models import PhoneVerification

CODE_MINUTES = 10
RESEND_SECONDS = 60
MAX_ATTEMPTS = 5
DAILY_LIMIT = 10


def _digest(phone: str, code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def code_send(*, phone: str, purpose: str, message: str) -> PhoneVerification:
    """Send a fresh code (after commit); `message` holds `{code}` and `{minutes}`. Floods are refused."""
    phone = (phone or "").strip()
    if not is_mobile(phone):
        raise ValidationFailed("请填写正确的 11 位手机号码", "phone")
    now = timezone.now()
    recent = PhoneVerification.objects.filter(phone=phone, created_at__gte=now - datetime.timedelta(days=1))
    last = recent.order_by("-created_at").first()
    if last is not None and (now - last.created_at).total_seconds() < RESEND_SECONDS:
        wait = RESEND_SECONDS - int((now - last.created_at).total_seconds())
        raise ValidationFailed(f"验证码已发送，请 {wait} 秒后再获取", "phone")
    if recent.count() >= DAILY_LIMIT:
        raise ValidationFailed("该手机号今日获取验证码次数过多，请明天再试", "phone")
    _within_visitor_and_daily_limits()
    code = f"{secrets.randbelow(1_000_000):06d}"
    found = PhoneVerification.objects.create(phone=phone, purpose=purpose, code_hash=_digest(phone, code),
                                             expires_at=now + datetime.timedelta(minutes=CODE_MINUTES))
    text = message.format(code=code, minutes=CODE_MINUTES)
    transaction.on_commit(lambda: sms.backend().send(phone, text))
    return found


def _visitor_limit() -> limits.Limit:
    return limits.Limit("sms.address", settings.KEPU_SMS_PER_ADDRESS, 3600,
                        "您获取验证码过于频繁，请 {minutes} 分钟后再试")


def _daily_budget() -> limits.Limit:
    # A ceiling on what a scripted flood can cost the city in one day, whatever the numbers and addresses.
    return limits.Limit("sms.budget", settings.KEPU_SMS_DAILY_BUDGET, 24 * 3600,
                        "今日短信验证码发送量已达上限，请明天再试或联系工作人员")


def _within_visitor_and_daily_limits() -> None:
    try:
        if limits.client_address():  # a request's visitor (commands and jobs have no address)
            limits.take(_visitor_limit(), limits.client_address())
        limits.take(_daily_budget(), "all")
    except limits.LimitExceeded as exc:
        raise ValidationFailed(exc.message, "phone") from None


def code_check(*, phone: str, code: str, purpose: str) -> PhoneVerification:
    """Spend the latest code sent to the phone for `purpose`.

    Runs in its own transaction and raises only after it, so that a wrong guess counts even when the
    caller's own work is then abandoned: five wrong guesses spend the code.
    """
    phone, code = (phone or "").strip(), (code or "").strip()
    now = timezone.now()
    with transaction.atomic():
        found = (PhoneVerification.objects.select_for_update()
                 .filter(phone=phone, purpose=purpose, verified_at__isnull=True).order_by("-created_at").first())
        if found is None or found.expires_at < now:
            raise ValidationFailed("验证码已过期，请重新获取", "code")
        if found.attempts >= MAX_ATTEMPTS:
            raise ValidationFailed("验证码错误次数过多，请重新获取", "code")
        found.attempts += 1
        ok = len(code) == 6 and hmac.compare_digest(found.code_hash, _digest(phone, code))
        if ok:
            found.verified_at = now
        found.save(update_fields=["attempts", "verified_at"])
    if not ok:
        left = MAX_ATTEMPTS - found.attempts
        raise ValidationFailed(f"验证码不正确，还可尝试 {left} 次" if left else "验证码错误次数过多，请重新获取",
                               "code")
    return found


KEEP_DAYS = 2  # the daily limit looks back one day; older codes serve nothing and hold a phone number


def codes_purge(*, now: datetime.datetime | None = None) -> int:
    """Delete verification codes older than KEEP_DAYS (daily job): a phone number is not kept longer
    than the flood limits need it."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=KEEP_DAYS)
    deleted, _ = PhoneVerification.objects.filter(created_at__lt=cutoff).delete()
    return deleted
